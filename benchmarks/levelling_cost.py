"""CPU a synthesis worker spends levelling and resampling each second of speech.

    ./dev python benchmarks/levelling_cost.py CLIPS_DIR [--clips 12]

CLIPS_DIR: a clip cache (``.accesspub-cache/clips``) or a folder of 44.1 kHz mono 16-bit
WAV files of speech.  Each clip is levelled as a build levels it (``normalise_clip`` at the
default targets) and, halved to 22.05 kHz, resampled back to 44.1 kHz as a Piper clip is;
the best of three passes is printed, as CPU time (the figure to trust on a busy machine).
Run it with ``PYTHONPATH=DIR`` to measure another copy of the package the same way.
"""

from __future__ import annotations

import argparse
import time
import wave
from pathlib import Path

import numpy as np

from accesspub.audio.loudness import normalise_clip
from accesspub.audio.resample import resample

RATE = 44100


def cpu(work) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("clips", type=Path)
    parser.add_argument("--clips", dest="count", type=int, default=12)
    args = parser.parse_args()
    clips = []
    for path in sorted(args.clips.rglob("*.wav"))[:args.count]:
        with wave.open(str(path)) as w:
            clips.append(np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"))
    seconds = sum(len(c) for c in clips) / RATE
    context = (round(0.4 * RATE), round(0.4 * RATE))
    levelling = cpu(lambda: [normalise_clip(c, -18.554, -2.054, RATE, context) for c in clips])
    halves = [resample(c[::2], RATE, RATE // 2) for c in clips]
    resampling = cpu(lambda: [resample(h, RATE // 2, RATE) for h in halves])
    print(f"{len(clips)} clips, {seconds:.0f} s of speech: levelling "
          f"{1000 * levelling / seconds:.1f} ms CPU per second of speech, resampling "
          f"22.05 -> 44.1 kHz {1000 * resampling / seconds:.2f} ms")


if __name__ == "__main__":
    main()
