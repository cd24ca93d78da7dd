"""The navigation document: a nested table of contents and landmarks."""

from __future__ import annotations

from lxml import etree

from accesspub.model import Publication
from accesspub.writers.xhtml import document, el, lead_section, serialise, set_type


def toc_entries(publication: Publication) -> list[tuple[int, str, str]]:
    """(level, label, href) for every heading, in reading order; the title counts as level 2."""
    entries = []
    for chapter in publication.chapters:
        href = f"{chapter.slug}.xhtml"
        for section in chapter.section.iter_sections():
            if section.heading is None or not section.title:
                continue
            level = max(section.level, 2)
            target = href if section is chapter.section else f"{href}#{section.id}"
            entries.append((level, section.title, target))
        if chapter.notes:
            entries.append((min(chapter.notes.level, 6), "Notes", f"{href}#{chapter.notes.id}"))
    return entries


def _nest(parent_ol: etree._Element, entries: list[tuple[int, str, str]]) -> None:
    stack: list[tuple[int, etree._Element]] = []   # (level, li)
    for level, label, href in entries:
        while stack and stack[-1][0] >= level:
            stack.pop()
        if stack:
            li_parent = stack[-1][1]
            child = li_parent.find(f"{{{li_parent.nsmap[None]}}}ol")
            container = child if child is not None else el(li_parent, "ol")
        else:
            container = parent_ol
        li = el(container, "li")
        el(li, "a", {"href": href}, label)
        stack.append((level, li))


def nav_document(publication: Publication) -> bytes:
    meta = publication.meta
    html, body = document(meta.lang, f"Contents – {meta.title}")
    toc = el(body, "nav", {"id": "toc", "aria-labelledby": "toc-title"})
    set_type(toc, "toc")
    el(toc, "h1", {"id": "toc-title"}, "Contents")
    _nest(el(toc, "ol"), toc_entries(publication))
    landmarks = el(body, "nav", {"id": "landmarks", "aria-labelledby": "landmarks-title",
                                 "hidden": "hidden"})
    landmarks.set("{http://www.idpf.org/2007/ops}type", "landmarks")
    el(landmarks, "h2", {"id": "landmarks-title"}, "Landmarks")
    ol = el(landmarks, "ol")
    first = publication.chapters[0]
    li = el(ol, "li")
    link = el(li, "a", {"href": f"{first.slug}.xhtml"}, "Title page")
    link.set("{http://www.idpf.org/2007/ops}type", "titlepage")
    lead = lead_section(first.section)
    if lead is not None:            # text before the first heading: the body starts there
        body_href = f"{first.slug}.xhtml#{lead.id}"
    else:
        body_chapter = publication.chapters[1] if len(publication.chapters) > 1 else first
        body_href = f"{body_chapter.slug}.xhtml"
    li = el(ol, "li")
    link = el(li, "a", {"href": body_href}, "Start of content")
    link.set("{http://www.idpf.org/2007/ops}type", "bodymatter")
    return serialise(html)
