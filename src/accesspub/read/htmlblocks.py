"""Raw HTML blocks as CMSs write them -> RawBlocks: tables, lists, figures, details, headings.

The HTML is first sanitised with nh3 (the maintained Rust sanitiser, ammonia) down to a
safe block and inline subset: scripts, styles, embedded media, event handlers, inline styles,
classes and unknown elements go (styles, scripts and media with their content).  The clean
fragment is parsed with lxml and walked into the same RawBlocks Markdown makes; inline
content goes through ``InlineBuilder`` so links, languages and marks follow the same rules.

Decisions, each reported where it changes what the author wrote:

* a ``<caption>`` written after its ``</table>`` (as some CMS editors do) is moved into it;
* a table with no header cell and at least two rows gets its first row as column headers
  (``table-header-promoted`` notice): screen readers need headers to say which column a
  cell is in, and a CMS table's first row is its header row nearly always;
* ``<details>``: its ``<summary>`` becomes a bold paragraph, the content is shown;
* ``<h1>``–``<h6>`` become headings of the outline (bold paragraphs inside lists and quotes);
* ``<img alt="">`` is decorative (HTML's own rule); ``<img>`` without alt is an error as in
  Markdown.
"""

from __future__ import annotations

import re
from typing import Callable

import nh3
from lxml import etree
from lxml import html as lxml_html

from accesspub.errors import Diagnostics
from accesspub.read.inline import DROP_WITH_CONTENT, Image as InlineImage, InlineBuilder, html_events
from accesspub.read.sentences import strip_runs
from accesspub.model import Mark, Run, SourceLocation
from accesspub.read.rawblocks import RawBlock

INLINE_TAGS = {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i",
               "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
               "time", "u", "var", "wbr", "img", "font", "big", "tt", "strike", "label"}
BLOCK_TAGS = {"p", "div", "section", "article", "header", "footer", "aside", "main", "nav",
              "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "thead",
              "tbody", "tfoot", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
              "figure", "figcaption", "address", "details", "summary", "hr", "center", "colgroup",
              "col"}
ALLOWED = INLINE_TAGS | BLOCK_TAGS
ATTRIBUTES = {
    "*": {"lang", "dir", "title"},
    "a": {"href"}, "img": {"src", "alt"}, "abbr": {"title"}, "dfn": {"title"},
    "time": {"datetime"}, "ol": {"start"},
    "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"},
}
CLEAN_CONTENT = (DROP_WITH_CONTENT | {"button", "map", "picture-none"}) - ALLOWED - {"title", "head"}
# Containers whose open and close tags must balance before a block of raw HTML ends.
CONTAINERS = {"table", "div", "details", "figure", "ul", "ol", "dl", "blockquote", "section",
              "article", "aside", "main", "header", "footer", "nav", "pre", "center"}
SPACE_RE = re.compile(r"[ \t\n\r\f]+")


def open_containers(fragment: str) -> int:
    """How many container elements the fragment leaves open (0: balanced)."""
    depth = 0
    for event in html_events(fragment):
        if event[0] == "open" and event[1] in CONTAINERS:
            depth += 1
        elif event[0] == "close" and event[1] in CONTAINERS:
            depth = max(0, depth - 1)
    return depth


def _attrs_html(attrs: list[tuple[str, str | None]]) -> str:
    out = []
    for name, value in attrs:
        value = (value or "").replace("&", "&amp;").replace('"', "&quot;")
        out.append(f' {name}="{value}"')
    return "".join(out)


def _move_late_captions(fragment: str) -> str:
    """``<table>…</table><caption>…</caption>`` -> the caption moved to the start of the table."""
    if "caption" not in fragment.lower():
        return fragment
    events = html_events(fragment)
    depth = 0
    last_table = None          # index in ``out`` just after the last top-level <table> opened
    out: list[str] = []
    i = 0
    while i < len(events):
        event = events[i]
        if event[0] == "open" and event[1] == "table":
            out.append("<table" + _attrs_html(event[2]) + ">")
            if depth == 0:
                last_table = len(out)
            depth += 1
        elif event[0] == "close" and event[1] == "table":
            depth = max(0, depth - 1)
            out.append("</table>")
        elif event[0] == "open" and event[1] == "caption" and depth == 0 and last_table is not None:
            j = i + 1
            parts = []
            while j < len(events) and not (events[j][0] == "close" and events[j][1] == "caption"):
                parts.append(events[j])
                j += 1
            caption = "<caption>" + "".join(_event_html(e) for e in parts) + "</caption>"
            out.insert(last_table, caption)
            last_table = None
            i = j + 1
            continue
        else:
            out.append(_event_html(event))
        i += 1
    return "".join(out)


