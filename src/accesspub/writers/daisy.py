"""DAISY 2.02 talking book (full text and full audio): ``daisy/`` and ``<slug>.daisy.zip``.

Built from the same content documents and Timeline as the EPUB: one XHTML 1.0 content
document, one SMIL 1.0 file and one MP3 per chapter (the chapter's track), an NCC listing
every heading, and ``master.smil``.

The forms chosen are the ones players and readers accept, not only the schema:
``par > seq > audio`` (daisy-dtb reads clips only there), clip times as ``npt=S.sssS``,
SMIL elements without a namespace, NCC elements in the XHTML namespace without a prefix.
See docs/formats.md and accesspub.testing.daisy202 for the rules checked.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from lxml import etree

from accesspub import __version__
from accesspub.model import Chapter, Publication, Timeline, Track
from accesspub.timecode import clock
from accesspub.writers.epub import zip_time
from accesspub.writers.xhtml import XHTML, XML_LANG, ChapterWriter

XHTML_DOCTYPE = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                 '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">')
SMIL_DOCTYPE = ('<!DOCTYPE smil PUBLIC "-//W3C//DTD SMIL 1.0//EN" '
                '"http://www.w3.org/TR/REC-smil/SMIL10.dtd">')
GENERATOR = f"accesspub {__version__}"
# HTML5 sectioning elements have no XHTML 1.0 equivalent: a div with the old name as class
# keeps the structure for styles and for players that show classes.
AS_DIV = {"section", "header", "hgroup", "aside", "figure", "figcaption", "nav", "footer"}
AS_SPAN = {"time", "mark", "bdi", "data"}        # HTML5 inline elements, likewise
# What DAISY 2.02 allows besides its documents and MP3s; other images become their text.
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif"}
X = f"{{{XHTML}}}"
CHAPTER_LINK = re.compile(r"^([^#/:]+)\.xhtml(#.*)?$")


def npt(samples: int, rate: int) -> str:
    return f"npt={round(samples * 1000 / rate) / 1000:.3f}s"


def _millis(samples: int, rate: int) -> int:
    return round(samples * 1000 / rate)


def _clock(millis: int, hour_digits: int = 1) -> str:
    return clock(millis / 1000, hour_digits=hour_digits)


class ContentDocument:
    """A chapter's EPUB content document, turned into XHTML 1.0 with the same ids."""

    def __init__(self, publication: Publication, images: dict[str, str]) -> None:
        self.writer = ChapterWriter(publication)
        self.images = images        # EPUB href -> href in the DAISY folder

    def make(self, chapter: Chapter) -> etree._Element:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        html = etree.fromstring(self.writer.chapter(chapter), parser)
        for node in list(html.iter()):
            if not isinstance(node.tag, str):
                continue
            for name in list(node.attrib):
                # epub:type and ARIA have no meaning in XHTML 1.0; lang/xml:lang stay
                if name.startswith("{http://www.idpf.org/2007/ops}") or name == "role" \
                        or name.startswith("aria-"):
                    del node.attrib[name]
            local = etree.QName(node).localname
            if local in AS_DIV:
                node.set("class", " ".join(filter(None, (local, node.get("class")))))
                node.tag = X + "div"
            elif local in AS_SPAN:
                node.attrib.pop("datetime", None)
                node.attrib.pop("value", None)
                node.set("class", " ".join(filter(None, (local, node.get("class")))))
                node.tag = X + "span"
            elif local == "img":
                self._image(node)
            elif local == "a" and node.get("href"):
                # links between chapters (note references) follow the renamed documents
                node.set("href", CHAPTER_LINK.sub(r"\1.html\2", node.get("href")))
            elif local == "meta" and node.get("charset"):
                del node.attrib["charset"]
                node.set("http-equiv", "Content-Type")
                node.set("content", "text/html; charset=utf-8")
            elif local == "link":
                node.getparent().remove(node)   # the EPUB stylesheet and lexicon stay there
        etree.cleanup_namespaces(html, top_nsmap={None: XHTML})
        return html

    def _image(self, img: etree._Element) -> None:
        href = self.images.get(img.get("src", ""))
        if href is not None:
            img.set("src", href)
            return
        span = etree.Element(X + "span")       # an image DAISY cannot carry: its text
        if img.get("id"):
            span.set("id", img.get("id"))
        span.text = img.get("alt", "")
        span.tail = img.tail
        img.getparent().replace(img, span)


def _ordered_ids(html: etree._Element) -> list[str]:
    return [node.get("id") for node in html.iter() if isinstance(node.tag, str) and node.get("id")]


