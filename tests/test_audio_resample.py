"""The resampler (libsoxr): agrees with scipy's resample_poly as an independent reference
on speech-band content, keeps level and frequency, suppresses what the new rate cannot
carry; without importing scipy."""

from __future__ import annotations

import subprocess
import sys
from math import gcd

import numpy as np
import pytest
from scipy.signal import resample_poly

from accesspub.audio.resample import resample

RATES = [22050, 24000, 16000, 48000, 44100, 8000]


def _ratio(src: int, dst: int = 44100) -> tuple[int, int]:
    g = gcd(src, dst)
    return dst // g, src // g


def noise(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-32768, 32768, n).astype(np.int16)


def sweep(n: int, rate: int, top: float = 0.5) -> np.ndarray:
    """Sine sweep from 50 Hz to ``top`` times the source rate, at -4 dBFS."""
    t = np.arange(n) / rate
    f1 = rate * top
    phase = 2 * np.pi * (50 * t + (f1 - 50) / (2 * t[-1]) * t * t)
    return np.rint(20000 * np.sin(phase)).astype(np.int16)


def rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(a.astype(np.float64) ** 2)))


@pytest.mark.parametrize("src", [s for s in RATES if s != 44100])
def test_agrees_with_resample_poly_in_the_speech_band(src: int) -> None:
    """Up to 40 % of the lower rate both filters pass the signal untouched, so the two
    resamplers agree far below anything audible (they differ near Nyquist, by design:
    libsoxr's filter is the steeper one)."""
    x = sweep(3 * src, src, top=0.4 * min(src, 44100) / src)
    ours = resample(x, src).astype(np.float64)
    ref = resample_poly(x.astype(np.float64), *_ratio(src))
    assert ours.shape == (round(len(x) * 44100 / src),)
    assert abs(len(ref) - len(ours)) <= 1
    n = min(len(ref), len(ours))
    edge = 44100 // 20                      # the filters' start-up differs
    err = rms(ours[edge:n - edge] - ref[edge:n - edge]) / rms(ref[edge:n - edge])
    assert 20 * np.log10(err) < -50


@pytest.mark.parametrize("src", RATES)
def test_output_length_for_short_inputs(src: int) -> None:
    for n in [*range(0, 70), 101, 147, 160, 441, 1000, 1001]:
        y = resample(noise(n, seed=n), src)
        assert y.dtype == np.int16 and abs(len(y) - n * 44100 / src) <= 0.5 + 1e-9


def test_other_directions_keep_the_band() -> None:
    x = sweep(2 * 44100, 44100, top=0.15)
    for dst in (22050, 24000, 16000):
        y = resample(x, 44100, dst)
        assert abs(20 * np.log10(rms(y[dst // 10:-dst // 10]) / rms(x[4410:-4410]))) < 0.1


def test_1khz_sine_keeps_frequency_and_level() -> None:
    x = np.rint(10000 * np.sin(2 * np.pi * 1000 * np.arange(22050) / 22050)).astype(np.int16)
    y = resample(x, 22050, 44100)
    assert y.shape == (44100,)
    assert np.abs(np.fft.rfft(y.astype(np.float64))).argmax() == 1000   # 1 Hz bins
    level_db = 20 * np.log10(rms(y[4410:-4410]) / rms(x[2205:-2205]))
    assert abs(level_db) < 0.1


def test_tone_above_new_nyquist_is_suppressed() -> None:
    x = np.rint(10000 * np.sin(2 * np.pi * 15000 * np.arange(44100) / 44100)).astype(np.int16)
    y = resample(x, 44100, 22050)
    assert rms(y[2205:-2205]) < rms(x) / 100                # under -40 dB


def test_full_scale_overshoot_is_clipped_not_wrapped() -> None:
    square = np.where(np.arange(22050) % 50 < 25, 32767, -32768).astype(np.int16)
    y = resample(square, 22050)
    assert y.max() == 32767 and y.min() == -32768
    assert np.count_nonzero(np.diff(y.astype(np.int32)) > 60000) == 0     # no wrap-around


@pytest.mark.parametrize("src", [22050, 24000, 44100])
def test_empty_input(src: int) -> None:
    for pcm in (b"", np.zeros(0, dtype=np.int16)):
        y = resample(pcm, src)
        assert y.dtype == np.int16 and y.shape == (0,)


@pytest.mark.parametrize("src", [22050, 24000, 48000, 8000])
def test_one_sample_input(src: int) -> None:
    x = np.array([12345], dtype=np.int16)
    y = resample(x, src)
    assert y.dtype == np.int16 and y.shape == (round(44100 / src),)


def test_bytes_and_array_inputs_agree() -> None:
    x = sweep(22050, 22050)
    pcm = x.astype("<i2").tobytes()
    expected = resample(x, 22050)
    for variant in (pcm, bytearray(pcm), memoryview(pcm), x.tolist(), x.astype(np.int32)):
        np.testing.assert_array_equal(resample(variant, 22050), expected)


def test_equal_rates_return_an_int16_copy() -> None:
    x = noise(1000)
    y = resample(x, 44100, 44100)
    assert y.dtype == np.int16 and not np.shares_memory(x, y)
    np.testing.assert_array_equal(y, x)
    from_bytes = resample(x.astype("<i2").tobytes(), 44100)
    assert from_bytes.flags.writeable
    np.testing.assert_array_equal(from_bytes, x)


def test_deterministic() -> None:
    for src in (22050, 24000):
        x = noise(2 * src, seed=7)
        np.testing.assert_array_equal(resample(x, src), resample(x.copy(), src))


def test_rejects_non_positive_rates() -> None:
    with pytest.raises(ValueError):
        resample(b"\0\0", 0)
    with pytest.raises(ValueError):
        resample(b"\0\0", 22050, -44100)


def test_importing_does_not_import_scipy() -> None:
    code = "import sys; import accesspub.audio.resample; print('scipy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
