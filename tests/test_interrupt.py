"""Ctrl-C during a narrated build: exit 130, one line from the build, no traceback from
any synthesis worker, and the previous build/ exactly as it was."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import make_project, snapshot

pytestmark = pytest.mark.slow

# Enough sentences that the workers are still speaking when the signal arrives.
TEXT = "---\ntitle: Interrupted\ndate: 2024-01-01\n---\n\n" + "\n\n".join(
    f"Paragraph {n} says something of its own, long enough to take the voice a while "
    f"to read aloud, about harbour number {n} and its ships." for n in range(1, 41)) + "\n"
CONFIG = """
[project]
language = "en"
publisher = "Test Office"
detect_languages = false

[narration]
jobs = 2
"""


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "accesspub", "-C", str(root), *args],
                          capture_output=True, text=True, timeout=300)


def wait_for_line(process: subprocess.Popen, start: str, timeout: float) -> str:
    """stderr read up to and including a line starting with ``start``."""
    seen = ""
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not selector.select(deadline - time.monotonic()):
            break
        line = process.stderr.readline()
        if not line:
            break
        seen += line
        if line.startswith(start):
            return seen
    raise AssertionError(f"no line starting {start!r} in time; stderr so far:\n{seen}")


def interrupt_when(build: subprocess.Popen, line: str, *, delay: float, timeout: float,
                   wait: float) -> str:
    """Ctrl-C (SIGINT to the build's process group, as a terminal sends it) ``delay`` s
    after the build printed ``line``; returns its stderr, what was read meanwhile included."""
    try:
        seen = wait_for_line(build, line, timeout=timeout)
        time.sleep(delay)
        os.killpg(build.pid, signal.SIGINT)
        _, err = build.communicate(timeout=wait)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
    return seen + err


# 0: while the workers may still be loading the voice; 2: while they are speaking.
@pytest.mark.parametrize("delay", [0.0, 2.0])
def test_ctrl_c_during_synthesis_leaves_no_traceback_and_build_untouched(tmp_path, delay):
    root = make_project(tmp_path / "p", {"content/harbour.md": TEXT}, config=CONFIG)
    first = run(root, "build", "--no-audio", "-q")
    assert first.returncode == 0, first.stderr
    before = snapshot(root / "build")
    assert "harbour/harbour.epub" in before

    # A terminal sends Ctrl-C's SIGINT to the whole process group: the build, its
    # synthesis workers and any ffmpeg.  A new session gives the build a group of its own.
    build = subprocess.Popen([sys.executable, "-m", "accesspub", "-C", str(root), "build"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    # "speaking:": the workers are speaking
    err = interrupt_when(build, "speaking:", delay=delay, timeout=240, wait=60)
    assert build.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "internal error" not in err, err
    assert "interrupted; the previous build/ is untouched" in err
    assert snapshot(root / "build") == before
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".build-")]
    assert leftovers == [], "the staging folder of the interrupted build is removed"
