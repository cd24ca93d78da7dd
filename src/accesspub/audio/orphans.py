"""Child processes of a build: started at once, stopped at once when unused or when the
build is interrupted, and ended with the build that started them.

Ctrl-C in a terminal sends SIGINT to every process of the job, children included.  Only
the build handles it (exit 130, build/ untouched); its children never see it, so none
prints a KeyboardInterrupt traceback of its own, and the build stops them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Callable


def end_with_parent() -> int:
    """End this process when its parent is gone (the build was killed), and return the
    parent's pid: an idle child would otherwise wait for work forever, holding its memory.

    The parent is the process that spawned this one, as multiprocessing recorded it, not
    ``os.getppid()`` now: on a loaded machine a build can be killed while its child is
    still importing, and the child, already adopted by init, would watch init forever.
    """
    from multiprocessing import parent_process
    spawner = parent_process()
    parent = spawner.pid if spawner is not None else os.getppid()

    def watch() -> None:
        if spawner is not None:
            spawner.join()              # its sentinel closes when the parent ends
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent watch", daemon=True).start()
    return parent


def ignore_interrupts() -> None:
    """In a child: leave Ctrl-C to the build (it stops this process with SIGTERM)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _interrupts_held():
    """Block SIGINT in this thread while it starts children: a spawned process inherits
    the blocked signal from its first instruction, before Python (or an initializer that
    could ignore it) runs.  A Ctrl-C meanwhile goes to another thread of the build, or
    waits here until the children are started; it is not lost."""
    if not hasattr(signal, "pthread_sigmask"):        # Windows: no job-wide SIGINT
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def start_pool(workers: int, initializer: Callable[..., None],
               initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes, all started now (the executor would start
    them one job at a time), each running ``initializer(*initargs)`` first.  The
    processes never receive Ctrl-C (see the module's docstring)."""
    with _interrupts_held():
        executor = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                       initializer=initializer, initargs=initargs)
        for _ in range(workers):
            executor.submit(int)
    return executor


def stop_pool(executor: ProcessPoolExecutor, used: bool) -> None:
    """Shut ``executor`` down; at once when nothing was ever asked of its processes (they
    may still be loading a voice or a model), when they have nothing left to do (an
    orderly exit only frees what the process's end frees anyway: 0.1 s of a build), or
    when the build was interrupted (called while a KeyboardInterrupt propagates: the
    user wants out now, not after the sentences being spoken)."""
    interrupted = isinstance(sys.exc_info()[1], KeyboardInterrupt)
    if interrupted or not used or not getattr(executor, "_pending_work_items", True):
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)
