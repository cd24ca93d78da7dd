"""Extra build time of each listening format (DAISY 2.02, M4B, W3C audiobook) on the sample.

    ./dev python benchmarks/formats.py          # or .venv/bin/python benchmarks/formats.py

Builds the sample release once, cold (empty speech cache, real Piper), with
``[outputs] formats = []``, then times each writer on that build's narration, three times,
and prints the median and its share of the cold build.  Aim (issue 16): all three together
under 15 % of a cold build.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="accesspub-formats-") as tmp:
        project = Path(tmp) / "sample"
        project.mkdir()
        for part in ("content", "assets"):
            shutil.copytree(REPO / part, project / part)
        config = (REPO / "accesspub.toml").read_text(encoding="utf-8")
        (project / "accesspub.toml").write_text(config + "\n[outputs]\nformats = []\n",
                                                encoding="utf-8")
        env = dict(os.environ, ACCESSPUB_CACHE=str(Path(tmp) / "cache"))
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "accesspub", "-C", str(project), "build", "-q"],
                       env=env, check=True, capture_output=True)
        cold = time.monotonic() - started

        import json
        from accesspub.build import analyse
        from accesspub.config import load_config
        from accesspub.model import Timeline
        from accesspub.writers.daisy import write_daisy
        from accesspub.writers.lpf import write_lpf
        from accesspub.writers.m4b import write_m4b
        publication = analyse(load_config(project))[0][0]
        out = project / "build" / publication.slug
        entry = json.loads((project / "build" / "report.json").read_text())["releases"][0]
        timeline = Timeline.from_json(entry["timeline"], out)
        writers = {"daisy": write_daisy, "m4b": write_m4b, "lpf": write_lpf}
        print(f"sample: {timeline.duration:.1f} s of narration; cold build without the "
              f"formats {cold:.1f} s")
        total = 0.0
        for name, write in writers.items():
            times = []
            for _ in range(3):
                target = Path(tmp) / f"{name}-out"
                shutil.rmtree(target, ignore_errors=True)
                target.mkdir()
                started = time.monotonic()
                write(publication, timeline, target)
                times.append(time.monotonic() - started)
            median = statistics.median(times)
            total += median
            print(f"{name:6} {median:6.2f} s  ({100 * median / cold:4.1f} % of the cold build; "
                  f"runs {', '.join(f'{t:.2f}' for t in times)})")
        print(f"all    {total:6.2f} s  ({100 * total / cold:4.1f} % of the cold build; aim < 15 %)")


if __name__ == "__main__":
    main()
