"""Progress on long work: a bar on a terminal, plain lines in logs (CI)."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Callable, TextIO

# What else is going on, said after every progress line: a Dask cluster's clips done /
# total and workers alive while a release is spoken (``audio.cluster.ClusterPool``).
_details: list[Callable[[], str]] = []
_details_lock = threading.Lock()
LOG_EVERY = 10.0          # s: in a log, a line at least this often while work goes on


def add_detail(source: Callable[[], str]) -> None:
    with _details_lock:
        _details.append(source)


def remove_detail(source: Callable[[], str]) -> None:
    with _details_lock:
        if source in _details:
            _details.remove(source)


def _detail() -> str:
    with _details_lock:
        sources = list(_details)
    said = []
    for source in sources:
        try:
            said.append(source())
        except Exception:           # progress must never stop a build
            continue
    return "".join(f" · {text}" for text in said if text)


class Progress:
    """``progress.stage("synthesis", total)`` then ``progress.update(done)``; ``done()`` ends it."""

    def __init__(self, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty() and not os.environ.get("CI")
        self.label = ""
        self.total = 0
        self.started = 0.0
        self.last_line = -1
        self.last_time = 0.0
        self.last_done = -1

    def stage(self, label: str, total: int) -> None:
        self.label, self.total, self.started, self.last_line = label, total, time.monotonic(), -1
        self.last_done = -1
        self.update(0)

    def update(self, done: int) -> None:
        if not self.enabled or self.total <= 0:
            return
        fraction = min(1.0, done / self.total)
        if self.tty:
            width = 30
            bar = "#" * int(fraction * width)
            self.stream.write(f"\r{self.label:<12} [{bar:<{width}}] {done}/{self.total}"
                              f"{_detail()}\x1b[K")
            self.stream.flush()
        else:
            # A line at 0, 25, 50, 75 and 100 %, and every LOG_EVERY seconds between.
            step = int(fraction * 4)
            now = time.monotonic()
            if step != self.last_line or (done != self.last_done
                                          and now - self.last_time >= LOG_EVERY):
                self.last_line, self.last_time, self.last_done = step, now, done
                self.stream.write(f"{self.label}: {done}/{self.total}{_detail()}\n")
                self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.total > 0:
            elapsed = time.monotonic() - self.started
            if self.tty:
                self.stream.write("\n")
            self.stream.write(f"{self.label}: done in {elapsed:.1f} s\n")
            self.stream.flush()
        self.total = 0

    def message(self, text: str) -> None:
        if self.enabled:
            self.stream.write(text + "\n")
            self.stream.flush()


class Silent(Progress):
    def __init__(self) -> None:
        super().__init__(enabled=False)
