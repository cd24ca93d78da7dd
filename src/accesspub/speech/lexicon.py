"""Pronunciation lexicons in W3C PLS 1.0: the user's last word on how a word is said.

    <lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
             alphabet="ipa" xml:lang="en">
      <lexeme><grapheme>Baku</grapheme><phoneme>bɑːˈkuː</phoneme></lexeme>
      <lexeme><grapheme>USSR</grapheme><alias>U S S R</alias></lexeme>
    </lexicon>

An alias replaces the word for every engine.  A phoneme is only understood by engines
that take raw phonemes: for Piper it becomes ``[[bɑːˈkuː]]``; for others the word stays.
The lexicon is applied before number normalisation, so an entry overrides any rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from lxml import etree

from accesspub.errors import ContentError
from accesspub.languages import primary
from accesspub.model import SourceLocation

PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_HINT = ('a lexicon is <lexicon version="1.0" xmlns="%s" alphabet="ipa" xml:lang="en"> '
         "holding <lexeme> elements, each with <grapheme> and <alias> or <phoneme>" % PLS_NS)


@dataclass(frozen=True, slots=True)
class Entry:
    """One way of saying one or more written forms."""

    graphemes: tuple[str, ...]
    alias: str = ""
    phoneme: str = ""      # IPA
    line: int | None = None


@dataclass(frozen=True)
class Lexicon:
    """A parsed PLS lexicon for one language."""

    lang: str
    entries: tuple[Entry, ...]
    source: str = ""
    line: int | None = None          # of <lexicon>, for diagnostics about the whole lexicon

    def __post_init__(self) -> None:
        exact: dict[str, Entry] = {}
        folded: dict[str, Entry] = {}
        for entry in self.entries:
            for grapheme in entry.graphemes:
                exact.setdefault(grapheme, entry)            # the first entry wins
                folded.setdefault(grapheme.casefold(), entry)
        object.__setattr__(self, "_exact", exact)
        object.__setattr__(self, "_folded", folded)
        # Longest first, so "New York City" wins over "New York" at the same place.
        words = sorted(exact, key=lambda g: (-len(g), g))
        pattern = (r"(?<!\w)(?:%s)(?!\w)" % "|".join(re.escape(w) for w in words)) if words else None
        object.__setattr__(self, "_pattern", re.compile(pattern, re.I) if pattern else None)

    def matches_language(self, lang: str) -> bool:
        return primary(self.lang) == primary(lang)

    def lookup(self, word: str) -> Entry | None:
        """The entry for ``word``: an exact-case grapheme first, else one ignoring case."""
        return self._exact.get(word) or self._folded.get(word.casefold())

    def apply(self, text: str, lang: str, *, phonemes: bool) -> str:
        """``text`` with every listed word replaced: by its alias, or by ``[[ipa]]`` when
        ``phonemes`` is true and the entry has only a phoneme.  Whole words only; text in
        another language than the lexicon's is returned unchanged."""
        if self._pattern is None or not self.matches_language(lang):
            return text

        def replace(match: re.Match) -> str:
            entry = self.lookup(match.group(0))
            if entry is None:
                return match.group(0)
            if entry.alias:
                return entry.alias
            if phonemes and entry.phoneme:
                return f"[[{entry.phoneme}]]"
            return match.group(0)

        return self._pattern.sub(replace, text)


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _invalid(message: str, where: str, line: int | None, hint: str = _HINT) -> ContentError:
    return ContentError(message, SourceLocation(where, line), code="lexicon-invalid", hint=hint)


def _parser() -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network: a lexicon is data, never a fetch.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True)


def load_lexicon(path: Path | str, *, display: str | None = None) -> Lexicon:
    """Read and check a PLS file; raise ContentError(code="lexicon-invalid") at the line of
    the first problem.  ``display`` is how the path is shown to the user (default: as given)."""
    path = Path(path)
    where = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"cannot read lexicon {where}: {exc.strerror or exc}",
                           SourceLocation(where), code="lexicon-missing",
                           hint="check the path to the .pls file") from None
    return parse_lexicon(data, where)


