"""The sound of a long real book, decoded: true peak and loudness of every MP3 (issue 15).

    .venv/bin/python benchmarks/long_book_peak.py               # ~70 min of speech: CPU-heavy
    .venv/bin/python benchmarks/long_book_peak.py --cache DIR   # keep the clips for a rerun

Builds ``benchmarks/data/pride-and-prejudice/`` (Chapters I-IX of the novel in two chapter
files, about 13,400 words; its source is in SOURCE.md there) as a user builds it, with the
default voice and settings, then decodes the full MP3 and each chapter track with ffmpeg to
float (no int16 rounding or clipping in the way of the peak) and prints, per file: the
integrated loudness and the true peak by libebur128, and the true peak by a 4x polyphase
oversampling of our own (scipy).  The ceiling is the configured -1.5 dBTP, and in any
case Apple's -1 dBTP: the verdict line says whether every file meets it.

A cold run narrates all 70 minutes: at the ~23x real time of 2 idle cores about three
minutes of synthesis, far more on a shared machine (25 minutes at a load of 12 to 15).
With ``--cache`` a second run finds the clips and only levels, encodes and measures.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pyebur128
from scipy.signal import resample_poly

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "benchmarks" / "data" / "pride-and-prejudice"
SLUG = "pride-and-prejudice"
RATE = 44100
CEILING_DBTP = -1.5          # accesspub's default narration.true_peak
APPLE_DBTP = -1.0
# The listening formats (DAISY, M4B, LPF) are made from these MP3s: not needed here.
CONFIG = """[project]
language = "en"
publisher = "accesspub benchmarks"

[outputs]
formats = []
"""


def decode(path: Path) -> np.ndarray:
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path),
                           "-f", "f32le", "-acodec", "pcm_f32le", "-ac", "1", "-ar", str(RATE),
                           "pipe:1"], capture_output=True, check=True)
    return np.frombuffer(done.stdout, dtype="<f4").astype(np.float64)


def measure(x: np.ndarray) -> tuple[float, float, float]:
    """(integrated LUFS, true peak dBTP by libebur128, true peak dBTP by 4x oversampling)."""
    mode = pyebur128.MeasurementMode.MODE_I | pyebur128.MeasurementMode.MODE_TRUE_PEAK
    state = pyebur128.R128State(1, RATE, mode)
    state.add_frames(np.ascontiguousarray(x), len(x))
    lufs = pyebur128.get_loudness_global(state)
    peak = 20 * math.log10(pyebur128.get_true_peak(state, 0))
    # Blockwise, so a 70-minute file does not need four times its samples at once; the
    # overlap covers the filter's reach, so the blocks' maxima are the whole file's.
    own, block, pad = 0.0, RATE * 60, 256
    for start in range(0, len(x), block):
        lo, hi = max(0, start - pad), min(len(x), start + block + pad)
        up = resample_poly(x[lo:hi], 4, 1)
        kept = up[4 * (start - lo):4 * (min(len(x), start + block) - lo)]
        own = max(own, float(np.max(np.abs(kept))))
    return lufs, peak, 20 * math.log10(own)


def build(project: Path, cache: Path) -> float:
    env = dict(os.environ, ACCESSPUB_CACHE=str(cache), CI="1")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "accesspub", "-C", str(project), "build", "-q"],
                          env=env, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"the build failed (exit {done.returncode})")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None,
                        help="speech cache to use and keep (default: a temporary one)")
    args = parser.parse_args()
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in BOOK.glob("0*.md"))
    print(f"{os.cpu_count()} cores; {words} words in {len(list(BOOK.glob('0*.md')))} chapter "
          f"files ({BOOK.relative_to(REPO)})", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "book"
        (project / "content" / SLUG).mkdir(parents=True)
        (project / "accesspub.toml").write_text(CONFIG, encoding="utf-8")
        for chapter in sorted(BOOK.glob("0*.md")):
            shutil.copy(chapter, project / "content" / SLUG / chapter.name)
        cache = args.cache or Path(tmp) / "cache"
        seconds = build(project, cache)
        out = project / "build" / SLUG
        full = out / f"{SLUG}.mp3"
        tracks = sorted((out / "tracks").glob("*.mp3"))
        worst = -math.inf
        rows = []
        for path in [full, *tracks]:
            x = decode(path)
            lufs, peak, own = measure(x)
            worst = max(worst, peak, own)
            rows.append((path.name, len(x) / RATE, lufs, peak, own))
        minutes = rows[0][1] / 60
        print(f"built in {seconds:.0f} s: {minutes:.1f} min of narration, {len(tracks)} tracks",
              flush=True)
        print(f"{'file':<44} {'length':>8} {'LUFS':>7} {'dBTP':>7} {'dBTP 4x':>8}")
        for name, length, lufs, peak, own in rows:
            m, s = divmod(round(length), 60)
            print(f"{name:<44} {m:>5}:{s:02d} {lufs:7.2f} {peak:7.2f} {own:8.2f}")
    verdict = "OK" if worst <= APPLE_DBTP else "OVER"
    configured = "met" if worst <= CEILING_DBTP + 0.05 else "not met"
    print(f"highest decoded true peak: {worst:.2f} dBTP -> {verdict} (ceiling {APPLE_DBTP} "
          f"dBTP; the configured {CEILING_DBTP} dBTP: {configured})")


if __name__ == "__main__":
    main()
