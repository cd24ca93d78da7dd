"""``respeak.toml``: the sentences to be spoken again with another noise seed.

Piper sometimes garbles a sentence (skips or repeats words).  The same text always gives
the same recording, so a rebuild cannot fix it; another noise seed gives another recording.
``accesspub respeak`` writes the choice here, at the project's root::

    # accesspub respeak: sentences spoken again with another noise seed.
    ...
    [[sentence]]
    file = "content/black-january-2020.md"
    text = "The whole sentence, as written."
    seed = 1

An entry names its sentence by file and text, not by line, so edits elsewhere in the file
leave it in force; edit the sentence itself and the entry no longer applies (reported as
``respeak-stale``, and the new text is spoken as any other).  The seed reaches the engine
inside the spoken text (``engines.select.with_seed``), and through it the clip's cache
key: that clip alone changes, and a rebuild with the same file gives the same bytes.

accesspub writes only a file that starts with its own first line (``HEADER``): any other
``respeak.toml`` is the user's, and is neither read nor overwritten.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from accesspub.config import Config
from accesspub.errors import ContentError, Diagnostic, Diagnostics
from accesspub.model import Publication, Sentence, SourceLocation

FILE_NAME = "respeak.toml"
HEADER = "# accesspub respeak: sentences spoken again with another noise seed."
INTRO = f"""{HEADER}
# Written by `accesspub respeak FILE:LINE` (or a sentence id): keep it with the content.
# A sentence is found by its file and exact text, so edits elsewhere keep it in force;
# once the sentence itself is edited, the entry no longer applies (a warning says so).
# seed: 1 to {{max_seed}}, another recording of the same sentence. Delete an entry (or run
# `accesspub respeak TARGET --undo`) to go back to the first recording.
"""
MAX_SEED = 999
KEYS = ("file", "text", "seed")


@dataclass(frozen=True, slots=True)
class Entry:
    file: str           # as diagnostics show it: "content/x.md"
    text: str           # the sentence as written (Sentence.text)
    seed: int
    line: int = 0       # of its [[sentence]] in respeak.toml; 0 for a new one


@dataclass
class Respeak:
    """What respeak.toml says: its valid entries, and the problems of the others."""

    path: Path
    exists: bool = False
    ours: bool = True
    entries: list[Entry] = dataclasses.field(default_factory=list)
    problems: list[Diagnostic] = dataclasses.field(default_factory=list)

    def seeds(self) -> dict[tuple[str, str], tuple[int, Entry]]:
        return {(e.file, same_text(e.text)): (e.seed, e) for e in self.entries}


def same_text(text: str) -> str:
    """A sentence's text as entries compare it: runs of white space are one space."""
    return " ".join(text.split())


def where(line: int | None = None) -> SourceLocation:
    return SourceLocation(FILE_NAME, line or None)


def path_of(config: Config) -> Path:
    return config.root / FILE_NAME


