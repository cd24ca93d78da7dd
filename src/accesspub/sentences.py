"""Split a block's Runs into sentences without breaking on abbreviations or 250.000.

pysbd finds the boundaries on the plain text; the Runs are then cut at those offsets so
each sentence keeps its own, complete stack of marks.
"""

from __future__ import annotations

from functools import lru_cache

import pysbd

from accesspub.model import Run

PYSBD_LANGUAGES = {"en", "hi", "mr", "zh", "es", "am", "ar", "hy", "bg", "ur", "ru", "pl",
                   "fa", "nl", "da", "fr", "my", "el", "it", "ja", "de", "kk", "sk"}


@lru_cache(maxsize=None)
def _segmenter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=lang if lang in PYSBD_LANGUAGES else "en", clean=False)


def sentence_starts(text: str, lang: str) -> list[int]:
    """Offsets in ``text`` where a sentence after the first begins."""
    if len(text) < 2 or not any(ch in text for ch in ".!?。؟…"):
        return []
    try:
        segments = _segmenter(lang.split("-")[0].lower()).segment(text)
    except Exception:   # pysbd has no error contract; one unsplit block is the safe answer
        return []
    starts, cursor = [], 0
    for seg in segments:
        piece = seg.strip()
        if not piece:
            continue
        at = text.find(piece, cursor)
        if at < 0:
            return []
        if at > 0 and text[:at].strip():
            starts.append(at)
        cursor = at + len(piece)
    return starts


def _blank(run: Run) -> bool:
    return run.kind == "break" or (run.kind == "text" and not run.text.strip())


def strip_runs(runs: list[Run]) -> list[Run]:
    """Without leading and trailing white space and line breaks (a sentence span, or a
    paragraph, holds only its text); a trailing footnote reference stays."""
    runs = list(runs)
    while runs and _blank(runs[0]):
        runs.pop(0)
    while runs and _blank(runs[-1]):
        runs.pop()
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
            inner = [c - offset for c in cuts if offset < c < offset + length]
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
