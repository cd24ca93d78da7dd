"""Encoding while speaking: the clip feed, per-sentence completion, streamed stitching,
errors crossing from the synthesis thread, and the pre-started worker pool."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import audio_helpers as h
from accesspub.audio.stitch import stitch_publication
from accesspub.audio.synthesize import (BuildCancelled, ClipFeed, SentenceAudio, WorkerPool,
                                        spoken_sentences, synthesize_publication)
from accesspub.errors import EngineError


def _audio(sid: str) -> SentenceAudio:
    return SentenceAudio(sid, np.full(100, 5, np.int16), ("tone",))


def test_feed_answers_membership_at_once_and_waits_for_clips():
    feed = ClipFeed(["a", "b"])
    assert "a" in feed and "z" not in feed and list(feed) == ["a", "b"] and len(feed) == 2
    with pytest.raises(KeyError):
        feed["z"]
    got = []
    reader = threading.Thread(target=lambda: got.append(feed["b"]))
    reader.start()
    time.sleep(0.05)
    assert reader.is_alive() and not got            # waiting for "b"
    feed.put("b", _audio("b"))
    reader.join(2)
    assert got and got[0].sentence_id == "b"


def test_feed_hands_the_synthesis_error_to_its_reader():
    feed = ClipFeed(["a"])
    error = EngineError("the voice is gone", code="engine-failed")
    threading.Timer(0.05, feed.fail, [error]).start()
    with pytest.raises(EngineError) as caught:
        feed["a"]
    assert caught.value is error


def test_cancelled_feed_stops_the_synthesis(tmp_path):
    pub = h.small_publication()
    feed = ClipFeed(spoken_sentences(pub))
    feed.cancel()
    with pytest.raises(BuildCancelled):
        synthesize_publication(pub, h.ToneEngines(), h.config(tmp_path), jobs=1,
                               on_sentence=feed.put)


def test_each_sentence_is_announced_once_as_it_completes(tmp_path):
    pub = h.small_publication()
    cfg = h.config(tmp_path)
    seen: list[str] = []
    clips = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1,
                                   on_sentence=lambda sid, audio: seen.append(sid))
    assert seen == spoken_sentences(pub) == list(clips)
    again: list[str] = []                          # from the cache: announced at once
    synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1,
                           on_sentence=lambda sid, audio: again.append(sid))
    assert again == seen


def test_streamed_stitching_gives_the_same_bytes(tmp_path):
    pub = h.small_publication()
    cfg = h.config(tmp_path)
    clips = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1)
    whole = stitch_publication(pub, clips, cfg, tmp_path / "whole")

    feed = ClipFeed(spoken_sentences(pub))

    def arrive() -> None:                     # out of order and late, as workers finish
        for sid in reversed(list(clips)):
            time.sleep(0.02)
            feed.put(sid, clips[sid])
    threading.Thread(target=arrive).start()
    streamed = stitch_publication(pub, feed, cfg, tmp_path / "streamed")
    assert [t.clips for t in streamed.tracks] == [t.clips for t in whole.tracks]
    assert streamed.full_path.read_bytes() == whole.full_path.read_bytes()
    for a, b in zip(streamed.tracks, whole.tracks):
        assert a.path.read_bytes() == b.path.read_bytes()


def test_a_failure_while_streaming_leaves_no_partial_file(tmp_path):
    pub = h.small_publication()
    cfg = h.config(tmp_path)
    clips = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1)
    feed = ClipFeed(spoken_sentences(pub))
    first = next(iter(clips))
    feed.put(first, clips[first])
    threading.Timer(0.1, feed.fail, [EngineError("no voice", code="engine-failed")]).start()
    with pytest.raises(EngineError):
        stitch_publication(pub, feed, cfg, tmp_path / "out")
    assert not list((tmp_path / "out").rglob("*.mp3"))


def test_clips_are_levelled_where_they_are_spoken(tmp_path):
    """The cache holds clips at the narration's loudness; ``level=False`` keeps the
    engine's level (and is cached apart)."""
    from accesspub.audio.loudness import clip_loudness
    pub = h.small_publication()
    cfg = h.config(tmp_path)
    levelled = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1)
    raw = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1, level=False)
    assert raw.misses == levelled.misses            # different cache entries
    context = (round(0.35 * 44100),) * 2
    for sid in levelled:
        assert levelled[sid].samples == raw[sid].samples
        loud = clip_loudness(levelled[sid].pcm, 44100, context)
        assert abs(loud - (-19.0 + 0.446)) < 0.15, loud     # target minus the codec's gain
    from accesspub.audio.synthesize import resample
    first = next(pub.iter_sentences())
    clip, _ = h.ToneEngines().speak(first.spoken[0].text, first.spoken[0].lang)
    np.testing.assert_array_equal(raw[first.id].pcm, resample(clip.pcm, clip.sample_rate))
    assert not np.array_equal(levelled[first.id].pcm, raw[first.id].pcm)


