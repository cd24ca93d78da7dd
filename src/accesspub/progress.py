"""Progress on long work: a bar on a terminal, plain lines in logs (CI)."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


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

    def stage(self, label: str, total: int) -> None:
        self.label, self.total, self.started, self.last_line = label, total, time.monotonic(), -1
        self.update(0)

    def update(self, done: int) -> None:
        if not self.enabled or self.total <= 0:
            return
        fraction = min(1.0, done / self.total)
        if self.tty:
            width = 30
            bar = "#" * int(fraction * width)
            self.stream.write(f"\r{self.label:<12} [{bar:<{width}}] {done}/{self.total}")
            self.stream.flush()
        else:
            step = int(fraction * 4)           # a line at 0, 25, 50, 75 and 100 %
            if step != self.last_line:
                self.last_line = step
                self.stream.write(f"{self.label}: {done}/{self.total}\n")
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
