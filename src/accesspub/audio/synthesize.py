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
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

import numpy as np

from accesspub.audio.cache import ClipCache, clip_key
from accesspub.audio.resample import resample
from accesspub.config import Config
from accesspub.engines import AudioClip
from accesspub.errors import AccessPubError, ToolError
from accesspub.model import Publication, SourceLocation
from accesspub.audio.orphans import start_pool, stop_pool

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


@dataclass(frozen=True, slots=True)
class Levelling:
    """How a clip is levelled right after it is spoken (``loudness.normalise_clip``).

    ``context``: samples of silence assumed on each side when measuring, so the gating
    blocks that straddle pauses count as they will in the narration (the shortest pause;
    beyond 400 ms more silence changes nothing).
    """

    target_lufs: float
    ceiling_dbtp: float
    context: int

    @classmethod
    def from_config(cls, config: Config, sample_rate: int = SAMPLE_RATE) -> "Levelling":
        """The narration's loudness and peak ceiling, raised by the opposite of the
        encoder's own level change so the *encoded* files meet them; the ceiling lowered
        by the encoder's overshoot, which only the decoded files show."""
        from accesspub.audio.encode import codec_gain_db, codec_headroom_db
        narration = config.narration
        codec_db = codec_gain_db(narration.bitrate, sample_rate)
        context = int(round(min(narration.pauses.sentence, 0.4) * sample_rate))
        ceiling = narration.true_peak - codec_db - codec_headroom_db(narration.bitrate)
        return cls(round(narration.loudness - codec_db, 4), round(ceiling, 4), context)

    def key(self) -> str:
        return f"level r2 {self.target_lufs} LUFS, ceiling {self.ceiling_dbtp} dBTP, {self.context}"

    def apply(self, pcm: np.ndarray, sample_rate: int) -> np.ndarray:
        from accesspub.audio.loudness import normalise_clip
        return normalise_clip(pcm, self.target_lufs, self.ceiling_dbtp, sample_rate,
                              (self.context, self.context))


def _speak(engines: EngineSetLike, text: str, lang: str, rate: int,
           levelling: Levelling | None = None) -> tuple[np.ndarray, str]:
    clip, engine = engines.speak(text, lang)
    pcm = resample(clip.pcm, clip.sample_rate, rate)
    return (levelling.apply(pcm, rate) if levelling is not None else pcm), engine


# One engine set per worker process, built on first use (or by the pool initializer) and
# kept for the life of the worker: loading a neural voice costs far more than a sentence.
_WORKER = threading.local()      # per thread: an engine set is not thread-safe
_PARENT: int | None = None       # the build that started this worker process


def _engines_for(factory: Callable[[], Any]) -> Any:
    ident = pickle.dumps(factory)
    held = getattr(_WORKER, "engines", None)
    if held is None or held[0] != ident:
        if held is not None:
            getattr(held[1], "close", lambda: None)()
        _WORKER.engines = held = (ident, factory())
    return held[1]


def _init_worker(factory: Callable[[], Any], warm: bool = False) -> None:
    # One ONNX thread per session: a worker runs as many sentences at once as it has
    # threads instead.  Two single-threaded sentences in parallel beat one sentence on two
    # threads by far: ONNX Runtime's threads wait for each other at every layer
    # (docs/performance.md).
    global _PARENT
    from accesspub.audio.orphans import end_with_parent, ignore_interrupts
    ignore_interrupts()        # Ctrl-C is the build's to handle: it stops this worker
    _PARENT = end_with_parent()
    os.environ["ACCESSPUB_ONNX_THREADS"] = "1"
    engines = _engines_for(factory)
    if warm:            # load the voice (and the levelling's imports) now, not on first use
        getattr(engines, "warm", lambda: None)()
        import accesspub.audio.loudness  # noqa: F401


def speak_part(factory: Callable[[], Any], text: str, lang: str,
               sample_rate: int = SAMPLE_RATE, levelling: Levelling | None = None
               ) -> tuple[np.ndarray, str]:
    """The clip job: speak ``text`` in ``lang`` -> (int16 PCM at ``sample_rate``, engine name).

    Pure apart from the per-process engine set memo; safe to run on any executor.
    """
    return _speak(_engines_for(factory), text, lang, sample_rate, levelling)


