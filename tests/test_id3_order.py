"""The full narration's ID3 chapters are stored in time order, and the CTOC lists them in
that order: players that read CHAP frames as stored (ffmpeg, and the apps built on it)
must not show the last chapter first.  The tag is read here frame by frame, in file order,
by a small ID3v2.4 reader of our own (mutagen's reader files frames by key)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import struct
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import audio_helpers as h
from accesspub.audio.tags import tag_full
from accesspub.cli import main
from accesspub.model import Timeline, Track
from helpers import make_project


def _synchsafe(data: bytes) -> int:
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def _cstring(data: bytes, at: int) -> tuple[str, int]:
    end = data.index(b"\0", at)
    return data[at:end].decode("latin-1"), end + 1


def id3_frames(path: Path) -> list[tuple[str, bytes]]:
    """(frame id, frame data) of the file's ID3v2.4 tag, in the order they are stored."""
    raw = path.read_bytes()
    assert raw[:3] == b"ID3" and raw[3] == 4, "an ID3v2.4 tag at the start"
    assert raw[5] & 0x80 == 0, "no unsynchronisation expected"
    end = 10 + _synchsafe(raw[6:10])
    frames, at = [], 10
    while at + 10 <= end and raw[at] != 0:            # a zero byte starts the padding
        frame_id = raw[at:at + 4].decode("ascii")
        size = _synchsafe(raw[at + 4:at + 8])
        frames.append((frame_id, raw[at + 10:at + 10 + size]))
        at += 10 + size
    return frames


def chapters_in_file_order(path: Path) -> tuple[list[tuple[str, int, int]], list[str]]:
    """([(element id, start ms, end ms)] of the CHAP frames as stored, CTOC child ids)."""
    chaps, toc = [], None
    for frame_id, data in id3_frames(path):
        if frame_id == "CHAP":
            element, at = _cstring(data, 0)
            start, end = struct.unpack(">II", data[at:at + 8])
            chaps.append((element, start, end))
        elif frame_id == "CTOC":
            assert toc is None, "one table of contents"
            _, at = _cstring(data, 0)
            count = data[at + 1]
            at += 2
            toc = []
            for _ in range(count):
                child, at = _cstring(data, at)
                toc.append(child)
    assert toc is not None, "a CTOC frame"
    return chaps, toc


def assert_time_ordered(path: Path, count: int) -> list[tuple[str, int, int]]:
    chaps, toc = chapters_in_file_order(path)
    assert len(chaps) == count
    starts = [start for _, start, _ in chaps]
    assert starts[0] == 0 and starts == sorted(starts) and len(set(starts)) == count, chaps
    assert all(a[2] == b[1] for a, b in zip(chaps, chaps[1:])), "chapters tile the file"
    assert toc == [element for element, _, _ in chaps], (toc, chaps)
    return chaps


def test_tag_writer_stores_chapters_in_time_order(tmp_path):
    # Titles from long to short: mutagen orders frames by size, which stored these backwards.
    titles = ["A long first chapter title, longer than the others", "Middle part", "End"]
    pub = h.publication([h.chapter(n, title, [["Text."]]) for n, title in enumerate(titles, 1)])
    rate = 22050
    tracks = tuple(Track(c.id, tmp_path / f"{c.id}.mp3", (), rate * 2, offset=rate * 2 * i)
                   for i, c in enumerate(pub.chapters))
    full = tmp_path / "full.mp3"
    full.write_bytes(b"")
    timeline = Timeline(rate, tracks, full, rate * 6)
    tag_full(full, pub.meta, pub.chapters, timeline)
    chaps = assert_time_ordered(full, 3)
    assert [(s, e) for _, s, e in chaps] == [(0, 2000), (2000, 4000), (4000, 6000)]
    # the other frames are still there, the chapter frames after the text frames
    ids = [frame_id for frame_id, _ in id3_frames(full)]
    assert ids[:2] == ["TIT2", "TPE1"] and ids.index("CTOC") > ids.index("TDRC")


def test_undated_release_has_no_recording_date(tmp_path):
    pub = h.publication([h.chapter(1, "Only", [["Text."]])])
    meta = dataclasses.replace(pub.meta, date=None)
    full = tmp_path / "full.mp3"
    full.write_bytes(b"")
    timeline = Timeline(22050, (Track("c01", full, (), 22050, 0),), full, 22050)
    tag_full(full, meta, pub.chapters, timeline)
    assert "TDRC" not in [frame_id for frame_id, _ in id3_frames(full)]
    assert isinstance(pub.meta.date, dt.date)


RELEASE = """\
---
title: A release whose title is much longer than its chapters' titles
date: 2024-05-02
---

The office has news.

## Background of the matter

It began last year.

## Now

It ends today.
"""


@pytest.mark.slow
def test_narrated_build_stores_chapters_in_time_order(tmp_path, speech_cache):
    root = make_project(tmp_path, {"content/two.md": RELEASE})
    result = CliRunner().invoke(main, ["-C", str(root), "build", "-q"])
    assert result.exit_code == 0, result.output
    mp3 = root / "build" / "two" / "two.mp3"
    chaps = assert_time_ordered(mp3, 3)
    # ffmpeg reads the chapters as stored: it must list them in time order, titled as built
    import imageio_ffmpeg
    meta = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(mp3),
                           "-f", "ffmetadata", "-"], capture_output=True, text=True, check=True)
    titles = [line.split("=", 1)[1] for block in meta.stdout.split("[CHAPTER]")[1:]
              for line in block.splitlines() if line.startswith("title=")]
    assert titles == ["A release whose title is much longer than its chapters' titles",
                      "Background of the matter", "Now"], meta.stdout
    starts = [int(line.split("=")[1]) for line in meta.stdout.splitlines()
              if line.startswith("START=")]
    assert starts == sorted(starts) and len(starts) == len(chaps)
