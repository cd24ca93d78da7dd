"""Loudness: the streaming meter agrees with pyloudnorm; the limiter holds the ceiling."""

import numpy as np
import pyloudnorm

from accesspub.audio.loudness import (LoudnessMeter, integrated_loudness, limit_clip,
                                      normalising_gain, true_peak_dbtp)

RATE = 44100


def speechlike(seconds=12.0, seed=0):
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    syllables = (np.sin(2 * np.pi * 2.5 * t) > 0.2) * (np.sin(2 * np.pi * 0.3 * t) > -0.5)
    voice = np.sin(2 * np.pi * 140 * t) + 0.5 * np.sin(2 * np.pi * 280 * t) \
        + 0.2 * rng.standard_normal(n)
    x = 0.25 * syllables * voice
    x[int(3 * RATE):int(4 * RATE)] = 0                   # a pause
    return np.clip(x * 32767, -32768, 32767).astype(np.int16)


def test_streaming_meter_matches_pyloudnorm():
    x = speechlike()
    reference = pyloudnorm.Meter(RATE).integrated_loudness(x / 32768.0)
    chunks = [x[:1000], x[1000:1001], x[1001:50000], np.zeros(0, np.int16), x[50000:]]
    assert abs(integrated_loudness(chunks, RATE) - reference) < 0.05
    assert abs(integrated_loudness([x], RATE) - reference) < 0.05


def test_silence_and_short_input():
    assert integrated_loudness([np.zeros(RATE, np.int16)], RATE) == float("-inf")
    assert integrated_loudness([np.ones(100, np.int16)], RATE) == float("-inf")
    assert normalising_gain(float("-inf"), -19) == 1.0
    assert abs(normalising_gain(-25.0, -19.0) - 10 ** (6 / 20)) < 1e-12


def test_gain_then_limit_reaches_target_under_ceiling():
    x = speechlike()
    x[20000:20010] = 32000                                # a rare spike
    gain = normalising_gain(integrated_loudness([x], RATE), -19.0)
    y = limit_clip(x, gain, -1.5, RATE)
    assert y.dtype == np.int16 and len(y) == len(x)
    assert true_peak_dbtp(y) <= -1.5 + 1e-3
    assert abs(integrated_loudness([y], RATE) + 19.0) < 0.3
    np.testing.assert_array_equal(y, limit_clip(x, gain, -1.5, RATE))     # deterministic


def test_limiter_leaves_quiet_audio_alone():
    x = (speechlike() // 8).astype(np.int16)
    y = limit_clip(x, 1.0, -1.5, RATE)
    np.testing.assert_array_equal(x, y)
