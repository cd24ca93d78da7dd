"""markdown-it block tokens -> RawBlocks: paragraphs, lists, tables, figures, footnotes.

RawBlocks are mutable and id-less; ``outline.py`` turns them into the frozen model once the
publication-wide heading hierarchy and the chapter split are known.
"""

from __future__ import annotations

from urllib.parse import unquote

from markdown_it.token import Token

from accesspub.errors import Diagnostics
from accesspub.read.htmlblocks import HtmlConverter, open_containers
from accesspub.read.images import ImageStore
from accesspub.read.inline import Image as InlineImage
from accesspub.read.inline import VOID, InlineBuilder, html_events
from accesspub.languages import check_language_tag
from accesspub.model import Mark, Run, SourceLocation
from accesspub.read.rawblocks import RawBlock, RawFootnote
from accesspub.read.sources import SourceFile


# Containers (lists, list items, quotes) nested deeper than this are refused: the Markdown
# parser would drop what lies past its own limit, and EPUB readers choke on very deep
# XHTML.  31 levels of lists, 63 of quotes (a list is two levels: list and item) are far
# more than any text needs.
MAX_NESTING = 64
MAX_HTML_DEPTH = 128


def _html_depth(fragment: str) -> int:
    """How deep the elements of a raw HTML fragment nest (unclosed ones count as open)."""
    depth = deepest = 0
    for event in html_events(fragment):
        if event[0] == "open" and event[1] not in VOID:
            depth += 1
            deepest = max(deepest, depth)
        elif event[0] == "close" and event[1] not in VOID:
            depth = max(0, depth - 1)
    return deepest


def _close_index(tokens: list[Token], start: int) -> int:
    """Index of the token closing the one opened at ``start``."""
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


