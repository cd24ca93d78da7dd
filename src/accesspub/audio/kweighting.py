"""K-weighting (ITU-R BS.1770-4) with numpy alone: the filter loudness is measured through.

The two biquads are pyloudnorm's RBJ-cookbook design (``k_weighting_sos``), applied not by
recursion (a sample-by-sample loop is hopeless in numpy) but as their impulse response, cut
where what is left sums to under 1e-13, by FFT convolution (overlap-add; the part that
spills past a chunk carries to the next ``feed``).  Numpy alone because every synthesis
worker imports this (see ``loudness``); the tests check it against scipy's ``sosfilt``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

FULL_SCALE = 32768.0          # int16 -> [-1, 1), as decoders and pyloudnorm users do
# The K-weighting response is cut where the absolute sum of what is dropped is under this,
# so for input within full scale no filtered sample moves by more: 1e-8 of an int16 LSB,
# invisible in any loudness figure, and the response still ends after ~0.14 s, after which
# a pause costs nothing to filter.
_IR_TOL = 1e-13
# FFT lengths for the K-weighting convolution: 2**k and 5 * 2**k, so that only a few filter
# spectra are ever kept per rate.  Long input goes in blocks of the first length over six
# response lengths: measured fastest (shorter blocks waste more of each FFT on the
# response's overlap, longer ones pay log N per sample and leave the cache).
_FFT_SIZES = sorted(base << k for base in (1, 5) for k in range(10, 27))


def k_weighting_sos(sample_rate: int) -> np.ndarray:
    """pyloudnorm's K-weighting for ``sample_rate`` as second-order sections (2 x 6).

    ``pyloudnorm.Meter(rate)``'s "K-weighting" filters: a 4 dB high shelf at 1500 Hz
    (Q = 1/sqrt 2) then a high-pass at 38 Hz (Q = 0.5), both from the RBJ audio-EQ
    cookbook (they differ slightly from the ITU's tabled 48 kHz coefficients; agreeing
    with pyloudnorm is the point), passband gain 1.  Same expressions, same numpy
    functions, so the same coefficients as pyloudnorm's.
    """
    rows = []
    for gain_db, q, fc, kind in ((4.0, 1 / np.sqrt(2), 1500.0, "high_shelf"),
                                 (0.0, 0.5, 38.0, "high_pass")):
        A = 10 ** (gain_db / 40.0)
        w0 = 2.0 * np.pi * (fc / sample_rate)
        alpha = np.sin(w0) / (2.0 * q)
        cos = np.cos(w0)
        if kind == "high_shelf":
            b0 = A * ((A + 1) + (A - 1) * cos + 2 * np.sqrt(A) * alpha)
            b1 = -2 * A * ((A - 1) + (A + 1) * cos)
            b2 = A * ((A + 1) + (A - 1) * cos - 2 * np.sqrt(A) * alpha)
            a0 = (A + 1) - (A - 1) * cos + 2 * np.sqrt(A) * alpha
            a1 = 2 * ((A - 1) - (A + 1) * cos)
            a2 = (A + 1) - (A - 1) * cos - 2 * np.sqrt(A) * alpha
        else:
            b0 = (1 + cos) / 2
            b1 = -(1 + cos)
            b2 = (1 + cos) / 2
            a0 = 1 + alpha
            a1 = -2 * cos
            a2 = 1 - alpha
        rows.append(np.concatenate([np.array([b0, b1, b2]) / a0, np.array([a0, a1, a2]) / a0]))
    return np.array(rows, dtype=np.float64)


@lru_cache(maxsize=8)
def _k_impulse_response(sample_rate: int) -> np.ndarray:
    """The K-weighting cascade's impulse response, cut where the rest sums under _IR_TOL."""
    (b0, b1, b2, _, a1, a2), (c0, c1, c2, _, d1, d2) = k_weighting_sos(sample_rate).tolist()
    # Direct form II transposed, as sosfilt; plain floats (a few thousand steps, once per
    # rate per process).  Run until the state is negligible even summed over the slowest
    # decay (the high-pass's double pole near 1 - 240/rate).
    s1 = s2 = t1 = t2 = 0.0
    h = []
    x = 1.0
    while True:
        for _ in range(1024):
            y = b0 * x + s1
            s1 = b1 * x - a1 * y + s2
            s2 = b2 * x - a2 * y
            z = c0 * y + t1
            t1 = c1 * y - d1 * z + t2
            t2 = c2 * y - d2 * z
            h.append(z)
            x = 0.0
        if max(abs(s1), abs(s2), abs(t1), abs(t2)) < 1e-22:
            break
    ir = np.array(h)
    rest = np.cumsum(np.abs(ir[::-1]))[::-1]          # rest[n] = sum |ir[n:]|
    ir = ir[:int(np.argmax(rest < _IR_TOL))].copy()
    ir.flags.writeable = False
    return ir


@lru_cache(maxsize=16)
def _k_spectrum(sample_rate: int, nfft: int) -> np.ndarray:
    spectrum = np.fft.rfft(_k_impulse_response(sample_rate), nfft)
    spectrum.flags.writeable = False
    return spectrum


class _KWeighting:
    """The K-weighting filter applied to consecutive chunks of one signal.

    Each chunk is convolved with the (cut) impulse response; the part of the convolution
    that falls after the chunk is carried to the next, so chunked output equals one-shot.
    """

    def __init__(self, sample_rate: int) -> None:
        self.rate = sample_rate
        self.ir = _k_impulse_response(sample_rate)
        self._tail = np.zeros(len(self.ir) - 1)

    @property
    def settled(self) -> bool:
        """No output pending: silence in gives exact silence out."""
        return not self._tail.any()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        n = len(x)
        m = len(self._tail)
        if not x.any():
            # Silence only lets the carried tail out: no convolution to do.  After a
            # response length of it the tail is exactly zero and the filter settled.
            y = np.zeros(n)
            k = min(n, m)
            y[:k] = self._tail[:k]
            self._tail = np.concatenate([self._tail[k:], np.zeros(k)])
            return y
        full = self._convolve(x)
        # Past the response's reach from the last non-zero input the convolution is exactly
        # zero, but the FFT leaves ~1e-17 there: clear it so that a chunk ending in a pause
        # leaves the filter settled, as it would be fed in smaller pieces.
        window = max(0, n - m)
        nonzero = np.flatnonzero(x[window:])
        reach = window + int(nonzero[-1]) + m + 1 if len(nonzero) else n
        full[max(reach, m):] = 0.0
        full[:m] += self._tail
        self._tail = full[n:].copy()
        return full[:n]

    def _convolve(self, x: np.ndarray) -> np.ndarray:
        """Full linear convolution of ``x`` with the response (length ``len(x) + m``)."""
        n = len(x)
        m = len(self._tail)
        nfft = next(size for size in _FFT_SIZES if size >= min(n + m, 6 * (m + 1)))
        spectrum = _k_spectrum(self.rate, nfft)
        step = nfft - m
        out = np.zeros(n + m)
        for start in range(0, n, step):
            seg = x[start:start + step]
            y = np.fft.irfft(np.fft.rfft(seg, nfft) * spectrum, nfft)
            out[start:start + len(seg) + m] += y[:len(seg) + m]
        return out
