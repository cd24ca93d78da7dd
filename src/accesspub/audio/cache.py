"""Content-addressed cache of spoken clips: the only state shared between builds and workers.

Layout: ``<cache_dir>/clips/ab/cdef….wav`` where ``abcdef…`` is the SHA-256 of everything
that changes the sound (see ``clip_key``).  Each entry is a plain 16-bit mono WAV file (so a
person can listen to a clip while debugging) with one extra RIFF chunk, ``apub``, holding the
name of the engine that spoke it, and one more, ``apsh``, holding the SHA-256 of the samples
as written; WAV readers skip unknown chunks.

Contracts:
- ``get`` and ``info`` never raise for a damaged entry: a truncated or foreign file, or
  samples that no longer match their digest (a bad disk, a hand-edited file; garbage behind
  a valid header would otherwise be published as noise), is a miss and is removed, so the
  clip is spoken again.  An entry without a digest is such a miss too.
- ``put`` is atomic: the entry is written to a temporary file in the same directory and moved
  into place with ``os.replace``.  Two builds writing the same key race harmlessly: both
  write identical bytes and the last rename wins.
- Entries are immutable; nothing here deletes a valid entry (eviction is a separate concern).
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from pathlib import Path

import numpy as np

# Bump when anything in how a cached clip is made changes (resampler, trimming, format):
# every key changes with it, so old entries are simply never read again.
CACHE_VERSION = "accesspub-clip-4"       # 4: libsoxr resampling, libebur128 levelling


def clip_key(fingerprint: str, voice: str, lang: str, text: str, sample_rate: int,
             levelling: str = "") -> str:
    """SHA-256 hex of (engine fingerprint, voice, language, spoken text, output rate, and
    the loudness levelling applied after speaking, if any).

    Fields are joined with NUL, which none of them can contain, so no two different
    tuples give the same byte string.  A sentence re-spoken with another noise seed
    (``accesspub respeak``) has the seed at the head of its ``text``
    (``engines.select.with_seed``): a key of its own, and every other key unchanged.
    """
    parts = (CACHE_VERSION, fingerprint, voice, lang, text, str(sample_rate), levelling)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _header(n_samples: int, sample_rate: int, engine: bytes, digest: bytes) -> bytes:
    """RIFF/WAVE header for mono 16-bit PCM with ``apub`` (engine) and ``apsh`` (SHA-256
    of the samples) chunks before ``data``."""
    if len(engine) % 2:
        engine += b"\0"                       # RIFF chunks are word-aligned
    data_bytes = 2 * n_samples
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16)
    apub = struct.pack("<4sI", b"apub", len(engine)) + engine
    apsh = struct.pack("<4sI", b"apsh", len(digest)) + digest
    data = struct.pack("<4sI", b"data", data_bytes)
    riff_size = 4 + len(fmt) + len(apub) + len(apsh) + len(data) + data_bytes
    return struct.pack("<4sI4s", b"RIFF", riff_size, b"WAVE") + fmt + apub + apsh + data


def _parse_header(head: bytes, size: int) -> tuple[int, int, int, str, bytes] | None:
    """(data offset, samples, rate, engine, digest of the samples) from the first bytes of a
    cache entry of ``size`` bytes, or None if it is not a complete entry (or ``head`` is too
    short)."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, rate, engine, digest = 12, 0, "", b""
    while pos + 8 <= len(head):
        cid, chunk = struct.unpack_from("<4sI", head, pos)
        body = pos + 8
        if cid == b"fmt ":
            if body + 16 > len(head):
                return None
            _, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", head, body)
            if channels != 1 or bits != 16:
                return None
        elif cid == b"apub":
            engine = head[body:body + chunk].rstrip(b"\0").decode("utf-8", "replace")
        elif cid == b"apsh":
            digest = head[body:body + chunk]
        elif cid == b"data":
            if body + chunk != size or chunk % 2 or not rate or len(digest) != 32:
                return None               # truncated (killed build, full disk), padded, old
            return body, chunk // 2, rate, engine, digest
        pos = body + chunk + (chunk & 1)
    return None


def _parse(blob: bytes) -> tuple[np.ndarray, int, str] | None:
    """(samples, rate, engine) from a cache entry, or None if it is not a complete one or
    its samples are not those written."""
    parsed = _parse_header(blob, len(blob))
    if parsed is None:
        return None
    offset, _, rate, engine, digest = parsed
    if hashlib.sha256(memoryview(blob)[offset:]).digest() != digest:
        return None
    return np.frombuffer(blob, dtype="<i2", offset=offset), rate, engine


class ClipCache:
    """Clips by key under ``root``; safe for concurrent readers and writers."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root) / "clips"

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key[2:]}.wav"

    def get(self, key: str) -> tuple[np.ndarray, str] | None:
        """(int16 samples, engine name) for ``key``, or None on a miss or a damaged entry.

        The array is a read-only view of the file's bytes (no copy).
        """
        path = self.path(key)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        parsed = _parse(blob)
        if parsed is None:
            self._discard(path)
            return None
        samples, _, engine = parsed
        return samples, engine

    def info(self, key: str) -> tuple[int, str] | None:
        """(samples, engine name) for ``key``, or None on a miss or a damaged entry (removed,
        as ``get`` does).  The samples are read and checked against their digest: a hit
        here is one the stitcher can use, or the clip would not be spoken again."""
        got = self.get(key)
        return None if got is None else (len(got[0]), got[1])

    def read(self, key: str) -> np.ndarray:
        """The int16 samples of an entry known to exist (``info``/``put`` said so); raises
        ToolError if it has disappeared or been damaged since (a cache cleared mid-build)."""
        got = self.get(key)
        if got is None:
            from accesspub.errors import ToolError
            raise ToolError(f"the speech cache entry {self.path(key)} disappeared during "
                            "the build", code="tool-failed",
                            hint="build again (was the cache cleared while building?)")
        return got[0]

    @staticmethod
    def _discard(path: Path) -> None:
        try:
            path.unlink()                 # damaged: remove so the next put repairs it
        except OSError:
            pass

    def put(self, key: str, samples: np.ndarray, sample_rate: int, engine: str) -> None:
        """Store int16 mono ``samples`` atomically under ``key``."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        pcm = np.ascontiguousarray(samples, dtype="<i2")
        digest = hashlib.sha256(memoryview(pcm).cast("B")).digest()
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            os.fchmod(fd, 0o644)          # mkstemp makes 0600; a shared cache must be readable
            with os.fdopen(fd, "wb") as out:
                out.write(_header(len(pcm), sample_rate, engine.encode("utf-8"), digest))
                out.write(memoryview(pcm).cast("B"))
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
