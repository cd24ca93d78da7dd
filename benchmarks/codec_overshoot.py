"""How far the MP3 encoder pushes the true peak of levelled speech over where it was.

    ./dev python benchmarks/codec_overshoot.py CLIPS_DIR [--bitrate 64k ...] [--shifts 12]

CLIPS_DIR: a clip cache (``.accesspub-cache/clips``) or any folder of mono 16-bit WAV
files of speech.  Each clip is levelled as a build levels it (``Levelling``), the clips are
laid end to end with 0.5 s pauses, encoded with our encoder settings and decoded with
ffmpeg; per clip, the overshoot is its decoded true peak minus its true peak before
encoding minus the codec's own level change (``codec_gain_db``), true peaks by libebur128.
The same speech is encoded again shifted by a fraction of an MP3 frame (``--shifts``
times): the quantisation noise then falls differently, so every shift is a fresh draw of
the overshoot, and the maximum over all of them is what a book of that much speech meets.

Prints, per bitrate: clips measured, the median / 99th percentile / maximum overshoot, and
the highest decoded true peak of the narration at the pre-encode ceiling ``Levelling``
sets (the configured ceiling less the codec's level change and ``codec_headroom_db``).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyebur128

from accesspub.audio.encode import codec_gain_db, decode_mp3, encode_mp3
from accesspub.audio.synthesize import SAMPLE_RATE, Levelling
from accesspub.config import Config, Narration

_PAUSE = SAMPLE_RATE // 2


def true_peak_db(pcm: np.ndarray) -> float:
    state = pyebur128.R128State(1, SAMPLE_RATE, pyebur128.MeasurementMode.MODE_TRUE_PEAK)
    state.add_frames(np.ascontiguousarray(pcm, dtype=np.int16), len(pcm))
    peak = pyebur128.get_true_peak(state, 0)
    return 20 * math.log10(peak) if peak > 0 else float("-inf")


def config_for(bitrate: str) -> Config:
    here = Path(".")
    return Config(here, here, here, here, narration=replace(Narration(), bitrate=bitrate))


def read_clips(folder: Path) -> list[np.ndarray]:
    clips = []
    for path in sorted(folder.rglob("*.wav")):
        with wave.open(str(path)) as w:
            if w.getframerate() != SAMPLE_RATE or w.getnchannels() != 1:
                continue
            clips.append(np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"))
    return clips


def measure(clips: list[np.ndarray], bitrate: str, shifts: int) -> tuple[list[float], float]:
    """(overshoot of every clip in every shift, highest decoded true peak)."""
    levelling = Levelling.from_config(config_for(bitrate))
    levelled = [levelling.apply(c, SAMPLE_RATE) for c in clips]
    before = [true_peak_db(c) for c in levelled]
    codec = codec_gain_db(bitrate)
    overshoots, highest = [], float("-inf")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.mp3"
        for k in range(shifts):
            lead = 64 + k * 1152 // shifts          # a different frame alignment each time
            parts, spans, at = [np.zeros(lead, np.int16)], [], lead
            for clip in levelled:
                parts += [clip, np.zeros(_PAUSE, np.int16)]
                spans.append((at, at + len(clip)))
                at += len(clip) + _PAUSE
            encode_mp3(parts, path, sample_rate=SAMPLE_RATE, bitrate=bitrate)
            decoded, _ = decode_mp3(path, SAMPLE_RATE)
            for (lo, hi), peak in zip(spans, before):
                # The codec smears a clip a little into the pauses around it.
                after = true_peak_db(decoded[max(0, lo - 2048):hi + 2048])
                overshoots.append(after - peak - codec)
                highest = max(highest, after)
    return overshoots, highest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("clips", type=Path)
    parser.add_argument("--bitrate", action="append", help="default: 64k and 128k")
    parser.add_argument("--shifts", type=int, default=12)
    args = parser.parse_args()
    clips = read_clips(args.clips)
    if not clips:
        sys.exit(f"no 44.1 kHz mono WAV clips under {args.clips}")
    seconds = sum(len(c) for c in clips) / SAMPLE_RATE
    print(f"{len(clips)} clips, {seconds:.0f} s of speech, {args.shifts} frame shifts "
          f"({seconds * args.shifts / 60:.0f} min encoded per bit rate)")
    for bitrate in args.bitrate or ["64k", "128k"]:
        config = config_for(bitrate)
        levelling = Levelling.from_config(config)
        over, highest = measure(clips, bitrate, args.shifts)
        q = np.percentile(over, [50, 99, 100])
        print(f"{bitrate:>5}: overshoot median {q[0]:+.2f} dB, 99th pct {q[1]:+.2f} dB, "
              f"max {q[2]:+.2f} dB; pre-encode ceiling {levelling.ceiling_dbtp:+.2f} dBTP, "
              f"highest decoded true peak {highest:+.2f} dBTP "
              f"(configured {config.narration.true_peak:+.2f})")


if __name__ == "__main__":
    main()
