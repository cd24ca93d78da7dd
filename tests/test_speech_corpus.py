"""The table-driven corpus of real sentences (tests/speech/corpus-*.toml) reads right.

Each sentence was copied from a public release (its source URL beside it) and its spoken
form written for a listener; benchmarks/speech_accuracy.py prints the same table as counts.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from accesspub.speech.normalize import normalize

CORPUS = Path(__file__).resolve().parent / "speech"
ROWS = [(path.stem.removeprefix("corpus-"), row)
        for path in sorted(CORPUS.glob("corpus-*.toml"))
        for row in tomllib.loads(path.read_text(encoding="utf-8"))["sentence"]]


@pytest.mark.parametrize("lang, row", ROWS, ids=[f"{lang}-{row['text'][:40]}" for lang, row in ROWS])
def test_real_sentence_reads_right(lang: str, row: dict) -> None:
    assert normalize(row["text"], lang) == row["spoken"]


def test_every_sentence_names_its_source_and_leaves_no_digit() -> None:
    assert {lang for lang, _ in ROWS} == {"en", "de", "fr", "es"}
    for _, row in ROWS:
        assert row["source"].startswith(("http://", "https://"))
        assert not re.search(r"\d", row["spoken"])


# One name per category in every language, so that benchmarks/speech_accuracy.py adds up
# a category across languages ("roman", not "roman" here and "roman numeral" there).
CATEGORIES = frozenset({
    "abbreviation", "address", "agreement", "capitals", "code", "date", "dateline", "decade",
    "digit-letter", "email", "fraction", "hashtag", "money", "number", "ordinal", "percent",
    "phone", "range", "ratio", "roman", "service number", "time", "unit", "url", "year"})


def test_every_category_is_one_of_the_shared_names() -> None:
    used = {row["category"] for _, row in ROWS}
    assert used <= CATEGORIES, sorted(used - CATEGORIES)
