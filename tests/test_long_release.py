"""Book-length releases (issue 8): a release in several chapter files narrated with the real
Piper voice keeps exact chapters in the full MP3; narration audio is streamed from the clip
cache, so memory does not grow with the length of the book."""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3

import audio_helpers as h
from accesspub.audio.encode import decode_mp3
from accesspub.audio.stitch import stitch_publication
from accesspub.audio.synthesize import SAMPLE_RATE, synthesize_publication

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from make_book import book_files, count_words, make_book  # noqa: E402


def test_generated_book_is_deterministic_and_long_enough():
    files = book_files(20000)
    assert files == book_files(20000)
    assert len(files) >= 5
    assert sum(count_words(text) for text in files.values()) >= 20000
    half = book_files(10000)
    assert 10000 <= sum(count_words(t) for t in half.values()) < 12000


# -- streaming: synthesis returns references, stitching reads one clip at a time -------------

def _tone_book(chapters: int, sentences: int) -> "object":
    return h.publication([
        h.chapter(n, f"Chapter {n}", [[f"Sentence {k} of chapter {n}, long enough to be heard "
                                       f"for a couple of seconds." for k in range(p, p + 4)]
                                     for p in range(0, sentences, 4)], name=f"ch{n}")
        for n in range(1, chapters + 1)])


def test_synthesis_holds_references_not_pcm(tmp_path):
    pub = _tone_book(2, 8)
    clips = synthesize_publication(pub, h.ToneEngines(), h.config(tmp_path), jobs=1)
    for audio in clips.values():
        assert audio._pcm is None and audio.keys and sum(audio.lengths) == audio.samples
        assert all(audio.cache.path(k).is_file() for k in audio.keys)
        assert len(audio.pcm) == audio.samples          # read back on demand


def test_parallel_workers_write_the_cache_themselves(tmp_path):
    pub = _tone_book(2, 8)
    serial = synthesize_publication(pub, h.ToneEngines(), h.config(tmp_path / "a"), jobs=1)
    parallel = synthesize_publication(pub, h.ToneEngines(), h.config(tmp_path / "b"), jobs=2)
    for sid, audio in serial.items():
        assert parallel[sid].keys == audio.keys and parallel[sid].lengths == audio.lengths
        np.testing.assert_array_equal(parallel[sid].pcm, audio.pcm)


def test_stitching_memory_is_bounded_by_a_few_clips(tmp_path):
    """Peak traced memory while normalising and encoding ~5 min of audio (27 MB of PCM)
    stays a small fraction of it: clips are streamed from the cache into the encoders."""
    pub = _tone_book(6, 24)
    cfg = h.config(tmp_path)
    clips = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1)
    total_bytes = 2 * sum(a.samples for a in clips.values())
    longest_clip = 2 * max(a.samples for a in clips.values())
    assert total_bytes > 25 << 20
    from accesspub.audio.encode import codec_gain_db
    codec_gain_db(cfg.narration.bitrate, SAMPLE_RATE)          # its probe is not stitching
    tracemalloc.start()
    try:
        timeline = stitch_publication(pub, clips, cfg, tmp_path / "out")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < max(8 << 20, 40 * longest_clip), (peak, total_bytes)
    assert peak < total_bytes / 3, (peak, total_bytes)
    full, _ = decode_mp3(timeline.full_path)
    assert abs(len(full) - timeline.samples) <= SAMPLE_RATE * 0.005


# -- a generated book with the real voice --------------------------------------------------

@pytest.fixture(scope="module")
def book(tmp_path_factory, speech_cache):
    from accesspub.build import BuildOptions, run_build
    from accesspub.config import load_config
    root = tmp_path_factory.mktemp("long-book")
    words = make_book(root, 200, files=4, seed=8)
    assert words >= 400
    result = run_build(load_config(root), BuildOptions())
    (release,) = result.releases
    return release


@pytest.mark.slow
def test_book_in_chapter_files_has_exact_chapters(book):
    timeline, publication = book.timeline, book.publication
    files = {s.location.path for ch in publication.chapters for s in ch.iter_sentences()}
    assert len(files) == 4                                   # several chapter files
    assert len(timeline.tracks) == len(publication.chapters) > 4
    full, rate = decode_mp3(timeline.full_path)
    assert rate == timeline.sample_rate == SAMPLE_RATE
    assert abs(len(full) - timeline.samples) <= rate * 0.005   # decoded length
    chaps = sorted(ID3(timeline.full_path).getall("CHAP"), key=lambda c: c.start_time)
    assert [c.sub_frames["TIT2"].text[0] for c in chaps] == [
        ch.title for ch in publication.chapters]
    for chap, track, nxt in zip(chaps, timeline.tracks, timeline.tracks[1:] + (None,)):
        assert abs(chap.start_time - track.offset * 1000 / rate) <= 50
        end = nxt.offset if nxt is not None else timeline.samples
        assert abs(chap.end_time - end * 1000 / rate) <= 50
    assert abs(chaps[-1].end_time - len(full) * 1000 / rate) <= 50
    # each chapter's track sits in the full file where its chapter starts
    for track in timeline.tracks:
        pcm, _ = decode_mp3(track.path)
        assert abs(len(pcm) - track.samples) <= rate * 0.005
        head = slice(track.offset + 2 * rate // 10, track.offset + 2 * rate // 10 + rate)
        a = full[head].astype(np.float64)
        b = pcm[2 * rate // 10: 2 * rate // 10 + rate].astype(np.float64)
        assert np.corrcoef(a, b)[0, 1] > 0.9, track.chapter_id     # misplaced: ~0
