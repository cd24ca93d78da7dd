"""The EPUB 3 package: container, package document, nav, content, overlays, audio.

Written with lxml and zipfile rather than ebooklib: the package document here is computed
from the model (accessibility metadata, ``media:duration`` refining each overlay, ``lang``
everywhere), and the archive must be byte-identical on every rebuild; ebooklib 0.20 stamps
zip entries with the current time and writes overlay durations as attributes.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lxml import etree

from accesspub.model import Publication, Timeline
from accesspub.writers.a11y import BuildFacts, accessibility_metadata
from accesspub.writers.nav import nav_document
from accesspub.timecode import clock
from accesspub.writers.smil import overlay_document
from accesspub.writers.xhtml import STYLESHEET, ChapterWriter

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTAINER = b"""<?xml version="1.0" encoding="UTF-8"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    href: str                 # relative to the package document
    media_type: str
    data: bytes
    properties: str = ""
    media_overlay: str = ""


def stylesheet(narrated: bool) -> bytes:
    """The default stylesheet; the overlay highlight classes only where overlays exist."""
    css = resources.files("accesspub").joinpath("data/accesspub.css").read_bytes()
    if narrated:
        return css
    return css[: css.index(b"/* Media Overlays")]


def package_document(publication: Publication, items: list[Item], spine: list[str],
                     facts: BuildFacts, durations: dict[str, float], total: float | None) -> bytes:
    meta = publication.meta
    package = etree.Element(f"{{{OPF}}}package", nsmap={None: OPF})
    package.set("version", "3.0")
    package.set("unique-identifier", "pub-id")
    package.set(XML_LANG, meta.lang)
    metadata = etree.SubElement(package, f"{{{OPF}}}metadata", nsmap={"dc": DC})

    def dc(name: str, text: str, **attrs: str) -> etree._Element:
        node = etree.SubElement(metadata, f"{{{DC}}}{name}")
        node.text = text
        for key, value in attrs.items():
            node.set(key, value)
        return node

    def meta_el(prop: str, text: str, **attrs: str) -> etree._Element:
        node = etree.SubElement(metadata, f"{{{OPF}}}meta")
        node.set("property", prop)
        for key, value in attrs.items():
            node.set(key, value)
        node.text = text
        return node

    dc("identifier", meta.identifier, id="pub-id")
    dc("title", meta.title, id="title")
    for lang in publication.languages:
        dc("language", lang)
    creators = meta.authors or ((meta.publisher,) if meta.publisher else ())
    for index, creator in enumerate(creators, start=1):
        dc("creator", creator, id=f"creator{index}")
    if meta.publisher:
        dc("publisher", meta.publisher)
    if meta.date is not None:       # optional in EPUB 3: left out rather than made up
        dc("date", meta.date.isoformat())
    if meta.description:
        dc("description", meta.description)
    for subject in meta.subjects:
        dc("subject", subject)
    if meta.rights:
        dc("rights", meta.rights)
    modified = meta.modified.astimezone(dt.timezone.utc)
    meta_el("dcterms:modified", modified.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if meta.subtitle:
        meta_el("title-type", "main", refines="#title")
    for prop, value in accessibility_metadata(publication, facts):
        meta_el(prop, value)
    if meta.certified_by and meta.conformance:
        meta_el("dcterms:conformsTo", meta.conformance, id="conformance")
        meta_el("a11y:certifiedBy", meta.certified_by, refines="#conformance")
    if total is not None:
        for item_id, seconds in durations.items():
            meta_el("media:duration", clock(seconds), refines=f"#{item_id}")
        meta_el("media:duration", clock(total))
        meta_el("media:narrator", facts.narrator)
        meta_el("media:active-class", "-epub-media-overlay-active")
        meta_el("media:playback-active-class", "-epub-media-overlay-playing")

    manifest = etree.SubElement(package, f"{{{OPF}}}manifest")
    for item in items:
        node = etree.SubElement(manifest, f"{{{OPF}}}item")
        node.set("id", item.id)
        node.set("href", item.href)
        node.set("media-type", item.media_type)
        if item.properties:
            node.set("properties", item.properties)
        if item.media_overlay:
            node.set("media-overlay", item.media_overlay)
    spine_el = etree.SubElement(package, f"{{{OPF}}}spine")
    for idref in spine:
        etree.SubElement(spine_el, f"{{{OPF}}}itemref").set("idref", idref)
    return etree.tostring(package, xml_declaration=True, encoding="utf-8", pretty_print=True)


def zip_time(publication: Publication) -> tuple[int, int, int, int, int, int]:
    when = publication.meta.modified.astimezone(dt.timezone.utc)
    if when.year < 1980:     # the zip format cannot store earlier dates
        return (1980, 1, 1, 0, 0, 0)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


def write_archive(path: Path, entries: list[tuple[str, bytes]], date_time: tuple) -> None:
    """The OCF zip: mimetype first and stored; fixed times and attributes for identical bytes."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in [("mimetype", b"application/epub+zip")] + entries:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            stored = name == "mimetype" or name.endswith((".mp3", ".png", ".jpg", ".gif", ".webp"))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9 if not stored else None)


def write_epub(publication: Publication, dest: Path, *, timeline: Timeline | None = None,
               lexicon: bytes | None = None) -> Path:
    """Write ``dest`` (an .epub); with a timeline, the narration rides along as Media Overlays."""
    writer = ChapterWriter(publication)
    items: list[Item] = [
        Item("nav", "nav.xhtml", "application/xhtml+xml", nav_document(publication), "nav"),
        Item("css", STYLESHEET, "text/css", stylesheet(timeline is not None)),
    ]
    head_links = []
    if lexicon is not None:
        head_links.append({"rel": "pronunciation", "type": "application/pls+xml",
                           "hreflang": publication.meta.lang, "href": "lexicon.pls"})
        items.append(Item("lexicon", "lexicon.pls", "application/pls+xml", lexicon))
    durations: dict[str, float] = {}
    spine = []
    for chapter in publication.chapters:
        href = f"{chapter.slug}.xhtml"
        overlay = ""
        track = timeline.track(chapter.id) if timeline is not None else None
        if track is not None and track.clips:
            audio_href = f"audio/{track.path.name}"
            overlay = f"{chapter.id}-mo"
            items.append(Item(overlay, f"{chapter.slug}.smil", "application/smil+xml",
                              overlay_document(chapter, track, timeline, href, audio_href)))
            items.append(Item(f"{chapter.id}-audio", audio_href, "audio/mpeg",
                              track.path.read_bytes()))
            durations[overlay] = timeline.seconds(track.samples)
        items.append(Item(chapter.id, href, "application/xhtml+xml",
                          writer.chapter(chapter, head_links), media_overlay=overlay))
        spine.append(chapter.id)
    for number, image in enumerate(publication.images, start=1):
        is_cover = publication.meta.cover is not None and image.source == publication.meta.cover.source
        items.append(Item("cover-image" if is_cover else f"img{number:02d}", image.href,
                          image.media_type, image.source.read_bytes(),
                          "cover-image" if is_cover else ""))
    facts = BuildFacts(
        narrated=timeline is not None,
        alt_text_narrated=timeline is not None,
        lexicon_shipped=lexicon is not None,
        narrator=timeline.voice if timeline is not None else "",
    )
    total = sum(durations.values()) if timeline is not None else None
    opf = package_document(publication, items, spine, facts, durations, total)
    entries = [("META-INF/container.xml", CONTAINER), ("EPUB/package.opf", opf)]
    entries += [(f"EPUB/{item.href}", item.data) for item in items]
    write_archive(dest, entries, zip_time(publication))
    return dest
