"""One XHTML content document per chapter, built as a tree (never string templates).

Every sentence is a ``<span id>``: the target of the overlay's ``<par>`` and of transcripts.
Language changes get both ``lang`` and ``xml:lang``; sections nest like the headings, each
labelled by its heading.
"""

from __future__ import annotations

from lxml import etree

from accesspub.model import Block, Chapter, Mark, Publication, Run, Section, Sentence

XHTML = "http://www.w3.org/1999/xhtml"
EPUB = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NSMAP = {None: XHTML, "epub": EPUB}
STYLESHEET = "css/accesspub.css"

# epub:type -> the DPUB-ARIA role that carries the same meaning to assistive technology
ROLES = {"chapter": "doc-chapter", "endnotes": "doc-endnotes", "footnote": "doc-footnote",
         "noteref": "doc-noteref", "subtitle": "doc-subtitle", "toc": "doc-toc",
         "part": "doc-part", "abstract": "doc-abstract", "appendix": "doc-appendix"}


def el(parent: etree._Element | None, tag: str, attrs: dict[str, str] | None = None,
       text: str | None = None) -> etree._Element:
    name = f"{{{XHTML}}}{tag}"
    node = etree.Element(name, nsmap=NSMAP) if parent is None else etree.SubElement(parent, name)
    for key, value in (attrs or {}).items():
        node.set(key, value)
    if text:
        node.text = text
    return node


def set_lang(node: etree._Element, lang: str) -> None:
    node.set("lang", lang)
    node.set(XML_LANG, lang)


def set_type(node: etree._Element, epub_type: str) -> None:
    node.set(f"{{{EPUB}}}type", epub_type)
    if epub_type in ROLES:
        node.set("role", ROLES[epub_type])


def append_text(node: etree._Element, text: str) -> None:
    if not text:
        return
    if len(node):
        node[-1].tail = (node[-1].tail or "") + text
    else:
        node.text = (node.text or "") + text


def document(lang: str, title: str, *, head_links: list[dict[str, str]] | None = None) -> tuple[etree._Element, etree._Element]:
    """An empty XHTML document: (html, body)."""
    html = el(None, "html")
    set_lang(html, lang)
    head = el(html, "head")
    el(head, "meta", {"charset": "utf-8"})
    el(head, "title", text=title)
    el(head, "link", {"rel": "stylesheet", "type": "text/css", "href": STYLESHEET})
    for link in head_links or []:
        el(head, "link", link)
    body = el(html, "body")
    return html, body


