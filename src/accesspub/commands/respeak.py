"""``accesspub respeak TARGET``: speak one sentence again, with another noise seed.

    choose(config, target, seed=None, undo=False) -> Choice

TARGET is what a person has in front of them: ``content/x.md:42`` as a diagnostic prints
it (a line inside a paragraph finds that paragraph), a sentence id as ``check --speech``
and ``listen-report.json`` show it (``c01-s0003``, or ``RELEASE/c01-s0003`` when several
releases have one), or a few words of the sentence.  The choice is recorded in
respeak.toml (``accesspub.respeak``) and takes effect at the next build.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from accesspub.config import Config
from accesspub.errors import ContentError, Diagnostics
from accesspub.model import Publication, Sentence, SourceLocation
from accesspub import respeak

__all__ = ["Choice", "choose"]

_ID = re.compile(r"(?:(?P<slug>[^/\s]+)/)?(?P<id>c\d+-s\d+)")


@dataclass(frozen=True, slots=True)
class Choice:
    sentence: Sentence
    slug: str
    seed: int            # 0: the first recording again (the entry was removed)
    was: int
    path: Path


def choose(config: Config, target: str, seed: int | None = None,
           undo: bool = False) -> Choice:
    """Record a new seed (the next one, or ``seed``) for the sentence at ``target``, or
    remove its entry (``undo``).  Raises ContentError, located, when TARGET names no
    sentence or several, or respeak.toml has errors or is not accesspub's."""
    found = respeak.read(config)
    if found.problems:
        first = found.problems[0]
        raise ContentError(first.message, first.location, code=first.code, hint=first.hint,
                           diagnostics=tuple(found.problems))
    if found.exists and not found.ours:
        raise respeak.not_ours()
    from accesspub.read import load_publications
    publications = load_publications(config, Diagnostics(config.ignore))
    slug, sentence = _find(config, publications, target.strip())
    key = (sentence.location.path, respeak.same_text(sentence.text))
    entries = [e for e in found.entries if (e.file, respeak.same_text(e.text)) != key]
    was = next((e.seed for e in found.entries
                if (e.file, respeak.same_text(e.text)) == key), 0)
    new = 0 if undo else seed if seed is not None else was % respeak.MAX_SEED + 1
    if new:
        at = next((i for i, e in enumerate(found.entries)
                   if (e.file, respeak.same_text(e.text)) == key), len(entries))
        entries.insert(at, respeak.Entry(sentence.location.path, sentence.text, new))
    path = respeak.write(config, [replace(e, line=0) for e in entries])
    return Choice(sentence, slug, new, was, path)


def _find(config: Config, publications: list[Publication],
          target: str) -> tuple[str, Sentence]:
    every = [(p.slug, s) for p in publications for s in p.iter_sentences()
             if s.spoken or s.text.strip()]
    located = re.fullmatch(r"(?P<file>.+?):(?P<line>\d+)(?::\d+)?", target)
    named = _ID.fullmatch(target)
    if located:
        file = _shown(config, located["file"])
        line = int(located["line"])
        in_file = [(slug, s) for slug, s in every if s.location.path == file]
        if not in_file:
            raise ContentError(f"no sentence of a release is in {file}", SourceLocation(file),
                               code="respeak-target",
                               hint="give FILE:LINE as a diagnostic shows it, such as "
                                    "content/my-release.md:12")
        # Sentences are located at the first line of their paragraph, heading or item.
        starts = [s.location.line or 0 for _, s in in_file]
        block = max((n for n in starts if n <= line), default=None)
        matches = [(slug, s) for slug, s in in_file if (s.location.line or 0) == block]
        what = f"sentence at {file}:{line}"
        place = SourceLocation(file, line)
    elif named:
        matches = [(slug, s) for slug, s in every
                   if s.id == named["id"] and named["slug"] in (None, slug)]
        what = f"sentence {target}"
        place = None
    else:
        words = respeak.same_text(target).casefold()
        matches = [(slug, s) for slug, s in every
                   if words and words in respeak.same_text(s.text).casefold()]
        what = f"sentence with \"{target}\""
        place = None
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ContentError(f"no {what} in the releases", place, code="respeak-target",
                           hint="name it as content/FILE.md:LINE, by its id (accesspub check "
                                "--speech shows ids), or by a few of its words in quotes")
    several = len({slug for slug, _ in matches}) > 1
    listed = "; ".join(f"accesspub respeak {f'{slug}/' if several else ''}{s.id} "
                       f"(\"{_quote(s.text)}\")" for slug, s in matches[:8])
    raise ContentError(f"{len(matches)} sentences match ({what}): name one", place,
                       code="respeak-target", hint=listed)


def _shown(config: Config, file: str) -> str:
    """``file`` (from here or from the project folder) as diagnostics show it."""
    root = Path(os.path.abspath(config.root))
    for candidate in (Path(os.path.abspath(file)), root / file):
        if candidate.is_relative_to(root) and candidate.exists():
            return candidate.relative_to(root).as_posix()
    return Path(file).as_posix()


def _quote(text: str, limit: int = 60) -> str:
    text = respeak.same_text(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"
