"""Synthesis on a Dask cluster: ``accesspub build --cluster tcp://host:8786 | local:N``.

``ClusterPool`` stands where the local ``WorkerPool`` stands (``speak``, ``prefetch``,
``claim``, ``spoken_ahead``, ``close``), so ``synthesize_publication`` and the stitching
that streams behind it do not know which one they were given.  What differs:

- a worker loads its voice once, in ``VoicePlugin.setup`` (``Client.register_plugin``),
  not per task; a worker that cannot load it fails the plugin, and the build says which
  package is missing instead of showing a traceback;
- a task speaks a batch of clips (``speak_batch``) with the same pure job function as the
  local pool (``synthesize._speak``) and returns their PCM: the client writes the clip
  cache, the single source of truth, so nothing depends on a worker's disk.  With
  ``[narration] shared_cache`` the workers see the cache themselves: they skip clips
  already there, write their own (atomically, same keys) and return only references;
- a collector thread takes finished tasks as they come (``distributed.as_completed``),
  so stitching and encoding run while the cluster is still speaking.

dask/distributed is the optional extra ``accesspub[cluster]``: imported here only.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable

from accesspub import progress
from accesspub.audio.cache import ClipCache
from accesspub.audio.synthesize import (SpeakingPool, clip_cache, peak_rss,
                                        set_frame_budget)
from accesspub.errors import AccessPubError, ConfigError, EngineUnavailable, ToolError

PLUGIN = "accesspub-voices"
CONNECT_TIMEOUT = 10.0        # seconds to reach a scheduler before the build gives up
INTERRUPTED_WAIT = 10.0       # seconds a Ctrl-C waits for a starting cluster, to stop it
# Clips per task.  benchmarks/cluster.py measured about 3-5 ms of scheduler and transfer
# cost per task on this machine against ~0.3 s to speak a clip: 8 clips per task keeps
# the overhead under 1 % and still leaves a book's last batches small enough to spread.
BATCH = 8
# Which clips the cluster speaks first (Dask ``priority=``).  "reading": what stitching
# waits for now (a release being narrated) first, then the releases read ahead, each in
# reading order.  "longest" (every clip of every release longest first, as the issue
# asked) and "hybrid" (the first release and a release being narrated in reading order,
# the rest longest first) lost to it in benchmarks/cluster.py --orders
# (ACCESSPUB_CLUSTER_ORDER picks one there): docs/cluster.md "Scheduling".
ORDER = "reading"
URGENT = 1 << 40          # above any clip's length: what the stitcher needs goes first


def _plugin_base():
    from distributed.diagnostics.plugin import WorkerPlugin
    return WorkerPlugin


class VoicePlugin:
    """Loads the narration's voice once per worker; hands out engine sets to tasks.

    An engine set is not thread-safe, so a worker with several threads keeps a free list:
    the first comes from ``setup``, more are made only when threads overlap.
    """

    name = PLUGIN

    def __init__(self, factory: Callable[[], Any], engine: str) -> None:
        self.factory = factory
        self.engine = engine

    def setup(self, worker=None) -> None:
        self.free: list[Any] = []          # made here: the plugin is pickled to workers
        self.lock = threading.Lock()
        # One ONNX thread per session, as in the local pool: the same arithmetic, and a
        # worker runs as many clips at once as it has threads instead.
        os.environ["ACCESSPUB_ONNX_THREADS"] = "1"
        if os.environ.get("ACCESSPUB_CLUSTER_LOCAL"):
            # A worker of --cluster local:N is in the build's process group: Ctrl-C is the
            # build's to handle (it cancels the futures and closes the cluster).
            import signal
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            except ValueError:
                pass                    # not the main thread: the build stops it anyway
        engines = self.factory()
        try:
            loaded = engines.engine(self.engine)          # raises when not installed
            getattr(loaded, "warm", lambda voice=None: None)(None)
        except EngineUnavailable as exc:
            where = getattr(worker, "address", "a worker")
            raise EngineUnavailable(f"the Dask worker {where} cannot speak: {exc.message}",
                                    code="cluster-worker-voice",
                                    hint=(exc.hint or "") + " — install it on every worker: "
                                    "pip install accesspub") from None
        self.free.append(engines)

    def teardown(self, worker=None) -> None:
        for engines in self.free:
            getattr(engines, "close", lambda: None)()
        self.free.clear()

    def take(self) -> Any:
        with self.lock:
            if self.free:
                return self.free.pop()
        return self.factory()

    def give(self, engines: Any) -> None:
        with self.lock:
            self.free.append(engines)


def _plugin_class():
    """``VoicePlugin`` as a ``WorkerPlugin``: made on first use, so that importing this
    module needs no dask (``AccessPubVoicePlugin`` is found by name on the workers)."""
    cls = globals().get("_PLUGIN_CLASS")
    if cls is None:
        cls = type("AccessPubVoicePlugin", (VoicePlugin, _plugin_base()), {})
        cls.__module__ = __name__
        globals()["_PLUGIN_CLASS"] = cls
    return cls


def __getattr__(name: str):
    if name == "AccessPubVoicePlugin":
        return _plugin_class()
    raise AttributeError(name)


def _plugin(factory: Callable[[], Any], engine: str):
    return _plugin_class()(factory, engine)


def speak_batch(jobs: list[tuple[str, str, str, str]], sample_rate: int, levelling,
                shared_cache: str, frames: int = 0) -> dict:
    """The cluster task: speak (text, lang, key, engine) jobs with this worker's voice.

    Each result is (stored key, PCM or None when written to the shared cache, samples,
    engine), or the exception, so one bad sentence is reported at its place, not as a
    failed batch.  Also returns who spoke and this worker's peak memory.  ``frames``: the
    worker's memory budget (``[narration] worker_memory_frames``), shared by its threads.
    """
    from distributed import get_worker
    from accesspub.audio.synthesize import _speak, fallback_key
    worker = get_worker()
    set_frame_budget(frames)
    plugin = worker.plugins[PLUGIN]
    shared = ClipCache(Path(shared_cache)) if shared_cache else None
    engines = plugin.take()
    results: list[Any] = []
    wrote: list[str] = []                   # keys this worker put in the shared cache
    try:
        for text, lang, key, engine in jobs:
            try:
                if shared is not None:
                    found = shared.info(key)
                    if found is not None:
                        results.append((key, None, found[0], found[1]))
                        continue
                pcm, spoke = _speak(engines, text, lang, sample_rate, levelling)
                stored = key if spoke == engine else fallback_key(key, spoke)
                if shared is not None:
                    shared.put(stored, pcm, sample_rate, spoke)
                    results.append((stored, None, len(pcm), spoke))
                    wrote.append(stored)
                else:
                    results.append((stored, pcm, len(pcm), spoke))
            except Exception as exc:
                results.append(exc)
    finally:
        plugin.give(engines)
    return {"results": results, "worker": worker.address, "peak": peak_rss(), "wrote": wrote}


def _check(address: str) -> int:
    """What can be said of ``--cluster`` without starting or reaching anything: the
    workers a ``local:N`` will have (0 for a scheduler's address); ConfigError when
    distributed is not installed or N is not a number of workers."""
    import importlib.util
    if importlib.util.find_spec("distributed") is None:
        raise ConfigError(f"--cluster {address} needs dask's distributed package",
                          code="cluster-missing",
                          hint="pip install 'accesspub[cluster]'")
    if not address.startswith("local:"):
        return 0
    count = address.partition(":")[2]
    if not count.isdigit() or int(count) < 1:
        raise ConfigError(f"cluster {address!r}: local:N needs a number of workers",
                          code="config-value", hint="for example --cluster local:2")
    return int(count)


def _refused(address: str) -> None:
    """A tcp:// address where nothing listens fails at once (Dask would retry it until
    its timeout): the usual mistake is a wrong port, or a scheduler not started."""
    from urllib.parse import urlsplit
    parts = urlsplit(address)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        return
    if parts.scheme != "tcp" or not host or not port:
        return
    import socket
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except ConnectionRefusedError:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: nothing listens "
                          "there (connection refused)", code="cluster-unreachable",
                          hint="start it with `dask scheduler` and check the address, or "
                          "build without --cluster") from None
    except OSError:
        pass            # unreachable or slow: Dask's own connection says so, within its timeout


def _connect(address: str, workers_env: dict[str, str] | None = None):
    """(client, the LocalCluster we started or None); ConfigError naming the address."""
    count = _check(address)
    import distributed
    import logging
    logging.getLogger("distributed").setLevel(logging.ERROR)
    if count:
        # Its scheduler runs in this process and hooks a logging callback (below the level
        # shown here) into the garbage collector: a Ctrl-C arriving while the main thread
        # runs it is swallowed ("Exception ignored in … _gc_callback") and the build goes
        # on.  Not hooked, then.
        import distributed.scheduler
        distributed.scheduler.enable_gc_diagnosis = lambda: None
        # Its workers log at CRITICAL only: on a busy machine a heartbeat racing the
        # cluster's close logs a traceback at ERROR; what fails the build reaches it
        # through the futures and the worker plugin, with accesspub's own codes.
        cluster = distributed.LocalCluster(
            n_workers=count, threads_per_worker=1, processes=True,
            dashboard_address=None, silence_logs=logging.CRITICAL,
            env={"ACCESSPUB_CLUSTER_LOCAL": "1", **(workers_env or {})})
        return distributed.Client(cluster, set_as_default=False), cluster
    _refused(address)
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address} within "
                          f"{CONNECT_TIMEOUT:.0f} s ({type(exc).__name__})",
                          code="cluster-unreachable",
                          hint="start it with `dask scheduler` and check the address, or "
                          "build without --cluster") from None
    return client, None


class ClusterPool(SpeakingPool):
    """Synthesis on a Dask cluster, with the interface of ``synthesize.WorkerPool``.

    The cluster starts in a thread of its own (``_start``: a LocalCluster, or the
    connection to a scheduler, then every worker loading its voice — seconds), so the
    build reads its releases meanwhile, as it does while the local pool's workers start.
    Batches given before it is up wait in ``_queued`` and go when it is.  A failed start
    is raised by ``started()`` (the build calls it when it first narrates) and by every
    later ``speak``: the same error, and exit status, as when the start blocked.
    """

    def __init__(self, factory: Callable[[], Any], address: str, config,
                 workers_env: dict[str, str] | None = None) -> None:
        self.factory = factory
        self.address = address
        self.expected = _check(address) or 1      # workers, until the scheduler says
        # Absolute: a relative shared_cache is the project's, not each worker's folder.
        # The workers of local:N share this machine's disk: like the local pool's, they
        # write the project's cache themselves instead of sending the client every clip.
        self.shared_cache = str(clip_cache(config).root.parent) \
            if config.narration.shared_cache or address.startswith("local:") else ""
        self.frames = config.narration.worker_memory_frames
        self.client = self.cluster = None
        self.used = False
        self.executor = None                       # not a concurrent.futures pool
        self.prefetched: dict[Future, list[str]] = {}
        self.ahead: dict[Future, list[str]] = {}
        self.spoken_by: dict[str, str] = {}        # stored key -> worker address
        self.peaks: dict[str, int] = {}            # worker address -> peak RSS (bytes)
        self.wrote: set[str] = set()               # keys workers put in the shared cache
        self.tasks = 0
        self.clips_total = 0
        self.clips_done = 0
        self._pending: dict[Any, tuple] = {}      # dask future -> what to do with it
        self._urgent: dict[Any, bool] = {}       # dask future -> submitted to go first
        self._queued: list[tuple] | None = []    # submissions waiting for the start; None: up
        self._lock = threading.Lock()
        self._closed = False
        self._failure: BaseException | None = None
        self._ready = threading.Event()
        self._alive = (0.0, 0)                     # (when asked, workers alive)
        self._done: queue.Queue = queue.Queue()    # finished tasks, as they finish
        self._collector = threading.Thread(target=self._collect, name="cluster-results",
                                           daemon=True)
        self._collector.start()
        self._starter = threading.Thread(
            target=self._start, args=(factory, config.narration.engine, workers_env),
            name="cluster-start", daemon=True)
        self._starter.start()
        progress.add_detail(self.status)           # on every progress line while speaking

    # -- starting -------------------------------------------------------------------

    def _start(self, factory: Callable[[], Any], engine: str,
               workers_env: dict[str, str] | None) -> None:
        from accesspub.audio.orphans import _interrupts_held
        try:
            # Ctrl-C is the build's, in its main thread: the LocalCluster's threads, made
            # here, inherit the blocked signal and so do the worker processes they spawn
            # (none prints a KeyboardInterrupt of its own while importing).  The first
            # thread to start multiprocessing's resource tracker unblocks SIGINT after it
            # (SIG_UNBLOCK, not the mask it had): started before the block, not in there.
            if self.address.startswith("local:"):
                from multiprocessing import resource_tracker
                resource_tracker.ensure_running()
            with _interrupts_held():
                client, cluster = _connect(self.address, workers_env)
            with self._lock:
                self.client, self.cluster = client, cluster
            if self._closed:                       # the build stopped meanwhile
                return
            try:
                client.register_plugin(_plugin(factory, engine), name=PLUGIN)
            except EngineUnavailable as exc:
                raise ToolError(exc.message, code="cluster-worker-voice",
                                hint=exc.hint) from None
            with self._lock:
                queued, self._queued = self._queued or [], None
            for submission in queued:
                if not self._closed:
                    self._send(*submission)
        except BaseException as exc:
            self._failure = exc
            with self._lock:
                queued, self._queued = self._queued or [], None
            for submission in queued:
                if not submission[4].done():
                    submission[4].set_exception(exc)
            self._shut()                      # nothing is left running for a failed start
        finally:
            self._ready.set()

    def started(self) -> None:
        """Wait until the cluster is up, its workers' voices loaded; raise what stopped it
        (``cluster-unreachable``, ``cluster-worker-voice``…)."""
        self._ready.wait()
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    # -- submitting -----------------------------------------------------------------

    def _submit(self, jobs: list, rate: int, levelling, cache_root: str, outer: Future,
                first: list | None = None, priority: int = 0) -> None:
        with self._lock:
            submission = (jobs, rate, levelling, cache_root, outer, first, priority,
                          priority >= URGENT - self.tasks)
            self.tasks += 1
            if self._queued is not None:           # not up yet: sent when it is
                self._queued.append(submission)
                return
        self._send(*submission)

    def _send(self, jobs: list, rate: int, levelling, cache_root: str, outer: Future,
              first: list | None, priority: int, urgent: bool) -> None:
        future = self.client.submit(speak_batch, jobs, rate, levelling, self.shared_cache,
                                    self.frames, pure=False, retries=2, priority=priority)
        with self._lock:
            self._pending[future] = (outer, jobs, cache_root, rate, levelling, first)
            self._urgent[future] = urgent
        future.add_done_callback(self._done.put)

    def speak(self, parts: dict, keys: list[str], config, rate: int, cache_root: str,
              levelling, ahead: bool = False) -> dict[Future, list[str]]:
        """Submit ``keys`` in batches; each (concurrent) future's keys, resolved with
        [(stored key, samples, engine) | exception] once the clips are in the cache.

        ``ahead``: a release read but not yet being stitched (``prefetch``).  The order
        the cluster speaks in is ``ORDER`` (docs/cluster.md "Scheduling").
        """
        self._raise_failure()          # a release read after the start failed: stop here
        size = max(1, min(BATCH, len(keys) // (4 * self.workers_alive(
            default=self.expected))))
        order = os.environ.get("ACCESSPUB_CLUSTER_ORDER", ORDER)
        # What the stitcher waits for now: a release being narrated (not ahead), and in
        # "hybrid" the first release read, which is stitched first.
        urgent = not ahead or (order == "hybrid" and self.clips_total == 0)
        if order != "reading" and not urgent:
            keys = sorted(keys, key=lambda k: -len(parts[k].text))
        futures: dict[Future, list[str]] = {}
        for i in range(0, len(keys), size):
            batch = keys[i:i + size]
            jobs = [(parts[k].text, parts[k].lang, k,
                     config.narration.choice_for(parts[k].lang).engine) for k in batch]
            outer: Future = Future()
            outer.set_running_or_notify_cancel()
            if urgent:
                priority = URGENT - self.tasks
            elif order == "reading":
                priority = -self.tasks         # earlier batches first, not the newest
            else:
                priority = max(len(parts[k].text) for k in batch)
            self._submit(jobs, rate, levelling, cache_root, outer, priority=priority)
            futures[outer] = batch
        with self._lock:
            self.clips_total += len(keys)
        return futures

    def claim(self, wanted: set[str] | None = None) -> dict[Future, list[str]]:
        """The speculative batches with clips of ``wanted`` (all when None), left on the
        cluster where cancelling and submitting again would only cost a round trip.  The
        others stay for the releases they belong to: a release waits for its own clips,
        not for the whole catalogue's."""
        kept = {f: keys for f, keys in self.ahead.items()
                if wanted is None or not wanted.isdisjoint(keys)}
        for future in kept:
            del self.ahead[future]
        self._hurry({f for f in kept if not f.done()})
        return kept

    def _hurry(self, outers: set[Future]) -> None:
        """Put the tasks of ``outers`` that no worker has started first in the queue: the
        stitcher waits for them now.  Dask cannot change a task's priority, so such a
        task is cancelled and submitted again (one round trip; a task that started
        meanwhile is only spoken twice, and its first answer ignored)."""
        if not outers or os.environ.get("ACCESSPUB_CLUSTER_ORDER", ORDER) != "hybrid" \
                or not self._ready.is_set():
            return
        try:
            started = {key for keys in self.client.processing().values() for key in keys}
        except Exception:
            return
        with self._lock:
            waiting = [(future, entry) for future, entry in self._pending.items()
                       if entry[0] in outers and not self._urgent.get(future)
                       and future.key not in started and future.status == "pending"]
            for future, _ in waiting:
                del self._pending[future]
        for future, (outer, jobs, cache_root, rate, levelling, first) in waiting:
            future.cancel()
            self._submit(jobs, rate, levelling, cache_root, outer, first=first,
                         priority=URGENT - self.tasks)

    # -- results --------------------------------------------------------------------

    def _collect(self) -> None:
        while True:
            future = self._done.get()
            if future is None:
                return
            with self._lock:
                entry = self._pending.pop(future, None)
                self._urgent.pop(future, None)
            if entry is None:
                continue
            try:
                self._finish(future, *entry)
            except BaseException as exc:
                if not entry[0].done():
                    entry[0].set_exception(exc)

    def _finish(self, future, outer: Future, jobs: list, cache_root: str, rate: int,
                levelling, first: list | None) -> None:
        if future.cancelled():
            outer.cancel() or outer.set_exception(ToolError(
                "the cluster cancelled a synthesis task", code="cluster-failed"))
            return
        if future.status == "error":
            error = future.exception()
            if not isinstance(error, AccessPubError):   # e.g. KilledWorker: lost too often
                error = ToolError(f"the cluster could not run a synthesis task: "
                                  f"{type(error).__name__}: {error}", code="cluster-failed",
                                  hint="check the workers' logs and memory; build again")
            outer.set_exception(error)
            return
        answer = future.result()
        worker = answer["worker"]
        self.peaks[worker] = max(self.peaks.get(worker, 0), answer["peak"])
        self.wrote.update(answer.get("wrote", ()))
        cache = ClipCache(Path(cache_root))
        results: list[Any] = []
        failed: list[int] = []
        for index, result in enumerate(answer["results"]):
            if isinstance(result, BaseException):
                results.append(result)
                failed.append(index)
                continue
            stored, pcm, samples, spoke = result
            if pcm is not None:
                cache.put(stored, pcm, rate, spoke)
            self.spoken_by[stored] = worker
            results.append((stored, samples, spoke))
        if first is not None:                    # this was the second attempt
            merged = list(first)
            for index, result in zip([i for i, r in enumerate(first)
                                      if isinstance(r, BaseException)], results):
                merged[index] = result
            results, failed = merged, []
        if failed:
            # Once more, alone: a worker that ran out of memory or lost its voice file
            # fails differently from a sentence the engine cannot say, which fails twice.
            self._submit([jobs[i] for i in failed], rate, levelling, cache_root, outer,
                         first=results, priority=URGENT)
            return
        with self._lock:
            self.clips_done += len(results)
        outer.set_result(results)

    def workers_alive(self, default: int = 0) -> int:
        if not self._ready.is_set() or self._failure is not None:
            return default                 # starting: the scheduler is not there to ask
        try:
            return len(self.client.scheduler_info(n_workers=-1).get("workers", {})) or default
        except Exception:
            return default

    def status(self) -> str:
        """clips done/total and workers alive, for the build's progress."""
        asked, alive = self._alive
        if time.monotonic() - asked > 2.0:    # a round trip to the scheduler: not per clip
            alive = self.workers_alive()
            self._alive = (time.monotonic(), alive)
        return (f"cluster {self.address}: {self.clips_done}/{self.clips_total} clips, "
                f"{alive} worker(s) alive")

    def workers_for(self, keys) -> dict[str, dict[str, int]]:
        """{worker: {"clips": n, "peak_rss": bytes}} for the clips of ``keys`` this build
        spoke on the cluster; with a shared cache also "wrote_shared_cache": how many of
        them the worker stored there itself."""
        out: dict[str, dict[str, int]] = {}
        for key in keys:
            worker = self.spoken_by.get(key)
            if worker is not None:
                entry = out.setdefault(worker, {"clips": 0, "peak_rss": 0})
                entry["clips"] += 1
                entry["peak_rss"] = self.peaks.get(worker, 0)
                if self.shared_cache:
                    entry["wrote_shared_cache"] = entry.get("wrote_shared_cache", 0) + \
                        (key in self.wrote)
        return dict(sorted(out.items()))

    def cancel(self) -> None:
        with self._lock:
            pending = list(self._pending)
            if self._queued:
                self._queued.clear()
        if pending and self.client is not None:
            try:
                self.client.cancel(pending, force=True)
            except Exception:
                pass

    def close(self) -> None:
        self._closed = True
        progress.remove_detail(self.status)
        # A cluster still starting is let finish, then stopped: a LocalCluster's worker
        # processes are not left behind by a build stopped (Ctrl-C) while they start.
        # Not for ever after a Ctrl-C: one that hit this process inside an import can
        # leave the import lock taken, and the start waiting for it; the workers of a
        # LocalCluster end with this process anyway (they watch it).
        interrupted = isinstance(sys.exc_info()[1], KeyboardInterrupt)
        self._starter.join(timeout=INTERRUPTED_WAIT if interrupted else None)
        self.cancel()
        self._done.put(None)
        self._shut()

    def _shut(self) -> None:
        with self._lock:
            client, cluster = self.client, self.cluster
            self.client = self.cluster = None
        if client is not None:
            try:
                client.close(timeout=5)
            except Exception:
                pass
        if cluster is not None:
            try:
                cluster.close(timeout=5)
            except Exception:
                pass

    def __enter__(self) -> "ClusterPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
