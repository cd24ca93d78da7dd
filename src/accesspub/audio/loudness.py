"""Loudness: every sentence clip brought to the target loudness, then a true-peak limiter
(AU-3).

- Loudness is measured by libebur128 (``pyebur128``): ITU-R BS.1770-4 K-weighting and
  gating, the implementation ffmpeg's ``ebur128`` filter uses; the tests check it against
  pyloudnorm.  ``LoudnessMeter`` is fed chunk by chunk, so memory does not grow with the
  length of the book.
- ``normalise_clip`` gives one sentence clip the gain that brings *its* loudness to the
  target and holds its true peak under the ceiling with ``limiter`` (our own: no library
  does a look-ahead true-peak limiter), re-measuring the limited clip to correct the gain.

Why per sentence rather than one gain for the release: Piper (like most neural voices)
scales every sentence to full-scale *peak*, so sentences with different crest factors come
out at different loudness; levelling each one is what an audiobook editor does by hand,
and it makes a clip's final sound depend on that clip alone.  So a clip is levelled where it
is spoken (in the synthesis worker) and cached so, the narration can be encoded while later
sentences are still being spoken (no measuring pass over the whole book first), and the
whole file lands on the target because every gated block of speech in it does (the tests
measure the encoded files).

Imported by every synthesis worker: pyebur128 and soxr add a few milliseconds to numpy's
import (``benchmarks/worker_import.py``); scipy and pyloudnorm, which cost most of a second,
are for the tests only.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pyebur128

from accesspub.audio.limiter import (FULL_SCALE, apply_gain, gained, limiter_gain,
                                     needs_limiting, peak_envelope)

_BLOCK = 0.4                  # s, a BS.1770 gating block: more silence around a clip adds nothing


class LoudnessMeter:
    """Integrated loudness (LUFS) of a mono signal fed as int16 (or float, full scale 1.0)
    chunks in order; a trailing partial gating block is ignored, as in BS.1770."""

    def __init__(self, sample_rate: int) -> None:
        self._state = pyebur128.R128State(1, sample_rate, pyebur128.MeasurementMode.MODE_I)

    def feed(self, pcm: np.ndarray) -> None:
        if len(pcm):
            x = np.ascontiguousarray(pcm)
            if x.dtype != np.int16:
                x = x.astype(np.float64)
            self._state.add_frames(x, len(x))

    def integrated(self) -> float:
        """Gated integrated loudness in LUFS; -inf for silence or under 400 ms of audio."""
        return pyebur128.get_loudness_global(self._state)


def integrated_loudness(chunks: Iterable[np.ndarray], sample_rate: int) -> float:
    """Integrated loudness (LUFS) of the concatenation of int16 ``chunks``."""
    meter = LoudnessMeter(sample_rate)
    for chunk in chunks:
        meter.feed(chunk)
    return meter.integrated()


def _in_context(x: np.ndarray, sample_rate: int, context: tuple[int, int]) -> np.ndarray:
    block = round(_BLOCK * sample_rate)
    before, after = (min(block, max(0, n)) for n in context)
    out = np.zeros(before + len(x) + after)
    out[before:before + len(x)] = x
    return out


def _loudness(x: np.ndarray, sample_rate: int, context: tuple[int, int]) -> float:
    """``clip_loudness`` of float samples on the int16 scale."""
    if not np.any(x):
        return float("-inf")
    y = _in_context(np.asarray(x, dtype=np.float64) / FULL_SCALE, sample_rate, context)
    meter = LoudnessMeter(sample_rate)
    meter.feed(y)
    measured = meter.integrated()
    if math.isfinite(measured):
        return measured
    # Too short for a gating block (a one-word heading): the K-weighted power of the clip,
    # libebur128's loudness over a window as long as the clip, ending where it ends.
    clip = np.asarray(x, dtype=np.float64) / FULL_SCALE
    window = max(1, len(clip) * 1000 // sample_rate)
    mode = pyebur128.MeasurementMode.MODE_M
    state = pyebur128.R128State(1, sample_rate, mode)
    if window > 400:                    # MODE_M keeps 400 ms
        state.set_max_window(window)
    state.add_frames(clip, len(clip))
    return pyebur128.get_loudness_window(state, window)


def clip_loudness(pcm: np.ndarray, sample_rate: int, context: tuple[int, int] = (0, 0)
                  ) -> float:
    """Loudness (LUFS) of one clip as it will be heard: with ``context`` = (samples of
    silence before, after) around it, so the gating blocks that straddle the pauses count
    as they will in the narration.  Gated integrated loudness, or for a clip too short for
    a gating block (a one-word heading) the K-weighted power of the clip; -inf for silence.
    """
    return _loudness(np.asarray(pcm), sample_rate, context)


def normalise_clip(pcm: np.ndarray, target_lufs: float, ceiling_dbtp: float,
                   sample_rate: int, context: tuple[int, int] = (0, 0)) -> np.ndarray:
    """``pcm`` (int16) at ``target_lufs``, true peak at or under ``ceiling_dbtp``; int16.

    ``context``: the silence before and after the clip in the narration (see
    ``clip_loudness``).  Limiting a clip lowers its loudness a little, so the gain is
    corrected from a re-measurement of the limited clip (before rounding; up to twice)
    until it is within 0.1 LU.
    """
    pcm = np.asarray(pcm, dtype=np.int16)
    measured = clip_loudness(pcm, sample_rate, context)
    if not math.isfinite(measured):
        return pcm.copy()
    gain = normalising_gain(measured, target_lufs)
    envelope = peak_envelope(pcm) if needs_limiting(pcm, gain * 1.5, ceiling_dbtp) else None
    scale, spans = limiter_gain(pcm, gain, ceiling_dbtp, sample_rate, envelope)
    for _ in range(2):
        if scale == 1.0 and not spans:
            break                       # a plain gain: the measurement scales exactly
        reached = _loudness(gained(pcm, gain, scale, spans), sample_rate, context)
        if abs(reached - target_lufs) <= 0.1:
            break
        gain *= normalising_gain(reached, target_lufs)
        if envelope is None and needs_limiting(pcm, gain, ceiling_dbtp):
            envelope = peak_envelope(pcm)
        scale, spans = limiter_gain(pcm, gain, ceiling_dbtp, sample_rate, envelope)
    return apply_gain(pcm, gain, scale, spans)


def normalising_gain(measured_lufs: float, target_lufs: float) -> float:
    """Linear gain that moves ``measured_lufs`` to ``target_lufs`` (1.0 for silence)."""
    if not math.isfinite(measured_lufs):
        return 1.0
    return 10 ** ((target_lufs - measured_lufs) / 20)
