"""Inline Markdown and raw HTML -> Runs: text with a well-nested stack of marks.

Whatever the input's nesting, every Run carries its full stack of marks, so the XHTML
written from Runs is always well formed.  Raw HTML is reduced to a safe subset here:
anything else is dropped with a warning, never passed through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit
from typing import Callable

from markdown_it.token import Token

from accesspub.errors import Diagnostics
from accesspub.read.htmltime import valid_datetime
from accesspub.languages import check_language_tag
from accesspub.model import Mark, Run, SourceLocation

# Inline elements kept from raw HTML, with the attributes each may keep.
SAFE_INLINE = {
    "sup": (), "sub": (), "span": (), "abbr": ("title",), "em": (), "strong": (), "i": (),
    "b": (), "small": (), "mark": (), "q": (), "cite": (), "code": (), "kbd": (), "samp": (),
    "var": (), "dfn": ("title",), "s": (), "del": (), "ins": (), "u": (), "bdi": (),
    "bdo": ("dir",), "time": ("datetime",),
}
COMMON_ATTRS = ("lang", "title", "dir")
VOID = {"br", "wbr", "img", "hr", "input", "meta", "link", "source", "track", "area", "col",
        "embed", "param", "base"}
# Elements whose content is not text for a reader: dropped with their content.
DROP_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "embed", "noscript",
                     "textarea", "select", "svg", "math", "title", "head", "canvas", "video",
                     "audio", "frame", "frameset", "applet"}
BLOCK_TAGS = {"p", "div", "section", "article", "header", "footer", "aside", "main", "nav",
              "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody",
              "tfoot", "tr", "td", "th", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
              "figure", "figcaption", "address", "details", "summary", "hr", "form", "fieldset"}
TEXT_ONLY_SCHEME = "accesspub-text:"
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")
# Marks on one piece of text past this many keep their text but lose their formatting:
# 5,000 nested "*" made a 2,500-deep stack that the XHTML writer recursed into until
# Python gave up, and EPUB readers refuse XHTML that deep anyway.
MAX_MARKS = 16
_TOO_DEEP = Mark("too-deep")
HOST_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$", re.I)


def valid_url(href: str) -> bool:
    """A web, mail or phone address that readers and EPUBCheck accept as a URL."""
    if any(c.isspace() or c in '<>"\\^`{|}' for c in href):
        return False
    try:
        parts = urlsplit(href)
        parts.port                      # raises ValueError for a malformed port
        if parts.scheme.lower() in ("http", "https"):
            host = (parts.hostname or "").encode("idna").decode("ascii")
            return bool(HOST_RE.match(host))
        if parts.scheme.lower() in ("mailto", "tel"):
            return bool(parts.path)
    except (ValueError, UnicodeError):
        return False
    return False


@dataclass(slots=True)
class Image:
    src: str
    alt: str
    title: str
    classes: tuple[str, ...]
    attrs: dict


@dataclass(slots=True)
class InlineResult:
    runs: list[Run] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    block_breaks: list[int] = field(default_factory=list)   # run indexes where raw HTML started a block


class _Events(HTMLParser):
    """Tags and text of a raw HTML fragment, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("open", tag, attrs))
        if tag in VOID:
            self.events.append(("close", tag))

    def handle_startendtag(self, tag, attrs):
        self.events.append(("open", tag, attrs))
        self.events.append(("close", tag))

    def handle_endtag(self, tag):
        self.events.append(("close", tag))

    def handle_data(self, data):
        self.events.append(("text", data))


def html_events(fragment: str) -> list[tuple]:
    parser = _Events()
    parser.feed(fragment)
    parser.close()
    return parser.events


