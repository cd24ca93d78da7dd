"""Which language a release is in, and which passages are in another one (lingua).

A release without a declared language gets the detected one when the evidence is clear.
Inside a release, a sentence is marked as another language only on strong evidence (a
confident, unambiguous detection on a sentence long enough to judge); weaker evidence is
a warning for a person to decide.  Marked sentences are written with ``lang`` in the EPUB
and spoken in their language.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from accesspub.errors import Diagnostics
from accesspub.model import Publication, Run, Sentence

RELEASE_CONFIDENCE = 0.80    # a whole release: its first few thousand characters
STRONG = 0.95                # a sentence is marked
WEAK = 0.70                  # a sentence is reported
MIN_WORDS = 6                # shorter sentences (names, headings) are not judged


@lru_cache(maxsize=1)
def _screen():
    """All languages, trigram models only: loads in a fraction of a second."""
    from lingua import LanguageDetectorBuilder
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


@lru_cache(maxsize=64)
def _judge_between(tags: tuple[str, ...]):
    """Full models, but only of the few languages in question (loading all takes seconds)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, t.upper())) for t in tags]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def _tag(language) -> str:
    return language.iso_code_639_1.name.lower()


def _ranked(detector, text: str) -> list[tuple[str, float]]:
    return [(_tag(v.language), v.value) for v in detector.compute_language_confidence_values(text)]


def confidences(text: str, expected: str | None = None) -> list[tuple[str, float]]:
    """(language tag, confidence) pairs, most likely first.

    A quick screen over all languages names the candidates; with ``expected`` (the
    release language) the full models then decide between it and the top candidates.
    """
    ranked = _ranked(_screen(), text)
    if expected is None:
        return ranked
    candidates = [t for t, _ in ranked[:3] if t != expected]
    try:
        return _ranked(_judge_between(tuple(sorted({expected, *candidates}))), text)
    except AttributeError:          # a tag lingua has no model for: keep the screen
        return ranked


def _prose(markdown: str) -> str:
    """Text of a Markdown source for detection: no front matter, code, tags or links."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"\{[{%<].*?[}%>]\}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>|\]\([^)]*\)|https?://\S+|[#*_`>|\[\]{}]", " ", text)
    return " ".join(text.split())


def detect_release_language(markdown: str) -> tuple[str, float] | None:
    """The language of a release's text and the confidence, when it is clear enough."""
    prose = _prose(markdown)[:4000]
    if len(prose.split()) < 8:
        return None
    ranked = confidences(prose)
    if ranked and ranked[0][1] >= RELEASE_CONFIDENCE:
        return ranked[0]
    return None


def _judge(sentence: Sentence, release_lang: str) -> tuple[str, float] | None:
    if any(r.lang != release_lang for r in sentence.runs if r.text.strip()):
        return None                      # the author marked languages here: theirs is right
    text = sentence.text
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    if sentence.role != "text" or len(words) < MIN_WORDS:
        return None
    primary = release_lang.split("-")[0].lower()
    screen = _ranked(_screen(), text)
    if not screen or screen[0][0] == primary:
        return None
    ranked = confidences(text, expected=primary)
    tag, value = ranked[0]
    if tag == primary:
        return None
    own = next((v for t, v in ranked if t == primary), 0.0)
    if value >= WEAK and own < 0.05:
        return tag, value
    return None


class Verdicts:
    """Detection results kept on disk by (release language, sentence text): lingua's models
    take most of a second to load, and a rebuild judges the same sentences again."""

    VERSION = "1"

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[str, list | None] = {}
        self.changed = False
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == self.VERSION:
                    self.known = data["verdicts"]
            except (OSError, ValueError, KeyError):
                self.known = {}

    def judge(self, sentence: Sentence, release_lang: str) -> tuple[str, float] | None:
        key = hashlib.sha256(f"{release_lang}\0{sentence.role}\0{[(r.lang, r.text) for r in sentence.runs]}".encode()).hexdigest()
        if key not in self.known:
            found = _judge(sentence, release_lang)
            self.known[key] = list(found) if found else None
            self.changed = True
        found = self.known[key]
        return (found[0], found[1]) if found else None

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps({"version": self.VERSION, "verdicts": self.known}), encoding="utf-8")
        os.replace(temp, self.path)


def mark_passages(publication: Publication, diag: Diagnostics,
                  cache_dir: Path | None = None) -> Publication:
    """A copy in which sentences clearly in another language carry that language."""
    from accesspub.speech import map_sentences
    release_lang = publication.meta.lang
    verdicts = Verdicts(cache_dir / "langdetect.json" if cache_dir else None)

    def mark(sentence: Sentence) -> Sentence:
        found = verdicts.judge(sentence, release_lang)
        if found is None:
            return sentence
        tag, value = found
        if value < STRONG:
            diag.warning("lang-passage-unmarked", f"this sentence may be in another language "
                         f"({tag}, {value:.0%} sure); it is read as {release_lang}",
                         sentence.location,
                         f"if it is, mark it: [the sentence]{{lang={tag}}}")
            return sentence
        diag.notice("lang-passage-detected", f"sentence detected as {tag} ({value:.0%} sure); "
                    f"marked and spoken as {tag}", sentence.location,
                    f"mark it yourself to confirm: [the sentence]{{lang={tag}}}")
        runs = tuple(dataclasses.replace(r, lang=tag) for r in sentence.runs)
        return dataclasses.replace(sentence, runs=runs, lang=tag)

    marked = map_sentences(publication, mark)
    try:
        verdicts.save()
    except OSError:
        pass                    # a cache that cannot be written only costs time
    return marked
