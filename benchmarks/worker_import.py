"""What the levelling and resampling cost a synthesis worker to import, on top of numpy.

    ./dev python benchmarks/worker_import.py [--runs 15] [--against DIR]

Every synthesis worker imports ``accesspub.audio.loudness`` (levelling: limiter and
loudness meter) and ``accesspub.audio.resample``; that is why they must stay light.  Each
run is a fresh interpreter that imports numpy first, then those two modules, and reports the
CPU time and wall time of the second step and the memory (RSS) it added; the median of
``--runs`` is printed.  CPU time is the figure to trust on a busy machine.

``--against DIR``: a folder holding another copy of the ``accesspub`` package (e.g. a
snapshot taken before a change); its figures are measured in the same rounds, alternating,
and printed beside ours.  For scale, ``scipy.signal`` and ``pyloudnorm`` are measured too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_PROBE = """
import json, resource, sys, time
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
import numpy
m0, c0, t0 = rss(), time.process_time(), time.perf_counter()
for name in sys.argv[1:]:
    __import__(name)
print(json.dumps({"cpu": time.process_time() - c0, "wall": time.perf_counter() - t0,
                  "rss": rss() - m0}))
"""

MODULES = ("accesspub.audio.loudness", "accesspub.audio.resample")
REFERENCE = ("scipy.signal", "pyloudnorm")


def probe(modules: tuple[str, ...], path: Path | None) -> dict[str, float]:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path)
    out = subprocess.run([sys.executable, "-c", _PROBE, *modules], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args()
    cases = {"accesspub (this checkout)": (MODULES, None)}
    if args.against:
        cases[f"accesspub ({args.against})"] = (MODULES, args.against)
    cases["scipy.signal + pyloudnorm"] = (REFERENCE, None)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (modules, path) in cases.items():
            runs[name].append(probe(modules, path))
    print(f"import on top of numpy, fresh interpreter, median of {args.runs} runs "
          f"({os.cpu_count()} cores)")
    for name, figures in runs.items():
        cpu, wall, rss = (statistics.median(f[key] for f in figures)
                          for key in ("cpu", "wall", "rss"))
        print(f"{name:<45} CPU {1000 * cpu:7.1f} ms  wall {1000 * wall:7.1f} ms  "
              f"RSS +{rss:5.1f} MB")


if __name__ == "__main__":
    main()