def _event_html(event: tuple) -> str:
    if event[0] == "text":
        return event[1].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if event[0] == "open":
        return f"<{event[1]}{_attrs_html(event[2])}>"
    return f"</{event[1]}>"


def sanitise(fragment: str) -> str:
    return nh3.clean(_move_late_captions(fragment), tags=ALLOWED, attributes=ATTRIBUTES,
                     clean_content_tags=CLEAN_CONTENT, strip_comments=True, link_rel=None,
                     url_schemes={"http", "https", "mailto", "tel"})


def report_unsafe(fragment: str, where: SourceLocation, diag: Diagnostics) -> None:
    """One warning for what the sanitiser removes that a reader would have met."""
    removed = []
    for event in html_events(fragment):
        if event[0] != "open":
            continue
        tag, attrs = event[1], event[2]
        if tag in DROP_WITH_CONTENT and tag not in ("title", "head"):
            removed.append(f"<{tag}> with its content")
        for name, value in attrs:
            if name.startswith("on"):
                removed.append(f"{name} on <{tag}>")
            elif name in ("href", "src") and (value or "").strip().lower().startswith(
                    ("javascript:", "vbscript:", "data:")):
                removed.append(f"{(value or '').split(':')[0]}: URL on <{tag}>")
    if removed:
        shown = ", ".join(dict.fromkeys(removed))
        diag.warning("html-unsafe", f"raw HTML: removed {shown}", where,
                     "raw HTML is limited to text, tables, lists, figures and simple formatting")


