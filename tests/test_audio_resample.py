"""The numpy resampler: same output as scipy's resample_poly (to 1 LSB), without scipy."""

from __future__ import annotations

import subprocess
import sys
from math import gcd

import numpy as np
import pytest
from scipy.signal import resample_poly

import accesspub.audio.resample as resample_module
from accesspub.audio.resample import resample

RATES = [22050, 24000, 16000, 48000, 44100, 8000]


def _ratio(src: int, dst: int = 44100) -> tuple[int, int]:
    g = gcd(src, dst)
    return dst // g, src // g


def scipy_reference(x: np.ndarray, src: int, dst: int = 44100) -> np.ndarray:
    """What accesspub did with scipy: resample_poly in float32, rint, clip to int16."""
    y = resample_poly(x.astype(np.float32), *_ratio(src, dst))
    return np.clip(np.rint(y), -32768, 32767).astype(np.int16)


def noise(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-32768, 32768, n).astype(np.int16)


def sweep(n: int, rate: int) -> np.ndarray:
    """Sine sweep from 50 Hz to the source Nyquist frequency, at -4 dBFS."""
    t = np.arange(n) / rate
    f1 = rate / 2
    phase = 2 * np.pi * (50 * t + (f1 - 50) / (2 * t[-1]) * t * t)
    return np.rint(20000 * np.sin(phase)).astype(np.int16)


def rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(a.astype(np.float64) ** 2)))


def assert_matches_scipy(x: np.ndarray, src: int, dst: int = 44100) -> None:
    ours, ref = resample(x, src, dst), scipy_reference(x, src, dst)
    assert ours.dtype == np.int16
    assert ours.shape == ref.shape
    if ours.size:
        assert np.abs(ours.astype(np.int32) - ref).max() <= 1
        # Off by one only where float32 rounding puts a sample right at a half (~0.01%).
        assert np.count_nonzero(ours != ref) <= 2 + ours.size // 100


@pytest.mark.parametrize("signal", ["noise", "sweep"])
@pytest.mark.parametrize("src", RATES)
def test_matches_scipy_resample_poly(src: int, signal: str) -> None:
    n = 3 * src
    x = noise(n, seed=src) if signal == "noise" else sweep(n, src)
    assert_matches_scipy(x, src)


@pytest.mark.parametrize("src", RATES)
def test_output_length_is_scipys_for_short_inputs(src: int) -> None:
    # Lengths around the filter's half-length exercise the zero padding at both ends.
    for n in [*range(0, 70), 101, 147, 160, 441, 1000, 1001]:
        assert_matches_scipy(noise(n, seed=n), src)


@pytest.mark.parametrize(("src", "dst"), [(24000, 44100), (22050, 44100), (44100, 22050)])
def test_block_boundaries_do_not_show(monkeypatch: pytest.MonkeyPatch, src: int,
                                      dst: int) -> None:
    # Tiny blocks: many block edges inside a short clip, on both computation paths.
    monkeypatch.setattr(resample_module, "_ROWS_BLAS", 3)
    monkeypatch.setattr(resample_module, "_ROWS_TAPWISE", 5)
    assert_matches_scipy(sweep(src // 2, src), src, dst)


def test_other_directions_match_scipy() -> None:
    x = sweep(2 * 44100, 44100)
    for dst in (22050, 24000, 16000):
        assert_matches_scipy(x, 44100, dst)


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
    assert 20 * np.log10(rms(y[2205:-2205]) / rms(x)) < -40


def test_full_scale_overshoot_is_clipped_not_wrapped() -> None:
    square = np.where(np.arange(22050) % 50 < 25, 32767, -32768).astype(np.int16)
    y = resample(square, 22050)
    assert y.max() == 32767 and y.min() == -32768
    assert_matches_scipy(square, 22050)


@pytest.mark.parametrize("src", [22050, 24000, 44100])
def test_empty_input(src: int) -> None:
    for pcm in (b"", np.zeros(0, dtype=np.int16)):
        y = resample(pcm, src)
        assert y.dtype == np.int16 and y.shape == (0,)


@pytest.mark.parametrize("src", [22050, 24000, 48000, 8000])
def test_one_sample_input(src: int) -> None:
    x = np.array([12345], dtype=np.int16)
    y = resample(x, src)
    assert y.shape == resample_poly(x.astype(np.float32), *_ratio(src)).shape
    assert_matches_scipy(x, src)


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
