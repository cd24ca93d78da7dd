"""Loudness: the meter (libebur128) agrees with pyloudnorm, an independent implementation;
the limiter holds the ceiling; its numpy filters agree with the scipy ones they stand for
(scipy and pyloudnorm are imported by the tests only)."""

import subprocess
import sys

import numpy as np
import pyloudnorm
import pytest
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly, sosfilt

from accesspub.audio.limiter import (_minimum_filter, _uniform_filter, limit_clip,
                                     needs_limiting, peak_envelope, true_peak_dbtp)
from accesspub.audio.loudness import clip_loudness, integrated_loudness, normalising_gain

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
    assert own_true_peak_dbtp(y) <= -1.5 + 1e-3
    assert true_peak_dbtp(y) <= -1.5 + 0.15        # libebur128's interpolator differs
    assert abs(integrated_loudness([y], RATE) + 19.0) < 0.3
    np.testing.assert_array_equal(y, limit_clip(x, gain, -1.5, RATE))     # deterministic


def test_limiter_leaves_quiet_audio_alone():
    x = (speechlike() // 8).astype(np.int16)
    y = limit_clip(x, 1.0, -1.5, RATE)
    np.testing.assert_array_equal(x, y)


# --- checked against scipy and pyloudnorm, independent references ------------------------

RATES = (44100, 48000, 22050, 16000)


def noise(seconds, rate, seed=1, level=0.3):
    rng = np.random.default_rng(seed)
    x = level * rng.standard_normal(int(seconds * rate))
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)


