"""End to end with the real Piper voice (bundled joe-us): timing, chapters, loudness, format."""

import numpy as np
import pytest
import pyloudnorm
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode

import audio_helpers as h
from accesspub.audio.encode import decode_mp3
from accesspub.audio.limiter import true_peak_dbtp
from accesspub.audio.stitch import stitch_publication
from accesspub.audio.synthesize import synthesize_publication

pytestmark = pytest.mark.slow
TOLERANCE = 0.050           # seconds (MO-13, A-CH-1)


def piper_publication():
    return h.publication([
        h.chapter(1, "Black January", [["On the night of 19 January 1990, troops entered Baku.",
                                         "Many civilians were killed."]], name="black-january"),
        h.chapter(2, "Remembrance", [["Every year, people lay flowers at the memorial."]],
                  name="remembrance"),
    ], slug="black-january")


def engine_set(cfg):
    """The production wiring: EngineSet -> PiperEngine (bundled joe-us voice)."""
    import functools
    from accesspub.engines.select import EngineSet
    return functools.partial(EngineSet.from_config, cfg)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("piper")
    pub = piper_publication()
    cfg = h.config(tmp, engine="piper")
    clips = synthesize_publication(pub, engine_set(cfg), cfg, jobs=1)
    timeline = stitch_publication(pub, clips, cfg, tmp / "out")
    return pub, cfg, clips, timeline, tmp


def test_clips_and_tracks_match_the_decoded_audio(built):
    pub, cfg, clips, timeline, tmp = built
    assert clips.misses == 5 and all(a.engines == ("piper",) for a in clips.values())
    total = 0
    for track in timeline.tracks:
        pcm, rate = decode_mp3(track.path)
        assert rate == 44100
        assert abs(track.clips[-1].end - len(pcm)) / rate <= TOLERANCE
        assert track.clips[0].begin == 0
        assert all(a.end == b.begin and a.begin < a.end
                   for a, b in zip(track.clips, track.clips[1:]))
        total += len(pcm)
    full, rate = decode_mp3(timeline.full_path)
    pause = round(cfg.narration.pauses.chapter * rate)
    assert abs(total + pause * (len(timeline.tracks) - 1) - len(full)) / rate <= TOLERANCE
    assert abs(len(full) - timeline.samples) / rate <= TOLERANCE


def test_chapter_frames_match_the_timeline(built):
    pub, cfg, clips, timeline, tmp = built
    chaps = sorted(ID3(timeline.full_path).getall("CHAP"), key=lambda c: c.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == [c.title for c in pub.chapters]
    for chap, track in zip(chaps, timeline.tracks):
        assert abs(chap.start_time / 1000 - timeline.seconds(track.offset)) <= TOLERANCE
    assert chaps[0].start_time == 0
    assert abs(chaps[-1].end_time / 1000 - timeline.duration) <= TOLERANCE
    assert all(a.end_time == b.start_time for a, b in zip(chaps, chaps[1:]))


def test_loudness_true_peak_and_format(built):
    pub, cfg, clips, timeline, tmp = built
    for path in [timeline.full_path] + [t.path for t in timeline.tracks]:
        info = MP3(path).info
        assert (info.sample_rate, info.channels) == (44100, 1)
        assert info.bitrate_mode == BitrateMode.CBR and abs(info.bitrate - 64000) < 200
        pcm, rate = decode_mp3(path)
        assert true_peak_dbtp(pcm) <= -1.0
    pcm, rate = decode_mp3(timeline.full_path)
    lufs = pyloudnorm.Meter(rate).integrated_loudness(pcm / 32768.0)
    assert -20.0 <= lufs <= -18.0, lufs


def test_rebuild_hits_the_cache_and_is_byte_identical(built, tmp_path):
    pub, cfg, clips, timeline, tmp = built
    again = synthesize_publication(pub, engine_set(cfg), cfg, jobs=1)
    assert again.misses == 0
    other = stitch_publication(pub, again, cfg, tmp_path)
    assert other.full_path.read_bytes() == timeline.full_path.read_bytes()
    edited = h.replace_spoken(pub, "c02-s0001", "Every year, people lay red flowers there.")
    assert synthesize_publication(edited, engine_set(cfg), cfg, jobs=1).misses == 1
