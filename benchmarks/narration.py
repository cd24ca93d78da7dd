"""Narration benchmark on the sample release.

    ./dev python benchmarks/narration.py            # or .venv/bin/python benchmarks/narration.py
    ./dev python benchmarks/narration.py --rounds 5

Prints, for the sample release in content/:
  - the one-time preparation of the voice (seeded noise, encoder/decoder split) into a
    fresh voice cache, which the builds below then use,
  - raw Piper: the bundled voice speaking the same spoken text in one call (load excluded),
  - accesspub cold build (empty speech cache) with --jobs 1 and with the default jobs,
  - a warm rebuild (nothing changed),
  - peak memory (RSS) of each build, its worker processes included.
Aims (issue 3): cold --jobs 1 within 1.15x raw Piper; default jobs faster than raw Piper;
warm rebuild under 2 s.

A shared machine's speed drifts by 10% from one minute to the next, so each round measures
raw Piper and then the builds, back to back; a ratio is taken within its round, and the
median of the rounds is printed (with the spread).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from common import MEASURE, prepare_voice, raw_piper  # noqa: E402


def spoken_text() -> str:
    from accesspub.build import BuildOptions, prepare
    from accesspub.config import load_config
    publications, _, _ = prepare(load_config(REPO), BuildOptions(audio=False))
    return "\n".join(s.spoken_text for p in publications for s in p.iter_sentences())


def timed_build(project: Path, cache: Path, *args: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one `accesspub build` in a fresh process."""
    env = dict(os.environ, ACCESSPUB_CACHE=str(cache))
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "accesspub", "-C",
               str(project), "build", "-q", *args]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    code, seconds, peak_kb = out.split()
    if code != "0":
        raise SystemExit(f"build failed (exit {code}): accesspub build {' '.join(args)}")
    return float(seconds), int(peak_kb) / 1024


def main() -> None:
    import argparse
    import statistics
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds to take the median of")
    rounds = parser.parse_args().rounds
    text = spoken_text()
    with tempfile.TemporaryDirectory() as tmp:
        prepared = prepare_voice(Path(tmp) / "voices")
        project = Path(tmp) / "project"
        project.mkdir()
        shutil.copy(REPO / "accesspub.toml", project)
        shutil.copytree(REPO / "content", project / "content")
        shutil.copytree(REPO / "assets", project / "assets")
        labels = ("cold build, --jobs 1", "cold build, default jobs",
                  "warm rebuild (nothing changed)")
        seconds: dict[str, list[float]] = {label: [] for label in labels}
        ratios: dict[str, list[float]] = {label: [] for label in labels}
        peaks: dict[str, float] = {label: 0.0 for label in labels}
        raws, load, audio = [], 0.0, 0.0
        for n in range(rounds):
            load_n, synth, audio = raw_piper(text)
            load = load or load_n
            raws.append(synth)
            measured = {}
            for label, args in ((labels[0], ("--jobs", "1")), (labels[1], ())):
                cache = Path(tmp) / f"cache-{n}-{len(measured)}"
                measured[label] = timed_build(project, cache, *args)
            measured[labels[2]] = timed_build(project, cache)
            for label, (secs, peak) in measured.items():
                seconds[label].append(secs)
                ratios[label].append(secs / synth)
                peaks[label] = max(peaks[label], peak)
            print(f"round {n + 1}: raw {synth:.2f} s, " + ", ".join(
                f"{label.split(',')[-1].split('(')[0].strip()} {secs:.2f} s"
                for label, (secs, _) in measured.items()), flush=True)
    print(f"sample: {len(text)} characters of spoken text, {audio:.1f} s of speech, "
          f"{os.cpu_count()} cores; median of {rounds} round(s), [min-max]")
    print(f"raw Piper, one call:            {statistics.median(raws):6.2f} s   "
          f"[{min(raws):.2f}-{max(raws):.2f}]  (+ {load:.2f} s to load the voice)")
    print(f"voice prepared for accesspub:   {prepared:6.2f} s   (once per machine and voice)")
    for label in labels:
        secs = seconds[label]
        ratio = ""
        if "cold" in label:
            r = ratios[label]
            ratio = f"{statistics.median(r):5.2f}x raw [{min(r):.2f}-{max(r):.2f}]"
        print(f"{label:<31} {statistics.median(secs):6.2f} s  [{min(secs):.2f}-{max(secs):.2f}]"
              f"  {ratio:<25}  peak RSS {peaks[label]:6.0f} MB")


if __name__ == "__main__":
    main()
