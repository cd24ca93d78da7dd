"""How many sentences of the real-text corpus (tests/speech/corpus-*.toml) read right, per
language and per category, and per category across the languages ("*").
Run: .venv/bin/python benchmarks/speech_accuracy.py"""

from __future__ import annotations

import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

from accesspub.speech.normalize import normalize

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "speech"


def main() -> int:
    right, total = Counter(), Counter()
    wrong = []
    started = time.perf_counter()
    for path in sorted(CORPUS.glob("corpus-*.toml")):
        lang = path.stem.removeprefix("corpus-")
        for row in tomllib.loads(path.read_text(encoding="utf-8"))["sentence"]:
            said = normalize(row["text"], lang)
            # every corpus names a category alike (tests/test_speech_corpus.CATEGORIES), so
            # "*" adds one up across the languages
            for key in ((lang, "all"), (lang, row["category"]), ("*", row["category"])):
                total[key] += 1
                right[key] += said == row["spoken"]
            if said != row["spoken"]:
                wrong.append((lang, row["text"], said, row["spoken"]))
    elapsed = time.perf_counter() - started
    print(f"{'language':8} {'category':14} {'right':>5} / {'total':<5}")
    for lang, category in sorted(total, key=lambda k: (k[0] == "*", k[0], k[1] != "all", k[1])):
        key = (lang, category)
        print(f"{lang:8} {category:14} {right[key]:>5} / {total[key]:<5}"
              f" {100 * right[key] / total[key]:5.1f} %")
    count = sum(v for (lang, c), v in total.items() if c == "all" and lang != "*")
    good = sum(v for (lang, c), v in right.items() if c == "all" and lang != "*")
    print(f"{'all':8} {'all':14} {good:>5} / {count:<5} {100 * good / count:5.1f} %"
          f"   ({elapsed * 1000 / count:.2f} ms a sentence)")
    for lang, text, said, expected in wrong:
        print(f"\nWRONG {lang}: {text}\n  said:     {said}\n  expected: {expected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
