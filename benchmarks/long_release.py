"""Book-length release benchmark (issue 8): time, memory and linear growth.

    .venv/bin/python benchmarks/long_release.py                 # 20,000 words: slow (~20 min on 2 cores)
    .venv/bin/python benchmarks/long_release.py --words 3000    # while developing

For a generated book (``benchmarks/make_book.py``, several chapter files) of ``--words``
words and for half of it, prints:
  - raw Piper: the bundled voice (``PiperVoice.load``) speaking the same spoken text with
    ``voice.synthesize(text)`` in this process (voice load excluded),
  - a cold ``accesspub build`` (empty speech cache, default jobs) in a child process: wall
    time, its ratio to raw Piper, and peak RSS (``ru_maxrss`` of the children, so the
    largest of the build process and its synthesis workers),
  - how build time and RSS grow from half to the whole book.
Aims: peak RSS under 400 MB; ratio to raw Piper at most 1.0; cost linear in the length.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from common import MEASURE, prepare_voice, raw_piper  # noqa: E402
from make_book import make_book  # noqa: E402


def spoken_text(project: Path) -> tuple[str, int, int]:
    """(spoken text of the release, sentences, chapters), as the build will speak it."""
    from accesspub.build import BuildOptions, prepare
    from accesspub.config import load_config
    publications, _, _ = prepare(load_config(project), BuildOptions(audio=False))
    sentences = [s for p in publications for s in p.iter_sentences()]
    chapters = sum(len(p.chapters) for p in publications)
    return "\n".join(s.spoken_text for s in sentences), len(sentences), chapters


# The build process itself, reporting its own peak RSS (without its workers) at exit.
BUILD = """
import atexit, resource, runpy, sys
atexit.register(lambda: sys.stderr.write(
    f"main-process-peak-kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n"))
sys.argv[0] = "accesspub"
runpy.run_module("accesspub", run_name="__main__")
"""


def timed_build(project: Path, cache: Path, *args: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one `accesspub build` in a fresh process; prints the
    build process's own peak (the rest is its synthesis workers)."""
    env = dict(os.environ, ACCESSPUB_CACHE=str(cache), CI="1")
    command = [sys.executable, "-c", MEASURE, sys.executable, "-c", BUILD, "-C",
               str(project), "build", *args]
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    progress = [line for line in done.stderr.splitlines() if "done in" in line]
    main_kb = [line.split()[1] for line in done.stderr.splitlines()
               if line.startswith("main-process-peak-kb")]
    if main_kb:
        progress.append(f"build process alone (no workers): peak RSS "
                        f"{int(main_kb[-1]) / 1024:.0f} MB")
    code, seconds, peak_kb = done.stdout.split()
    if code != "0":
        sys.stderr.write(done.stderr)
        raise SystemExit(f"build failed (exit {code}): accesspub build {' '.join(args)}")
    for line in progress:
        print(f"    {line}")
    return float(seconds), int(peak_kb) / 1024


def measure(words: int, tmp: Path, label: str, raw: bool) -> dict:
    project = tmp / label
    written = make_book(project, words)
    files = len(list((project / "content").rglob("*.md")))
    text, sentences, chapters = spoken_text(project)
    row = {"label": label, "words": written, "files": files, "sentences": sentences,
           "chapters": chapters}
    print(f"{label}: {written} words in {files} chapter files, {chapters} tracks, "
          f"{sentences} sentences, {len(text)} characters of spoken text", flush=True)
    if raw:
        _, row["raw"], row["audio"] = raw_piper(text)
        print(f"  raw Piper, one call:   {row['raw']:7.1f} s for {row['audio'] / 60:.1f} min "
              f"of speech ({row['audio'] / row['raw']:.1f}x real time)", flush=True)
    row["build"], row["rss"] = timed_build(project, tmp / f"cache-{label}")
    ratio = f"{row['build'] / row['raw']:5.2f}x raw Piper" if raw else ""
    print(f"  cold build:            {row['build']:7.1f} s  {ratio}  peak RSS "
          f"{row['rss']:5.0f} MB", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20000)
    parser.add_argument("--no-raw", action="store_true", help="skip raw Piper (no ratio)")
    parser.add_argument("--no-half", action="store_true", help="skip the half-length book")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; python {sys.version.split()[0]}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        prepared = prepare_voice(Path(tmp) / "voices")
        print(f"voice prepared for accesspub in {prepared:.2f} s (once per machine and voice)")
        rows = [measure(args.words, Path(tmp), "whole", not args.no_raw)]
        if not args.no_half:
            rows.append(measure(args.words // 2, Path(tmp), "half", not args.no_raw))
    if len(rows) == 2:
        whole, half = rows
        print(f"growth half -> whole: words x{whole['words'] / half['words']:.2f}, "
              f"build time x{whole['build'] / half['build']:.2f}, "
              f"peak RSS x{whole['rss'] / half['rss']:.2f}")
    for row in rows:
        verdict = []
        verdict.append(f"RSS {'OK' if row['rss'] < 400 else 'OVER'} (<400 MB)")
        if "raw" in row:
            ok = row["build"] <= row["raw"]
            verdict.append(f"ratio {row['build'] / row['raw']:.2f} {'OK' if ok else 'OVER'} (<=1.0)")
        print(f"{row['label']}: " + ", ".join(verdict))


if __name__ == "__main__":
    main()