class InlineBuilder:
    """Turns inline tokens (and raw HTML) into Runs for one block."""

    def __init__(self, lang: str, where: SourceLocation, diag: Diagnostics,
                 on_noteref: Callable[[Token], tuple[str, str]] | None = None) -> None:
        self.base_lang = lang
        self.where = where
        self.diag = diag
        self.on_noteref = on_noteref
        # (tag, mark or None, the language in effect inside it)
        self.stack: list[tuple[str, Mark | None, str]] = []
        self.marked = 0                                       # entries with a mark
        self.too_deep = False                                 # marks past MAX_MARKS seen
        self.skip = 0                                         # inside a dropped element
        self.result = InlineResult()

    # -- state -------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.stack[-1][2] if self.stack else self.base_lang

    def marks(self) -> tuple[Mark, ...]:
        return tuple(m for _, m, _ in self.stack if m is not None and m is not _TOO_DEEP)

    def text(self, text: str) -> None:
        if text and not self.skip:
            self.result.runs.append(Run(text, self.lang, self.marks()))

    def push(self, tag: str, mark: Mark | None, lang: str = "") -> None:
        if mark is not None and self.marked >= MAX_MARKS:
            if not self.too_deep:
                self.too_deep = True        # once per block
                self.diag.warning("nesting-too-deep", f"formatting is nested more than "
                                  f"{MAX_MARKS} levels deep: the text is kept, the formatting "
                                  "inside is left out", self.where,
                                  "use one level of emphasis; check for unclosed * or _")
            self.marked += 1
            mark = _TOO_DEEP        # counted like a mark, written as nothing
        elif mark is not None:
            self.marked += 1
        self.stack.append((tag, mark, lang or self.lang))

    def pop(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                self.marked -= sum(m is not None for _, m, _ in self.stack[i:])
                del self.stack[i:]
                return

    def _lang_attr(self, value: str) -> str:
        problem = check_language_tag(value)
        if problem:
            self.diag.error("lang-invalid", f"language tag: {problem}", self.where,
                            'use a BCP 47 tag such as "az", "fr" or "sr-Latn"')
            return ""
        return value

    # -- markdown-it tokens ------------------------------------------------------------

    def feed_tokens(self, children: list[Token]) -> InlineResult:
        for tok in children:
            kind = tok.type
            if kind == "text":
                self.text(tok.content)
            elif kind == "softbreak":
                self.text(" ")
            elif kind == "hardbreak":
                if not self.skip:
                    self.result.runs.append(Run("\n", self.lang, self.marks(), kind="break"))
            elif kind == "code_inline":
                if not self.skip:
                    self.result.runs.append(Run(tok.content, self.lang, self.marks() + (Mark("code"),)))
            elif kind in ("em_open", "strong_open", "s_open"):
                self.push(kind[:-5], Mark({"em": "em", "strong": "strong", "s": "s"}[kind[:-5]]),
                          self._attr_lang(tok))
            elif kind in ("em_close", "strong_close", "s_close"):
                self.pop(kind[:-6])
            elif kind == "span_open":
                self.push("span", Mark("span", self._span_attrs(tok)), self._attr_lang(tok))
            elif kind == "span_close":
                self.pop("span")
            elif kind == "link_open":
                self._link_open(str(tok.attrs.get("href", "")), str(tok.attrs.get("title", "") or ""),
                                self._attr_lang(tok))
            elif kind == "link_close":
                self.pop("a")
            elif kind == "image":
                alt = "".join(c.content for c in (tok.children or []) if c.type in ("text", "code_inline"))
                classes = tuple(str(tok.attrs.get("class", "")).split())
                self.result.images.append(Image(str(tok.attrs.get("src", "")), alt,
                                                str(tok.attrs.get("title", "") or ""), classes,
                                                dict(tok.attrs)))
            elif kind == "footnote_ref":
                if self.on_noteref and not self.skip:
                    key, label = self.on_noteref(tok)
                    mark = Mark("noteref", (("key", key),))
                    self.result.runs.append(Run(label, self.lang, self.marks() + (mark,), kind="noteref"))
            elif kind == "html_inline":
                self.feed_html(tok.content)
            # footnote_anchor and anything unknown carry no reader text
        return self.result

    def _attr_lang(self, tok: Token) -> str:
        value = tok.attrs.get("lang")
        return self._lang_attr(str(value)) if value else ""

    def _span_attrs(self, tok: Token) -> tuple[tuple[str, str], ...]:
        lang = self._attr_lang(tok)
        return (("lang", lang),) if lang else ()

    def _link_open(self, href: str, title: str, lang: str) -> None:
        href = href.strip()
        if any(tag == "a" for tag, _, _ in self.stack):
            # a link inside a link is invalid HTML: the inner one keeps only its text
            self.push("a", None, lang)
            return
        if href.startswith(TEXT_ONLY_SCHEME):
            # a site link from template syntax with no base URL: reported by templates.py
            self.push("a", None, lang)
            return
        if href.lower().startswith(SAFE_SCHEMES) and valid_url(href):
            attrs = [("href", href)] + ([("title", title)] if title else [])
            self.push("a", Mark("a", tuple(attrs)), lang)
            return
        if href.lower().startswith(("javascript:", "vbscript:", "data:")):
            self.diag.warning("html-unsafe", f"link to {href.split(':')[0]}: URL removed",
                              self.where, "only http, https, mailto and tel links are kept")
        else:
            self.diag.warning("link-unresolved", f"link target {href!r} is not a web address; "
                              "kept as plain text", self.where,
                              "use a full https:// address, or remove the link")
        self.push("a", None, lang)

    # -- raw HTML ------------------------------------------------------------------------

    def feed_html(self, fragment: str) -> None:
        for event in html_events(fragment):
            if event[0] == "text":
                self.text(event[1])
            elif event[0] == "open":
                self._html_open(event[1], event[2])
            else:
                self._html_close(event[1])

    def _html_open(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:
            if tag not in VOID:
                self.skip += 1
            self.diag.warning("html-unsafe", f"raw HTML <{tag}> removed with its content",
                              self.where, "raw HTML is limited to simple inline formatting")
            return
        if self.skip:
            return
        if tag == "br":
            self.result.runs.append(Run("\n", self.lang, self.marks(), kind="break"))
            return
        if tag == "wbr":
            return
        if tag == "img":
            values = {k: (v or "") for k, v in attrs}
            self.result.images.append(Image(values.get("src", ""), values.get("alt", ""),
                                            values.get("title", ""),
                                            tuple(values.get("class", "").split()), values))
            return
        if tag == "a":
            values = {k: (v or "") for k, v in attrs}
            self._link_open(values.get("href", ""), values.get("title", ""),
                            self._lang_attr(values["lang"]) if values.get("lang") else "")
            return
        if tag in BLOCK_TAGS:
            self.result.block_breaks.append(len(self.result.runs))
            if tag not in ("p", "div", "br"):
                self.diag.warning("html-block", f"raw HTML <{tag}>: only its text is kept",
                                  self.where, "write the structure in Markdown instead")
            return
        if tag not in SAFE_INLINE:
            self.diag.warning("html-unsafe", f"raw HTML <{tag}> removed (its text is kept)",
                              self.where, "raw HTML is limited to simple inline formatting")
            self.push(tag, None)
            return
        kept = []
        lang = ""
        allowed = SAFE_INLINE[tag] + COMMON_ATTRS
        for name, value in attrs:
            value = value or ""
            if name == "dir":
                value = value.strip().lower()      # an enumerated value: RTL is rtl
            if name in ("lang", "xml:lang"):
                lang = self._lang_attr(value) if value else ""
            elif name in allowed and (name != "dir" or value in ("ltr", "rtl", "auto")):
                kept.append((name, value))
            elif name.startswith("on") or name in ("style", "href", "src"):
                self.diag.warning("html-unsafe", f"attribute {name} on <{tag}> removed", self.where)
        checked = self._valid_for_epub(tag, kept)
        if checked is None:
            self.push(tag, None, lang)             # the element goes, its text stays
            return
        if lang:
            checked.insert(0, ("lang", lang))
        self.push(tag, Mark(tag, tuple(checked)), lang)

    def _valid_for_epub(self, tag: str, kept: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
        """``kept`` without what EPUBCheck rejects; None when the element itself must go."""
        values = dict(kept)
        hint = "write raw HTML as the HTML standard defines it, or use Markdown"
        if tag == "bdo" and values.get("dir") not in ("ltr", "rtl"):
            self.diag.warning("html-invalid", '<bdo> without dir="ltr" or dir="rtl" overrides '
                              "nothing: the element is removed, its text kept", self.where,
                              'write <bdo dir="rtl">, or <bdi> to isolate a passage')
            return None
        if tag in ("time", "dfn") and any(t == tag and m is not None for t, m, _ in self.stack):
            self.diag.warning("html-invalid", f"<{tag}> inside <{tag}>: the inner one is "
                              "removed, its text kept", self.where, hint)
            return None
        if tag == "time" and "datetime" in values:
            value = values["datetime"].strip()
            if not valid_datetime(value):
                self.diag.warning("html-invalid", f"<time datetime={values['datetime']!r}> is "
                                  "not a valid date, time or duration: the attribute is removed",
                                  self.where, 'write datetime="2020-01-20", "2020-01-20T18:00+04:00", '
                                  '"18:00" or "PT2H"')
                return [(n, v) for n, v in kept if n != "datetime"]
            return [(n, value if n == "datetime" else v) for n, v in kept]
        return kept

    def _html_close(self, tag: str) -> None:
        if tag in DROP_WITH_CONTENT:
            if tag not in VOID:
                self.skip = max(0, self.skip - 1)
            return
        if self.skip or tag in VOID:
            return
        if tag in BLOCK_TAGS:
            self.result.block_breaks.append(len(self.result.runs))
            return
        self.pop(tag)
