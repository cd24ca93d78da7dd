"""Content and accessibility checks on a built Publication: what a person should fix.

    lint_publication(publication, config, diagnostics) -> None
    lint_project(config, publications, lexicon, diagnostics, complete=True) -> None

Runs after the model is built and before anything is written, in ``accesspub check`` and
in every build: ``lint_publication`` once per release, ``lint_project`` once per run for
what belongs to the project (accesspub.toml, the lexicon).  Each finding is a warning with a code (listed in docs/checks.md), the
``file:line`` of its block and a fix hint; every code can be silenced per project
(``[check] ignore``) or per release (front matter ``ignore:``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Iterator

from accesspub.config import CONFIG_NAME, Config
from accesspub.errors import Diagnostics
from accesspub.model import Block, Publication, Run, Sentence, SourceLocation
from accesspub.languages import primary

__all__ = ["lint_publication", "lint_project", "CODES"]

CODES = ("a11y-alt-filename", "a11y-link-text", "a11y-table-headers", "style-all-caps",
         "lang-unmarked", "speech-number-ambiguous", "style-long-sentence", "placeholder",
         "lexicon-unused")

LONG_SENTENCE_WORDS = 60
SHORT_LABEL_WORDS = 3
IMAGE_NAME_RE = re.compile(
    r"^(?:[\w.-]*\.(?:png|jpe?g|gif|webp|svg|tiff?|bmp|heic)|(?:img|image|dsc|dscn|pxl|photo|screenshot)"
    r"[\s_-]*\d[\w-]*)$", re.I)
VAGUE_LINK_TEXT = {
    "click here", "click", "here", "read more", "more", "link", "this link", "learn more",
    "more info", "more information", "details", "this", "go", "see here", "click this",
    "read here", "info", "website", "page", "this page", "go here", "download",
}
URL_TEXT_RE = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
# One dot or comma then exactly three digits, and no other group: "1.500", "1,500".
# "250.000" is not reported: nobody writes a decimal with three trailing zeros.
AMBIGUOUS_NUMBER_RE = re.compile(r"(?<![\d.,])\d{1,3}([.,])(?!000)\d{3}(?![\d]|[.,]\d)")
CODE_MARKS = {"code", "kbd", "samp", "var"}
# Letters that belong to no language's alphabet but are ordinary in text.
NEUTRAL_LETTERS = set("µªº")
# Languages tried first when suggesting which one a foreign word is in.
SUGGEST = ("fr de es it pt nl pl cs sk sl hr bs tr az ro hu sv da nb fi et lv lt is ga cy mt "
           "sq vi ru uk be bg mk sr kk el he ar fa ur hi bn ta th ka hy zh ja ko").split()


# --- data -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _exemplars() -> dict[str, frozenset[str]]:
    """CLDR exemplar letters (main + auxiliary, lower case) per language[-script]."""
    data = resources.files("accesspub").joinpath("data/exemplars.json").read_text("utf-8")
    return {tag: frozenset(chars) for tag, chars in json.loads(data).items()}


def _likely_script(tag: str) -> str | None:
    """The ISO 15924 script ``tag`` is written in: its own subtag, else CLDR's likely one
    (None for a language CLDR does not know, such as the private-use "qaa")."""
    from langcodes.data_dicts import LIKELY_SUBTAGS
    parts = (tag or "").replace("_", "-").split("-")
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            return part.title()
    likely = LIKELY_SUBTAGS.get(parts[0].lower(), "")
    return next((p for p in likely.split("-")[1:] if len(p) == 4), None)


@lru_cache(maxsize=1)
def _script_letters() -> dict[str, frozenset[str]]:
    """The letters of each script: every exemplar letter, given to the script of the most
    languages that list it (a Latin-script language's auxiliary set may hold a few
    letters of another script)."""
    votes: dict[str, Counter] = {}
    for tag, chars in _exemplars().items():
        script = _likely_script(tag) if tag != "und" else None
        for c in chars if script else ():
            votes.setdefault(c, Counter())[script] += 1
    out: dict[str, set[str]] = {}
    for c, counter in votes.items():
        out.setdefault(counter.most_common(1)[0][0], set()).add(c)
    return {script: frozenset(chars) for script, chars in out.items()}


@lru_cache(maxsize=256)
def alphabet(lang: str) -> frozenset[str] | None:
    """The letters of ``lang`` (BCP 47), or None when nothing is known of them.

    A tag with a script ("sr-Latn") uses that script; a bare tag of a language written in
    several scripts ("sr", "az") accepts all of them.  A language CLDR lists no letters for
    ("la", "grc") accepts every letter of its script (Latin for "la")."""
    table = _exemplars()
    parts = (lang or "").replace("_", "-").split("-")
    primary = parts[0].lower()
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script and table.get(f"{primary}-{script}"):
        return table[f"{primary}-{script}"]
    letters = set(table.get(primary, ()))
    if letters and not script:
        for tag, chars in table.items():
            if tag.startswith(primary + "-") and len(tag.split("-")[1]) == 4:
                letters |= chars
    if not letters and primary not in ("", "und", "zxx", "mul", "mis"):
        letters = set(_script_letters().get(_likely_script(lang) or "", ()))
    return frozenset(letters) if letters else None


def language_name(lang: str) -> str:
    from babel import Locale
    try:
        return Locale("en").languages.get(primary(lang)) or lang
    except Exception:  # noqa: BLE001 - a name is only decoration
        return lang


def _suggest(word: str) -> str | None:
    letters = {c.lower() for c in word if _is_letter(c)}
    for lang in SUGGEST:
        chars = alphabet(lang)
        if chars and letters <= chars:
            return lang
    return None


def _is_letter(c: str) -> bool:
    cat = unicodedata.category(c)
    return cat.startswith("L") and cat != "Lm" and c not in NEUTRAL_LETTERS


# --- walking the model ------------------------------------------------------------------

def iter_blocks(publication: Publication) -> Iterator[Block]:
    """Every block in reading order, headings included, nested blocks after their parent."""
    for chapter in publication.chapters:
        for section in chapter.section.iter_sections():
            if section.heading is not None:
                yield from section.heading.iter_blocks()
            for block in section.blocks:
                yield from block.iter_blocks()
        if chapter.notes is not None:
            yield from chapter.notes.iter_blocks()


def _is_code(run: Run) -> bool:
    return any(m.tag in CODE_MARKS for m in run.marks)


def _words(text: str) -> list[str]:
    return [w for w in text.split() if any(c.isalnum() for c in w)]


def _block_text(block: Block) -> str:
    return " ".join(s.text for s in block.sentences if s.role == "text")


# --- the checks -------------------------------------------------------------------------

def lint_publication(publication: Publication, config: Config, diag: Diagnostics) -> None:
    """Add every content finding for ``publication`` to ``diag`` (warnings only)."""
    _check_front_matter_placeholders(publication, config, diag)
    foreign_seen: set[tuple[str, str]] = set()
    for block in iter_blocks(publication):
        if block.kind == "figure":
            _check_alt(block, diag)
        elif block.kind == "table":
            _check_table(block, diag)
        if block.kind in ("paragraph", "heading", "quote", "list_item"):
            _check_caps(block, diag)
        if block.kind == "code":
            continue
        for sentence in block.sentences:
            _check_links(sentence, diag)
            _check_length(sentence, diag)
            if not config.number_format:
                _check_numbers(sentence, diag)
            _check_letters(sentence, diag, foreign_seen)


def _check_alt(block: Block, diag: Diagnostics) -> None:
    alt = (block.get("alt") or "").strip()
    src = (block.get("src") or "").rsplit("/", 1)[-1]
    if alt and (IMAGE_NAME_RE.match(alt) or alt == src):
        diag.warning("a11y-alt-filename", f"the text alternative {alt!r} is a file name, "
                     "not a description", block.location,
                     "describe what the image shows: ![A crowd on the seafront at dusk](…)")


def _link_texts(sentence: Sentence) -> Iterator[tuple[str, str]]:
    """(link text, href) for every link in the sentence."""
    groups: list[tuple[list[str], str]] = []
    previous = None
    for run in sentence.runs:
        mark = next((m for m in run.marks if m.tag == "a"), None)
        text = run.text if run.kind == "text" else ""
        if mark is not None and mark == previous:
            groups[-1][0].append(text)
        elif mark is not None:
            groups.append(([text], mark.get("href") or ""))
        previous = mark
    for parts, href in groups:
        yield "".join(parts), href


def _check_links(sentence: Sentence, diag: Diagnostics) -> None:
    for text, href in _link_texts(sentence):
        shown = " ".join(text.split())
        folded = shown.casefold().strip(" .:!?…»«\"'()[]")
        if href.lower().startswith(("mailto:", "tel:")):
            continue
        if folded in VAGUE_LINK_TEXT:
            diag.warning("a11y-link-text", f"link text {shown!r} does not say where the link "
                         "goes", sentence.location,
                         "name the destination: [the full report (PDF)](…) instead of "
                         "[click here](…)")
        elif URL_TEXT_RE.match(shown) or (shown and shown == href):
            diag.warning("a11y-link-text", f"link text is a bare address {shown[:60]!r}; "
                         "a screen reader spells it out", sentence.location,
                         "name the destination: [the ministry's website](" + href[:60] + ")")


def _check_table(block: Block, diag: Diagnostics) -> None:
    cells = [c for row in block.children for c in row.children if c.kind == "table_cell"]
    headers = [c for c in cells if c.get("header") == "true" and _block_text(c).strip()]
    if cells and not headers:
        diag.warning("a11y-table-headers", "the table has no header cells: a screen reader "
                     "cannot say what each column holds", block.location,
                     "write a header row: | Name | Role |, then | --- | --- |")


def _check_caps(block: Block, diag: Diagnostics) -> None:
    text = _block_text(block)
    words = [w for w in _words(text) if any(c.isalpha() for c in w)]
    if len(words) <= SHORT_LABEL_WORDS:
        return
    cased = [c for c in text if c.isupper() or c.islower()]
    if len(cased) >= 12 and all(c.isupper() for c in cased):
        diag.warning("style-all-caps", f"{block.kind.replace('_', ' ')} is all in capitals: "
                     "hard to read, and some screen readers spell it letter by letter",
                     block.location, "write it in normal case; use **bold** for emphasis")


def _check_length(sentence: Sentence, diag: Diagnostics) -> None:
    if sentence.role != "text":
        return
    count = len(_words(sentence.text))
    if count > LONG_SENTENCE_WORDS:
        diag.warning("style-long-sentence", f"sentence of {count} words (over "
                     f"{LONG_SENTENCE_WORDS}): hard to follow when heard",
                     sentence.location, "split it into two or three sentences")


def _check_numbers(sentence: Sentence, diag: Diagnostics) -> None:
    text = "".join(r.text for r in sentence.runs if r.kind == "text" and not _is_code(r))
    match = AMBIGUOUS_NUMBER_RE.search(text)
    if match:
        number = match.group(0)
        whole, frac = re.split(r"[.,]", number)
        decimal = f"{whole}.{frac.rstrip('0')}".rstrip(".")
        diag.warning("speech-number-ambiguous", f"{number!r} could be a decimal ({decimal}) or "
                     f"a whole number ({int(whole + frac)}); it will be read as "
                     f"{int(whole + frac)}",
                     sentence.location,
                     'declare how the content writes numbers: project.number_format = "en" '
                     '(1,500.25) or "de" (1.500,25) in accesspub.toml')


def _check_letters(sentence: Sentence, diag: Diagnostics, seen: set[tuple[str, str]]) -> None:
    for run in sentence.runs:
        if run.kind != "text" or _is_code(run) or not run.text.strip():
            continue
        lang = run.lang or sentence.lang
        letters = alphabet(lang)
        if letters is None:
            continue
        text = unicodedata.normalize("NFC", run.text)
        for word in re.findall(r"\w+", text):
            odd = sorted({c for c in word if _is_letter(c) and c not in letters
                          and not all(x in letters for x in c.lower())})
            if not odd or (word, lang) in seen:
                continue
            seen.add((word, lang))
            shown = word if len(word) <= 40 else word[:40] + "…"
            other = _suggest(word) or "xx"
            diag.warning("lang-unmarked", f"{shown!r} has letters outside the "
                         f"{language_name(lang)} alphabet ({' '.join(odd)}): it will be "
                         f"read with {language_name(lang)} rules", sentence.location,
                         f"mark its language: [{shown}]{{lang={other}}}")


# --- the project: accesspub.toml and the lexicon ----------------------------------------

# Config strings that are published: on the title page, in the OPF, the narration, the feed.
PUBLISHED_KEYS = {"project": ("publisher", "author", "rights"),
                  "podcast": ("title", "description", "author", "owner_name", "owner_email"),
                  "accessibility": ("summary",)}
PLACEHOLDER_WHERE = "it would be published on the title page, in the EPUB metadata, the " \
                    "narration and the site"


def lint_project(config: Config, publications: list[Publication], lexicon, diag: Diagnostics,
                 *, complete: bool = True) -> None:
    """Project-wide findings, reported once: placeholders left in accesspub.toml and, when
    ``complete`` (every release was read), lexicons no release speaks the language of."""
    _check_config_placeholders(config, diag)
    if complete and not diag.errors and lexicon is not None:
        _check_lexicon_used(config, publications, lexicon, diag)


def _config_values(config: Config) -> Iterator[tuple[str, str, str]]:
    """(table, key, value) of every published string setting."""
    sources = {"project": config, "podcast": config.podcast}
    for table, keys in PUBLISHED_KEYS.items():
        for key in keys:
            if table == "accessibility":
                value = config.accessibility_summary
            else:
                value = getattr(sources[table], key, "")
            if isinstance(value, str) and value:
                yield table, key, value


def config_line(config: Config, table: str, key: str) -> int | None:
    """The line of ``key = …`` in ``[table]`` of accesspub.toml (a plain scan: the file
    was parsed already, only the line is wanted)."""
    try:
        lines = (config.root / CONFIG_NAME).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    current = ""
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
    for number, line in enumerate(lines, 1):
        header = re.match(r"^\s*\[\s*([^\[\]]+?)\s*\]", line)
        if header:
            current = header.group(1)
        elif current == table and pattern.match(line):
            return number
    return None


def _check_config_placeholders(config: Config, diag: Diagnostics) -> None:
    from accesspub.commands.new import placeholder_in
    for table, key, value in _config_values(config):
        found = placeholder_in(value)
        if found:
            diag.warning("placeholder", f"{table}.{key} is still the new project's placeholder "
                         f"{value!r}: {PLACEHOLDER_WHERE}",
                         SourceLocation(CONFIG_NAME, config_line(config, table, key)),
                         f"write your own {key} there (or delete the line)")


def _front_matter_line(config: Config, display: str, names: set[str]) -> int | None:
    """The line of the first top-level front matter key in ``names`` in ``display``."""
    try:
        text = (config.root / display).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for number, line in enumerate(lines[1:], 2):
        if line.strip() in ("---", "..."):
            return None
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if match and match.group(1) in names:
            return number
    return None


def _check_front_matter_placeholders(publication: Publication, config: Config,
                                     diag: Diagnostics) -> None:
    """A placeholder a release's front matter sets; one inherited from accesspub.toml is
    reported there, once, by ``lint_project``."""
    from accesspub.read.metadata import ALIASES
    from accesspub.commands.new import placeholder_in
    meta = publication.meta
    inherited = {"publisher": meta.publisher == config.publisher,
                 "authors": meta.authors == ((config.author,) if config.author else ()),
                 "rights": meta.rights == config.rights}
    values = {"publisher": [meta.publisher], "authors": list(meta.authors),
              "rights": [meta.rights]}
    for canonical, texts in values.items():
        found = next((v for v in texts if placeholder_in(v)), None)
        if not found or inherited[canonical]:
            continue
        names = {k for k, c in ALIASES.items() if c == canonical}
        display = publication.source.path
        diag.warning("placeholder", f"{canonical} is still the new project's placeholder "
                     f"{found!r}: {PLACEHOLDER_WHERE}",
                     SourceLocation(display, _front_matter_line(config, display, names)),
                     f"write your own {canonical} there (or delete the line)")


def _check_lexicon_used(config: Config, publications: list[Publication], lexicon,
                        diag: Diagnostics) -> None:
    from accesspub.speech.lexicon import unused_lexicons
    for lex in unused_lexicons(lexicon, publications):
        where = SourceLocation(_display(config, lex.source), lex.line)
        diag.warning("lexicon-unused", f"lexicon language {lex.lang!r} is not used by any "
                     "release: its entries are never applied", where,
                     "set xml:lang on <lexicon> to the language of the words it lists")


def _display(config: Config, path: str) -> str:
    from pathlib import Path
    try:
        return Path(path).resolve().relative_to(config.root.resolve()).as_posix()
    except (ValueError, OSError):
        return path