def serialise(html: etree._Element) -> bytes:
    return etree.tostring(html, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


def lead_section(title_page: Section) -> Section | None:
    """The title chapter's section for the text before the first heading (no heading of
    its own): where the body starts."""
    return next((c for c in title_page.children if c.heading is None), None)


class RunWriter:
    """Writes Runs as nested inline elements; equal neighbouring marks share one element."""

    def write(self, parent: etree._Element, runs: tuple[Run, ...] | list[Run], lang: str,
              depth: int = 0) -> None:
        i = 0
        while i < len(runs):
            run = runs[i]
            if len(run.marks) > depth:
                mark = run.marks[depth]
                j = i + 1
                while j < len(runs) and len(runs[j].marks) > depth and runs[j].marks[depth] == mark:
                    j += 1
                node, inner_lang = self.mark_element(parent, mark, lang)
                self.write(node, runs[i:j], inner_lang, depth + 1)
                i = j
                continue
            if run.kind == "break":
                el(parent, "br")
            elif run.lang != lang and run.text.strip():
                span = el(parent, "span", text=run.text)
                set_lang(span, run.lang)
            else:
                append_text(parent, run.text)
            i += 1

    def mark_element(self, parent: etree._Element, mark: Mark, lang: str) -> tuple[etree._Element, str]:
        attrs = dict(mark.attrs)
        if mark.tag == "noteref":
            sup = el(parent, "sup")
            node = el(sup, "a", {"href": attrs["href"], "id": attrs["id"]})
            set_type(node, "noteref")
            return node, lang
        mark_lang = attrs.pop("lang", "")
        node = el(parent, mark.tag, attrs)
        if mark_lang and mark_lang != lang:
            set_lang(node, mark_lang)
            return node, mark_lang
        return node, lang


class ChapterWriter:
    def __init__(self, publication: Publication) -> None:
        self.publication = publication
        self.runs = RunWriter()

    def sentences(self, parent: etree._Element, sentences: tuple[Sentence, ...], lang: str) -> None:
        for index, sentence in enumerate(sentences):
            if index:
                append_text(parent, " ")
            span = el(parent, "span", {"id": sentence.id})
            self.runs.write(span, sentence.runs, lang)

    def block(self, parent: etree._Element, block: Block, lang: str) -> None:
        kind = block.kind
        if block.lang != lang and kind not in ("table_row", "table_cell"):
            container_lang = block.lang
        else:
            container_lang = lang
        if kind in ("paragraph", "titlepage_line"):
            node = el(parent, "p")
            role = block.get("role")
            if role:
                node.set("class", role)
                if role == "subtitle":
                    set_type(node, "subtitle")
            self.sentences(node, block.sentences, container_lang)
        elif kind == "heading":
            node = el(parent, f"h{block.level}", {"id": block.id})
            self.sentences(node, block.sentences, container_lang)
        elif kind == "list":
            node = el(parent, "ol" if block.get("ordered") else "ul")
            if block.get("start"):
                node.set("start", block.get("start"))
            for item in block.children:
                self.list_item(node, item, container_lang)
        elif kind == "quote":
            node = el(parent, "blockquote")
            for child in block.children:
                self.block(node, child, container_lang)
        elif kind == "table":
            node = self.table(parent, block, container_lang)
        elif kind == "code":
            node = el(parent, "pre")
            code = el(node, "code")
            for sentence in block.sentences:
                span = el(code, "span", {"id": sentence.id})
                plain_runs = [Run(r.text, r.lang, tuple(m for m in r.marks if m.tag != "code"), r.kind)
                              for r in sentence.runs]
                self.runs.write(span, plain_runs, container_lang)
        elif kind == "rule":
            node = el(parent, "hr")
        elif kind == "figure":
            node = self.figure(parent, block, container_lang)
        else:
            node = el(parent, "div")
            for child in block.children:
                self.block(node, child, container_lang)
        if kind in ("list", "table", "figure"):
            node.set("id", block.id)     # the overlay's escapable <seq> points here
        if container_lang != lang:
            set_lang(node, container_lang)

    def list_item(self, parent: etree._Element, item: Block, lang: str) -> None:
        li = el(parent, "li")
        children = item.children
        if len(children) == 1 and children[0].kind == "paragraph":
            self.sentences(li, children[0].sentences, lang)
            return
        for child in children:
            self.block(li, child, lang)

    def table(self, parent: etree._Element, block: Block, lang: str) -> etree._Element:
        table = el(parent, "table")
        if block.sentences:                   # a caption (from raw HTML tables)
            caption = el(table, "caption")
            self.sentences(caption, block.sentences, lang)
        rows = list(block.children)
        head = [r for r in rows if r.children and all(c.get("header") == "true" for c in r.children)]
        head = head[:1] if head and rows and head[0] is rows[0] else []
        if head:
            thead = el(table, "thead")
            self.row(thead, head[0], lang)
        body_rows = rows[len(head):]
        if body_rows:
            tbody = el(table, "tbody")
            for row in body_rows:
                self.row(tbody, row, lang)
        return table

    def row(self, parent: etree._Element, row: Block, lang: str) -> None:
        tr = el(parent, "tr")
        for cell in row.children:
            # a header cell without text names nothing (Ace: empty-table-header); the
            # corner above row headers is the usual one: a data cell says the same
            header = cell.get("header") == "true" and any(s.text.strip() for s in cell.sentences)
            node = el(tr, "th" if header else "td")
            if header:
                node.set("scope", cell.get("scope") or "col")
            for span in ("colspan", "rowspan"):
                if cell.get(span):
                    node.set(span, cell.get(span))
            if cell.get("align") in ("left", "right", "center"):
                node.set("class", f"align-{cell.get('align')}")
            self.sentences(node, cell.sentences, lang)

    def figure(self, parent: etree._Element, block: Block, lang: str) -> etree._Element:
        figure = el(parent, "figure")
        image = self.publication_image(block.get("src") or "")
        alt = [s for s in block.sentences if s.role == "alt"]
        caption = [s for s in block.sentences if s.role != "alt"]
        img = el(figure, "img", {"src": image, "alt": block.get("alt") or ""})
        if alt:
            img.set("id", alt[0].id)
        if block.get("decorative"):
            img.set("role", "presentation")
        if caption:
            figcaption = el(figure, "figcaption")
            self.sentences(figcaption, tuple(caption), lang)
        return figure

    def publication_image(self, href: str) -> str:
        return href

    def section(self, parent: etree._Element, section: Section, lang: str,
                title_extra: tuple[Block, ...] = ()) -> None:
        node = el(parent, "section", {"id": section.id})
        frame = node
        if section.epub_type == "titlepage" and lead_section(section) is not None:
            # The h1 labels the whole publication, lead included; only the heading and the
            # lines under it are the title page, the lead is the start of the body.
            frame = el(node, "header", {"class": "titlepage"})
            set_type(frame, "titlepage")
        elif section.epub_type:
            set_type(node, section.epub_type)
        if section.heading is not None:
            node.set("aria-labelledby", section.heading.id)
            subtitle = [b for b in section.blocks if b.get("role") == "subtitle"]
            if subtitle:
                group = el(frame, "hgroup")
                self.block(group, section.heading, lang)
                self.block(group, subtitle[0], lang)
            else:
                self.block(frame, section.heading, lang)
        for block in section.blocks:
            if block.get("role") == "subtitle":
                continue
            self.block(frame, block, lang)
        for child in section.children:
            self.section(node, child, lang)

    def notes(self, parent: etree._Element, notes: Block, lang: str) -> None:
        node = el(parent, "section", {"id": notes.id, "aria-labelledby": f"{notes.id}-h"})
        set_type(node, "endnotes")
        heading = el(node, f"h{notes.level}", {"id": f"{notes.id}-h"})
        self.sentences(heading, notes.sentences, lang)
        for note in notes.children:
            aside = el(node, "aside", {"id": note.id, "aria-label": f"Note {note.get('number')}"})
            set_type(aside, "footnote")
            for child in note.children:
                self.block(aside, child, lang)
            back = el(aside, "p", {"class": "backlink"})
            link = el(back, "a", {"href": f"#{note.get('backref')}", "role": "doc-backlink",
                                  "aria-label": f"Back to reference {note.get('number')}"}, "↩")
            del link

    def chapter(self, chapter: Chapter, head_links: list[dict[str, str]] | None = None) -> bytes:
        pub = self.publication
        title = pub.meta.title if chapter.number == 1 else f"{chapter.title} – {pub.meta.title}"
        html, body = document(chapter.lang, title, head_links=head_links)
        self.section(body, chapter.section, chapter.lang)
        if chapter.notes:
            self.notes(body, chapter.notes, chapter.lang)
        return serialise(html)
