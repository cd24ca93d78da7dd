"""Sample-rate conversion of speech PCM by libsoxr (the ``soxr`` package).

Engines speak at 16, 22.05 or 24 kHz and every clip is stored at 44.1 kHz.  libsoxr is a
maintained, high-quality resampler whose import costs a synthesis worker a few milliseconds
on top of numpy (``benchmarks/worker_import.py``), where ``scipy.signal`` cost close to a
second.  "HQ" (20-bit, passband to 91 % of the lower Nyquist) is far beyond what a 16-bit
voice at 64 kbit/s needs; the signal is converted in float and rounded here, so no dither
is added and the same clip gives the same samples every time.

    resample(pcm, src_rate, dst_rate=44100) -> int16 ndarray
"""

from __future__ import annotations

import numpy as np
import soxr

FULL_SCALE = 32768.0


def resample(pcm: bytes | np.ndarray, src_rate: int, dst_rate: int = 44100) -> np.ndarray:
    """16-bit mono PCM at ``src_rate`` -> int16 array at ``dst_rate``.

    ``pcm`` is little-endian int16 bytes or an array of samples.  Equal rates return a copy.
    The output has ``round(len * dst_rate / src_rate)`` samples, time-aligned with the
    input (libsoxr removes its filter delay), rounded to nearest and clipped to int16.
    """
    x = np.frombuffer(pcm, dtype="<i2") if isinstance(pcm, (bytes, bytearray, memoryview)) \
        else np.asarray(pcm, dtype=np.int16)
    if src_rate <= 0 or dst_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {src_rate} -> {dst_rate}")
    if src_rate == dst_rate or len(x) == 0:
        return x.astype(np.int16, copy=True)
    y = soxr.resample(x.astype(np.float32) / np.float32(FULL_SCALE), src_rate, dst_rate, "HQ")
    y *= np.float32(FULL_SCALE)
    np.rint(y, out=y)
    np.clip(y, -32768, 32767, out=y)
    return y.astype(np.int16)
