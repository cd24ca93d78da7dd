"""Heard words to sentences (by the Timeline) and a word error rate per sentence."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right

TOLERANCE = 0.25     # s: a word just outside every clip goes to the nearest one within this


def normalise(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[-‐‑‒–—/]", " ", text)
    text = re.sub(r"[^\w\s']|_", " ", text)
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text)       # quotes go, "don't" stays
    return text.split()


def anchor(start: float, end: float) -> float:
    """Whisper starts a sentence's first word early, in the pause before it; its end is
    reliable (on the sample this anchor gave WER 0.121 against 0.136 for the midpoint)."""
    return max(start, end - 0.05)


def assign_words(words, intervals, tolerance: float = TOLERANCE):
    """words [(start, end, text)], intervals [(sid, begin, end)] sorted, all in seconds.
    Returns ({sid: [text…]}, stray texts)."""
    begins = [b for _, b, _ in intervals]
    heard: dict[str, list[str]] = {sid: [] for sid, _, _ in intervals}
    stray = []
    for start, end, text in words:
        at = anchor(start, end)
        i = bisect_right(begins, at) - 1
        best, dist = None, tolerance
        for j in (i, i + 1):
            if 0 <= j < len(intervals):
                sid, b, e = intervals[j]
                d = 0.0 if b <= at < e else min(abs(at - b), abs(at - e))
                if d <= dist:
                    best, dist = sid, d
        (heard[best] if best else stray).append(text)
    return heard, stray


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1]


def wer_counts(meant: str, heard: str) -> tuple[int, int]:
    """(errors, words meant); a whole-text WER is the sum of errors over the sum of words."""
    ref, hyp = normalise(meant), normalise(heard)
    return edit_distance(ref, hyp), len(ref)


def substitutions(meant: str, heard: str) -> list[tuple[str, str]]:
    """Single words heard as something else, where the rest of the sentence lines up:
    (meant word, heard words) pairs, for lexicon suggestions."""
    import difflib
    ref, hyp = normalise(meant), normalise(heard)
    pairs = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ref, b=hyp, autojunk=False).get_opcodes():
        if op == "replace" and i2 - i1 == 1:
            pairs.append((ref[i1], " ".join(hyp[j1:j2])))
    return pairs
