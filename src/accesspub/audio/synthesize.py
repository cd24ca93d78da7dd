"""Narrate stage, part 1: one clip per sentence, through the cache, engines in parallel.

A sentence's ``spoken`` parts (one per language) are the unit of synthesis and of caching;
a sentence's clip is its parts' clips joined end to end.  Every clip is stored in the clip
cache as int16 mono PCM at ``SAMPLE_RATE`` (44.1 kHz, AU-2), whatever rate the engine spoke
at, and leaves this module as a *reference* (``SentenceAudio``: cache keys, lengths and
engines): nothing holds the narration's PCM in memory, so a book costs no more memory than a
press release; stitching streams the clips back from the cache one at a time.

Scale design (DESIGN.md "Scale"): a clip job is ``speak_part(factory, text, lang, rate)``, a
pure top-level function whose arguments all pickle, so it runs in a local process pool, in
this process, or on any ``concurrent.futures.Executor`` (e.g. ``distributed.Client(...)
.get_executor()``).  With a caller's executor the PCM comes back to this process, which
writes the cache; the local process pool's workers run ``speak_to_cache`` instead and write
the entry themselves (atomically), returning only its key, length and engine, so no clip
is pickled across processes.

The engine set is whatever ``engine_set_factory()`` returns, normally
``functools.partial(EngineSet.from_config, config)``; this module needs only:
    speak(text: str, lang: str) -> tuple[AudioClip, str]   # clip and the engine that spoke
    fingerprint(lang: str) -> str                           # what would speak ``lang``
    close() -> None                                         # optional
    voice_for(engine: str, lang: str) -> str | None         # optional, for the cache key
``engine_set_factory`` must pickle (a top-level function, a ``functools.partial`` of a
class and a ``Config``, …) because process workers build their own engine set from it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from math import gcd
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

import numpy as np

from accesspub.audio.cache import ClipCache, clip_key
from accesspub.config import Config
from accesspub.engines import AudioClip
from accesspub.errors import AccessPubError, ToolError
from accesspub.model import Publication, SourceLocation

SAMPLE_RATE = 44100          # every clip, track and file of the narration (AU-2)

Progress = Callable[[int, int], None]


class EngineSetLike(Protocol):
    def speak(self, text: str, lang: str) -> tuple[AudioClip, str]: ...
    def fingerprint(self, lang: str) -> str: ...


class SentenceAudio:
    """A sentence's speech (int16 mono PCM at the narration rate) and who spoke it.

    Normally a reference into the clip cache: ``keys`` and ``lengths`` of its parts' clips,
    read back by ``chunks()`` one part at a time, so holding every sentence of a book costs
    a few hundred bytes each.  ``SentenceAudio(id, pcm, engines)`` holds PCM in memory
    instead (tests, callers with their own audio).  ``pcm`` joins the parts (reads them).
    """

    __slots__ = ("sentence_id", "engines", "keys", "lengths", "cache", "_pcm")

    def __init__(self, sentence_id: str, pcm: np.ndarray | None = None,
                 engines: tuple[str, ...] = (), *, keys: tuple[str, ...] = (),
                 lengths: tuple[int, ...] = (), cache: ClipCache | None = None) -> None:
        if pcm is None and (cache is None or len(keys) != len(lengths)):
            raise ValueError("SentenceAudio needs pcm, or keys and lengths and a cache")
        self.sentence_id = sentence_id
        self.engines = tuple(engines)       # engine per spoken part, in order
        self.keys = tuple(keys)
        self.lengths = tuple(lengths)
        self.cache = cache
        self._pcm = pcm

    @property
    def samples(self) -> int:
        return len(self._pcm) if self._pcm is not None else sum(self.lengths)

    def chunks(self) -> Iterator[np.ndarray]:
        """The speech as int16 arrays in order (one per part), read when asked for."""
        if self._pcm is not None:
            yield self._pcm
            return
        for key, length in zip(self.keys, self.lengths):
            pcm = self.cache.read(key)
            if len(pcm) != length:
                raise ToolError(f"the speech cache entry {self.cache.path(key)} changed "
                                "during the build", code="tool-failed", hint="build again")
            yield pcm

    @property
    def pcm(self) -> np.ndarray:
        parts = list(self.chunks())
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts) if parts else np.zeros(0, np.int16)

    def identity(self) -> bytes:
        """Bytes that change whenever the sound may: the cache keys (content-addressed:
        engine, voice, language, text) and lengths, or the PCM itself."""
        if self._pcm is not None:
            return np.ascontiguousarray(self._pcm, dtype="<i2").tobytes()
        return repr((self.keys, self.lengths)).encode("ascii")

    def __repr__(self) -> str:
        return (f"SentenceAudio({self.sentence_id!r}, samples={self.samples}, "
                f"engines={self.engines!r})")


class Synthesis(dict):
    """``{sentence id: SentenceAudio}`` for every sentence that has spoken text.

    Also carries what the run cost: ``hits`` and ``misses`` count distinct spoken parts
    (identical parts are spoken once), so "nothing changed" means ``misses == 0`` and
    "one sentence edited" means ``misses == 1``.
    """

    hits: int = 0
    misses: int = 0


def resample(pcm: bytes | np.ndarray, src_rate: int, dst_rate: int = SAMPLE_RATE) -> np.ndarray:
    """16-bit mono PCM at ``src_rate`` -> int16 array at ``dst_rate``.

    Polyphase FIR (``scipy.signal.resample_poly``, Kaiser window): good quality for
    speech, linear time, and deterministic (no FFT-size dependence, no dithering).
    """
    from scipy.signal import resample_poly   # only when a clip is synthesised: slow import
    x = np.frombuffer(pcm, dtype="<i2") if isinstance(pcm, (bytes, bytearray, memoryview)) \
        else np.asarray(pcm, dtype=np.int16)
    if src_rate == dst_rate:
        return x.astype(np.int16, copy=True)
    g = gcd(src_rate, dst_rate)
    y = resample_poly(x.astype(np.float32), dst_rate // g, src_rate // g)
    np.rint(y, out=y)
    np.clip(y, -32768, 32767, out=y)
    return y.astype(np.int16)


def _speak(engines: EngineSetLike, text: str, lang: str, rate: int) -> tuple[np.ndarray, str]:
    clip, engine = engines.speak(text, lang)
    return resample(clip.pcm, clip.sample_rate, rate), engine


# One engine set per worker process, built on first use (or by the pool initializer) and
# kept for the life of the worker: loading a neural voice costs far more than a sentence.
_WORKER_ENGINES: tuple[bytes, Any] | None = None


def _engines_for(factory: Callable[[], Any]) -> Any:
    global _WORKER_ENGINES
    ident = pickle.dumps(factory)
    if _WORKER_ENGINES is None or _WORKER_ENGINES[0] != ident:
        if _WORKER_ENGINES is not None:
            getattr(_WORKER_ENGINES[1], "close", lambda: None)()
        _WORKER_ENGINES = (ident, factory())
    return _WORKER_ENGINES[1]


def _init_worker(factory: Callable[[], Any], threads: int = 0) -> None:
    # Each worker gets its share of the cores: N workers each spawning a thread per core
    # would oversubscribe the machine and run slower than one process.
    if threads:
        os.environ["ACCESSPUB_ONNX_THREADS"] = str(threads)
    _engines_for(factory)


def speak_part(factory: Callable[[], Any], text: str, lang: str,
               sample_rate: int = SAMPLE_RATE) -> tuple[np.ndarray, str]:
    """The clip job: speak ``text`` in ``lang`` -> (int16 PCM at ``sample_rate``, engine name).

    Pure apart from the per-process engine set memo; safe to run on any executor.
    """
    return _speak(_engines_for(factory), text, lang, sample_rate)


def fallback_key(key: str, engine: str) -> str:
    """Where a clip spoken by a fallback engine is kept for this build: never under the
    configured engine's ``key`` (so the next build retries that engine), and never read
    in place of it."""
    return hashlib.sha256(f"{key}\0fallback\0{engine}".encode("utf-8")).hexdigest()


def speak_to_cache(factory: Callable[[], Any], text: str, lang: str, sample_rate: int,
                   cache_root: str, key: str, engine: str) -> tuple[str, int, str]:
    """The clip job of the local process pool: speak, store the clip in the cache at
    ``cache_root`` and return (the key it is stored under, its length, the engine).

    Stored under ``key`` when ``engine`` (the configured one) spoke it, else under
    ``fallback_key(key, <engine that spoke>)``.  Nothing but three small values goes back.
    """
    pcm, spoke = speak_part(factory, text, lang, sample_rate)
    stored = key if spoke == engine else fallback_key(key, spoke)
    ClipCache(Path(cache_root)).put(stored, pcm, sample_rate, spoke)
    return stored, len(pcm), spoke


@dataclass(slots=True)
class _Part:
    text: str
    lang: str
    location: SourceLocation
    result: tuple[str, int, str] | None = None     # (stored key, samples, engine)


def _voice(engines: Any, config: Config, lang: str) -> str:
    """The voice the chosen engine will use for ``lang`` (part of the cache key)."""
    choice = config.narration.choice_for(lang)
    voice_for = getattr(engines, "voice_for", None)       # EngineSet knows the defaults
    return (voice_for(choice.engine, lang) if voice_for else choice.voice) or ""


def _default_jobs(config: Config) -> int:
    return config.narration.jobs or os.cpu_count() or 1


def synthesize_publication(
    publication: Publication,
    engine_set_factory: Callable[[], EngineSetLike],
    config: Config,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    cache: ClipCache | None = None,
) -> Synthesis:
    """Speak every sentence of ``publication``; only cache misses reach an engine.

    ``jobs``: worker processes for the misses (None: ``config.narration.jobs``, 0 = one per
    core).  ``jobs == 1`` (or a handful of misses) speaks in this process, no pool.  An
    ``executor`` given by the caller is used as is and not shut down.  ``progress(done,
    total)`` is called as parts complete (cache hits count at once).  Sentences without
    spoken text get no entry.  Engine errors propagate, located at the sentence.
    Results from a fallback engine are used but not cached, so the next build retries the
    configured engine.
    """
    rate = SAMPLE_RATE
    cache = cache or ClipCache(config.cache_dir)
    jobs = _default_jobs(config) if jobs is None else (jobs or os.cpu_count() or 1)
    engines = engine_set_factory()
    try:
        fingerprints: dict[str, str] = {}
        parts: dict[str, _Part] = {}
        layout: list[tuple[str, list[str]]] = []
        for sentence in publication.iter_sentences():
            keys = []
            for part in sentence.spoken:
                if not part.text.strip():
                    continue
                if part.lang not in fingerprints:
                    fingerprints[part.lang] = engines.fingerprint(part.lang)
                voice = _voice(engines, config, part.lang)
                key = clip_key(fingerprints[part.lang], voice, part.lang, part.text, rate)
                keys.append(key)
                if key not in parts:
                    parts[key] = _Part(part.text, part.lang, sentence.location)
            if keys:
                layout.append((sentence.id, keys))

        for key, part in parts.items():
            found = cache.info(key)
            if found is not None:
                part.result = (key, found[0], found[1])
        todo = [key for key, part in parts.items() if part.result is None]
        total = len(parts)
        done = total - len(todo)
        if progress:
            progress(done, total)

        def store(key: str, result: tuple[np.ndarray, str]) -> tuple[str, int, str]:
            """Put a clip spoken in this process into the cache; its reference."""
            pcm, spoke = result
            wanted = config.narration.choice_for(parts[key].lang).engine
            stored = key if spoke == wanted else fallback_key(key, spoke)
            cache.put(stored, pcm, rate, spoke)
            return stored, len(pcm), spoke

        def finish(key: str, result: tuple[str, int, str]) -> None:
            nonlocal done
            parts[key].result = result
            done += 1
            if progress:
                progress(done, total)

        if executor is None and (jobs <= 1 or len(todo) <= 2):
            for key in todo:
                part = parts[key]
                with _located(part.location):
                    finish(key, store(key, _speak(engines, part.text, part.lang, rate)))
        elif todo:
            own = executor is None
            workers = min(jobs, len(todo))
            pool = executor or ProcessPoolExecutor(
                max_workers=workers, mp_context=get_context("spawn"),
                initializer=_init_worker,
                initargs=(engine_set_factory, max(1, (os.cpu_count() or 1) // workers)))
            futures: dict[Future, str] = {}
            # Longest first: the pool then ends with short clips, not one worker still
            # speaking a long paragraph while the others wait.
            todo = sorted(todo, key=lambda k: -len(parts[k].text))
            try:
                if own:        # our workers share the cache's file system: they write it
                    root = str(cache.root.parent)
                    futures = {
                        pool.submit(speak_to_cache, engine_set_factory, parts[k].text,
                                    parts[k].lang, rate, root, k,
                                    config.narration.choice_for(parts[k].lang).engine): k
                        for k in todo}
                else:
                    futures = {
                        pool.submit(speak_part, engine_set_factory, parts[k].text,
                                    parts[k].lang, rate): k for k in todo}
                for future in as_completed(futures):
                    key = futures[future]
                    with _located(parts[key].location):
                        result = future.result()
                        finish(key, result if own else store(key, result))
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
            finally:
                if own:
                    pool.shutdown(wait=True, cancel_futures=True)
    finally:
        getattr(engines, "close", lambda: None)()

    out = Synthesis()
    for sentence_id, keys in layout:
        results = [parts[k].result for k in keys]
        out[sentence_id] = SentenceAudio(
            sentence_id, engines=tuple(r[2] for r in results),
            keys=tuple(r[0] for r in results), lengths=tuple(r[1] for r in results),
            cache=cache)
    out.hits, out.misses = total - len(todo), len(todo)
    return out


class _located:
    """Context manager: give an engine error without a location the sentence's location."""

    def __init__(self, location: SourceLocation) -> None:
        self.location = location

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, AccessPubError) and exc.location is None:
            exc.location = self.location
        return False