class HtmlConverter:
    """A sanitised HTML fragment -> RawBlocks (for one html_block of a Markdown file)."""

    def __init__(self, lang: str, where: SourceLocation, diag: Diagnostics,
                 figure: Callable[[InlineImage, str, SourceLocation], "RawBlock | None"]) -> None:
        self.lang = lang
        self.where = where
        self.diag = diag
        self.figure = figure

    def convert(self, fragment: str, nested: bool) -> list["RawBlock"]:
        report_unsafe(fragment, self.where, self.diag)
        clean = sanitise(fragment)
        if not clean.strip():
            return []
        try:
            root = lxml_html.fragment_fromstring(clean, create_parent="div")
        except (etree.ParserError, ValueError):
            return []
        return self.blocks(root, self.lang, nested)

    # -- blocks ------------------------------------------------------------------------------

    def _raw(self, kind: str, lang: str, runs=None, children=None, level: int = 0,
             attrs=None) -> RawBlock:
        return RawBlock(kind, self.where, lang, list(runs or []), list(children or []), level,
                        dict(attrs or {}))

    def _lang(self, node, lang: str) -> str:
        from accesspub.languages import check_language_tag
        value = node.get("lang")
        if value and not check_language_tag(value):
            return value
        return lang

    def blocks(self, parent, lang: str, nested: bool) -> list["RawBlock"]:
        """Block children of ``parent``; runs of inline content between them are paragraphs."""
        out: list[RawBlock] = []
        pending: list = []                    # inline nodes (and the parent's text) waiting

        def flush() -> None:
            if pending:
                out.extend(self.paragraph(pending, lang))
                pending.clear()

        if parent.text:
            pending.append(parent.text)
        for child in parent:
            if not isinstance(child.tag, str):
                if child.tail:
                    pending.append(child.tail)
                continue
            tag = child.tag.lower()
            if tag in BLOCK_TAGS and tag not in ("td", "th", "tr", "thead", "tbody", "tfoot",
                                                 "caption", "col", "colgroup"):
                flush()
                out.extend(self.block(child, self._lang(child, lang), nested))
            elif tag in ("tr", "td", "th", "thead", "tbody", "tfoot"):
                flush()
                out.extend(self.blocks(child, lang, nested))   # stray table parts: their text
            else:
                pending.append(child)          # inline: inline() writes its tail after it
                continue
            if child.tail:
                pending.append(child.tail)
        flush()
        return out

    def block(self, node, lang: str, nested: bool) -> list["RawBlock"]:
        tag = node.tag.lower()
        if tag in ("p", "address", "dd"):
            return self.paragraph([node.text or ""] + list(node), lang)
        if tag in ("div", "section", "article", "header", "footer", "aside", "main", "nav",
                   "center", "figcaption"):
            return self.blocks(node, lang, nested)
        if re.fullmatch(r"h[1-6]", tag):
            runs, images = self.inline([node.text or ""] + list(node), lang)
            if not _has_text(runs):
                if images:
                    return self._figures(images, lang)
                self.diag.warning("heading-empty", f"an empty <{tag}> is left out", self.where,
                                  "give the heading text, or delete it")
                return []
            if nested:
                self.diag.warning("heading-nested", "a heading inside a list or quote is "
                                  "kept as bold text", self.where,
                                  "move the heading out of the list or quote")
                return [self._raw("paragraph", lang, _bold(runs))] + self._figures(images, lang)
            return [self._raw("heading", lang, runs, level=int(tag[1]))] + self._figures(images, lang)
        if tag in ("ul", "ol"):
            items = self._list_items(node, lang)
            if not items:
                return []
            attrs = {"ordered": "true"} if tag == "ol" else {}
            start = node.get("start")
            if tag == "ol" and start and start.isdigit() and start != "1":
                attrs["start"] = start
            return [self._raw("list", lang, children=items, attrs=attrs)]
        if tag == "li":
            children = self.blocks(node, lang, True)
            return [self._raw("list", lang, children=[self._raw("list_item", lang, children=children)])] \
                if children else []
        if tag == "dl":
            out = []
            pending: list = [node.text or ""]       # text between terms: its own paragraph
            for child in node:
                if isinstance(child.tag, str) and child.tag.lower() in BLOCK_TAGS:
                    out.extend(self.paragraph(pending, lang))
                    pending = []
                    if child.tag.lower() == "dt":
                        runs, images = self.inline([child.text or ""] + list(child), lang)
                        if _has_text(runs):
                            out.append(self._raw("paragraph", lang, _bold(runs)))
                        out.extend(self._figures(images, lang))
                    else:
                        out.extend(self.block(child, self._lang(child, lang), nested))
                    pending.append(child.tail or "")
                elif isinstance(child.tag, str):
                    pending.append(child)
                else:
                    pending.append(child.tail or "")
            return out + self.paragraph(pending, lang)
        if tag == "blockquote":
            children = self.blocks(node, lang, True)
            return [self._raw("quote", lang, children=children)] if children else []
        if tag == "pre":
            text = "".join(node.itertext()).strip("\n")
            if not text.strip():
                return []
            return [self._raw("code", lang, [Run(text, lang, (Mark("code"),))])]
        if tag == "hr":
            return [self._raw("rule", lang)]
        if tag == "details":
            out = []
            for child in node:
                if isinstance(child.tag, str) and child.tag.lower() == "summary":
                    runs, images = self.inline([child.text or ""] + list(child), lang)
                    if _has_text(runs):
                        out.append(self._raw("paragraph", lang, _bold(runs)))
                    out.extend(self._figures(images, lang))
            rest = _copy_without(node, "summary")
            return out + self.blocks(rest, lang, nested)
        if tag == "summary":
            runs, images = self.inline([node.text or ""] + list(node), lang)
            return ([self._raw("paragraph", lang, _bold(runs))] if _has_text(runs) else []) + \
                self._figures(images, lang)
        if tag == "figure":
            return self.html_figure(node, lang, nested)
        if tag == "table":
            return [self.table(node, lang)]
        return self.blocks(node, lang, nested)

    def _list_items(self, node, lang: str) -> list["RawBlock"]:
        """The items of a <ul>/<ol>; content outside any <li> becomes an item of its own."""
        items: list[RawBlock] = []
        pending: list = [node.text or ""]

        def add(children: list["RawBlock"]) -> None:
            if children:
                items.append(self._raw("list_item", lang, children=children))

        for child in node:
            if not isinstance(child.tag, str):
                pending.append(child.tail or "")
                continue
            tag = child.tag.lower()
            if tag in BLOCK_TAGS:
                add(self.paragraph(pending, lang))
                pending = []
                child_lang = self._lang(child, lang)
                add(self.blocks(child, child_lang, True) if tag == "li"
                    else self.block(child, child_lang, True))
                pending.append(child.tail or "")
            else:
                pending.append(child)
        add(self.paragraph(pending, lang))
        return items

    def html_figure(self, node, lang: str, nested: bool) -> list["RawBlock"]:
        captions = [c for c in node if isinstance(c.tag, str) and c.tag.lower() == "figcaption"]
        caption_runs: list[Run] = []
        if captions:
            caption_runs, _ = self.inline([captions[0].text or ""] + list(captions[0]), lang)
        imgs = [i for i in node.iter("img")]
        tables = [t for t in node.iter("table")]
        rest = _copy_without(node, "figcaption")
        if len(imgs) == 1 and not tables and not _has_text(self.inline(
                [rest.text or ""] + list(rest), lang)[0]):
            block = self.figure(_image(imgs[0]), lang, self.where)
            if block is None:
                return [self._raw("paragraph", lang, caption_runs)] if _has_text(caption_runs) else []
            if _has_text(caption_runs):
                block.runs = strip_runs(caption_runs)
            return [block]
        if len(tables) == 1 and _has_text(caption_runs):
            out = self.blocks(rest, lang, nested)
            for block in out:
                if block.kind == "table" and not block.runs:
                    block.runs = strip_runs(caption_runs)
                    return out
        out = self.blocks(rest, lang, nested)
        if _has_text(caption_runs):
            out.append(self._raw("paragraph", lang, strip_runs(caption_runs)))
        return out

    # -- tables ------------------------------------------------------------------------------

    def table(self, node, lang: str) -> "RawBlock":
        rows = []
        caption: list[Run] = []
        for part in node:
            if not isinstance(part.tag, str):
                continue
            ptag = part.tag.lower()
            if ptag == "caption":
                caption, _ = self.inline([part.text or ""] + list(part), lang)
            elif ptag in ("thead", "tbody", "tfoot"):
                rows += [(r, ptag == "thead") for r in part if isinstance(r.tag, str) and r.tag.lower() == "tr"]
            elif ptag == "tr":
                rows.append((part, False))
        raw_rows = []
        for tr, in_head in rows:
            cells = []
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                runs, images = self.inline([cell.text or ""] + list(cell), lang)
                for image in images:     # an image in a cell: its text alternative
                    if image.alt.strip():
                        runs.append(Run((" " if runs else "") + image.alt.strip(), lang))
                header = cell.tag.lower() == "th" or in_head
                attrs = {"header": "true" if header else "false"}
                for span in ("colspan", "rowspan"):
                    value = cell.get(span, "")
                    if value.isdigit() and 1 < int(value) <= 1000:
                        attrs[span] = value
                if header:
                    scope = (cell.get("scope") or "").lower()
                    if scope not in ("col", "row", "colgroup", "rowgroup"):
                        scope = "col" if in_head or not raw_rows else ("row" if not cells else "col")
                    attrs["scope"] = scope
                cells.append(self._raw("table_cell", lang, strip_runs(runs), attrs=attrs))
            if cells:
                raw_rows.append(self._raw("table_row", lang, children=cells))
        has_header = any(c.attrs.get("header") == "true" for r in raw_rows for c in r.children)
        if not has_header and len(raw_rows) >= 2:
            for cell in raw_rows[0].children:
                cell.attrs["header"] = "true"
                cell.attrs["scope"] = "col"
            self.diag.notice("table-header-promoted", "the table has no header cells: its first "
                             "row is used as column headers", self.where,
                             "mark the header row with <th> (or write the table in Markdown)")
        return self._raw("table", lang, strip_runs(caption), children=raw_rows)

    # -- inline --------------------------------------------------------------------------------

    def paragraph(self, nodes: list, lang: str) -> list["RawBlock"]:
        runs, images = self.inline(nodes, lang)
        out = []
        # <br><br> in a CMS paragraph separates paragraphs
        for part in _split_double_breaks(runs):
            if _has_text(part):
                out.append(self._raw("paragraph", lang, strip_runs(part)))
        return out + self._figures(images, lang)

    def _figures(self, images: list[InlineImage], lang: str) -> list["RawBlock"]:
        out = []
        for image in images:
            block = self.figure(image, lang, self.where)
            if block is not None:
                out.append(block)
        return out

    def inline(self, nodes: list, lang: str) -> tuple[list[Run], list[InlineImage]]:
        """Runs of a list of nodes and strings; block elements inside become line breaks.

        The text after each element (its lxml ``tail``) is written once, right after the
        element: callers list an element and never its tail as well."""
        builder = InlineBuilder(lang, self.where, self.diag, None)
        for item in nodes:
            if isinstance(item, str):
                builder.text(SPACE_RE.sub(" ", item))
            else:
                self._walk(builder, item)
        runs = builder.result.runs
        return runs, builder.result.images

    def _walk(self, builder: InlineBuilder, node) -> None:
        """``node``, its content and then its tail, each text written once."""
        if isinstance(node.tag, str):
            tag = node.tag.lower()
            if tag == "img":
                builder.result.images.append(_image(node))
            elif tag == "br":
                _line_break(builder)
            elif tag in BLOCK_TAGS or tag not in INLINE_TAGS:
                # a block inside inline content (a <p> in a cell): its lines stay apart
                if tag in BLOCK_TAGS:
                    _line_break(builder, only_after_text=True)
                self._content(builder, node)
                if tag in BLOCK_TAGS:
                    _line_break(builder, only_after_text=True)
            else:
                mapped = {"tt": "code", "strike": "s"}.get(tag, tag)
                markless = tag in ("font", "big", "label")
                if not markless:
                    builder._html_open(mapped, [] if mapped != tag else list(node.attrib.items()))
                self._content(builder, node)
                if not markless:
                    builder._html_close(mapped)
        if node.tail:
            builder.text(SPACE_RE.sub(" ", node.tail))

    def _content(self, builder: InlineBuilder, node) -> None:
        if node.text:
            builder.text(SPACE_RE.sub(" ", node.text))
        for child in node:
            self._walk(builder, child)


