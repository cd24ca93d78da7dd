"""Loudness: every sentence clip brought to the target loudness, then a true-peak limiter
(AU-3).

- ``LoudnessMeter`` measures integrated loudness per ITU-R BS.1770-4 *streaming*, chunk by
  chunk, with pyloudnorm's own K-weighting coefficients and gating constants, so memory does
  not grow with the length of the book and the figure agrees with
  ``pyloudnorm.Meter(rate).integrated_loudness`` (the tests check this to 0.01 LU).
- ``normalise_clip`` gives one sentence clip the gain that brings *its* loudness to the
  target and limits its true peak (4x oversampled, BS.1770 Annex 2 style) under the ceiling
  with a deterministic look-ahead gain envelope (``limit_clip``): the gain dips smoothly
  around the rare peaks and is exactly 1 elsewhere.

Why per sentence rather than one gain for the release: Piper (like most neural voices)
scales every sentence to full-scale *peak*, so sentences with different crest factors come
out at different loudness; levelling each one is what an audiobook editor does by hand,
and it makes a clip's final sound depend on that clip alone.  So a clip is levelled where it
is spoken (in the synthesis worker) and cached so, the narration can be encoded while later
sentences are still being spoken (no measuring pass over the whole book first), and the
whole file lands on the target because every gated block of speech in it does (the tests
measure the encoded files).

Why numpy alone: this is imported by every synthesis worker, and scipy.signal,
scipy.ndimage and pyloudnorm together cost each worker most of a second of CPU and some
50 MB to import.  It and its parts (``kweighting``: the filter; ``limiter``: true peak and
the limiter) must never import them, not even lazily; the tests check what replaced them
against them.  Determinism: every output sample comes from element-wise IEEE arithmetic
and sequential sums (``limiter``), so the same clip gives the same bytes on any machine.
Only the loudness *measurement* uses the FFT, whose last bits may differ between machines;
that moves a clip's gain by ~1e-15 of itself, which changes a rounded sample only if it
lands within ~1e-11 LSB of a half.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from accesspub.audio.kweighting import FULL_SCALE, _k_impulse_response, _k_spectrum, _KWeighting
from accesspub.audio.limiter import (Spans, apply_gain, limit_clip, limiter_gain,
                                     needs_limiting, peak_envelope)

_ABS_GATE = -70.0             # LUFS, BS.1770-4 absolute gate
_REL_GATE = -10.0             # LU below the absolute-gated loudness


class LoudnessMeter:
    """Integrated loudness (LUFS) of a mono signal fed as int16 chunks in order.

    400 ms gating blocks with 75 % overlap = sums over four consecutive 100 ms hops, so only
    one energy figure per 100 ms is kept.  A trailing partial hop is ignored (as a partial
    block is in BS.1770).
    """

    def __init__(self, sample_rate: int) -> None:
        self._filter = _KWeighting(sample_rate)
        self.hop = round(0.1 * sample_rate)
        self._rest = np.zeros(0)
        self._energy: list[np.ndarray] = []

    def feed(self, pcm: np.ndarray) -> None:
        if len(pcm) == 0:
            return
        if not pcm.any() and self._filter.settled:
            # Silence through a settled filter stays silence (long pauses are common).
            y = np.zeros(len(pcm))
        else:
            y = self._filter(np.asarray(pcm, dtype=np.float64) / FULL_SCALE)
        y = np.concatenate([self._rest, y]) if len(self._rest) else y
        whole = len(y) // self.hop * self.hop
        if whole:
            self._energy.append(np.square(y[:whole]).reshape(-1, self.hop).sum(axis=1))
        self._rest = y[whole:]

    def integrated(self) -> float:
        """Gated integrated loudness in LUFS; -inf for silence or under 400 ms of audio."""
        hops = np.concatenate(self._energy) if self._energy else np.zeros(0)
        return _gated(hops, self.hop)


def _gated(hops: np.ndarray, hop: int) -> float:
    """BS.1770 gated loudness from the energy of consecutive 100 ms hops (4 to a block)."""
    if len(hops) < 4:
        return float("-inf")
    z = (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * hop)
    with np.errstate(divide="ignore"):
        block = -0.691 + 10 * np.log10(z)
    gated = z[block >= _ABS_GATE]
    if len(gated) == 0:
        return float("-inf")
    relative = -0.691 + 10 * math.log10(gated.mean()) + _REL_GATE
    gated = z[(block > relative) & (block > _ABS_GATE)]
    if len(gated) == 0:
        return float("-inf")
    return -0.691 + 10 * math.log10(gated.mean())


def integrated_loudness(chunks: Iterable[np.ndarray], sample_rate: int) -> float:
    """Integrated loudness (LUFS) of the concatenation of int16 ``chunks``."""
    meter = LoudnessMeter(sample_rate)
    for chunk in chunks:
        meter.feed(chunk)
    return meter.integrated()


def clip_loudness(pcm: np.ndarray, sample_rate: int, context: tuple[int, int] = (0, 0)
                  ) -> float:
    """Loudness (LUFS) of one clip as it will be heard: with ``context`` = (samples of
    silence before, after) around it, so the gating blocks that straddle the pauses count
    as they will in the narration.  Gated integrated loudness, or for a clip too short for
    a gating block (a one-word heading) the K-weighted power of the clip; -inf for silence.
    """
    block = round(0.4 * sample_rate)          # more silence than a block adds nothing
    before, after = (min(block, max(0, n)) for n in context)
    meter = LoudnessMeter(sample_rate)
    for part in (np.zeros(before, np.int16), pcm, np.zeros(after, np.int16)):
        meter.feed(part)
    measured = meter.integrated()
    if math.isfinite(measured) or not np.any(pcm):
        return measured
    y = _KWeighting(sample_rate)(np.asarray(pcm, dtype=np.float64) / FULL_SCALE)
    power = float(np.mean(np.square(y)))
    return -0.691 + 10 * math.log10(power) if power > 0 else float("-inf")


class _Measured:
    """A clip K-weighted once, with its context, so that it can be measured again after a
    gain and a limiter at a fraction of the cost.

    The K-weighting filter is linear: the limited clip, ``g * (x + x * (e - 1))`` with the
    limiter's gain ``e`` equal to 1 outside a few short spans, filters to ``g * (K(x) +
    K(x * (e - 1)))``, and the second term is a short convolution per span.  (Measured
    before rounding to int16, whose noise is some 100 dB down.)
    """

    def __init__(self, pcm: np.ndarray, sample_rate: int, context: tuple[int, int]) -> None:
        block = round(0.4 * sample_rate)          # more silence than a block adds nothing
        before, after = (min(block, max(0, n)) for n in context)
        x = np.zeros(before + len(pcm) + after)
        x[before:before + len(pcm)] = pcm
        x /= FULL_SCALE
        self.pcm, self.rate, self.before = pcm, sample_rate, before
        self.y = _KWeighting(sample_rate)(x)
        self.hop = round(0.1 * sample_rate)

    def loudness(self, gain: float = 1.0, spans: Spans = ()) -> float:
        """Gated loudness of the clip times ``gain`` and the limiter's ``spans``."""
        y = self.y
        if spans:
            y = y.copy()
            ir = _k_impulse_response(self.rate)
            for start, g in spans:
                d = self.pcm[start:start + len(g)] / FULL_SCALE * (g.astype(np.float64) - 1)
                nfft = 1 << (len(d) + len(ir) - 2).bit_length()
                kd = np.fft.irfft(np.fft.rfft(d, nfft) * _k_spectrum(self.rate, nfft), nfft)
                at = self.before + start
                end = min(len(y), at + len(d) + len(ir) - 1)
                y[at:end] += kd[:end - at]
        whole = len(y) // self.hop * self.hop
        energy = np.square(y[:whole]).reshape(-1, self.hop).sum(axis=1) * gain * gain
        return _gated(energy, self.hop)