def fallback_key(key: str, engine: str) -> str:
    """Where a clip spoken by a fallback engine is kept for this build: never under the
    configured engine's ``key`` (so the next build retries that engine), and never read
    in place of it."""
    return hashlib.sha256(f"{key}\0fallback\0{engine}".encode("utf-8")).hexdigest()


def speak_to_cache(factory: Callable[[], Any], text: str, lang: str, sample_rate: int,
                   cache_root: str, key: str, engine: str,
                   levelling: Levelling | None = None) -> tuple[str, int, str]:
    """The clip job of the local process pool: speak, store the clip in the cache at
    ``cache_root`` and return (the key it is stored under, its length, the engine).

    Stored under ``key`` when ``engine`` (the configured one) spoke it, else under
    ``fallback_key(key, <engine that spoke>)``.  Nothing but three small values goes back.
    """
    pcm, spoke = speak_part(factory, text, lang, sample_rate, levelling)
    stored = key if spoke == engine else fallback_key(key, spoke)
    ClipCache(Path(cache_root)).put(stored, pcm, sample_rate, spoke)
    return stored, len(pcm), spoke


def peak_rss() -> int:
    """This process's peak resident memory in bytes (VmHWM), 0 where unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import resource
    except ImportError:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def set_frame_budget(frames: int) -> None:
    """``[narration] worker_memory_frames`` for this worker process: what its engines read
    (Piper: the latent frames its threads speak at once; docs/cluster.md)."""
    from accesspub.engines.piper.adapter import FRAMES_ENV
    if os.environ.get(FRAMES_ENV) != str(frames):
        os.environ[FRAMES_ENV] = str(frames)


class BatchResult(list):
    """A batch's results in order, and which worker process spoke them at what peak
    memory (``pid``, ``peak``: VmHWM in bytes) for the build report."""

    def __init__(self, results=(), pid: int = 0, peak: int = 0) -> None:
        super().__init__(results)
        self.pid, self.peak = pid, peak


def speak_batch_to_cache(factory: Callable[[], Any], jobs: list[tuple[str, str, str, str]],
                         sample_rate: int, cache_root: str, levelling: Levelling | None,
                         threads: int, frames: int = 0) -> BatchResult:
    """Several ``speak_to_cache`` jobs ((text, lang, key, engine) each) on ``threads``
    threads of this worker: its share of the cores, holding at most ``frames`` latent
    frames at once (0: no limit).  Each job's result or exception, in order."""
    set_frame_budget(frames)
    def one(job: tuple[str, str, str, str]) -> tuple[str, int, str] | BaseException:
        if _PARENT is not None and os.getppid() != _PARENT:
            os._exit(1)     # the build was killed: nobody wants the rest of this batch
        text, lang, key, engine = job
        try:
            return speak_to_cache(factory, text, lang, sample_rate, cache_root, key, engine,
                                  levelling)
        except Exception as exc:         # raised in the parent, located at its sentence
            return exc
    if threads <= 1 or len(jobs) == 1:
        results = [one(job) for job in jobs]
    else:
        with ThreadPoolExecutor(min(threads, len(jobs))) as pool:
            results = list(pool.map(one, jobs))
    return BatchResult(results, os.getpid(), peak_rss())


@dataclass(slots=True)
class _Part:
    text: str
    lang: str
    location: SourceLocation
    result: tuple[str, int, str] | None = None     # (stored key, samples, engine)


def _plan(publication: Publication, engines: Any, config: Config, rate: int,
          level_key: str) -> tuple[dict[str, "_Part"], list[tuple[str, list[str]]]]:
    """(every distinct part to speak, by cache key, in reading order; each sentence's keys)."""
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
            key = clip_key(fingerprints[part.lang], voice, part.lang, part.text, rate,
                           level_key)
            keys.append(key)
            if key not in parts:
                parts[key] = _Part(part.text, part.lang, sentence.location)
        if keys:
            layout.append((sentence.id, keys))
    return parts, layout


def _voice(engines: Any, config: Config, lang: str) -> str:
    """The voice the chosen engine will use for ``lang`` (part of the cache key)."""
    choice = config.narration.choice_for(lang)
    voice_for = getattr(engines, "voice_for", None)       # EngineSet knows the defaults
    return (voice_for(choice.engine, lang) if voice_for else choice.voice) or ""


