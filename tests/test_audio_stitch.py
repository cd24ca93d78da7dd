"""Stitching with a tone engine: exact timing, pauses, files, tags, determinism."""

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

import audio_helpers as h
from accesspub.audio.encode import decode_mp3
from accesspub.audio.join import FRAME_SAMPLES
from accesspub.audio.stitch import chapter_plan, stitch_publication
from accesspub.audio.synthesize import SAMPLE_RATE, synthesize_publication
from accesspub.config import Pauses

RATE = SAMPLE_RATE


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stitch")
    pub = h.small_publication()
    cfg = h.config(tmp)
    clips = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1)
    timeline = stitch_publication(pub, clips, cfg, tmp / "out")
    return pub, cfg, clips, timeline, tmp


def test_chapter_layout_pauses():
    """A track's layout, before any clip exists: each sentence and the pause after it.
    That the clips then tile the track is checked on the encoded files below."""
    pub = h.small_publication()
    spoken = {s.id for s in pub.iter_sentences()}
    pauses = Pauses(sentence=0.1, paragraph=0.2, heading=0.3, chapter=1.0)
    plan = chapter_plan(pub.chapters[0], spoken, pauses, RATE)
    sent, para, head = 4410, 8820, 13230
    assert [sid for sid, _ in plan] == [s.id for s in pub.chapters[0].iter_sentences()]
    # heading | s1 s2 | s3 (last: no trailing pause)
    assert [pause for _, pause in plan] == [head, sent, para, 0]
    first = next(pub.chapters[0].iter_sentences()).id
    assert [sid for sid, _ in chapter_plan(pub.chapters[0], spoken - {first}, pauses,
                                           RATE)] == [sid for sid, _ in plan[1:]]


def test_timeline_adds_up(built):
    pub, cfg, clips, timeline, tmp = built
    chapter_pause = round(cfg.narration.pauses.chapter * RATE)
    assert timeline.sample_rate == RATE
    assert [t.chapter_id for t in timeline.tracks] == ["c01", "c02"]
    assert timeline.tracks[0].offset == 0
    # The chapter pause is made of whole MP3 frames: within half a frame (13 ms).
    pause = timeline.tracks[1].offset - timeline.tracks[0].samples
    assert abs(pause - chapter_pause) <= FRAME_SAMPLES // 2
    assert timeline.samples == sum(t.samples for t in timeline.tracks) + pause
    assert timeline.full_path == tmp / "out" / "test-release.mp3"
    assert [t.path.name for t in timeline.tracks] == ["01-opening.mp3", "02-details.mp3"]
    for track in timeline.tracks:
        assert track.clips[0].begin == 0 and track.clips[-1].end == track.samples
        assert all(a.end == b.begin for a, b in zip(track.clips, track.clips[1:]))
        assert track.engines == ("tone",)


def test_decoded_files_match_the_timeline(built):
    pub, cfg, clips, timeline, tmp = built
    for track in timeline.tracks:
        pcm, rate = decode_mp3(track.path)
        assert rate == RATE
        assert abs(len(pcm) - track.samples) <= RATE * 0.005
    full, _ = decode_mp3(timeline.full_path)
    assert len(full) == timeline.samples
    # The full file is joined from the tracks' frames: each track decodes inside it to
    # exactly the samples it decodes to alone, at its offset, with silence between.
    for track in timeline.tracks:
        alone, _ = decode_mp3(track.path)
        assert 0 <= len(alone) - track.samples <= 47     # ffmpeg's tag may count padding
        assert np.array_equal(full[track.offset:track.offset + len(alone)], alone)
    first, second = timeline.tracks
    gap = full[first.samples:second.offset].astype(int)
    # Only the codec's ringing around the cuts (a tone that stops and starts dead) runs
    # into the pause at its ends (what a track alone trims as delay and padding); the rest
    # is digital silence.
    assert np.abs(gap).max() < 400
    assert not gap[2 * FRAME_SAMPLES:-FRAME_SAMPLES].any()
    # speech onsets in the decoded full file sit where the Timeline says
    for track in timeline.tracks:
        for clip in track.clips[1:]:
            at = track.offset + clip.begin
            before = np.abs(full[at - 600:at - 100].astype(int)).max()
            after = np.abs(full[at + 100:at + 600].astype(int)).max()
            assert before < 200 < after


def test_tags(built):
    pub, cfg, clips, timeline, tmp = built
    for n, track in enumerate(timeline.tracks, 1):
        tags = ID3(track.path)
        assert tags.version == (2, 4, 0)
        assert str(tags["TRCK"]) == f"{n}/2"
        assert str(tags["TIT2"]) == pub.chapters[n - 1].title
        assert str(tags["TALB"]) == "Test Release"
        assert str(tags["TLAN"]) == "eng"
        assert str(tags["TCON"]) == "Speech"
        assert str(tags["TPE1"]) == "Press Office"
        assert str(tags["TPUB"]) == "Example Press"
        assert str(tags["TDRC"]) == "2020-01-20"
        assert not tags.getall("CHAP")
    tags = ID3(timeline.full_path)
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [c.element_id for c in chaps] == ["ch01", "ch02"]
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == ["Opening", "Details"]
    assert chaps[0].start_time == 0
    assert chaps[0].end_time == chaps[1].start_time
    assert abs(chaps[1].start_time - timeline.tracks[1].offset * 1000 / RATE) <= 1
    assert abs(chaps[-1].end_time - timeline.duration * 1000) <= 1
    (toc,) = tags.getall("CTOC")
    assert toc.child_element_ids == ["ch01", "ch02"]
    info = MP3(timeline.full_path).info
    assert (info.sample_rate, info.channels) == (44100, 1)


def test_rebuild_is_byte_identical(built, tmp_path):
    pub, cfg, clips, timeline, tmp = built
    again = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1)
    assert again.misses == 0
    other = stitch_publication(pub, again, cfg, tmp_path / "out")
    assert other.tracks == tuple(
        t.__class__(t.chapter_id, tmp_path / "out" / "tracks" / t.path.name, t.clips,
                    t.samples, t.offset, t.engines) for t in timeline.tracks)
    for a, b in [(timeline.full_path, other.full_path)] + [
            (x.path, y.path) for x, y in zip(timeline.tracks, other.tracks)]:
        assert a.read_bytes() == b.read_bytes()


def test_loudness_of_the_final_file(built):
    import pyloudnorm
    from accesspub.audio.limiter import true_peak_dbtp
    pub, cfg, clips, timeline, tmp = built
    pcm, rate = decode_mp3(timeline.full_path)
    lufs = pyloudnorm.Meter(rate).integrated_loudness(pcm / 32768.0)
    assert -20.0 <= lufs <= -18.0
    assert true_peak_dbtp(pcm) <= -1.0