def read(config: Config) -> Respeak:
    """respeak.toml of the project, checked: every problem located at its line."""
    path = path_of(config)
    found = Respeak(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return found
    except (OSError, UnicodeDecodeError) as exc:
        found.exists = True
        found.problems.append(Diagnostic("error", "respeak-invalid",
                                         f"cannot read {FILE_NAME}: {exc}", where(),
                                         "save it as UTF-8 text, or delete it"))
        return found
    found.exists = True
    if not text.startswith(HEADER):
        found.ours = False
        return found
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
        found.problems.append(Diagnostic(
            "error", "respeak-invalid", f"not valid TOML: {message[:at.start() if at else None]}",
            where(int(at.group(1)) if at else None),
            "check quotes and '=' on that line, or run accesspub respeak again"))
        return found
    lines = _Lines(text)

    def problem(message: str, line: int, hint: str) -> None:
        found.problems.append(Diagnostic("error", "respeak-invalid", message, where(line), hint))

    for key in data:
        if key != "sentence":
            problem(f"unknown key {key!r}: this file holds only [[sentence]] entries",
                    lines.key(key, 0, len(lines.text) + 1), "delete it")
    tables = data.get("sentence", [])
    if not isinstance(tables, list):
        problem("sentence must be a list of [[sentence]] tables",
                lines.key("sentence", 0, len(lines.text) + 1),
                "write each entry as [[sentence]] with file, text and seed")
        tables = []
    seen: dict[tuple[str, str], int] = {}
    for index, table in enumerate(tables):
        start = lines.header(index)
        end = lines.header(index + 1) or len(lines.text) + 1
        if not isinstance(table, dict):
            problem(f"sentence entries are [[sentence]] tables, not {table!r}",
                    start or lines.key("sentence", 0, len(lines.text) + 1),
                    "write each entry as [[sentence]] with file, text and seed")
            continue

        def at(key: str, start: int = start, end: int = end) -> int:
            return lines.key(key, start, end) or start

        for key in sorted(set(table) - set(KEYS)):
            problem(f"[[sentence]] has an unknown key {key!r}", at(key),
                    "an entry has file, text and seed only")
        file, said, seed = (table.get(k) for k in KEYS)
        bad = False
        for key, value in (("file", file), ("text", said)):
            if not isinstance(value, str) or not value.strip():
                problem(f"[[sentence]] needs {key} = \"…\" (a non-empty string)", at(key),
                        "run accesspub respeak FILE:LINE to write the entry for you")
                bad = True
        if isinstance(seed, bool) or not isinstance(seed, int) or not 1 <= seed <= MAX_SEED:
            problem(f"seed must be a whole number from 1 to {MAX_SEED}, not {seed!r}",
                    at("seed"), "seed = 1, 2, 3 …: each is another recording of the sentence")
            bad = True
        if bad:
            continue
        key = (file, same_text(said))
        if key in seen:
            problem(f"this sentence of {file} has an entry already (line {seen[key]})",
                    start, "keep one entry per sentence: delete this one")
            continue
        seen[key] = start
        found.entries.append(Entry(file, said, seed, start))
    return found


class _Lines:
    """Where ``[[sentence]]`` tables and keys are in the text: tomllib does not say."""

    def __init__(self, text: str) -> None:
        self.text = text.splitlines()
        self.headers = [n for n, line in enumerate(self.text, 1)
                        if re.match(r"\s*\[\[\s*sentence\s*\]\]", line)]

    def header(self, index: int) -> int:
        return self.headers[index] if index < len(self.headers) else 0

    def key(self, key: str, start: int, end: int) -> int:
        pattern = re.compile(rf"\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
        for n in range(max(start, 1), min(end, len(self.text) + 1)):
            if pattern.match(self.text[n - 1]):
                return n
        return 0


# -- the build -------------------------------------------------------------------------------

def check(config: Config, publications: list[Publication], diag: Diagnostics) -> None:
    """Report respeak.toml's problems, entries whose sentence is gone (``respeak-stale``)
    and seeds an engine ignores (``respeak-ignored``, once per engine)."""
    from accesspub.engines.select import accepts_seed
    found = read(config)
    if not found.exists:
        return
    if not found.ours:
        diag.warning("respeak-not-ours", f"{FILE_NAME} was not written by accesspub "
                     "(its first line is not accesspub's): it is not read", where(1),
                     f"move it away and run accesspub respeak to make a new one, or start it "
                     f"with the line: {HEADER}")
        return
    diag.extend(found.problems)
    sentences: dict[tuple[str, str], list[Sentence]] = {}
    read_files: set[str] = set()
    for publication in publications:
        for sentence in publication.iter_sentences():
            read_files.add(sentence.location.path)
            sentences.setdefault((sentence.location.path, same_text(sentence.text)),
                                 []).append(sentence)
    ignored: set[str] = set()
    for entry in found.entries:
        matched = sentences.get((entry.file, same_text(entry.text)))
        if not matched:
            if entry.file in read_files or not (config.root / entry.file).is_file():
                diag.warning("respeak-stale", f"no sentence \"{_quote(entry.text)}\" in "
                             f"{entry.file} any more: this entry does nothing",
                             where(entry.line),
                             "if the sentence was edited, its new text is spoken afresh; "
                             "delete the entry, or run accesspub respeak for the new sentence")
            continue
        for part in matched[0].spoken:
            engine = config.narration.choice_for(part.lang).engine
            if engine not in ignored and not accepts_seed(engine):
                ignored.add(engine)
                diag.warning("respeak-ignored", f"engine {engine} speaks a sentence the same "
                             "way every time: its respeak seeds change nothing",
                             where(entry.line),
                             "respeak helps with Piper; for this engine, reword the sentence "
                             "or add a lexicon entry")


def marked(publication: Publication, config: Config) -> Publication:
    """``publication`` with the spoken parts of every respeak sentence carrying its seed,
    for the engines that take one: what the narration speaks.  Unchanged when there is no
    respeak.toml (or it is not ours); entries with problems are left out (``check`` has
    reported them)."""
    found = read(config)
    seeds = found.seeds() if found.ours else {}
    if not seeds:
        return publication
    from accesspub.engines.select import accepts_seed, with_seed
    from accesspub.speech import map_sentences
    takes = {}

    def mark(sentence: Sentence) -> Sentence:
        chosen = seeds.get((sentence.location.path, same_text(sentence.text)))
        if chosen is None:
            return sentence
        parts = []
        for part in sentence.spoken:
            engine = config.narration.choice_for(part.lang).engine
            if engine not in takes:
                takes[engine] = accepts_seed(engine)
            parts.append(dataclasses.replace(part, text=with_seed(part.text, chosen[0]))
                         if takes[engine] and part.text.strip() else part)
        return dataclasses.replace(sentence, spoken=tuple(parts))

    return map_sentences(publication, mark)


# -- writing ---------------------------------------------------------------------------------

def _quote(text: str, limit: int = 80) -> str:
    text = same_text(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _toml_string(text: str) -> str:
    # JSON's escapes (\", \\, \n, \uXXXX) are TOML's; DEL is the one TOML wants escaped too.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def render(entries: list[Entry]) -> str:
    """The file for ``entries``: the same entries always give the same bytes."""
    out = [INTRO.format(max_seed=MAX_SEED)]
    for entry in entries:
        out.append(f"\n[[sentence]]\nfile = {_toml_string(entry.file)}\n"
                   f"text = {_toml_string(entry.text)}\nseed = {entry.seed}\n")
    return "".join(out)


def not_ours() -> ContentError:
    return ContentError(f"{FILE_NAME} exists and was not written by accesspub: not "
                        "overwritten", where(1), code="respeak-not-ours",
                        hint=f"move it away (accesspub then writes a new one), or start "
                             f"it with the line: {HEADER}")


def write(config: Config, entries: list[Entry]) -> Path:
    """Replace respeak.toml with ``entries`` (atomically); refuses a file that is not ours.
    With no entry left the file is removed: it was ours."""
    path = path_of(config)
    found = read(config)
    if found.exists and not found.ours:
        raise not_ours()
    if not entries:
        if found.exists:
            path.unlink()
        return path
    temp = path.with_name(f".{FILE_NAME}.{os.getpid()}.part")
    temp.write_text(render(entries), encoding="utf-8")
    os.replace(temp, path)
    return path
