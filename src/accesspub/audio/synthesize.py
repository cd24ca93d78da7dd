"""Narrate stage, part 1: one clip per sentence, through the cache, engines in parallel.

A sentence's ``spoken`` parts (one per language) are the unit of synthesis and of caching;
a sentence's clip is its parts' clips joined end to end.  Every clip leaves this module as
int16 mono PCM at ``SAMPLE_RATE`` (44.1 kHz, AU-2), whatever rate the engine spoke at.

Scale design (DESIGN.md "Scale"): a clip job is ``speak_part(factory, text, lang, rate)``, a
pure top-level function whose arguments all pickle, so it runs in a local process pool, in
this process, or on any ``concurrent.futures.Executor`` (e.g. ``distributed.Client(...)
.get_executor()``).  Only this (the driving) process reads and writes the cache.

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

import os
import pickle
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from math import gcd
from multiprocessing import get_context
from typing import Any, Callable, Protocol

import numpy as np

from accesspub.audio.cache import ClipCache, clip_key
from accesspub.config import Config
from accesspub.engines import AudioClip
from accesspub.errors import AccessPubError
from accesspub.model import Publication, SourceLocation

SAMPLE_RATE = 44100          # every clip, track and file of the narration (AU-2)

Progress = Callable[[int, int], None]


class EngineSetLike(Protocol):
    def speak(self, text: str, lang: str) -> tuple[AudioClip, str]: ...
    def fingerprint(self, lang: str) -> str: ...


@dataclass(frozen=True, slots=True, eq=False)
class SentenceAudio:
    """A sentence's speech: int16 mono PCM at the narration rate, and who spoke it."""

    sentence_id: str
    pcm: np.ndarray                 # int16, may be a read-only view of a cache file
    engines: tuple[str, ...]        # engine per spoken part, in order

    @property
    def samples(self) -> int:
        return len(self.pcm)


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


@dataclass(slots=True)
class _Part:
    text: str
    lang: str
    location: SourceLocation
    result: tuple[np.ndarray, str] | None = None


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
            part.result = cache.get(key)
        todo = [key for key, part in parts.items() if part.result is None]
        total = len(parts)
        done = total - len(todo)
        if progress:
            progress(done, total)

        def finish(key: str, result: tuple[np.ndarray, str]) -> None:
            nonlocal done
            part = parts[key]
            part.result = result
            if result[1] == config.narration.choice_for(part.lang).engine:
                cache.put(key, result[0], rate, result[1])
            done += 1
            if progress:
                progress(done, total)

        if executor is None and (jobs <= 1 or len(todo) <= 2):
            for key in todo:
                part = parts[key]
                with _located(part.location):
                    finish(key, _speak(engines, part.text, part.lang, rate))
        elif todo:
            own = executor is None
            workers = min(jobs, len(todo))
            pool = executor or ProcessPoolExecutor(
                max_workers=workers, mp_context=get_context("spawn"),
                initializer=_init_worker,
                initargs=(engine_set_factory, max(1, (os.cpu_count() or 1) // workers)))
            futures: dict[Future, str] = {}
            try:
                futures = {
                    pool.submit(speak_part, engine_set_factory, parts[k].text, parts[k].lang,
                                rate): k for k in todo}
                for future in as_completed(futures):
                    key = futures[future]
                    with _located(parts[key].location):
                        finish(key, future.result())
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
        pcms = [parts[k].result[0] for k in keys]
        pcm = pcms[0] if len(pcms) == 1 else np.concatenate(pcms)
        out[sentence_id] = SentenceAudio(sentence_id, pcm,
                                         tuple(parts[k].result[1] for k in keys))
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
