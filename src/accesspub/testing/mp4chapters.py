"""The QuickTime chapter track of an MP4/M4B, read from its atoms.

Apple's players read chapters from a text track that the audio track names in
``tref/chap``; mutagen reads only the Nero ``chpl`` atom, so the tests read this one here.
"""

from __future__ import annotations

import struct
from pathlib import Path

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts", b"dinf",
              b"tref", b"ilst", b"gmhd"}


def atoms(data: bytes, start: int = 0, end: int | None = None, depth: int = 0):
    """(depth, type, position, size, header size) of every atom, depth first."""
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header:
            return
        yield depth, kind, pos, size, header
        if kind in CONTAINERS:
            yield from atoms(data, pos + header, pos + size, depth + 1)
        elif kind == b"meta":        # a full box: 4 bytes of version and flags first
            yield from atoms(data, pos + header + 4, pos + size, depth + 1)
        pos += size


def atom_types(path: Path) -> list[str]:
    return [kind.decode("latin-1") for _, kind, *_ in atoms(Path(path).read_bytes())]


def _version_field(body: bytes, v0: int, v1: int) -> int:
    """A u32 that sits at ``v0`` in a version-0 box and at ``v1`` in a version-1 box."""
    at = v0 if body[0] == 0 else v1
    return struct.unpack(">I", body[at:at + 4])[0]


def quicktime_chapters(path: Path) -> list[tuple[float, str]] | None:
    """(start seconds, title) from the chapter track; None when there is none."""
    data = Path(path).read_bytes()
    traks: list[dict[bytes, bytes]] = []
    current_end = -1
    for _, kind, pos, size, header in atoms(data):
        if kind == b"trak":
            traks.append({})
            current_end = pos + size
        elif traks and pos < current_end:
            traks[-1].setdefault(kind, data[pos + header:pos + size])
    by_id = {_version_field(t[b"tkhd"], 12, 20): t for t in traks if b"tkhd" in t}
    named = [struct.unpack(">I", t[b"chap"][i:i + 4])[0]
             for t in traks if b"chap" in t for i in range(0, len(t[b"chap"]), 4)]
    if not named or named[0] not in by_id:
        return None
    track = by_id[named[0]]
    timescale = _version_field(track[b"mdhd"], 12, 20)
    stts = track[b"stts"]
    deltas: list[int] = []
    for i in range(struct.unpack(">I", stts[4:8])[0]):
        count, delta = struct.unpack(">II", stts[8 + 8 * i:16 + 8 * i])
        deltas += [delta] * count
    stsz = track[b"stsz"]
    fixed, count = struct.unpack(">II", stsz[4:12])
    sizes = [fixed] * count if fixed else list(struct.unpack(f">{count}I", stsz[12:12 + 4 * count]))
    if b"stco" in track:
        body = track[b"stco"]
        offsets = list(struct.unpack(f">{struct.unpack('>I', body[4:8])[0]}I", body[8:]))
    else:
        body = track[b"co64"]
        offsets = list(struct.unpack(f">{struct.unpack('>I', body[4:8])[0]}Q", body[8:]))
    stsc = track[b"stsc"]
    runs = [struct.unpack(">III", stsc[8 + 12 * i:20 + 12 * i])
            for i in range(struct.unpack(">I", stsc[4:8])[0])]
    positions: list[int] = []
    for chunk, offset in enumerate(offsets, start=1):
        per_chunk = [r[1] for r in runs if r[0] <= chunk][-1]
        for _ in range(per_chunk):
            if len(positions) < count:
                positions.append(offset)
                offset += sizes[len(positions) - 1]
    chapters, time = [], 0
    for i in range(count):
        sample = data[positions[i]:positions[i] + sizes[i]]
        length = struct.unpack(">H", sample[:2])[0]
        text = sample[2:2 + length]
        title = text.decode("utf-16") if text[:2] in (b"\xfe\xff", b"\xff\xfe") else text.decode("utf-8")
        chapters.append((time / timescale, title))
        time += deltas[i]
    return chapters
