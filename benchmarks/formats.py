"""Extra build time of the listening formats (DAISY 2.02, M4B, W3C audiobook) on the sample.

    ./dev python benchmarks/formats.py [--rounds N]   # or .venv/bin/python benchmarks/formats.py

Each round builds the sample cold (empty speech cache, real Piper) twice, in turn: with
``[outputs] formats = []`` and with all three formats, each rebuilt warm straight after
(nothing changed: the narration, and the M4B's AAC stream, come from the cache).  Printed: the
medians, and the formats' share of a cold build (aim, issue 16: under 15 %).

Then what each format costs on its own, on that build's narration (median of 3):
DAISY and LPF (writing the text parts, placing the MP3s), the M4B's mux (each build),
and the M4B's AAC encoding (once per narration, while stitching, beside the synthesis:
its CPU seconds are what the cold build pays on the cores Piper uses).

A shared machine's speed drifts from minute to minute: compare within a round, and
re-run when the machine is quiet.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def project(tmp: Path, name: str, formats: str | None) -> Path:
    root = tmp / name
    root.mkdir()
    for part in ("content", "assets"):
        shutil.copytree(REPO / part, root / part)
    config = (REPO / "accesspub.toml").read_text(encoding="utf-8")
    if formats is not None:
        config += f"\n[outputs]\nformats = {formats}\n"
    (root / "accesspub.toml").write_text(config, encoding="utf-8")
    return root


def timed_build(root: Path, cache: Path) -> float:
    env = dict(os.environ, ACCESSPUB_CACHE=str(cache))
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "accesspub", "-C", str(root), "build", "-q"],
                   env=env, check=True, capture_output=True)
    return time.monotonic() - started


def timed(call, runs: int = 3) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds of this process and its children)."""
    def cpu() -> float:
        return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                   resource.getrusage(resource.RUSAGE_CHILDREN)))

    walls, cpus = [], []
    for _ in range(runs):
        before, started = cpu(), time.monotonic()
        call()
        walls.append(time.monotonic() - started)
        cpus.append(cpu() - before)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1, help="rounds of cold builds")
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory(prefix="accesspub-formats-") as tmp_name:
        tmp = Path(tmp_name)
        plain, full = project(tmp, "plain", "[]"), project(tmp, "full", None)
        times: dict[str, list[float]] = {k: [] for k in ("cold plain", "cold full",
                                                          "warm plain", "warm full")}
        for n in range(rounds):
            # the build that comes first in a round ran slower (it warms the page cache
            # and the machine for the second): each goes first in every other round
            pair = (("plain", plain), ("full", full))
            for label, root in pair if n % 2 == 0 else pair[::-1]:
                cache = tmp / f"cache-{label}-{n}"
                shutil.rmtree(root / "build", ignore_errors=True)
                times[f"cold {label}"].append(timed_build(root, cache))
                times[f"warm {label}"].append(timed_build(root, cache))
            print(f"round {n + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
                  flush=True)
        med = {k: statistics.median(v) for k, v in times.items()}
        cold = med["cold full"]
        print(f"median of {rounds} round(s), {os.cpu_count()} cores")
        print(f"cold build, no formats     {med['cold plain']:6.2f} s")
        print(f"cold build, all formats    {cold:6.2f} s  (+{cold - med['cold plain']:.2f} s, "
              f"{100 * (cold - med['cold plain']) / cold:4.1f} % of the cold build; aim < 15 %)")
        print(f"warm rebuild, no formats   {med['warm plain']:6.2f} s")
        print(f"warm rebuild, all formats  {med['warm full']:6.2f} s  "
              f"(+{med['warm full'] - med['warm plain']:.2f} s)")

        import numpy as np
        from accesspub.audio.encode import aac_command, decode_mp3, run_encoder
        from accesspub.audio.narration import audiobook_stream
        from accesspub.audio.stitch import AUDIOBOOK_BITRATE
        from accesspub.build import analyse
        from accesspub.config import load_config
        from accesspub.model import Timeline
        from accesspub.writers.daisy import write_daisy
        from accesspub.writers.lpf import write_lpf
        from accesspub.writers.m4b import write_m4b
        publication = analyse(load_config(full))[0][0]
        out = full / "build" / publication.slug
        entry = json.loads((full / "build" / "report.json").read_text())["releases"][0]
        timeline = Timeline.from_json(entry["timeline"], out)
        rate = timeline.sample_rate
        # the narration's PCM, as long as the tracks: what stitching feeds the AAC encoder
        pcm = np.concatenate([decode_mp3(t.path, rate)[0][:t.samples] for t in timeline.tracks])
        work = tmp / "work"
        work.mkdir()
        stream = audiobook_stream(work)

        def encode() -> None:
            run_encoder(aac_command(stream, rate, AUDIOBOOK_BITRATE), [pcm], stream)

        def fresh(write):
            def call() -> None:
                target = tmp / "writer-out"
                shutil.rmtree(target, ignore_errors=True)
                target.mkdir()
                write(target)
            return call

        print(f"sample: {timeline.duration:.1f} s of narration; on their own (median of 3):")
        parts = {
            "M4B: AAC encoding (once per narration, while stitching)": encode,
            "M4B: mux (each build)": fresh(lambda t: write_m4b(publication, timeline, t, stream)),
            "DAISY 2.02 (each build)": fresh(lambda t: write_daisy(publication, timeline, t)),
            "W3C audiobook (each build)": fresh(lambda t: write_lpf(publication, timeline, t)),
        }
        total_cpu = 0.0
        for label, call in parts.items():
            wall, cpu = timed(call)
            total_cpu += cpu
            print(f"  {label:<56} {wall:6.2f} s wall {cpu:6.2f} s CPU "
                  f"({100 * cpu / cold:4.1f} % of the cold build)")
        print(f"  {'all':<56} {'':>13} {total_cpu:6.2f} s CPU "
              f"({100 * total_cpu / cold:4.1f} % of the cold build; aim < 15 %)")


if __name__ == "__main__":
    main()