def test_an_unused_pool_stops_its_workers(tmp_path):
    pool = WorkerPool(h.ToneEngines(), 2)
    processes = list(pool.executor._processes.values())
    assert len(processes) == 2
    pool.close()
    assert not any(p.is_alive() for p in processes)


def test_speaking_ahead_is_claimed_not_repeated(tmp_path):
    """The workers speak a release before its languages are detected; the build then
    keeps what they started, speaks a sentence detection changed in its new form, and
    speaks nothing twice.  Clips spoken ahead count as made by this build."""
    from accesspub.speech import map_sentences
    log = tmp_path / "spoken.log"
    engines = h.ToneEngines(log=log)
    cfg = h.config(tmp_path)
    read = h.small_publication()
    moved = "c01-s0002"

    def detect(s):
        if s.id != moved:
            return s
        return dataclasses.replace(s, spoken=tuple(dataclasses.replace(p, lang="de")
                                                   for p in s.spoken))
    detected = map_sentences(read, detect)
    with WorkerPool(engines, 2) as pool:
        pool.prefetch(read, cfg)
        deadline = time.monotonic() + 20
        while not log.exists() and time.monotonic() < deadline:
            time.sleep(0.02)                  # some are spoken ahead, the rest wait
        result = synthesize_publication(detected, engines, cfg, pool=pool)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines))                          # nothing spoken twice
    spoken = {s.id: s for s in detected.iter_sentences()}
    expected = {f"{p.lang}\t{p.text}" for s in spoken.values() for p in s.spoken}
    assert expected <= set(lines)
    assert f"de\t{spoken[moved].spoken[0].text}" in lines
    assert result.misses == len(expected) and result.hits == 0
    assert list(result) == [s.id for s in detected.iter_sentences()]


_IDLE_BUILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
import audio_helpers as h
from accesspub.audio.synthesize import WorkerPool
from accesspub.read.langdetect import LinguaProcess
if __name__ == "__main__":
    pool = WorkerPool(h.ToneEngines(), 2)
    lingua = LinguaProcess()
    print("ready", flush=True)
    time.sleep(120)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_workers_end_with_a_killed_build():
    """A build killed while its workers (and its language detector) wait for work must
    not leave them behind."""
    build = subprocess.Popen([sys.executable, "-c", _IDLE_BUILD, str(Path(__file__).parent)],
                             stdout=subprocess.PIPE, text=True)
    assert build.stdout.readline().strip() == "ready"
    time.sleep(1)
    workers = [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat")
               if _parent_of(stat) == build.pid]
    assert len(workers) >= 3
    os.kill(build.pid, signal.SIGKILL)
    build.wait(10)
    build.stdout.close()
    # A worker still importing when the build died notices once its watch starts (after
    # its imports): on a loaded machine that is seconds, not the 0.5 s of an idle one.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
        time.sleep(0.1)
    assert not [p for p in workers if Path(f"/proc/{p}").exists()]


def _parent_of(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


_SLOW_CHILD = """
import multiprocessing, sys, time
sys.path.insert(0, sys.argv[1])
from slow_child import child

if __name__ == "__main__":
    process = multiprocessing.get_context("spawn").Process(target=child, args=(sys.argv[1],))
    process.start()
    print(process.pid, flush=True)
    time.sleep(120)
"""

_SLOW_CHILD_MODULE = """
import time
from pathlib import Path

def child(folder):
    import multiprocessing, os
    parent = multiprocessing.parent_process().pid
    while os.getppid() == parent:  # still importing when the build is killed
        time.sleep(0.05)
    Path(folder, "adopted").touch()
    from accesspub.audio.orphans import end_with_parent
    end_with_parent()
    time.sleep(120)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_child_whose_build_died_before_its_watch_started_ends(tmp_path):
    """A child that starts watching its parent after the build was killed (and it was
    adopted by init) must still notice: it watches the process that spawned it."""
    (tmp_path / "slow_child.py").write_text(_SLOW_CHILD_MODULE, encoding="utf-8")
    build = subprocess.Popen([sys.executable, "-c", _SLOW_CHILD, str(tmp_path)],
                             stdout=subprocess.PIPE, text=True)
    child = int(build.stdout.readline())
    try:
        os.kill(build.pid, signal.SIGKILL)
        build.wait(10)
        build.stdout.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (tmp_path / "adopted").exists():
            time.sleep(0.1)
        assert (tmp_path / "adopted").exists(), "the child did not outlive the build"
        while time.monotonic() < deadline and Path(f"/proc/{child}").exists():
            time.sleep(0.1)
        assert not Path(f"/proc/{child}").exists()
    finally:
        if Path(f"/proc/{child}").exists():
            os.kill(child, signal.SIGKILL)
