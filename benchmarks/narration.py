"""Narration benchmark on the sample release.

    ./dev python benchmarks/narration.py            # or .venv/bin/python benchmarks/narration.py

Prints, for the sample release in content/:
  - the one-time preparation of the voice (seeded noise, encoder/decoder split) into a
    fresh voice cache, which the builds below then use,
  - raw Piper: the bundled voice speaking the same spoken text in one call (load excluded),
  - accesspub cold build (empty speech cache) with --jobs 1 and with the default jobs,
  - a warm rebuild (nothing changed),
  - peak memory (RSS) of each build, its worker processes included.
Aims (issue 3): cold --jobs 1 within 1.15x raw Piper; default jobs faster than raw Piper;
warm rebuild under 2 s.
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
    text = spoken_text()
    load, synth, audio = raw_piper(text)
    print(f"sample: {len(text)} characters of spoken text, {audio:.1f} s of speech, {os.cpu_count()} cores")
    print(f"raw Piper, one call:            {synth:6.2f} s   (+ {load:.2f} s to load the voice)")
    with tempfile.TemporaryDirectory() as tmp:
        prepared = prepare_voice(Path(tmp) / "voices")
        print(f"voice prepared for accesspub:   {prepared:6.2f} s   (once per machine and voice)")
        project = Path(tmp) / "project"
        project.mkdir()
        shutil.copy(REPO / "accesspub.toml", project)
        shutil.copytree(REPO / "content", project / "content")
        shutil.copytree(REPO / "assets", project / "assets")
        rows = []
        for label, args in (("cold build, --jobs 1", ("--jobs", "1")),
                            ("cold build, default jobs", ())):
            cache = Path(tmp) / f"cache-{len(rows)}"
            seconds, peak = timed_build(project, cache, *args)
            rows.append((label, seconds, peak))
        warm_seconds, warm_peak = timed_build(project, cache)
        rows.append(("warm rebuild (nothing changed)", warm_seconds, warm_peak))
        for label, seconds, peak in rows:
            ratio = f"{seconds / synth:5.2f}x raw" if "cold" in label else ""
            print(f"{label:<31} {seconds:6.2f} s  {ratio:<10}  peak RSS {peak:6.0f} MB")


if __name__ == "__main__":
    main()