def project_lexicon(config) -> Lexicon | None:
    """The project's pronunciation lexicon (``content/lexicon.pls``), or None.  Like every
    input, it is read only when it lies inside the project, links resolved."""
    from accesspub.folders import within
    path = config.content_dir / "lexicon.pls"
    if not path.exists() and not path.is_symlink():
        return None
    display = path.relative_to(config.root).as_posix()
    if within(path, config.root) is None:
        raise ContentError(f"{display} leads outside the project folder: it is not read",
                           SourceLocation(display), code="source-outside-project",
                           hint="copy the lexicon into the project instead of linking to it")
    return load_lexicon(path, display=display)


def parse_lexicon(data: bytes, where: str = "<lexicon>") -> Lexicon:
    """Parse PLS bytes (see ``load_lexicon``)."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise _invalid(f"lexicon is not well-formed XML: {exc.msg}", where, exc.lineno,
                       "fix the XML syntax on that line") from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None:
        raise _invalid("lexicon declares a DTD (entities are not allowed)", where, 1,
                       "remove the <!DOCTYPE …> declaration")
    _check_root(root, where)
    alphabet = root.get("alphabet", "")
    entries = tuple(_entry(lexeme, alphabet, where)
                    for lexeme in root.iter(f"{{{PLS_NS}}}lexeme"))
    return Lexicon(lang=root.get(XML_LANG), entries=entries, source=where, line=root.sourceline)


def unused_lexicons(lexicon: "Lexicon | Iterable[Lexicon] | None",
                    publications: Iterable) -> list[Lexicon]:
    """The lexicons whose language no publication uses, for its text or any passage.

    A project-wide question: a German lexicon is not unused because one English release
    does not speak German, so this is asked of every release at once."""
    lexicons = [lexicon] if isinstance(lexicon, Lexicon) else list(lexicon or ())
    languages = {lang for publication in publications for lang in publication.languages}
    return [lex for lex in lexicons
            if not any(lex.matches_language(lang) for lang in languages)]


def _check_root(root: etree._Element, where: str) -> None:
    line = root.sourceline
    qname = etree.QName(root)
    if qname.localname != "lexicon":
        raise _invalid(f"the root element is <{qname.localname}>, not <lexicon>", where, line)
    if qname.namespace != PLS_NS:
        raise _invalid(f"<lexicon> is in namespace {qname.namespace or 'none'!r}, not the PLS "
                       f"namespace", where, line, f'add xmlns="{PLS_NS}" to <lexicon>')
    if root.get("version") != "1.0":
        raise _invalid(f"lexicon version is {root.get('version')!r}, not \"1.0\"", where, line,
                       'add version="1.0" to <lexicon>')
    lang = root.get(XML_LANG)
    if not lang:
        raise _invalid("<lexicon> has no xml:lang", where, line,
                       'add the language of its words, e.g. xml:lang="en"')
    from accesspub.languages import check_language_tag

    problem = check_language_tag(lang)
    if problem:
        raise _invalid(f"lexicon xml:lang: {problem}", where, line,
                       'use a BCP 47 tag such as "en" or "en-GB"')


def _entry(lexeme: etree._Element, alphabet: str, where: str) -> Entry:
    line = lexeme.sourceline
    graphemes = tuple(g for g in (_text(e) for e in lexeme.iterfind(f"{{{PLS_NS}}}grapheme")) if g)
    if not graphemes:
        raise _invalid("<lexeme> has no <grapheme> (the word it is about)", where, line)
    aliases = [_text(e) for e in lexeme.iterfind(f"{{{PLS_NS}}}alias")]
    phoneme_elements = list(lexeme.iterfind(f"{{{PLS_NS}}}phoneme"))
    phonemes = [_text(e) for e in phoneme_elements]
    if not any(aliases) and not any(phonemes):
        raise _invalid(f"<lexeme> for {graphemes[0]!r} has no <alias> or <phoneme>", where, line)
    for element in phoneme_elements:
        used = element.get("alphabet", alphabet)
        if used.lower() != "ipa":
            raise _invalid(f"<phoneme> alphabet is {used!r}; only \"ipa\" is supported", where,
                           element.sourceline, 'write the pronunciation in IPA and set '
                           'alphabet="ipa"')
        if "[" in _text(element) or "]" in _text(element):
            raise _invalid("<phoneme> contains brackets", where, element.sourceline,
                           "write the IPA symbols only")
    return Entry(graphemes=graphemes, alias=next((a for a in aliases if a), ""),
                 phoneme=next((p for p in phonemes if p), ""), line=line)