def _smil(title: str, identifier: str, heading: str, elapsed: int, duration: int,
          pars: list[tuple[str, str, str, int, int]], text_href: str, audio_href: str,
          rate: int) -> bytes:
    smil = etree.Element("smil")
    head = etree.SubElement(smil, "head")
    for name, content in (("dc:format", "Daisy 2.02"), ("dc:title", title),
                          ("dc:identifier", identifier), ("ncc:generator", GENERATOR),
                          ("ncc:totalElapsedTime", _clock(elapsed)),
                          ("ncc:timeInThisSmil", _clock(duration)), ("title", heading)):
        etree.SubElement(head, "meta", name=name, content=content)
    layout = etree.SubElement(head, "layout")
    etree.SubElement(layout, "region", id="txtView")
    body = etree.SubElement(smil, "body")
    seq = etree.SubElement(body, "seq", dur=f"{duration / 1000:.3f}s")
    for sentence_id, _, _, begin, end in pars:
        par = etree.SubElement(seq, "par", endsync="last", id=f"par-{sentence_id}")
        etree.SubElement(par, "text", src=f"{text_href}#{sentence_id}", id=f"txt-{sentence_id}")
        inner = etree.SubElement(par, "seq")
        etree.SubElement(inner, "audio", src=audio_href, id=f"aud-{sentence_id}",
                         **{"clip-begin": npt(begin, rate), "clip-end": npt(end, rate)})
    return etree.tostring(smil, xml_declaration=True, encoding="utf-8", pretty_print=True,
                          doctype=SMIL_DOCTYPE)