def clip_cache(config: Config) -> ClipCache:
    """The clip cache: the project's, or ``[narration] shared_cache`` (storage every
    cluster worker sees, relative to the project folder unless absolute)."""
    shared = config.narration.shared_cache
    if shared:
        return ClipCache(Path(shared) if os.path.isabs(shared) else config.root / shared)
    return ClipCache(config.cache_dir)


def _default_jobs(config: Config) -> int:
    return config.narration.jobs or os.cpu_count() or 1


class SpeakingPool:
    """What every pool of synthesis workers does the same way (``WorkerPool`` here, the
    Dask ``ClusterPool``): speak a release ahead while it is still being read, and say
    what that speculative work has spoken.  A pool has ``factory``, ``speak()``,
    ``prefetched`` and ``ahead``."""

    factory: Callable[[], Any]
    prefetched: dict[Future, list[str]]
    ahead: dict[Future, list[str]]

    def prefetch(self, publication: Publication, config: Config) -> None:
        """Start speaking ``publication`` while the build is still reading it.

        Language detection takes a second or more on a cold cache, and changes only the
        sentences it finds in another language.  So the workers speak the release as read,
        before detection, instead of waiting for it; ``claim`` then keeps the batches they
        have started and the build submits the rest, changed sentences included, in
        reading order.  What they speak is cached either way: nothing is wasted unless
        detection changes a sentence already spoken.
        """
        rate = SAMPLE_RATE
        levelling = Levelling.from_config(config, rate)
        engines = self.factory()
        try:
            parts, _ = _plan(publication, engines, config, rate, levelling.key())
        finally:
            getattr(engines, "close", lambda: None)()
        cache = clip_cache(config)
        todo = [k for k in parts if cache.info(k) is None]
        batches = self.speak(parts, todo, config, rate, str(cache.root.parent), levelling,
                             ahead=True)
        self.prefetched.update(batches)
        self.ahead.update(batches)

    def spoken_ahead(self) -> set[str]:
        """Keys the speculative batches have spoken so far (clips made by this build,
        though the build may find them in the cache)."""
        spoken = set()
        for future, keys in self.prefetched.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                spoken.update(k for k, r in zip(keys, future.result())
                              if not isinstance(r, BaseException))
        return spoken


