"""markdown-it block tokens -> RawBlocks: paragraphs, lists, tables, figures, footnotes.

RawBlocks are mutable and id-less; ``outline.py`` turns them into the frozen model once the
publication-wide heading hierarchy and the chapter split are known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from markdown_it.token import Token

from accesspub.errors import Diagnostics
from accesspub.images import ImageStore
from accesspub.inline import Image as InlineImage
from accesspub.inline import InlineBuilder
from accesspub.languages import check_language_tag
from accesspub.model import Mark, Run, SourceLocation
from accesspub.reader import SourceFile


@dataclass
class RawBlock:
    kind: str
    where: SourceLocation
    lang: str
    runs: list[Run] = field(default_factory=list)
    children: list["RawBlock"] = field(default_factory=list)
    level: int = 0
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class RawFootnote:
    key: str
    where: SourceLocation
    blocks: list[RawBlock]


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
        return self._blocks(list(self.source.tokens), 0, len(self.source.tokens), self.lang, nested=False)

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
                builder = InlineBuilder(lang, where, self.diag, None)
                builder.feed_html(tok.content)
                out.extend(self._paragraphs(builder, lang, where))
                out.extend(self._figures(builder.result.images, lang, where))
                i += 1
            elif kind == "footnote_block_open":
                close = _close_index(tokens, i)
                self._footnotes(tokens, i + 1, close, lang)
                i = close + 1
            elif tok.nesting == 1:
                i = _close_index(tokens, i) + 1     # an unknown container: skipped whole
            else:
                i += 1
        return out

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