def _place_audio(source: Path, target: Path) -> None:
    """A hard link where the file system allows one: the same bytes, no second copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


class DaisyBook:
    def __init__(self, publication: Publication, timeline: Timeline) -> None:
        self.publication = publication
        self.timeline = timeline
        self.files: dict[str, bytes | Path] = {}      # name in the book -> bytes or a source
        self.ncc_items: list[tuple[int, str, str]] = []   # (level, text, smil#par)

    def build(self) -> None:
        pub, rate = self.publication, self.timeline.sample_rate
        images = {}
        for image in pub.images:
            if image.media_type in IMAGE_TYPES:
                name = image.href      # "images/x.png": the same relative path as in the EPUB
                images[image.href] = name
                self.files[name] = image.source
        content = ContentDocument(pub, images)
        elapsed = 0
        master = []
        for chapter in pub.chapters:
            track = self._track(chapter)
            if track is None or not track.clips:
                continue        # a chapter with nothing spoken has no place in a talking book
            html = content.make(chapter)
            text_href, smil_href, audio_href = (f"{chapter.slug}.html", f"{chapter.slug}.smil",
                                                f"{chapter.slug}.mp3")
            clips = {c.sentence_id: c for c in track.clips}
            order = [i for i in _ordered_ids(html) if i in clips]
            missing = set(clips) - set(order)
            if missing:
                raise KeyError(f"clips without text in the DAISY content: {sorted(missing)[:3]}")
            pars = [(i, text_href, audio_href, clips[i].begin, clips[i].end) for i in order]
            duration = sum(_millis(e, rate) - _millis(b, rate) for *_, b, e in pars)
            self.files[smil_href] = _smil(pub.meta.title, pub.meta.identifier, chapter.title,
                                          elapsed, duration, pars, text_href, audio_href, rate)
            self.files[text_href] = etree.tostring(html, xml_declaration=True, encoding="utf-8",
                                                   doctype=XHTML_DOCTYPE)
            self.files[audio_href] = track.path
            self._headings(chapter, html, order, smil_href)
            master.append((smil_href, chapter.title))
            elapsed += duration
        self.total = elapsed
        self.files["master.smil"] = self._master(master)
        self.files["ncc.html"] = self._ncc()

    def _track(self, chapter: Chapter) -> Track | None:
        try:
            return self.timeline.track(chapter.id)
        except KeyError:
            return None

    def _headings(self, chapter: Chapter, html: etree._Element, order: list[str],
                  smil_href: str) -> None:
        """Each heading points at the first spoken sentence from it on: a silent heading
        (a lone symbol) still gets its place in the NCC."""
        position = {node_id: n for n, node_id in enumerate(_ordered_ids(html))}
        spoken = [(position[i], i) for i in order]
        headings = [(s.level, s.title, s.heading.sentences[0].id)
                    for s in chapter.section.iter_sections()
                    if s.heading is not None and s.heading.sentences]
        if chapter.notes is not None and chapter.notes.sentences:   # "Notes", as in the EPUB nav
            notes = chapter.notes
            headings.append((notes.level, " ".join(x.text for x in notes.sentences),
                             notes.sentences[0].id))
        for level, title, first in headings:
            at = position.get(first)
            target = next((i for p, i in spoken if at is not None and p >= at), None)
            if target is not None:
                self.ncc_items.append((level, title, f"{smil_href}#par-{target}"))

    def _master(self, refs: list[tuple[str, str]]) -> bytes:
        smil = etree.Element("smil")
        head = etree.SubElement(smil, "head")
        meta = self.publication.meta
        for name, content in (("dc:format", "Daisy 2.02"), ("dc:title", meta.title),
                              ("dc:identifier", meta.identifier)):
            etree.SubElement(head, "meta", name=name, content=content)
        etree.SubElement(etree.SubElement(head, "layout"), "region", id="txtView")
        body = etree.SubElement(smil, "body")
        for number, (href, title) in enumerate(refs, start=1):
            etree.SubElement(body, "ref", src=href, title=title, id=f"ref-{number}")
        return etree.tostring(smil, xml_declaration=True, encoding="utf-8", pretty_print=True,
                              doctype=SMIL_DOCTYPE)

    def _ncc(self) -> bytes:
        meta = self.publication.meta
        html = etree.Element(X + "html", nsmap={None: XHTML})
        html.set("lang", meta.lang)
        html.set(XML_LANG, meta.lang)
        head = etree.SubElement(html, X + "head")
        etree.SubElement(head, X + "title").text = meta.title
        etree.SubElement(head, X + "meta", {"http-equiv": "Content-Type",
                                            "content": "text/html; charset=utf-8"})
        creators = meta.authors or ((meta.publisher,) if meta.publisher else ())
        levels = [level for level, _, _ in self.ncc_items]
        entries: list[tuple[str, str]] = [("dc:creator", c) for c in creators]
        if meta.date is not None:
            # Without a date the build warns (meta-date-missing); one is never made up, so
            # the NCC goes without, which DAISY checkers report as a warning, not an error.
            entries.append(("dc:date", meta.date.isoformat()))
        entries += [("dc:format", "Daisy 2.02"),
                    ("dc:identifier", meta.identifier), ("dc:language", meta.lang)]
        if meta.publisher:
            entries.append(("dc:publisher", meta.publisher))
        entries += [("dc:title", meta.title), ("ncc:charset", "utf-8"),
                    ("ncc:generator", GENERATOR)]
        if self.timeline.voice:
            entries.append(("ncc:narrator", self.timeline.voice))
        entries += [("ncc:pageFront", "0"), ("ncc:pageNormal", "0"), ("ncc:pageSpecial", "0"),
                    ("ncc:tocItems", str(len(self.ncc_items))),
                    ("ncc:totalTime", _clock(self.total, hour_digits=2)),
                    ("ncc:multimediaType", "audioFullText"),
                    ("ncc:depth", str(max(levels, default=1))),
                    ("ncc:files", str(len(self.files) + 1))]    # + ncc.html itself
        for name, content in entries:
            etree.SubElement(head, X + "meta", name=name, content=content)
        body = etree.SubElement(html, X + "body")
        for number, (level, text, href) in enumerate(self.ncc_items, start=1):
            heading = etree.SubElement(body, X + f"h{level}", id=f"ncc-{number}")
            if number == 1:
                heading.set("class", "title")
            etree.SubElement(heading, X + "a", href=href).text = text
        return etree.tostring(html, xml_declaration=True, encoding="utf-8", pretty_print=True,
                              doctype=XHTML_DOCTYPE)


def write_daisy(publication: Publication, timeline: Timeline, out: Path) -> tuple[Path, Path]:
    """``out/daisy/`` and ``out/<slug>.daisy.zip``; returns both."""
    import zipfile
    book = DaisyBook(publication, timeline)
    book.build()
    folder = out / "daisy"
    folder.mkdir()
    for name, data in sorted(book.files.items()):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            _place_audio(data, target)
        else:
            target.write_bytes(data)
    archive = out / f"{publication.slug}.daisy.zip"
    when = zip_time(publication)
    with zipfile.ZipFile(archive, "w") as zf:
        # ncc.html first: some players look at the first entry to recognise a DAISY book
        for name in sorted(book.files, key=lambda n: (n != "ncc.html", n)):
            info = zipfile.ZipInfo(name, date_time=when)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            stored = name.endswith((".mp3", ".png", ".jpg", ".jpeg", ".gif"))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            data = book.files[name]
            zf.writestr(info, data.read_bytes() if isinstance(data, Path) else data,
                        compresslevel=None if stored else 9)
    return folder, archive