def normalise_clip(pcm: np.ndarray, target_lufs: float, ceiling_dbtp: float,
                   sample_rate: int, context: tuple[int, int] = (0, 0)) -> np.ndarray:
    """``pcm`` (int16) at ``target_lufs``, true peak at or under ``ceiling_dbtp``; int16.

    ``context``: the silence before and after the clip in the narration (see
    ``clip_loudness``).  Limiting a clip lowers its loudness a little, so the gain is
    corrected from a re-measurement of the limited clip (up to twice) until it is within
    0.1 LU.
    """
    clip = _Measured(pcm, sample_rate, context)
    measured = clip.loudness()
    if not math.isfinite(measured):            # a one-word clip: no gating block
        return _normalise_short(pcm, target_lufs, ceiling_dbtp, sample_rate, context)
    gain = normalising_gain(measured, target_lufs)
    envelope = peak_envelope(pcm) if needs_limiting(pcm, gain * 1.5, ceiling_dbtp) else None
    scale, spans = limiter_gain(pcm, gain, ceiling_dbtp, sample_rate, envelope)
    for _ in range(2):
        reached = clip.loudness(gain * scale, spans)
        if abs(reached - target_lufs) <= 0.1:
            break
        gain *= normalising_gain(reached, target_lufs)
        if envelope is None and needs_limiting(pcm, gain, ceiling_dbtp):
            envelope = peak_envelope(pcm)
        scale, spans = limiter_gain(pcm, gain, ceiling_dbtp, sample_rate, envelope)
    return apply_gain(pcm, gain, scale, spans)


def _normalise_short(pcm: np.ndarray, target_lufs: float, ceiling_dbtp: float,
                     sample_rate: int, context: tuple[int, int]) -> np.ndarray:
    """``normalise_clip`` for a clip too short (or quiet) for gating: by its power."""
    measured = clip_loudness(pcm, sample_rate, context)
    if not math.isfinite(measured):
        return np.asarray(pcm, dtype=np.int16).copy()
    gain = normalising_gain(measured, target_lufs)
    out = limit_clip(pcm, gain, ceiling_dbtp, sample_rate)
    reached = clip_loudness(out, sample_rate, context)
    if math.isfinite(reached) and abs(reached - target_lufs) > 0.1:
        out = limit_clip(pcm, gain * normalising_gain(reached, target_lufs), ceiling_dbtp,
                         sample_rate)
    return out


def normalising_gain(measured_lufs: float, target_lufs: float) -> float:
    """Linear gain that moves ``measured_lufs`` to ``target_lufs`` (1.0 for silence)."""
    if not math.isfinite(measured_lufs):
        return 1.0
    return 10 ** ((target_lufs - measured_lufs) / 20)