def _line_break(builder: InlineBuilder, only_after_text: bool = False) -> None:
    runs = builder.result.runs
    if only_after_text and (not _has_text(runs) or runs[-1].kind == "break"):
        return
    runs.append(Run("\n", builder.lang, builder.marks(), kind="break"))


def _image(node) -> InlineImage:
    has_alt = "alt" in node.attrib
    alt = node.get("alt", "")
    classes = ("decorative",) if has_alt and not alt.strip() else ()
    return InlineImage(node.get("src", ""), alt, node.get("title", ""), classes,
                       {k: v for k, v in node.attrib.items()})


def _copy_without(node, tag: str):
    """A shallow copy of ``node`` without its ``tag`` children (their tails kept)."""
    import copy
    clone = copy.deepcopy(node)
    for child in list(clone):
        if isinstance(child.tag, str) and child.tag.lower() == tag:
            previous = child.getprevious()
            if child.tail:
                if previous is not None:
                    previous.tail = (previous.tail or "") + child.tail
                else:
                    clone.text = (clone.text or "") + child.tail
            clone.remove(child)
    return clone


def _has_text(runs: list[Run]) -> bool:
    return any(r.kind == "noteref" or r.text.strip() for r in runs)


def _bold(runs: list[Run]) -> list[Run]:
    return [Run(r.text, r.lang, (Mark("strong"),) + r.marks, r.kind) for r in strip_runs(runs)]


def _split_double_breaks(runs: list[Run]) -> list[list[Run]]:
    parts: list[list[Run]] = [[]]
    # the next break or text after each run, found in one backward pass (linear)
    nexts: list[Run | None] = [None] * len(runs)
    seen: Run | None = None
    for i in range(len(runs) - 1, -1, -1):
        nexts[i] = seen
        if runs[i].kind == "break" or runs[i].text.strip():
            seen = runs[i]
    for i, run in enumerate(runs):
        if run.kind == "break":
            following = nexts[i]
            if following is not None and following.kind == "break":
                parts.append([])
                continue
            if not parts[-1] or parts[-1][-1].kind == "break" and not _has_text(parts[-1]):
                continue
        parts[-1].append(run)
    return parts
