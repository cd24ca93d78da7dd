"""The full narration joined from the encoded tracks, frame by frame: every sample is
encoded once.

Encoding the whole narration a second time, beside its tracks, cost as much CPU as
encoding the tracks (docs/performance.md), on cores the synthesis needs.  An MP3
is a sequence of frames of 1152 samples, so the full file is made of the tracks' frames
instead, in order, with frames of digital silence for the chapter pauses.  Why that
decodes exactly as the tracks do (the tests compare the samples):

- LAME's first audio frame borrows nothing from a bit reservoir (``main_data_begin`` 0),
  so a track's frames decode the same after other frames as at the start of its file;
- a silence frame has all-zero side information (no spectral data: what the Info frame
  itself is), decodes to exact zeros and leaves the decoder's overlap and filterbank state
  at zero, so the next track starts from the state it starts from alone;
- one Info frame leads the file, as ffmpeg writes it (frame count, size, seek table, LAME
  tag): the encoder delay of the first track and the padding of the last, so players that
  honour it (ffmpeg, browsers, most podcast apps) play the file at its exact length.

The price: a chapter pause is the last track's padding, the next track's encoder delay and
whole silence frames, so it is within 576 samples (13 ms) of the configured pause; the
Timeline's offsets are computed from the frame counts, so they are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from accesspub.errors import ToolError

FRAME_SAMPLES = 1152            # MPEG-1 Layer III
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)   # kbit/s
_RATES = (44100, 48000, 32000)
_TOC = 100                      # seek table entries in a Xing/Info frame
_CRC_POLY = 0xA001              # CRC-16/ARC, reflected: the LAME tag's (ffmpeg's) CRCs


@dataclass(frozen=True)
class EncodedTrack:
    """What joining needs from one track's MP3 file (as ffmpeg wrote it, before tagging)."""

    path: Path
    info: bytes                 # the Info frame
    audio_at: int               # byte offset of the first audio frame in the file
    audio_bytes: int
    frames: int                 # audio frames, the Info frame not counted
    delay: int                  # encoder delay (samples), from the LAME tag
    padding: int                # samples added after the end, from the LAME tag
    music_crc: int              # CRC-16 of the audio frames, from the LAME tag
    lame_at: int                # offset of the LAME tag in ``info``

    @property
    def samples(self) -> int:
        """The track's length as a player that honours the LAME tag decodes it."""
        return self.frames * FRAME_SAMPLES - self.delay - self.padding


def _frame_length(header: bytes) -> int:
    b1, b2 = header[1], header[2]
    if header[0] != 0xFF or b1 & 0xFE != 0xFA:          # MPEG-1 Layer III, sync
        return 0
    bitrate, rate = _BITRATES[b2 >> 4] if b2 >> 4 < 15 else 0, b2 >> 2 & 3
    if not bitrate or rate == 3:
        return 0
    return 144_000 * bitrate // _RATES[rate] + (b2 >> 1 & 1)


def _tag_at(frame: bytes) -> int:
    """Where a Xing/Info tag starts: after the header and the side information (17 bytes
    for a mono MPEG-1 frame, 32 otherwise)."""
    return 4 + (17 if frame[3] >> 6 == 3 else 32)