class WorkerPool(SpeakingPool):
    """Synthesis worker processes, started before they are needed.

    ``jobs`` processes, each speaking ``threads`` sentences at a time (its share of the
    cores) with single-threaded ONNX sessions sharing one loaded voice.

    Spawning a worker and loading its voice takes about a second; a build starts the pool
    first, so that happens while the main process reads the release.  The workers write
    the clip cache themselves.  ``close()`` stops them, at once if they were never used.
    """

    def __init__(self, engine_set_factory: Callable[[], Any], jobs: int) -> None:
        self.factory = engine_set_factory
        self.workers = max(1, jobs)
        self.threads = max(1, (os.cpu_count() or 1) // self.workers)   # per worker
        self.executor = start_pool(self.workers, _init_worker, (engine_set_factory, True))
        self.used = False
        self.prefetched: dict[Future, list[str]] = {}    # speculative batches -> keys
        self.ahead: dict[Future, list[str]] = {}         # those not claimed yet
        self.batches: list[Future] = []                 # submitted, not yet noted
        self.spoken_by: dict[str, int] = {}              # stored key -> worker pid
        self.peaks: dict[int, int] = {}                  # worker pid -> peak RSS (bytes)

    def speak(self, parts: dict[str, "_Part"], keys: list[str], config: Config,
              rate: int, cache_root: str, levelling: "Levelling | None",
              ahead: bool = False) -> dict[Future, list[str]]:
        """Submit ``keys`` (of ``parts``) in order; each future's keys.  A worker with
        several threads gets several parts per call, so a thread that finishes early takes
        the next instead of waiting."""
        size = 1 if self.threads == 1 else 4 * self.threads
        futures: dict[Future, list[str]] = {}
        for i in range(0, len(keys), size):
            batch = keys[i:i + size]
            jobs = [(parts[k].text, parts[k].lang, k,
                     config.narration.choice_for(parts[k].lang).engine) for k in batch]
            future = self.executor.submit(speak_batch_to_cache, self.factory, jobs, rate,
                                          cache_root, levelling, self.threads,
                                          config.narration.worker_memory_frames)
            self.batches.append(future)
            futures[future] = batch
        return futures

    def _note(self) -> None:
        """Who spoke the finished batches, at what memory (for ``workers_for``).  Read
        when asked, not in done-callbacks: those may run after the build has moved on."""
        for future in [f for f in self.batches if f.done()]:
            self.batches.remove(future)
            if future.cancelled() or future.exception() is not None:
                continue
            answer = future.result()
            self.peaks[answer.pid] = max(self.peaks.get(answer.pid, 0), answer.peak)
            for result in answer:
                if not isinstance(result, BaseException):
                    self.spoken_by[result[0]] = answer.pid

    def workers_for(self, keys) -> dict[str, dict[str, int]]:
        """{"local pid N": {"clips": n, "peak_rss": bytes}} for the clips of ``keys`` this
        build spoke in its worker processes (the build report's ``speech.workers``)."""
        self._note()
        out: dict[str, dict[str, int]] = {}
        for key in keys:
            pid = self.spoken_by.get(key)
            if pid is not None:
                entry = out.setdefault(f"local pid {pid}", {"clips": 0, "peak_rss": 0})
                entry["clips"] += 1
                entry["peak_rss"] = self.peaks.get(pid, 0)
        return dict(sorted(out.items()))

    def status(self) -> str:
        """For the build's progress, like ``ClusterPool.status``."""
        self._note()
        return (f"workers: {self.workers} local process(es), peak "
                f"{max(self.peaks.values(), default=0) / (1 << 20):.0f} MiB")

    def claim(self, wanted: set[str] | None = None) -> dict[Future, list[str]]:
        """The speculative batches already started (each with its keys); those not started
        are cancelled, to be submitted again in the build's order (``wanted``: unused
        here; see ``ClusterPool.claim``)."""
        kept = {f: keys for f, keys in self.ahead.items() if not f.cancel()}
        self.ahead = {}
        return kept

    def close(self) -> None:
        stop_pool(self.executor, self.used)

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class BuildCancelled(Exception):
    """Raised inside synthesis when whoever consumes its clips has stopped."""


class ClipFeed(Mapping):
    """``{sentence id: SentenceAudio}`` filled while synthesis runs, for stitching to read.

    ``sid in feed`` answers at once (every sentence with spoken text is expected);
    ``feed[sid]`` waits until that sentence has been spoken, or raises the error that
    stopped the synthesis.
    """

    def __init__(self, expected: Iterable[str]) -> None:
        self._expected = dict.fromkeys(expected)
        self._done: dict[str, SentenceAudio] = {}
        self._error: BaseException | None = None
        self._cancelled = False
        self._changed = threading.Condition()

    def put(self, sentence_id: str, audio: SentenceAudio) -> None:
        with self._changed:
            if self._cancelled:
                raise BuildCancelled("the narration stopped: stop speaking")
            self._done[sentence_id] = audio
            self._changed.notify_all()

    def cancel(self) -> None:
        """Stitching gave up: the next ``put`` raises, which ends the synthesis."""
        with self._changed:
            self._cancelled = True

    def fail(self, error: BaseException) -> None:
        with self._changed:
            self._error = error
            self._changed.notify_all()

    def __contains__(self, sentence_id: object) -> bool:
        return sentence_id in self._expected

    def __getitem__(self, sentence_id: str) -> SentenceAudio:
        if sentence_id not in self._expected:
            raise KeyError(sentence_id)
        with self._changed:
            while sentence_id not in self._done:
                if self._error is not None:
                    raise self._error
                self._changed.wait()
            return self._done[sentence_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._expected)

    def __len__(self) -> int:
        return len(self._expected)


def spoken_sentences(publication: Publication) -> list[str]:
    """Ids of the sentences that have something to say: the ones that get a clip."""
    return [s.id for s in publication.iter_sentences()
            if any(part.text.strip() for part in s.spoken)]


def synthesize_publication(
    publication: Publication,
    engine_set_factory: Callable[[], EngineSetLike],
    config: Config,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    cache: ClipCache | None = None,
    pool: WorkerPool | None = None,
    on_sentence: Callable[[str, SentenceAudio], None] | None = None,
    level: bool = True,
) -> Synthesis:
    """Speak every sentence of ``publication``; only cache misses reach an engine.

    ``jobs``: worker processes for the misses (None: ``config.narration.jobs``, 0 = one per
    core).  ``jobs == 1`` (or a handful of misses) speaks in this process, no pool.  A
    ``pool`` (``WorkerPool``) or an ``executor`` given by the caller is used as is and not
    shut down.  ``progress(done, total)`` is called as parts complete (cache hits count at
    once); ``on_sentence(id, audio)`` as soon as a sentence is complete, which with a pool
    is roughly in reading order (parts are submitted in that order).  Sentences without
    spoken text get no entry.  Engine errors propagate, located at the sentence.
    Results from a fallback engine are used but not cached, so the next build retries the
    configured engine.  ``level``: every clip is levelled to the narration's loudness
    (``Levelling``) as it is spoken, and cached so; False keeps the engine's level.
    """
    rate = SAMPLE_RATE
    levelling = Levelling.from_config(config, rate) if level else None
    level_key = levelling.key() if levelling is not None else ""
    cache = cache or clip_cache(config)
    jobs = _default_jobs(config) if jobs is None else (jobs or os.cpu_count() or 1)
    engines = engine_set_factory()
    out = Synthesis()
    try:
        parts, layout = _plan(publication, engines, config, rate, level_key)

        waiting: dict[str, list[int]] = {}       # part key -> sentences (layout index)
        missing: list[int] = []                  # parts each sentence still waits for
        for index, (_, keys) in enumerate(layout):
            distinct = set(keys)
            missing.append(len(distinct))
            for key in distinct:
                waiting.setdefault(key, []).append(index)

        def complete(key: str) -> None:
            for index in waiting[key]:
                missing[index] -= 1
                if missing[index] == 0:
                    sentence_id, keys = layout[index]
                    results = [parts[k].result for k in keys]
                    out[sentence_id] = audio = SentenceAudio(
                        sentence_id, engines=tuple(r[2] for r in results),
                        keys=tuple(r[0] for r in results),
                        lengths=tuple(r[1] for r in results), cache=cache)
                    if on_sentence:
                        on_sentence(sentence_id, audio)

        for key, part in parts.items():
            found = cache.info(key)
            if found is not None:
                part.result = (key, found[0], found[1])
        todo = [key for key, part in parts.items() if part.result is None]
        total = len(parts)
        done = total - len(todo)
        for key, part in parts.items():
            if part.result is not None:
                complete(key)
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
            complete(key)
            if progress:
                progress(done, total)

        if pool is None and executor is None and (jobs <= 1 or len(todo) <= 2):
            for key in todo:
                part = parts[key]
                with _located(part.location):
                    finish(key, store(key, _speak(engines, part.text, part.lang, rate,
                                                  levelling)))
        elif todo:
            own = pool is None and executor is None
            if own:
                pool = WorkerPool(engine_set_factory, min(jobs, len(todo)))
            if pool is not None:
                pool.used = True
            runner = pool.executor if pool is not None else executor
            if on_sentence is None:
                # Longest first: the pool then ends with short clips, not one worker still
                # speaking a long paragraph while the others wait.
                todo = sorted(todo, key=lambda k: -len(parts[k].text))
            futures: dict[Future, Any] = {}
            try:
                if pool is not None:   # our workers share the cache's file system: they write it
                    futures.update(pool.claim(set(todo)))
                    started = {k for keys in futures.values() for k in keys}
                    futures.update(pool.speak(parts, [k for k in todo if k not in started],
                                              config, rate, str(cache.root.parent), levelling))
                else:
                    futures = {
                        runner.submit(speak_part, engine_set_factory, parts[k].text,
                                      parts[k].lang, rate, levelling): k for k in todo}
                for future in as_completed(futures):
                    if pool is not None:
                        for key, result in zip(futures[future], future.result()):
                            if key not in parts or parts[key].result is not None:
                                continue      # spoken ahead: no longer wanted, or cached
                            with _located(parts[key].location):
                                if isinstance(result, BaseException):
                                    raise result
                                finish(key, result)
                        continue
                    key = futures[future]
                    with _located(parts[key].location):
                        finish(key, store(key, future.result()))
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
            finally:
                if own:
                    pool.close()
    finally:
        getattr(engines, "close", lambda: None)()

    ordered = Synthesis((sid, out[sid]) for sid, _ in layout)      # reading order
    fresh = set(todo) | (pool.spoken_ahead() & set(parts) if pool is not None else set())
    ordered.hits, ordered.misses = total - len(fresh), len(fresh)
    return ordered


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
