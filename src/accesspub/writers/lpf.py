"""``<slug>.lpf``: a W3C Audiobook (Lightweight Packaging Format) for Readium-based players.

A zip with ``publication.json`` (the manifest: metadata, the chapter tracks in reading
order with their durations), ``index.html`` (the table of contents, ``role="doc-toc"``,
each entry a media fragment ``track.mp3#t=seconds``), the tracks and the cover.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from accesspub.model import Chapter, Publication, Timeline, Track
from accesspub.writers.epub import zip_time
from accesspub.writers.xhtml import XHTML, document, el, serialise

CONFORMS_TO = "https://www.w3.org/TR/audiobooks/"


def iso_duration(seconds: float) -> str:
    millis = round(seconds * 1000)
    minutes, rest = divmod(millis, 60_000)
    hours, minutes = divmod(minutes, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + f"{rest / 1000:.3f}".rstrip("0").rstrip(".") + "S"


def heading_starts(chapter: Chapter, track: Track, rate: int) -> list[tuple[int, str, float]]:
    """(level, title, seconds into the track) of each heading that has a spoken sentence
    at or after it."""
    clips = {c.sentence_id: c for c in track.clips}
    starts = []
    for section in chapter.section.iter_sections():
        if section.heading is None:
            continue
        first = next((s.id for s in section.iter_sentences() if s.id in clips), None)
        if first is not None:
            starts.append((section.level, section.title, clips[first].begin / rate))
    notes = chapter.notes
    if notes is not None and notes.sentences:         # "Notes", as in the EPUB nav
        first = next((s.id for s in notes.iter_sentences() if s.id in clips), None)
        if first is not None:
            starts.append((notes.level, " ".join(s.text for s in notes.sentences),
                           clips[first].begin / rate))
    return starts


def toc_document(publication: Publication, entries: list[tuple[int, str, str]]) -> bytes:
    html, body = document(publication.meta.lang, publication.meta.title)
    for link in html.iter(f"{{{XHTML}}}link"):
        link.getparent().remove(link)       # the EPUB stylesheet is not in the package
    nav = el(body, "nav", {"role": "doc-toc", "aria-labelledby": "toc-title"})
    el(nav, "h1", {"id": "toc-title"}, publication.meta.title)
    ol = el(nav, "ol")
    for level, title, href in entries:
        item = el(ol, "li", {"class": f"level-{level}"})
        el(item, "a", {"href": href}, title)
    return serialise(html)


def manifest(publication: Publication, timeline: Timeline,
             reading_order: list[dict], cover: str | None) -> dict:
    meta = publication.meta
    data: dict = {
        "@context": ["https://schema.org", "https://www.w3.org/ns/pub-context"],
        "type": "Audiobook",
        "conformsTo": CONFORMS_TO,
        "id": meta.identifier,
        "name": meta.title,
        "inLanguage": meta.lang,
    }
    authors = meta.authors or ((meta.publisher,) if meta.publisher else ())
    if authors:
        data["author"] = [{"type": "Person" if meta.authors else "Organization", "name": a}
                          for a in authors]
    if timeline.voice:
        data["readBy"] = [{"type": "Person", "name": timeline.voice}]
    if meta.publisher:
        data["publisher"] = meta.publisher
    if meta.date is not None:
        data["datePublished"] = meta.date.isoformat()
    data["dateModified"] = meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    data["duration"] = iso_duration(sum(timeline.seconds(t.samples) for t in timeline.tracks))
    data["abridged"] = False
    data["accessMode"] = ["auditory"]
    data["accessModeSufficient"] = [{"type": "ItemList", "itemListElement": ["auditory"]}]
    data["accessibilityFeature"] = ["tableOfContents"]
    data["accessibilityHazard"] = ["none"]
    data["accessibilitySummary"] = ("Synthetic narration of the full text; every chapter can "
                                    "be reached from the table of contents.")
    data["readingOrder"] = reading_order
    resources = [{"type": "LinkedResource", "rel": "contents", "url": "index.html",
                  "encodingFormat": "text/html", "name": "Table of contents"}]
    if cover is not None:
        resources.insert(0, {"type": "LinkedResource", "rel": "cover", "url": cover,
                             "encodingFormat": meta.cover.media_type, "name": "Cover"})
    data["resources"] = resources
    return data


def write_lpf(publication: Publication, timeline: Timeline, out: Path) -> Path:
    """``out/<slug>.lpf``; returns its path."""
    rate = timeline.sample_rate
    titles = {c.id: c for c in publication.chapters}
    reading_order, toc, media = [], [], []
    for track in timeline.tracks:
        if not track.samples:
            continue
        href = f"audio/{track.path.name}"
        chapter = titles.get(track.chapter_id)
        reading_order.append({"type": "LinkedResource", "url": href,
                              "encodingFormat": "audio/mpeg",
                              "name": chapter.title if chapter else track.chapter_id,
                              "duration": iso_duration(track.samples / rate)})
        media.append((href, track.path))
        if chapter is not None:
            toc += [(level, title, f"{href}#t={start:.3f}")
                    for level, title, start in heading_starts(chapter, track, rate)]
    cover = None
    if publication.meta.cover is not None:
        cover = "cover" + publication.meta.cover.source.suffix.lower()
        media.append((cover, publication.meta.cover.source))
    data = manifest(publication, timeline, reading_order, cover)
    entries = [("publication.json", json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")),
               ("index.html", toc_document(publication, toc))]
    entries += [(name, source.read_bytes()) for name, source in media]
    dest = out / f"{publication.slug}.lpf"
    when = zip_time(publication)
    with zipfile.ZipFile(dest, "w") as archive:
        for name, payload in entries:
            info = zipfile.ZipInfo(name, date_time=when)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            stored = name.startswith("audio/") or name.startswith("cover")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, payload, compresslevel=None if stored else 9)
    return dest
