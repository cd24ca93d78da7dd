"""The sound as a listener gets it: every MP3 we publish, decoded, meets the loudness
(-19 LUFS +- 1 LU per file) and true-peak (the configured -1.5 dBTP, and in any case under
Apple's -1 dBTP) targets.

Measured independently of the code that levels the speech: decoded by ffmpeg (imageio-ffmpeg)
to float, loudness by pyloudnorm and libebur128 (pyebur128), true peak by libebur128 and by a
4x oversampling of our own here with scipy.  On the narrated sample and handbook, and on a
real text of a few minutes (the limiter's ceiling is met per clip, so more clips are more
chances for the encoder to overshoot it: benchmarks/codec_overshoot.py measures that tail).
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pyebur128
import pyloudnorm
import pytest
from scipy.signal import resample_poly

from conftest import NarratedBuild, build_project
from helpers import make_project

pytestmark = pytest.mark.slow

RATE = 44100
TARGET_LUFS = -19.0            # accesspub's default narration.loudness
CEILING_DBTP = -1.5            # accesspub's default narration.true_peak
APPLE_DBTP = -1.0              # Apple Podcasts' delivery limit
CORPUS = Path(__file__).resolve().parent / "corpus"


def decode(path: Path) -> np.ndarray:
    """Float samples (full scale 1.0) as a player decodes them: no int16 rounding or
    clipping in the way of the peak."""
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path),
                           "-f", "f32le", "-acodec", "pcm_f32le", "-ac", "1", "-ar", str(RATE),
                           "pipe:1"], capture_output=True, check=True)
    return np.frombuffer(done.stdout, dtype="<f4").astype(np.float64)


def ebur128(x: np.ndarray) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) by libebur128."""
    mode = pyebur128.MeasurementMode.MODE_I | pyebur128.MeasurementMode.MODE_TRUE_PEAK
    state = pyebur128.R128State(1, RATE, mode)
    state.add_frames(np.ascontiguousarray(x), len(x))
    return pyebur128.get_loudness_global(state), 20 * math.log10(pyebur128.get_true_peak(state, 0))


def oversampled_peak_dbtp(x: np.ndarray) -> float:
    """BS.1770 Annex 2's estimate, done independently: 4x polyphase interpolation."""
    return 20 * math.log10(np.max(np.abs(resample_poly(x, 4, 1))))


def check_files(paths: list[Path], full: Path) -> dict[str, tuple[float, float, float]]:
    figures = {}
    for path in paths:
        x = decode(path)
        lufs, peak = ebur128(x)
        reference = pyloudnorm.Meter(RATE).integrated_loudness(x)
        own_peak = oversampled_peak_dbtp(x)
        figures[path.name] = (reference, peak, own_peak)
        # The two meters implement the same standard: they agree closely.
        assert abs(lufs - reference) < 0.1, (path.name, lufs, reference)
        assert abs(own_peak - peak) < 0.2, (path.name, own_peak, peak)
        assert abs(reference - TARGET_LUFS) <= 1.0, (path.name, reference)
        assert max(peak, own_peak) <= CEILING_DBTP + 0.05, (path.name, peak, own_peak)
        assert max(peak, own_peak) <= APPLE_DBTP, (path.name, peak, own_peak)
    reference = figures[full.name][0]
    assert abs(reference - TARGET_LUFS) <= 0.5, (full.name, reference)
    for name, (lufs, peak, own_peak) in figures.items():      # shown by pytest -rA
        print(f"{name}: {lufs:.2f} LUFS, true peak {peak:.2f} dBTP (libebur128), "
              f"{own_peak:.2f} dBTP (4x resample_poly)")
    return figures


def outputs(build: NarratedBuild) -> tuple[list[Path], Path]:
    tracks = sorted((build.out / "tracks").glob("*.mp3"))
    assert tracks and build.mp3.is_file()
    return [build.mp3, *tracks], build.mp3


@pytest.mark.parametrize("name", ["sample", "handbook"])
def test_narrated_projects_meet_the_targets_decoded(narrated, name):
    paths, full = outputs(narrated[name])
    check_files(paths, full)


def test_a_real_text_meets_the_targets_decoded(tmp_path, speech_cache):
    """A real post of about four minutes of speech (tests/corpus: its source and licence
    are in MANIFEST.toml), built as a user builds it."""
    name = "en-18f-state-field-guide-intro"
    make_project(tmp_path, {f"content/{name}.md": (CORPUS / f"{name}.md").read_bytes()})
    build_project(tmp_path)
    slug = next(p.name for p in (tmp_path / "build").iterdir() if p.is_dir())
    build = NarratedBuild(tmp_path, slug)
    paths, full = outputs(build)
    assert len(decode(full)) / RATE > 120          # minutes, not seconds, of speech
    check_files(paths, full)