def tone(seconds, rate, freq=997.0, level=0.5):
    t = np.arange(int(seconds * rate)) / rate
    return np.round(level * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def odd_chunks(x):
    """``x`` cut at odd sizes, with empty chunks, single samples and long pieces."""
    sizes = [1, 0, 997, 3, 4411, 0, 12345, 1, 65537, 7]
    chunks, start, i = [], 0, 0
    while start < len(x):
        size = sizes[i % len(sizes)]
        chunks.append(x[start:start + size])
        start += size
        i += 1
    return chunks


def pyloudnorm_sos(rate):
    rows = []
    for stage in pyloudnorm.Meter(rate)._filters.values():
        b = np.asarray(stage.b, dtype=np.float64) * stage.passband_gain
        a = np.asarray(stage.a, dtype=np.float64)
        rows.append(np.concatenate([b / a[0], a / a[0]]))
    return np.array(rows)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("kind", ["noise", "tone"])
def test_streaming_meter_equals_one_shot_and_pyloudnorm(rate, kind):
    x = noise(3.0, rate) if kind == "noise" else tone(3.0, rate)
    x[rate // 2:rate] = 0                 # silence inside: the gates and the settled skip
    one_shot = integrated_loudness([x], rate)
    streamed = integrated_loudness(odd_chunks(x), rate)
    reference = pyloudnorm.Meter(rate).integrated_loudness(x / 32768.0)
    assert abs(streamed - one_shot) < 1e-9
    # Two implementations of BS.1770: their K-weighting shelves (libebur128's and
    # pyloudnorm's RBJ design) part a little near Nyquist at low rates (white noise
    # at 16 kHz: 0.125 LU, a tone 0.11 LU; at 44.1 kHz, where we measure, 0.05 LU).
    assert abs(one_shot - reference) < (0.2 if kind == "noise" else 0.15)


def test_clip_loudness_of_a_short_clip_is_its_k_weighted_power():
    x = tone(0.2, RATE)                   # under one 400 ms gating block
    y = sosfilt(pyloudnorm_sos(RATE), x / 32768.0)
    expected = -0.691 + 10 * np.log10(np.mean(y ** 2))
    assert abs(clip_loudness(x, RATE) - expected) < 0.05
    assert clip_loudness(np.zeros(100, np.int16), RATE) == float("-inf")


def old_envelope(pcm):
    """The old peak_envelope: scipy's resample_poly in float32."""
    x = pcm.astype(np.float32) * np.float32(1 / 32768.0)
    up = np.abs(resample_poly(x, 4, 1))
    return up.reshape(-1, 4).max(axis=1)


def test_peak_envelope_matches_resample_poly():
    loud = noise(2.0, RATE, level=0.6)                    # clipped to full scale here and there
    for x in (speechlike(4.0), loud, np.array([32767], np.int16),
              *(noise(n / RATE, RATE, seed=n) for n in range(2, 40))):
        env = peak_envelope(x)
        assert env.dtype == np.float32 and len(env) == len(x)
        assert np.max(np.abs(env - old_envelope(x))) < 1e-6
    # Inter-sample peaks over full scale are kept (no clipping, no rounding).
    alternating = np.tile(np.array([32767, 32767, -32768, -32768], np.int16), 50)
    assert peak_envelope(alternating).max() > 1.2


def own_true_peak_dbtp(pcm):
    """The limiter's own estimate: the peak of its envelope."""
    return 20 * np.log10(max(float(peak_envelope(pcm).max()), 1e-12)) if len(pcm) else -np.inf


def test_true_peak_agrees_with_libebur128_and_resample_poly():
    # Speech-like signals: on full-band clipped noise the interpolators part by 0.5 dB.
    for x in (speechlike(2.0), speechlike(3.0, seed=5) // 3):
        ebur = true_peak_dbtp(x)
        reference = 20 * np.log10(np.max(np.abs(resample_poly(x / 32768.0, 4, 1))))
        assert abs(own_true_peak_dbtp(x) - reference) < 1e-4
        assert abs(ebur - reference) < 0.15        # different 4x interpolators
    assert true_peak_dbtp(np.zeros(10, np.int16)) == float("-inf")
    assert true_peak_dbtp(np.zeros(0, np.int16)) == float("-inf")


@pytest.mark.parametrize("size", [*range(1, 10), 441])
def test_min_and_uniform_filters_match_scipy_ndimage(size):
    rng = np.random.default_rng(size)
    for n in [*range(0, 21), 10000]:
        a = rng.uniform(0, 1, n).astype(np.float32)
        a[rng.uniform(size=n) < 0.5] = 1.0                # plateaus, as the limiter's gains
        got_min = _minimum_filter(a, size)
        got_mean = _uniform_filter(a, size)
        assert got_min.dtype == got_mean.dtype == np.float32
        assert len(got_min) == len(got_mean) == n
        if n == 0:
            continue
        np.testing.assert_array_equal(got_min, minimum_filter1d(a, size, mode="nearest"))
        assert np.max(np.abs(got_mean - uniform_filter1d(a, size, mode="nearest"))) < 1e-6


_OLD_MARGIN = 0.995


def old_limit_clip(pcm, gain, ceiling_dbtp, sample_rate, envelope=None):
    """limit_clip as it was with scipy.ndimage and scipy.signal."""
    target = 10 ** (ceiling_dbtp / 20) * _OLD_MARGIN
    x = pcm.astype(np.float32)
    x *= np.float32(gain / 32768.0)
    if needs_limiting(pcm, gain, ceiling_dbtp):
        if envelope is None:
            envelope = old_envelope(pcm)
        peaks = envelope * np.float32(gain)
        if float(peaks.max()) > target:
            need = np.minimum(np.float32(1.0), np.float32(target) / np.maximum(peaks, 1e-9))
            radius = max(2, sample_rate // 200)
            envelope_gain = minimum_filter1d(need, size=2 * radius + 1, mode="nearest")
            half = radius // 2
            for _ in range(2):
                envelope_gain = uniform_filter1d(envelope_gain, size=2 * half + 1,
                                                 mode="nearest")
            x *= envelope_gain
            peak = float(np.max(peaks * envelope_gain))
            if peak > target:
                x *= np.float32(target / peak)
    x *= np.float32(32768.0)
    np.rint(x, out=x)
    np.clip(x, -32768, 32767, out=x)
    return x.astype(np.int16)


@pytest.mark.parametrize("rate", [44100, 22050])
def test_limit_clip_matches_the_scipy_implementation(rate):
    spiky = speechlike(4.0, seed=2)
    spiky[30000:30005] = 32767
    spiky[60000:60003] = -32768
    loud = noise(3.0, rate, seed=5, level=0.5)
    for x in (spiky, loud, (speechlike(4.0, seed=3) * 3).astype(np.int16)):
        for gain, ceiling in ((0.9, -1.0), (2.5, -1.5), (4.0, -1.0), (1.0, -6.0)):
            new = limit_clip(x, gain, ceiling, rate)
            old = old_limit_clip(x, gain, ceiling, rate)
            assert np.max(np.abs(new.astype(np.int32) - old)) <= 1
            assert own_true_peak_dbtp(new) <= ceiling + 1e-3


def test_importing_the_module_loads_neither_scipy_nor_pyloudnorm():
    code = ("import sys, accesspub.audio.loudness as m, numpy as np\n"
            "m.normalise_clip((np.sin(np.arange(44100) / 7) * 32000).astype(np.int16),"
            " -18.5, -1.0, 44100, (15435, 15435))\n"
            "print(sorted(k for k in sys.modules"
            " if k.split('.')[0] in ('scipy', 'pyloudnorm')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("target", [-19.0, -16.0])
def test_normalise_clip_reaches_target_under_ceiling(target):
    from accesspub.audio.loudness import normalise_clip
    x = speechlike(6.0, seed=3)
    x[RATE:RATE + 40] = 32000                         # a few sharp peaks to limit
    x[4 * RATE:4 * RATE + 25] = -31000
    context = (RATE // 5, RATE // 5)
    y = normalise_clip(x, target, -2.0, RATE, context)
    assert y.dtype == np.int16 and len(y) == len(x)
    assert abs(clip_loudness(y, RATE, context) - target) <= 0.1
    assert own_true_peak_dbtp(y) <= -2.0 + 1e-3
    reference = pyloudnorm.Meter(RATE).integrated_loudness(
        np.concatenate([np.zeros(context[0]), y / 32768.0, np.zeros(context[1])]))
    assert abs(reference - target) <= 0.15
    np.testing.assert_array_equal(y, normalise_clip(x, target, -2.0, RATE, context))