def _id3_size(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    return 10 + size + (10 if data[5] & 0x10 else 0)


def read_track(path: Path) -> EncodedTrack:
    """Parse the Info frame and LAME tag that ffmpeg writes at the start of a track."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    start = _id3_size(head)
    length = _frame_length(head[start:start + 4]) if len(head) >= start + 4 else 0
    info = head[start:start + length]
    tag = _tag_at(info) if length else 0
    if not length or len(info) < length or info[tag:tag + 4] not in (b"Info", b"Xing"):
        raise ToolError(f"{path.name} does not start with an Info frame; cannot join it",
                        code="tool-failed", hint="the bundled ffmpeg writes one (imageio-ffmpeg)")
    flags = int.from_bytes(info[tag + 4:tag + 8], "big")
    if flags & 0x3 != 0x3:
        raise ToolError(f"{path.name}: its Info frame has no frame count or size",
                        code="tool-failed")
    frames = int.from_bytes(info[tag + 8:tag + 12], "big")
    size = int.from_bytes(info[tag + 12:tag + 16], "big")
    lame = tag + 16 + (_TOC if flags & 0x4 else 0) + (4 if flags & 0x8 else 0)
    if len(info) < lame + 36:
        raise ToolError(f"{path.name}: its Info frame has no LAME tag", code="tool-failed")
    gapless = int.from_bytes(info[lame + 21:lame + 24], "big")
    return EncodedTrack(path, bytes(info), start + length, size - length, frames,
                        gapless >> 12, gapless & 0xFFF,
                        int.from_bytes(info[lame + 32:lame + 34], "big"), lame)


def silence_frames(before: EncodedTrack, after: EncodedTrack, pause: int) -> int:
    """Silence frames between two tracks for a pause of about ``pause`` samples (what
    separates them without any is the first's padding and the second's delay)."""
    return max(0, round((pause - before.padding - after.delay) / FRAME_SAMPLES))


def offsets(tracks: Sequence[EncodedTrack], gaps: Sequence[int]) -> tuple[list[int], int]:
    """(first sample of each track in the joined file, the joined file's length in samples)
    with ``gaps[k]`` silence frames after track k."""
    starts, frames = [], 0
    for k, track in enumerate(tracks):
        starts.append(frames * FRAME_SAMPLES + track.delay - tracks[0].delay)
        frames += track.frames + (gaps[k] if k < len(gaps) else 0)
    return starts, starts[-1] + tracks[-1].samples


def join_tracks(tracks: Sequence[EncodedTrack], gaps: Sequence[int], out: Path) -> None:
    """Write ``out``: the tracks' frames in order, ``gaps[k]`` silence frames after track k,
    under one Info frame; written aside and renamed."""
    first, last = tracks[0], tracks[-1]
    silence = first.info[:4] + bytes(len(first.info) - 4)   # header + zero side info
    silence_crc = _crc16(silence)
    frames = music = crc = 0
    segments: list[tuple[int, int, int]] = []               # (first frame, frames, bytes)
    for k, track in enumerate(tracks):
        gap = gaps[k] if k < len(tracks) - 1 else 0
        segments.append((frames, track.frames, track.audio_bytes))
        crc = crc16_combine(crc, track.music_crc, track.audio_bytes)
        frames, music = frames + track.frames, music + track.audio_bytes
        if gap:
            segments.append((frames, gap, gap * len(silence)))
            crc = crc16_combine(crc, _repeated_crc(silence_crc, len(silence), gap),
                                gap * len(silence))
            frames, music = frames + gap, music + gap * len(silence)
    size = len(first.info) + music
    info = bytearray(first.info)
    tag = _tag_at(info)
    info[tag + 8:tag + 16] = frames.to_bytes(4, "big") + size.to_bytes(4, "big")
    if int.from_bytes(info[tag + 4:tag + 8], "big") & 0x4:
        info[tag + 16:tag + 16 + _TOC] = _seek_table(segments, frames, len(first.info), size)
    lame = first.lame_at
    info[lame + 21:lame + 24] = ((first.delay << 12) | last.padding).to_bytes(3, "big")
    info[lame + 28:lame + 32] = size.to_bytes(4, "big")
    info[lame + 32:lame + 34] = crc.to_bytes(2, "big")
    info[lame + 34:lame + 36] = b"\0\0"
    info[lame + 34:lame + 36] = _crc16(bytes(info[:190])).to_bytes(2, "big")

    temp = out.with_name(f".{out.name}.join")
    try:
        with temp.open("wb") as dest:
            dest.write(info)
            for k, track in enumerate(tracks):
                with track.path.open("rb") as src:
                    src.seek(track.audio_at)
                    _copy(src, dest, track.audio_bytes)
                if k < len(tracks) - 1 and gaps[k]:
                    dest.write(silence * gaps[k])
        temp.replace(out)
    finally:
        temp.unlink(missing_ok=True)


def _copy(src, dest, n: int) -> None:
    while n > 0:
        block = src.read(min(n, 1 << 20))
        if not block:
            raise ToolError(f"{Path(src.name).name} is shorter than its Info frame says",
                            code="tool-failed")
        dest.write(block)
        n -= len(block)


def _seek_table(segments: list[tuple[int, int, int]], frames: int, head: int,
                size: int) -> bytes:
    """Xing TOC: byte position (in 256ths of the file) at each percent of the frames;
    within a segment frames are taken as equally long (CBR: within a byte)."""
    table = bytearray(_TOC)           # entry 0 stays 0, as ffmpeg and LAME write it
    for i in range(1, _TOC):
        want = i * frames // _TOC
        at = head
        for first, count, length in segments:
            if want < first + count:
                at += (want - first) * length // count
                break
            at += length
        table[i] = min(255, 256 * at // size)
    return bytes(table)


def _crc16(data: bytes, crc: int = 0) -> int:
    """CRC-16/ARC of a few hundred bytes (a plain loop: used on single frames only)."""
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ _CRC_POLY if crc & 1 else crc >> 1
    return crc


def _zero_bytes_matrix() -> list[int]:
    return [_crc16(b"\0", 1 << i) for i in range(16)]


def _apply(matrix: list[int], vector: int) -> int:
    out, i = 0, 0
    while vector:
        if vector & 1:
            out ^= matrix[i]
        vector >>= 1
        i += 1
    return out


def _repeated_crc(crc: int, length: int, times: int) -> int:
    """CRC of a block repeated ``times`` times, from the block's CRC, by doubling."""
    out, out_len = 0, 0
    while times:
        if times & 1:
            out, out_len = crc16_combine(out, crc, length), out_len + length
        crc, length = crc16_combine(crc, crc, length), 2 * length
        times >>= 1
    return out


def crc16_combine(crc_a: int, crc_b: int, length_b: int) -> int:
    """CRC-16/ARC of A followed by B from the CRCs of A and B: no byte is read again.

    The CRC register advances linearly over GF(2), so A's CRC carried through
    ``length_b`` zero bytes (by squaring the one-byte step) XOR B's CRC is the CRC of both.
    """
    matrix, n = _zero_bytes_matrix(), length_b
    while n:
        if n & 1:
            crc_a = _apply(matrix, crc_a)
        matrix = [_apply(matrix, column) for column in matrix]
        n >>= 1
    return crc_a ^ crc_b
