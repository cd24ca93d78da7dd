"""The long fuzz run: many generated releases, each built and checked by EPUBCheck.

    .venv/bin/python scripts/fuzz.py                  # 500 examples
    .venv/bin/python scripts/fuzz.py -n 5000 --seed 7 --keep test-output/fuzz

Uses the same Hypothesis strategies as ``tests/test_robust.py`` (which runs 40 examples
in the suite): Markdown with nesting, raw HTML, odd Unicode, right-to-left text, emoji,
control characters, huge lines, random ``{lang=…}`` attributes and footnotes.  Every
example must give an EPUB that EPUBCheck passes, or a clear ``file:line: error code:``
message with exit status 1 (2 for configuration) — never an internal error or a traceback.

EPUBs are validated in batches of ``--batch``, all in one Java start.  Each failing example's
source, output and EPUB are kept in ``--keep`` (default ``test-output/fuzz``), and the
script exits 1 if there was any.  Without ``--seed`` every run draws new examples.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from accesspub.testing import validate as validate  # noqa: E402
from test_robust import DIAGNOSTIC_RE, build_one, release, write_project  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--examples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--batch", type=int, default=100, help="EPUBs checked together")
    parser.add_argument("--keep", type=Path, default=REPO / "test-output" / "fuzz")
    args = parser.parse_args()
    run_seed = args.seed if args.seed is not None else random.randrange(2**32)
    print(f"fuzz: {args.examples} examples, seed {run_seed}")

    work = Path(tempfile.mkdtemp(prefix="accesspub-fuzz-"))
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    pending: list[tuple[Path, str]] = []
    checker = validate.EpubCheckServer()   # one JVM for the whole run
    counter = iter(range(10**9))
    started = time.monotonic()

    def keep(name: str, text: str, output: str, epub: Path | None = None) -> Path:
        folder = args.keep / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "fuzz.md").write_bytes(text.encode("utf-8", "surrogatepass"))
        (folder / "output.txt").write_text(output, encoding="utf-8")
        if epub is not None and epub.exists():
            shutil.copy(epub, folder / "fuzz.epub")
        return folder

    def validate_pending() -> None:
        if not pending:
            return
        results = validate.run_epubcheck([epub for epub, _ in pending], server=checker)
        for epub, text in pending:
            result = results[epub]
            if result.ok:
                outcomes["valid EPUB"] += 1
            else:
                outcomes["INVALID EPUB"] += 1
                folder = keep(epub.parent.parent.parent.name, text, result.report(), epub)
                failures.append(f"{folder}: EPUBCheck failed")
            shutil.rmtree(epub.parent.parent.parent, ignore_errors=True)
        pending.clear()

    @seed(run_seed)
    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(release())
    def run(text: str) -> None:
        name = f"p{next(counter):06d}"
        root = write_project(work / name, text)
        code, output = build_one(root)
        if code == 0:
            pending.append((root / "build" / "fuzz" / "fuzz.epub", text))
            if len(pending) >= args.batch:
                validate_pending()
            return
        clear = (code in (1, 2) and DIAGNOSTIC_RE.search(output)
                 and "Traceback" not in output and "internal error" not in output)
        if clear:
            outcomes["clear error"] += 1
        else:
            outcomes[f"UNCLEAR exit {code}"] += 1
            failures.append(f"{keep(name, text, output)}: exit {code}")
        shutil.rmtree(root, ignore_errors=True)

    try:
        run()
        validate_pending()
    finally:
        checker.close()
        shutil.rmtree(work, ignore_errors=True)
    print(f"fuzz: {dict(outcomes)} in {time.monotonic() - started:.0f} s (seed {run_seed})")
    for line in failures:
        print(f"FAILED {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
