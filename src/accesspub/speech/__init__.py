"""The speech stage: every sentence's displayed text -> what the engine says.

    apply_speech(publication, config, diagnostics, lexicon=None) -> Publication

Each sentence's runs are grouped by language; each group is put through the user's
lexicon (PLS) first, so an entry overrides every rule, then through ``normalize`` for
its language, and becomes one ``SpokenPart``.  The model is frozen: a new Publication
is built with ``dataclasses.replace``.
"""

from __future__ import annotations

import dataclasses
import re
from itertools import groupby
from typing import Callable, Iterable

from accesspub.config import Config
from accesspub.errors import Diagnostics
from accesspub.model import (Block, Chapter, Publication, Run, Section, Sentence,
                             SpokenPart)
from accesspub.speech.lexicon import Lexicon, load_lexicon
from accesspub.speech.normalize import has_rules, normalize, phrase
from accesspub.languages import primary

__all__ = ["apply_speech", "speech_differences", "map_sentences", "spoken_parts",
           "normalize", "load_lexicon", "Lexicon"]

_CONTAINERS = (Publication, Chapter, Section, Block)


def map_sentences(node, fn: Callable[[Sentence], Sentence]):
    """A copy of ``node`` (Publication, Chapter, Section or Block) with ``fn`` applied to
    every Sentence inside it; every other value is shared, not copied."""
    if isinstance(node, Sentence):
        return fn(node)
    if not isinstance(node, _CONTAINERS):
        return node
    changes = {}
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if isinstance(value, tuple):
            items = tuple(map_sentences(item, fn) for item in value)
            if any(a is not b for a, b in zip(items, value)):
                changes[field.name] = items
        else:
            new = map_sentences(value, fn)
            if new is not value:
                changes[field.name] = new
    return dataclasses.replace(node, **changes) if changes else node


_PHRASE_END = tuple(".,;:!?…。、，،؛؟")


def _run_text(run: Run, read_noterefs: bool, before: str = "") -> str:
    if run.kind == "break":
        # A line that ends without punctuation (a list of links, one per line) still ends
        # a phrase for a listener: the comma gives the engine's pause.
        before = before.rstrip()
        return ", " if before and not before.endswith(_PHRASE_END) else " "
    if run.kind == "noteref":
        # In parentheses: a pause before and after, like a reader glancing at the margin.
        return f" ({phrase('note', run.lang)} {run.text.strip()}) " if read_noterefs else ""
    return run.text


def _lexicons_for(lexicon: Lexicon | Iterable[Lexicon] | None) -> tuple[Lexicon, ...]:
    if lexicon is None:
        return ()
    if isinstance(lexicon, Lexicon):
        return (lexicon,)
    return tuple(lexicon)


def spoken_parts(sentence: Sentence, config: Config,
                 lexicons: tuple[Lexicon, ...] = ()) -> tuple[SpokenPart, ...]:
    """What the engine says for one sentence: one SpokenPart per run of the same language."""
    parts: list[SpokenPart] = []
    read_noterefs = config.narration.read_noterefs
    for lang, runs in groupby(sentence.runs, key=lambda r: r.lang or sentence.lang):
        text = ""
        for r in runs:
            text += _run_text(r, read_noterefs, text[-200:])
        phonemes = config.narration.choice_for(lang).engine == "piper"
        for lex in lexicons:
            text = lex.apply(text, lang, phonemes=phonemes)
        text = normalize(text, lang, number_format=config.number_format)
        if text:
            parts.append(SpokenPart(text, lang))
    if sentence.role == "alt":
        parts = _with_image_prefix(parts, sentence.lang)
    return tuple(parts)


def _with_image_prefix(parts: list[SpokenPart], lang: str) -> list[SpokenPart]:
    """An image's text alternative is announced: "Image: a map of Baku"."""
    word = phrase("image", lang)
    if parts and primary(parts[0].lang) == primary(lang):
        return [SpokenPart(f"{word}: {parts[0].text}", parts[0].lang), *parts[1:]]
    return [SpokenPart(f"{word}:", lang), *parts]


def apply_speech(publication: Publication, config: Config, diagnostics: Diagnostics,
                 lexicon: Lexicon | Iterable[Lexicon] | None = None) -> Publication:
    """A copy of ``publication`` in which every ``Sentence.spoken`` is filled.

    Reports to ``diagnostics``: a notice for each language without speech rules (its text
    is passed to the engine as written) and a warning for each sentence whose spoken text
    still holds digits although its language has rules (the engine would guess).
    """
    lexicons = _lexicons_for(lexicon)
    without_rules: set[str] = set()
    headers = cell_headers(publication) if config.narration.read_table_headers else {}

    def speak(sentence: Sentence) -> Sentence:
        parts = spoken_parts(sentence, config, lexicons)
        if sentence.id in headers and parts:
            # A listener cannot glance up at the column: say its header, as screen readers do.
            header = normalize(headers[sentence.id], parts[0].lang, number_format=config.number_format)
            parts = (SpokenPart(f"{header}: {parts[0].text}", parts[0].lang), *parts[1:])
        for part in parts:
            if not has_rules(part.lang):
                if part.lang not in without_rules:
                    without_rules.add(part.lang)
                    diagnostics.notice(
                        "speech-no-rules", f"no speech rules for language {part.lang!r}: "
                        "numbers and abbreviations are passed to the engine as written",
                        sentence.location, "add a lexicon entry for words it says wrongly")
            elif re.search(r"\d", _without_phonemes(part.text)):
                diagnostics.warning(
                    "speech-digits", f"spoken text still has digits: {part.text!r}",
                    sentence.location, "add a lexicon alias for this number")
        return dataclasses.replace(sentence, spoken=parts)

    return map_sentences(publication, speak)


def cell_headers(publication: Publication) -> dict[str, str]:
    """The first sentence of every data cell -> the text of its column's header cell."""
    out: dict[str, str] = {}
    for chapter in publication.chapters:
        for section in chapter.section.iter_sections():
            for top in section.blocks:
                for table in top.iter_blocks():
                    if table.kind != "table" or not table.children:
                        continue
                    head = table.children[0]
                    if not all(c.get("header") == "true" for c in head.children):
                        continue
                    names = [" ".join(s.text for s in c.sentences) for c in head.children]
                    for row in table.children[1:]:
                        for name, cell in zip(names, row.children):
                            if cell.get("header") != "true" and cell.sentences and name:
                                out[cell.sentences[0].id] = name
    return out


def _without_phonemes(text: str) -> str:
    return re.sub(r"\[\[[^\[\]]*\]\]", "", text)


def speech_differences(publication: Publication) -> list[tuple[Sentence, str]]:
    """Sentences whose spoken text differs from their displayed text, with the spoken
    text, in reading order: what a person should proofread (``accesspub check --speech``)."""
    out = []
    for sentence in publication.iter_sentences():
        spoken = sentence.spoken_text
        if " ".join(spoken.split()) != " ".join(sentence.text.split()):
            out.append((sentence, spoken))
    return out
