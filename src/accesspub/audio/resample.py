"""Rational-ratio resampling of speech PCM with numpy alone.

Engines speak at 16, 22.05 or 24 kHz and every clip is stored at 44.1 kHz.  The resampler
used to be ``scipy.signal.resample_poly``, but importing ``scipy.signal`` costs close to a
second per process and every synthesis worker paid it just for this.  This module computes
the same thing -- the same Kaiser-windowed FIR (``firwin(2*half_len+1, 1/max(up, down),
window=('kaiser', 5.0)) * up``, ``half_len = 10*max(up, down)``), the same alignment and
output length -- so clips match scipy's to within one LSB after rounding.  It must never
import scipy, not even lazily.

    resample(pcm, src_rate, dst_rate=44100) -> int16 ndarray
"""

from __future__ import annotations

from functools import lru_cache
from math import gcd
from typing import Callable

import numpy as np

_BETA = 5.0                 # resample_poly's default window=('kaiser', 5.0)
# Outputs per phase per block: bounds the float buffers (a 30-minute clip is never held in
# float) and keeps a block's input cache-sized, while blocks stay large enough that the
# Python-level loops cost little.
_ROWS_BLAS = 2048
_ROWS_TAPWISE = 32768


@lru_cache(maxsize=16)
def _polyphase(up: int, down: int) -> tuple[int, np.ndarray]:
    """``(half_len, taps)``: ``taps[p]`` is phase ``p`` of the filter, time-reversed."""
    half_len = 10 * max(up, down)
    n = 2 * half_len + 1
    cutoff = 1.0 / max(up, down)
    m = np.arange(n, dtype=np.float64) - half_len
    h = cutoff * np.sinc(cutoff * m) * np.kaiser(n, _BETA)
    h *= up / h.sum()       # firwin scales to unit DC gain; resample_poly then multiplies by up
    k = -(-n // up)         # taps per phase
    phases = np.concatenate([h, np.zeros(up * k - n)]).reshape(k, up).T
    # Reversed so that a phase is a dot product with a forward window of the input.
    taps = np.ascontiguousarray(phases[:, ::-1])
    taps.flags.writeable = False
    return half_len, taps


_Dot = Callable[[int, int, np.ndarray], np.ndarray]


def _windows_dot(buf: np.ndarray, k: int, down: int) -> _Dot:
    """``dot(q0, count, h)``: ``buf[q:q+k] @ h`` for ``q = q0, q0+down, ...`` (count of them)."""
    if down >= k:
        # Windows `down` apart do not overlap, so every down-th window is a plain strided
        # matrix (leading dimension `down`) that matmul hands to BLAS without a copy.
        win = np.lib.stride_tricks.sliding_window_view(buf, k)

        def dot(q0: int, count: int, h: np.ndarray) -> np.ndarray:
            return win[q0:q0 + down * (count - 1) + 1:down] @ h
        return dot

    # Overlapping windows (ratios such as 1:2 or 2:1) are not a BLAS matrix; a pass per tap
    # over the whole block is about twice as fast as copying the windows out first.
    def dot(q0: int, count: int, h: np.ndarray) -> np.ndarray:
        span = down * (count - 1) + 1
        acc = buf[q0:q0 + span:down] * h[0]
        tmp = np.empty_like(acc)
        for i in range(1, k):
            acc += np.multiply(buf[q0 + i:q0 + i + span:down], h[i], out=tmp)
        return acc
    return dot


def resample(pcm: bytes | np.ndarray, src_rate: int, dst_rate: int = 44100) -> np.ndarray:
    """16-bit mono PCM at ``src_rate`` -> int16 array at ``dst_rate``.

    ``pcm`` is little-endian int16 bytes or an array of samples.  Equal rates return a copy.
    The output has ``ceil(len * up / down)`` samples (``up/down = dst/src`` in lowest terms),
    rounded to nearest and clipped to int16, as ``scipy.signal.resample_poly`` would give.
    """
    x = np.frombuffer(pcm, dtype="<i2") if isinstance(pcm, (bytes, bytearray, memoryview)) \
        else np.asarray(pcm, dtype=np.int16)
    if src_rate <= 0 or dst_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {src_rate} -> {dst_rate}")
    if src_rate == dst_rate:
        return x.astype(np.int16, copy=True)
    g = gcd(src_rate, dst_rate)
    up, down = dst_rate // g, src_rate // g
    n_in = x.shape[0]
    n_out = -(-n_in * up // down)
    out = np.empty(n_out, dtype=np.int16)
    if not n_out:
        return out
    half_len, taps = _polyphase(up, down)
    k = taps.shape[1]
    blas = down >= k
    # BLAS kernels differ between CPUs; in float64 that can flip a rounded sample only
    # within ~1e-11 LSB of a half, so clips stay identical from machine to machine.  The
    # tap-by-tap path is elementwise IEEE arithmetic, identical everywhere even in float32
    # (where it has matched scipy's float32 output exactly), so it keeps the faster type.
    dtype = np.float64 if blas else np.float32
    taps = taps.astype(dtype)
    block = up * (_ROWS_BLAS if blas else _ROWS_TAPWISE)
    # Output n is sum_j h[n*down + half_len - up*j] * x[j] (resample_poly's alignment): with
    # t = n*down + half_len its phase is t % up and its newest input is q = t // up.  Outputs
    # n = r, r+up, r+2*up, ... share a phase and their q advance by `down`, so each residue r
    # is one phase dotted with every down-th window of the input.
    for start in range(0, n_out, block):
        stop = min(n_out, start + block)
        q_lo = (start * down + half_len) // up
        q_hi = ((stop - 1) * down + half_len) // up
        # buf[i] = x[q_lo - k + 1 + i], zero outside x: window q is buf[q - q_lo:][:k].
        buf = np.zeros(q_hi - q_lo + k, dtype=dtype)
        a, b = max(0, q_lo - k + 1), min(n_in, q_hi + 1)
        if a < b:
            buf[a - (q_lo - k + 1):b - (q_lo - k + 1)] = x[a:b]
        dot = _windows_dot(buf, k, down)
        y = np.empty(stop - start, dtype=dtype)
        for r in range(start, min(stop, start + up)):
            t = r * down + half_len
            y[r - start::up] = dot(t // up - q_lo, len(range(r, stop, up)), taps[t % up])
        np.rint(y, out=y)
        np.clip(y, -32768, 32767, out=y)
        out[start:stop] = y
    return out
