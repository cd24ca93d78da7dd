"""Split a block's Runs into sentences without breaking on abbreviations or 250.000.

pysbd finds the boundaries on the plain text; the Runs are then cut at those offsets so
each sentence keeps its own, complete stack of marks.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
import re
from functools import lru_cache

import pysbd

from accesspub.model import Run
from accesspub.languages import primary
from accesspub.speech.abbreviation_stops import abbreviation_patterns, starters

PYSBD_LANGUAGES = {"en", "hi", "mr", "zh", "es", "am", "ar", "hy", "bg", "ur", "ru", "pl",
                   "fa", "nl", "da", "fr", "my", "el", "it", "ja", "de", "kk", "sk"}


@lru_cache(maxsize=None)
def _segmenter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=lang if lang in PYSBD_LANGUAGES else "en", clean=False)


def _segments(segmenter: pysbd.Segmenter, text: str) -> list[str]:
    """The sentences pysbd finds, without ``Segmenter.segment``'s last step: that one
    searches the whole text again for every sentence, which is quadratic (a paragraph of
    40 000 characters in short sentences took half a minute).  The offsets are found
    below, in one pass."""
    if not hasattr(segmenter, "processor"):        # another pysbd: its own way
        return segmenter.segment(text)
    segmenter.original_text = text
    return segmenter.processor(text).process()


# pysbd's abbreviation pass rewrites the whole text once for every abbreviation in it, so
# its time grows with the square of a paragraph's length (a megabyte of "No. " would take
# hours).  A paragraph longer than WHOLE is given to it in windows: the next window starts
# at a sentence start found in the middle of the last one, so pysbd reads each boundary
# with the words before and after it, as it would in the whole text.
WHOLE = 5000
WINDOW = 1500


def sentence_starts(text: str, lang: str) -> list[int]:
    """Offsets in ``text`` where a sentence after the first begins."""
    if len(text) < 2 or not any(ch in text for ch in ".!?。؟…"):
        return []
    segmenter = _segmenter(primary(lang))
    if len(text) <= WHOLE:
        return _starts(segmenter, text, primary(lang))
    starts: list[int] = []
    at = 0
    while True:
        end = len(text) if len(text) - at <= WINDOW else _cut(text, at, WINDOW)
        found = [at + s for s in _starts(segmenter, text[at:end], primary(lang))]
        if end == len(text):
            return starts + found
        low, high = at + (end - at) // 4, at + (end - at) * 3 // 4
        middle = [s for s in found if low <= s <= high]
        later = [s for s in found if s > high]
        if middle or later:
            nxt = middle[-1] if middle else later[0]
        else:       # one long sentence: cut between two words
            nxt = _cut(text, at, high - at)
            while nxt < len(text) and text[nxt].isspace():
                nxt += 1
        starts.extend(s for s in found if s <= nxt)
        if nxt >= len(text):
            return starts
        at = nxt


def _cut(text: str, at: int, size: int) -> int:
    """A space in the second half of ``text[at:at + size]`` (no word is cut), else its end."""
    space = text.rfind(" ", at + size // 2, at + size + 1)
    return space if space > at else at + size


# How far around a boundary the abbreviation check looks: bounded, so the check is linear.
_LOOK = 40


def _wrong_boundary(text: str, at: int, lang: str) -> bool:
    """Is the sentence start pysbd found at ``at`` a full stop that ends no sentence?

    An abbreviation followed by a number, a lowercase word or a name ("approx. 3,5 %",
    "Smith Jr. Library", "Springfield, Ill. in 2004") goes on; so does a word that starts
    with a dot (".gov", ".NET"), and pysbd's cuts inside one ("n.|º 5").
    """
    head = text[at:at + _LOOK]
    if at > 0 and text[at - 1] == "." and not head[:1].isspace():
        return True                             # a cut inside a token
    if head[:1] == "." and head[1:2].isalnum():
        return True                             # ".gov", ".NET"
    before = text[max(0, at - _LOOK):at].rstrip()
    if lang in ("de", "fr") and _cut_without_a_stop(before, head):
        return True
    if not before.endswith("."):
        return False
    nxt = head.lstrip("([{\"'“„«‘ ")
    if not nxt:
        return False
    if _MERIDIEM.search(before[-_SIDE:]):
        # "from 3 to 7 p.m. Friday": a day or a month goes on; anything else may begin.
        word = re.match(r"[^\W\d_]+", nxt)
        return nxt[0].isdigit() or nxt[0].islower() or bool(word and word[0] in _DAYS_MONTHS)
    if nxt[0].islower() and _REGNAL.search(before[-_SIDE:]):
        return True                             # "Louis XIV. was born"
    is_never, is_may = _abbreviation_before(lang, before[-_SIDE:], head[:_SIDE])
    if not (is_never or is_may):
        return False
    if nxt[0].isdigit() or nxt[0].islower() or nxt[0] in "%§€$£#.–—":
        return True                             # "CANTON TWP. – The …": a dateline
    word = re.match(r"[^\W\d_]+", nxt)
    if not word or word[0] in starters(lang):
        return False
    # German writes every noun with a capital: after "Mio." a capital proves nothing.
    return is_never or lang != "de"


_SIDE = 16      # an abbreviation and the context its pattern looks at fit in this


def _cut_without_a_stop(before: str, head: str) -> bool:
    """German and French: pysbd takes "29. Dezember" or "(1865)" for a list item and starts
    a sentence before it with no full stop, "!" or "?" before; and no sentence starts
    with the comma after "au IIIe s. , même"."""
    end = before.rstrip(")]}\"'”“»«’‘›‹")
    if end and end[-1] not in ".!?…":
        return True
    return head.lstrip()[:1] in (",", ";")

_MERIDIEM = re.compile(r"\b[ap]\.m\.$", re.I)
_REGNAL = re.compile(r"\b[A-Z][a-zäöüéèç]+ [IVXLC]{1,6}\.$")
_DAYS_MONTHS = frozenset("""Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
    February March April May June July August September October November December Mon Tue
    Wed Thu Fri Sat Sun Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec""".split())


@lru_cache(maxsize=4096)
def _abbreviation_before(lang: str, before: str, after: str) -> tuple[bool, bool]:
    """(an abbreviation that never ends a sentence, one that may) ends ``before``.
    Remembered: a text cut after the same abbreviation again and again asks once."""
    never, may = abbreviation_patterns(lang)
    window = before + " " + after
    dot = len(before)

    def ends_here(pattern) -> bool:
        return any(m.end() == dot for m in pattern.finditer(window, 0, len(window)))
    return ends_here(never), ends_here(may)


def _starts(segmenter: pysbd.Segmenter, text: str, lang: str = "en") -> list[int]:
    if not any(ch in text for ch in ".!?。؟…"):
        return []
    try:
        segments = _segments(segmenter, text)
    except Exception:   # pysbd has no error contract; one unsplit block is the safe answer
        return []
    return [at for at in _pysbd_starts(text, segments) if not _wrong_boundary(text, at, lang)]


def _pysbd_starts(text: str, segments: list[str]) -> list[int]:
    starts, cursor = [], 0
    first = len(text) - len(text.lstrip())       # a sentence after the first starts later
    for seg in segments:
        piece = seg.strip()
        if not piece:
            continue
        at = text.find(piece, cursor)
        if at < 0:
            return []
        if at > first:
            starts.append(at)
        cursor = at + len(piece)
    return starts


def _blank(run: Run) -> bool:
    return run.kind == "break" or (run.kind == "text" and not run.text.strip())


def strip_runs(runs: list[Run]) -> list[Run]:
    """Without leading and trailing white space and line breaks (a sentence span, or a
    paragraph, holds only its text); a trailing footnote reference stays."""
    first, last = 0, len(runs)
    while first < last and _blank(runs[first]):
        first += 1
    while last > first and _blank(runs[last - 1]):
        last -= 1
    runs = list(runs[first:last])
    if runs and runs[0].kind == "text":
        runs[0] = Run(runs[0].text.lstrip(), runs[0].lang, runs[0].marks, runs[0].kind)
    if runs and runs[-1].kind == "text":
        runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].lang, runs[-1].marks, runs[-1].kind)
    return runs


def split_sentences(runs: list[Run], lang: str) -> list[list[Run]]:
    """The runs of each sentence, in order; white-space-only sentences are dropped."""
    plain = "".join("\n" if r.kind == "break" else r.text for r in runs)
    cuts = sentence_starts(plain.replace("\n", " "), lang)
    pieces: list[tuple[int, Run]] = []
    offset = 0
    for run in runs:
        length = 1 if run.kind == "break" else len(run.text)
        if run.kind == "text":
            # bisect, not a scan of every cut for every run: both grow with the text
            inner = [c - offset for c in
                     cuts[bisect_right(cuts, offset):bisect_left(cuts, offset + length)]]
            prev = 0
            for cut in inner + [length]:
                if run.text[prev:cut]:
                    pieces.append((offset + prev, Run(run.text[prev:cut], run.lang, run.marks)))
                prev = cut
        else:
            pieces.append((offset, run))
        offset += length
    cut_set = set(cuts)
    sentences: list[list[Run]] = [[]]
    pending = False
    for at, run in pieces:
        at_cut = at in cut_set or pending
        # A footnote reference belongs to the sentence it follows, never starts one.
        if at_cut and run.kind == "noteref":
            pending = True
        else:
            if at_cut and sentences[-1]:
                sentences.append([])
            pending = False
        sentences[-1].append(run)
    out = []
    for sentence in sentences:
        sentence = strip_runs(sentence)
        if any(r.kind != "break" and r.text.strip() for r in sentence):
            out.append(sentence)
    return out
