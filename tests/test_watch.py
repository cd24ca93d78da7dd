"""accesspub build --watch: a real process that rebuilds when a file changes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

from accesspub.commands.watch import snapshot, watch_project
from helpers import make_project

HEAD = "---\ntitle: A\ndate: 2024-01-01\nlanguage: en\n---\n\n"


def wait_for(predicate, timeout: float = 60.0, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))


class Lines:
    """Collects a process's output lines in a thread, so the pipe never fills."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self.code: int | None = None
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)


@contextlib.contextmanager
def watch_build(root: Path, *args: str) -> Iterator[tuple[subprocess.Popen, Lines]]:
    """``accesspub build --watch ARGS`` on ``root``, a real process; on leaving it is
    stopped with SIGTERM, and ``output.code`` is its exit status."""
    process = subprocess.Popen(
        [sys.executable, "-m", "accesspub", "-C", str(root), "build", "--watch", *args, "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = Lines(process.stdout)
    try:
        yield process, output
    finally:
        process.terminate()
        output.code = process.wait(timeout=30)
        output.thread.join(timeout=5)


def test_watch_rebuilds_on_change(tmp_path):
    root = make_project(tmp_path, {"content/a.md": HEAD + "The first version.\n"})
    epub = root / "build" / "a" / "a.epub"
    with watch_build(root, "--no-audio") as (process, output):
        assert wait_for(lambda: output.count("watching") == 1), output.lines
        assert "The first version." in epub_text(epub)
        assert output.count("built a:") == 1

        (root / "content" / "a.md").write_text(HEAD + "The second version.\n", encoding="utf-8")
        assert wait_for(lambda: "The second version." in epub_text(epub)), output.lines
        assert wait_for(lambda: output.count("built a:") == 2), output.lines
        assert output.count("changed: content/a.md; rebuilding") == 1

        # A broken edit: reported, build/ kept, and the watch goes on.
        (root / "content" / "a.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
        assert wait_for(lambda: output.count("build failed") == 1), output.lines
        assert "error front-matter-syntax" in "\n".join(output.lines)
        assert "The second version." in epub_text(epub)

        # A new release and a change of accesspub.toml are seen too.
        (root / "content" / "a.md").write_text(HEAD + "The third version.\n", encoding="utf-8")
        (root / "content" / "b.md").write_text(HEAD + "Another release.\n", encoding="utf-8")
        assert wait_for(lambda: (root / "build" / "b" / "b.epub").exists()), output.lines
        assert "The third version." in epub_text(epub)
        assert process.poll() is None
    assert output.code == 0, output.lines
    assert output.lines[-1] == "stopped watching"
    assert not any("Traceback" in line for line in output.lines)
    assert not list(root.glob(".build-*"))


def test_snapshot_sees_content_and_config_only(tmp_path):
    root = make_project(tmp_path, {"content/a.md": "Text.\n", "content/img/x.png": b"x",
                                   "content/.hidden": "x", "build/a/a.epub": b"x",
                                   "notes.txt": "x"})
    assert sorted(snapshot(root)) == ["accesspub.toml", "content/a.md", "content/img/x.png"]


def test_watch_loop_in_process(tmp_path):
    """The loop itself: one rebuild per settled change, errors reported, not raised."""
    from accesspub.errors import ContentError
    root = make_project(tmp_path, {"content/a.md": "Text.\n"})
    calls: list[float] = []
    errors: list[str] = []
    echoed: list[str] = []

    def rebuild():
        calls.append(time.monotonic())
        if len(calls) == 2:
            raise ContentError("broken", code="x")

    def edit():
        time.sleep(0.3)
        for i in range(3):          # three quick writes: one rebuild
            (root / "content" / "a.md").write_text(f"Text {i}.\n" * (i + 1))
            time.sleep(0.02)
        time.sleep(0.6)
        (root / "accesspub.toml").write_text("[project]\nlanguage = 'en'\n")

    thread = threading.Thread(target=edit)
    thread.start()
    watch_project(root, rebuild, on_error=lambda exc: errors.append(exc.message),
                  interval=0.1, echo=echoed.append, max_rebuilds=2)
    thread.join()
    assert len(calls) == 3
    assert errors == ["broken"]
    assert any("build failed" in line for line in echoed)
    assert sum("rebuilding" in line for line in echoed) == 2


RIVER = HEAD + "## The night\n\nThe river rose in the night.\n\n## The morning\n\n" \
    "The old bridge held. Nobody was hurt.\n"
LEXICON = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="en">
  <lexeme><grapheme>bridge</grapheme><alias>big stone bridge</alias></lexeme>
</lexicon>
"""


def test_watch_rebuilds_when_respeak_toml_or_the_lexicon_changes(tmp_path):
    """What the build reads beside the Markdown: a respeak choice and a pronunciation
    change each rebuild, and the rebuilt narration sounds different."""
    from click.testing import CliRunner
    from accesspub.cli import main
    from accesspub.testing import FAKE_NARRATION
    root = make_project(tmp_path, {"content/a.md": RIVER},
                        FAKE_NARRATION.replace("[narration]",
                                               "detect_languages = false\n\n[narration]"))
    mp3 = root / "build" / "a" / "a.mp3"
    with watch_build(root) as (process, output):
        assert wait_for(lambda: output.count("watching") == 1), output.lines
        watching = next(line for line in output.lines if "watching" in line)
        assert "respeak.toml" in watching and "accesspub.toml" in watching, watching
        first = mp3.read_bytes()

        result = CliRunner().invoke(main, ["-C", str(root), "respeak", "old bridge"])
        assert result.exit_code == 0, result.output
        assert wait_for(lambda: output.count("built a:") == 2), output.lines
        assert output.count("changed: respeak.toml; rebuilding") == 1, output.lines
        respoken = mp3.read_bytes()
        assert respoken != first          # another seed: the fake voice's pitch changed

        (root / "content" / "lexicon.pls").write_text(LEXICON, encoding="utf-8")
        assert wait_for(lambda: output.count("built a:") == 3), output.lines
        assert output.count("changed: content/lexicon.pls; rebuilding") == 1, output.lines
        # The alias is longer than the word: the fake voice speaks it for longer.
        assert len(mp3.read_bytes()) > len(respoken)
        assert process.poll() is None
    assert output.code == 0, output.lines
    assert not any("Traceback" in line or "error" in line for line in output.lines)


def test_snapshot_sees_what_the_build_reads_outside_content(tmp_path):
    root = make_project(tmp_path, {"content/a.md": "Text.\n", "content/lexicon.pls": "x",
                                   "respeak.toml": "# x\n", "art/cover.png": b"x",
                                   "art/unused.png": b"x"},
                        "[project]\nlanguage = 'en'\n\n[podcast]\nimage = 'art/cover.png'\n")
    assert sorted(snapshot(root)) == ["accesspub.toml", "art/cover.png", "content/a.md",
                                      "content/lexicon.pls", "respeak.toml"]
