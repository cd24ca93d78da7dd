"""What the test suite's checkers cost: EPUBCheck and Ace, one start per EPUB against one kept.

    ./dev python benchmarks/validators.py [--posts N] [--rounds R]

Builds the sample and N real posts of tests/corpus as text-only EPUBs (no speech), then
checks them all, R rounds each way, and prints the median per way:

- EPUBCheck: ``run_epubcheck([epub])`` per EPUB (a JVM each, as one call per test module
  did) against one ``EpubCheckServer`` fed every EPUB (as the test session now does);
- Ace: ``run_ace`` per EPUB (the ``ace`` command: Node, Ace and Chromium each time) against
  one ``AceServer`` (one Node and one Chromium), first EPUB included.

A shared machine's speed drifts: compare within a round, and re-run when it is quiet.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"


def build_text_only(root: Path, files: dict[str, bytes] | None) -> Path:
    from click.testing import CliRunner
    from accesspub.cli import main
    root.mkdir(parents=True)
    if files is None:                       # the sample
        for part in ("accesspub.toml", "content", "assets"):
            source = REPO / part
            (shutil.copytree if source.is_dir() else shutil.copy)(source, root / part)
    else:
        (root / "content").mkdir()
        (root / "accesspub.toml").write_text('[project]\nlanguage = "en"\n', encoding="utf-8")
        for name, data in files.items():
            (root / "content" / name).write_bytes(data)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "-q", "--no-audio"])
    if result.exit_code != 0:
        raise SystemExit(f"build of {root} failed:\n{result.output}")
    return next((root / "build").glob("*/*.epub"))


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from accesspub.testing import validate

    with tempfile.TemporaryDirectory(prefix="accesspub-bench-validators-") as tmp:
        base = Path(tmp)
        epubs = [build_text_only(base / "sample", None)]
        for n, post in enumerate(sorted(CORPUS.glob("en-*.md"))[:args.posts]):
            epubs.append(build_text_only(base / f"post{n}", {post.name: post.read_bytes()}))
        print(f"{len(epubs)} EPUBs (the sample and {len(epubs) - 1} posts), "
              f"{args.rounds} round(s) each way")

        def epubcheck_each() -> None:
            for epub in epubs:
                validate.run_epubcheck([epub])

        def epubcheck_kept() -> None:
            with validate.EpubCheckServer() as server:
                for epub in epubs:                     # one call per EPUB, as tests make them
                    validate.run_epubcheck([epub], server=server)

        ways = {"EPUBCheck, a JVM per EPUB": epubcheck_each,
                "EPUBCheck, one JVM kept": epubcheck_kept}
        if validate.AceServer.usable():
            def ace_each() -> None:
                for n, epub in enumerate(epubs):
                    validate.run_ace(epub, base / "ace-each" / str(n))

            def ace_kept() -> None:
                with validate.AceServer() as server:
                    for n, epub in enumerate(epubs):
                        server.check_many([(epub, base / "ace-kept" / str(n))])

            ways |= {"Ace, the ace command per EPUB": ace_each,
                     "Ace, one Node and Chromium kept": ace_kept}
        else:
            print("Ace is not installed in .tools/ace (scripts/install-ace.sh): Ace skipped")

        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.rounds):
            for name, work in ways.items():
                times[name].append(timed(work))
        for name, seconds in times.items():
            median = statistics.median(seconds)
            print(f"{name:34} {median:6.1f} s  ({median / len(epubs):.2f} s an EPUB; "
                  f"rounds {', '.join(f'{s:.1f}' for s in seconds)})")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    main()
