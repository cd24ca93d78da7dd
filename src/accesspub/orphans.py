"""Child processes of a build: started at once, stopped at once when unused, and ended
with the build that started them."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Callable


def end_with_parent() -> int:
    """End this process when its parent is gone (the build was killed), and return the
    parent's pid: an idle child would otherwise wait for work forever, holding its memory."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent watch", daemon=True).start()
    return parent


def start_pool(workers: int, initializer: Callable[..., None],
               initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes, all started now (the executor would start
    them one job at a time), each running ``initializer(*initargs)`` first."""
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                   initializer=initializer, initargs=initargs)
    for _ in range(workers):
        executor.submit(int)
    return executor


def stop_pool(executor: ProcessPoolExecutor, used: bool) -> None:
    """Shut ``executor`` down; at once when nothing was ever asked of its processes (they
    may still be loading a voice or a model) or when they have nothing left to do (an
    orderly exit only frees what the process's end frees anyway: 0.1 s of a build)."""
    if not used or not getattr(executor, "_pending_work_items", True):
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)
