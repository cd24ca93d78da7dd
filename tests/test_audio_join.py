"""Joining encoded tracks into one MP3 frame by frame: exact samples, a valid Info frame."""

from __future__ import annotations

import numpy as np
import pytest
from mutagen.mp3 import MP3

from accesspub.audio import join
from accesspub.audio.encode import decode_mp3, encode_mp3
from accesspub.errors import ToolError

RATE = 44100


def crc16(data: bytes) -> int:
    return join._crc16(data)


def speechlike(seconds: float, seed: int) -> np.ndarray:
    """Noise shaped into syllables, fading in and out: ends in near-silence, like speech."""
    n = int(seconds * RATE)
    rng = np.random.default_rng(seed)
    t = np.arange(n) / RATE
    envelope = np.clip(np.sin(np.pi * t / seconds), 0, 1) ** 2 * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t))
    return np.round(rng.standard_normal(n) * envelope * 6000).astype(np.int16)


@pytest.fixture(scope="module")
def encoded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("join")
    tracks = []
    # The second ends 20 samples into a frame: ffmpeg's LAME tag then counts 28 samples
    # of padding as audio (seen in a long build), so it decodes 28 samples longer.
    for k, samples in enumerate((int(1.3 * RATE), 1152 * 15 + 20, int(2.71 * RATE))):
        pcm = speechlike(samples / RATE, k)[:samples]
        path = folder / f"{k}.mp3"
        encode_mp3([pcm], path, sample_rate=RATE)
        tracks.append((join.read_track(path), pcm))
    return folder, tracks


def test_read_track_gives_the_lame_tag(encoded):
    _, tracks = encoded
    for track, pcm in tracks:
        assert track.delay == 576
        assert 0 <= track.padding < 2 * join.FRAME_SAMPLES
        alone, _ = decode_mp3(track.path, RATE)
        assert track.samples == len(alone)            # what the tag says, decoders do
        assert 0 <= track.samples - len(pcm) <= 47
        data = track.path.read_bytes()
        assert track.audio_at + track.audio_bytes == len(data)
        assert track.music_crc == crc16(data[track.audio_at:])
    assert any(track.samples > len(pcm) for track, pcm in tracks)     # the case is covered


def test_joined_file_decodes_to_the_tracks_at_their_offsets(encoded):
    folder, tracks = encoded
    parts = [t for t, _ in tracks]
    pause = RATE                                                     # 1 s
    gaps = [join.silence_frames(a, b, pause) for a, b in zip(parts, parts[1:])]
    out = folder / "full.mp3"
    join.join_tracks(parts, gaps, out)
    starts, total = join.offsets(parts, gaps)
    full, _ = decode_mp3(out, RATE)
    assert len(full) == total
    for (track, _), start in zip(tracks, starts):
        alone, _ = decode_mp3(track.path, RATE)
        assert np.array_equal(full[start:start + len(alone)], alone)
    for (a, _), b_start, a_start in zip(tracks, starts[1:], starts):
        assert abs(b_start - (a_start + a.samples) - pause) <= join.FRAME_SAMPLES // 2
    assert abs(MP3(out).info.length - total / RATE) < 0.05


def test_joined_info_frame_is_consistent(encoded):
    folder, tracks = encoded
    parts = [t for t, _ in tracks]
    gaps = [3, 0]
    out = folder / "gaps.mp3"
    join.join_tracks(parts, gaps, out)
    data = out.read_bytes()
    again = join.read_track(out)
    assert again.frames == sum(t.frames for t in parts) + 3
    assert again.audio_at + again.audio_bytes == len(data)
    assert (again.delay, again.padding) == (parts[0].delay, parts[-1].padding)
    assert again.music_crc == crc16(data[again.audio_at:])
    info = bytearray(again.info)
    stored = info[again.lame_at + 34:again.lame_at + 36]
    info[again.lame_at + 34:again.lame_at + 36] = b"\0\0"
    assert int.from_bytes(stored, "big") == crc16(bytes(info[:190]))
    toc = info[21 + 16:21 + 116]              # mono: Info tag at 21, TOC after 4 fields
    assert toc[0] == 0 and list(toc) == sorted(toc) and toc[-1] > 240
    # The same tracks give the same bytes.
    join.join_tracks(parts, gaps, folder / "again.mp3")
    assert (folder / "again.mp3").read_bytes() == data


def test_crc_combine_equals_crc_of_the_whole():
    rng = np.random.default_rng(5)
    a, b = rng.bytes(1000), rng.bytes(3333)
    assert join.crc16_combine(crc16(a), crc16(b), len(b)) == crc16(a + b)
    assert join._repeated_crc(crc16(a), len(a), 7) == crc16(a * 7)
    assert join._repeated_crc(crc16(a), len(a), 0) == 0


def test_a_file_without_an_info_frame_is_refused(tmp_path):
    path = tmp_path / "noise.mp3"
    path.write_bytes(b"\xff\xfb\x50\xc0" + bytes(300))
    with pytest.raises(ToolError, match="Info frame"):
        join.read_track(path)
    path.write_bytes(b"not audio at all" * 20)
    with pytest.raises(ToolError, match="Info frame"):
        join.read_track(path)