class BlockParser:
    def __init__(self, source: SourceFile, file_index: int, lang: str, diag: Diagnostics,
                 images: ImageStore) -> None:
        self.source = source
        self.file_index = file_index
        self.lang = lang
        self.diag = diag
        self.images = images
        self.footnotes: dict[str, RawFootnote] = {}
        self._line = 1

    def where(self, token: Token | None = None) -> SourceLocation:
        if token is not None and token.map:
            self._line = token.map[0] + 1
        return SourceLocation(self.source.display, self._line)

    def parse(self) -> list[RawBlock]:
        for level, code, message, line, hint in self.source.notes:
            getattr(self.diag, level)(code, message, SourceLocation(self.source.display, line),
                                      hint or None)
        deep = next((t for t in self.source.tokens
                     if t.level >= MAX_NESTING and t.type != "inline"), None)
        if deep is not None:
            self.diag.error("nesting-too-deep", "lists and quotes are nested too deeply here "
                            f"(at most {MAX_NESTING // 2 - 1} lists or {MAX_NESTING - 1} quotes "
                            "can be inside one another); what lies deeper would be lost",
                            self.where(deep), "flatten the structure: a list or quote inside "
                            "another needs no more than a few levels")
        try:
            return self._blocks(list(self.source.tokens), 0, len(self.source.tokens), self.lang,
                                nested=False)
        except RecursionError:
            # raw HTML nested thousands of elements deep: refused where it was read
            self.diag.error("nesting-too-deep", "this part is nested too deeply to be read "
                            "(raw HTML elements inside one another, thousands of levels)",
                            self.where(), "flatten the structure: a few levels of nesting are "
                            "all a reader can follow")
            return []

    # -- helpers -----------------------------------------------------------------------

    def _block_lang(self, token: Token, inherited: str) -> str:
        value = token.attrs.get("lang") if token.attrs else None
        if not value:
            return inherited
        problem = check_language_tag(str(value))
        if problem:
            self.diag.error("lang-invalid", f"language tag: {problem}", self.where(token),
                            'use a BCP 47 tag such as "az", "fr" or "sr-Latn"')
            return inherited
        return str(value)

    def _inline(self, token: Token, lang: str) -> InlineBuilder:
        builder = InlineBuilder(lang, self.where(token), self.diag, self._noteref)
        builder.feed_tokens(token.children or [])
        return builder

    def _noteref(self, token: Token) -> tuple[str, str]:
        return f"{self.file_index}:{token.meta.get('id')}", str(token.meta.get("label", ""))

    def _figures(self, images: list[InlineImage], lang: str, where: SourceLocation) -> list[RawBlock]:
        out = []
        for image in images:
            block = self._figure(image, lang, where)
            if block is not None:
                out.append(block)
        return out

    def _figure(self, image: InlineImage, lang: str, where: SourceLocation) -> RawBlock | None:
        decorative = "decorative" in image.classes or image.attrs.get("role") in ("presentation", "none")
        alt = " ".join(image.alt.split())
        src = image.src.strip()
        fallback = RawBlock("paragraph", where, lang, [Run(alt, lang)]) if alt else None
        if "://" in src or src.startswith(("//", "data:")):
            self.diag.warning("image-remote", f"image {src[:60]!r} is not a local file; "
                              "nothing is fetched from the network", where,
                              "download the image into the project and link it by path")
            return fallback
        relative = unquote(src.split("#")[0].split("?")[0])
        # "/images/x.png" is site-root relative in Jekyll and Hugo: the project is the root.
        base = self.images.root if relative.startswith("/") else self.source.path.parent
        stored = self.images.add(base / relative.lstrip("/"), src, where)
        if stored is None:
            return fallback
        if not alt and not decorative:
            self.diag.error("a11y-alt-missing", f"image {src} has no text alternative", where,
                            "describe it between the brackets: ![What the image shows](" + src +
                            "), or mark a purely decorative image: ![](" + src + "){.decorative}")
        caption = [Run(" ".join(image.title.split()), lang)] if image.title.strip() else []
        attrs = {"src": stored.href, "alt": "" if decorative else alt}
        if decorative:
            attrs["decorative"] = "true"
        return RawBlock("figure", where, lang, caption, attrs=attrs)

    # -- the walk ----------------------------------------------------------------------

    def _blocks(self, tokens: list[Token], start: int, end: int, lang: str,
                nested: bool) -> list[RawBlock]:
        out: list[RawBlock] = []
        i = start
        while i < end:
            tok = tokens[i]
            kind = tok.type
            if kind == "heading_open":
                close = _close_index(tokens, i)
                block_lang = self._block_lang(tok, lang)
                builder = self._inline(tokens[i + 1], block_lang)
                where = self.where(tok)
                runs = builder.result.runs
                if not any(r.kind == "noteref" or r.text.strip() for r in runs):
                    self.diag.warning("heading-empty", "an empty heading is left out; what "
                                      "follows it belongs to the section before", where,
                                      "give the heading text, or delete the line")
                    out.extend(self._figures(builder.result.images, block_lang, where))
                    i = close + 1
                    continue
                if tok.markup == "-" and self._setext_paragraph(tokens[i + 1]):
                    # "text\n---": CommonMark reads a heading; the author meant a rule
                    self.diag.warning("heading-setext", "a paragraph followed by a line of "
                                      "'---' is read as a paragraph and a rule, not a heading",
                                      where, "put a blank line before '---' (a rule), or write "
                                      "the heading with '## ' (a heading)")
                    out.extend(self._paragraphs(builder, block_lang, where))
                    out.append(RawBlock("rule", where, lang))
                    out.extend(self._figures(builder.result.images, block_lang, where))
                    i = close + 1
                    continue
                if nested:
                    self.diag.warning("heading-nested", "a heading inside a list or quote is "
                                      "kept as bold text", where,
                                      "move the heading out of the list or quote")
                    out.append(RawBlock("paragraph", where, block_lang,
                                        [Run(r.text, r.lang, (Mark("strong"),) + r.marks, r.kind)
                                         for r in builder.result.runs]))
                else:
                    out.append(RawBlock("heading", where, block_lang, builder.result.runs,
                                        level=int(tok.tag[1])))
                out.extend(self._figures(builder.result.images, block_lang, where))
                i = close + 1
            elif kind == "paragraph_open":
                close = _close_index(tokens, i)
                block_lang = self._block_lang(tok, lang)
                where = self.where(tok)
                builder = self._inline(tokens[i + 1], block_lang)
                deep = self._deep_heading(builder.result.runs)
                if deep is not None and not nested:
                    level, runs = deep
                    self.diag.warning("heading-too-deep", f"'{'#' * level}' is not a heading in "
                                      "Markdown (at most six #); read as the deepest heading",
                                      where, "reorganise the outline so it needs at most six levels")
                    out.append(RawBlock("heading", where, block_lang, runs, level=level))
                else:
                    out.extend(self._paragraphs(builder, block_lang, where))
                out.extend(self._figures(builder.result.images, block_lang, where))
                i = close + 1
            elif kind in ("bullet_list_open", "ordered_list_open"):
                close = _close_index(tokens, i)
                block_lang = self._block_lang(tok, lang)
                where = self.where(tok)
                items = []
                j = i + 1
                while j < close:
                    if tokens[j].type == "list_item_open":
                        item_close = _close_index(tokens, j)
                        items.append(RawBlock("list_item", self.where(tokens[j]), block_lang,
                                              children=self._blocks(tokens, j + 1, item_close,
                                                                    block_lang, nested=True)))
                        j = item_close + 1
                    else:
                        j += 1
                attrs = {"ordered": "true"} if kind == "ordered_list_open" else {}
                if kind == "ordered_list_open" and tok.attrs.get("start") not in (None, 1, "1"):
                    attrs["start"] = str(tok.attrs.get("start"))
                out.append(RawBlock("list", where, block_lang, children=items, attrs=attrs))
                i = close + 1
            elif kind == "blockquote_open":
                close = _close_index(tokens, i)
                block_lang = self._block_lang(tok, lang)
                children = self._blocks(tokens, i + 1, close, block_lang, nested=True)
                if children:
                    out.append(RawBlock("quote", self.where(tok), block_lang, children=children))
                else:
                    self.diag.warning("quote-empty", "a block quote with no text is left out",
                                      self.where(tok), "write the quoted text after '> ' on the "
                                      "same line, or delete the '>' lines")
                i = close + 1
            elif kind == "table_open":
                close = _close_index(tokens, i)
                out.append(self._table(tokens, i, close, self._block_lang(tok, lang)))
                i = close + 1
            elif kind in ("fence", "code_block"):
                text = tok.content.rstrip("\n")
                if text.strip():
                    out.append(RawBlock("code", self.where(tok), lang,
                                        [Run(text, lang, (Mark("code"),))]))
                i += 1
            elif kind == "hr":
                out.append(RawBlock("rule", self.where(tok), lang))
                i += 1
            elif kind == "html_block":
                where = self.where(tok)
                fragment, i = self._html_region(tokens, i, end)
                if _html_depth(fragment) > MAX_HTML_DEPTH:
                    # lxml's HTML parser cuts what lies deeper than 255 elements, silently
                    self.diag.error("nesting-too-deep", f"raw HTML elements are nested more "
                                    f"than {MAX_HTML_DEPTH} deep here; what lies deeper would "
                                    "be lost", where, "flatten the HTML, or write the "
                                    "structure in Markdown")
                    continue
                converter = HtmlConverter(lang, where, self.diag, self._figure)
                out.extend(converter.convert(fragment, nested))
            elif kind == "footnote_block_open":
                close = _close_index(tokens, i)
                self._footnotes(tokens, i + 1, close, lang)
                i = close + 1
            elif tok.nesting == 1:
                i = _close_index(tokens, i) + 1     # an unknown container: skipped whole
            else:
                i += 1
        return out

    @staticmethod
    def _setext_paragraph(inline: Token) -> bool:
        """A '---' setext heading whose text reads as a paragraph: several lines, or ending
        like a sentence."""
        text = inline.content.strip()
        return "\n" in text or (len(text) > 80) or text.endswith((".", "!", "?", ";", ","))

    @staticmethod
    def _deep_heading(runs: list[Run]) -> tuple[int, list[Run]] | None:
        """'####### Text' (seven or more #): the level and the text runs, or None."""
        if not runs or runs[0].kind != "text" or runs[0].marks:
            return None
        first = runs[0].text
        hashes = len(first) - len(first.lstrip("#"))
        if hashes < 7 or not first[hashes:hashes + 1].isspace() or any(r.kind == "break" for r in runs):
            return None
        rest = [Run(first[hashes:].strip(), runs[0].lang)] + list(runs[1:])
        rest = [r for r in rest if r.text or r.kind != "text"]
        if not any(r.text.strip() for r in rest):
            return None
        return hashes, rest

    def _html_region(self, tokens: list[Token], i: int, end: int) -> tuple[str, int]:
        """The raw HTML starting at token ``i``, and the index after it.

        CommonMark ends an HTML block at a blank line, so a CMS table with blank lines in it
        arrives in pieces (some read as indented code).  When the block leaves a container
        open and what follows up to its close is only more HTML, the pieces are joined from
        the source lines.  Markdown between HTML tags (GitHub's ``<details>`` idiom) is left
        to be read as Markdown."""
        tok = tokens[i]
        if not tok.map or not open_containers(tok.content):
            return tok.content, i + 1
        lines = self.source.text.splitlines(keepends=True)
        j = i + 1
        last = tok.map[1]
        while j < end:
            nxt = tokens[j]
            if nxt.level != tok.level or not nxt.map:
                j += 1
                continue
            close = _close_index(tokens, j)
            chunk = "".join(lines[nxt.map[0]:nxt.map[1]])
            if nxt.type not in ("html_block", "code_block", "paragraph_open") or \
                    not chunk.lstrip().startswith("<"):
                return tok.content, i + 1
            last = nxt.map[1]
            j = close + 1
            if not open_containers("".join(lines[tok.map[0]:last])):
                return "".join(lines[tok.map[0]:last]), j
        return tok.content, i + 1

    def _paragraphs(self, builder: InlineBuilder, lang: str, where: SourceLocation) -> list[RawBlock]:
        """One paragraph, or several where raw HTML opened block elements inside it."""
        runs = builder.result.runs
        cuts = sorted(set([0] + builder.result.block_breaks + [len(runs)]))
        out = []
        for a, b in zip(cuts, cuts[1:]):
            part = runs[a:b]
            if any(r.kind == "noteref" or r.text.strip() for r in part):
                out.append(RawBlock("paragraph", where, lang, part))
        return out

    def _table(self, tokens: list[Token], start: int, end: int, lang: str) -> RawBlock:
        rows = []
        in_head = False
        i = start + 1
        while i < end:
            tok = tokens[i]
            if tok.type == "thead_open":
                in_head = True
            elif tok.type == "thead_close":
                in_head = False
            elif tok.type == "tr_open":
                row = RawBlock("table_row", self.where(tok), lang)
                rows.append(row)
            elif tok.type in ("th_open", "td_open"):
                builder = self._inline(tokens[i + 1], lang)
                header = tok.type == "th_open" or in_head
                attrs = {"header": "true" if header else "false"}
                if header:
                    attrs["scope"] = "col"
                style = str(tok.attrs.get("style", "") or "")
                if "text-align:" in style:
                    attrs["align"] = style.split("text-align:")[1].strip()
                rows[-1].children.append(RawBlock("table_cell", self.where(), lang,
                                                  builder.result.runs, attrs=attrs))
                i = _close_index(tokens, i)
            i += 1
        return RawBlock("table", self.where(tokens[start]), lang, children=rows)

    def _footnotes(self, tokens: list[Token], start: int, end: int, lang: str) -> None:
        i = start
        while i < end:
            tok = tokens[i]
            if tok.type == "footnote_open":
                close = _close_index(tokens, i)
                key = f"{self.file_index}:{tok.meta.get('id')}"
                blocks = self._blocks(tokens, i + 1, close, lang, nested=True)
                where = blocks[0].where if blocks else self.where()
                self.footnotes[key] = RawFootnote(key, where, blocks)
                i = close + 1
            else:
                i += 1
