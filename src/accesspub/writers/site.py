"""A small accessible static site: ``index.html`` (the releases) and one page per release.

The release page carries the text with the same structure as the EPUB (``ChapterWriter``
builds it: headings in order, sections labelled by their headings, ``lang`` on every
change of language), the full narration in an ``<audio>`` player, a chapter list that
seeks, the transcript and the downloads.  It works without JavaScript: a chapter link is
a media-fragment link into the MP3 (``book.mp3#t=12.5``), which the browser opens at that
time; a few lines of script make the same link seek the player on the page instead.

Pages are built as trees and serialised as HTML5 (never string templates); links are
relative, so ``build/`` can be uploaded anywhere.  The output depends on the input only.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html
from lxml import etree

from accesspub.config import Config
from accesspub.languages import long_date, primary
from accesspub.model import Publication, Timeline
from accesspub.timecode import short_clock
from accesspub.writers.transcripts import cues
from accesspub.writers.xhtml import XHTML, ChapterWriter, el

if TYPE_CHECKING:
    from accesspub.model import WrittenRelease

CSS_NAME = "site.css"
FEED_NAME = "feed.xml"
UI_LANG = "en"

# Chapter links seek the player; without this script they open the MP3 at that time.
SCRIPT = """
(function () {
  var audio = document.getElementById("narration");
  if (!audio) { return; }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-start]") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    audio.currentTime = parseFloat(link.getAttribute("data-start"));
    audio.play();
  });
})();
"""


def site_title(config: Config) -> str:
    return config.podcast.title or config.publisher or "Releases"


def spoken_duration(seconds: float) -> str:
    """For screen readers and people alike: "3 minutes 5 seconds"."""
    total = int(seconds)          # as players and ``short_clock`` show it
    minutes, secs = divmod(total, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if secs or not minutes:
        parts.append(f"{secs} second{'s' if secs != 1 else ''}")
    return " ".join(parts)


def file_size(path: Path) -> str:
    size = path.stat().st_size
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"


def to_html(root: etree._Element) -> bytes:
    """An XHTML tree (as ChapterWriter makes) as HTML5: no namespaces, no epub:type/xml:lang."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        node.tag = etree.QName(node).localname
        for name in [n for n in node.attrib if n.startswith("{")]:
            del node.attrib[name]
    etree.cleanup_namespaces(root)
    return lxml.html.tostring(root, doctype="<!DOCTYPE html>", method="html",
                              encoding="utf-8") + b"\n"


class Page:
    """The frame every page shares: head, skip link, header with nav, main, footer."""

    def __init__(self, lang: str, title: str, config: Config, depth: int,
                 feed: bool = True) -> None:
        self.lang = lang
        self.config = config
        self.up = "../" * depth
        self.html = el(None, "html", {"lang": lang})
        head = el(self.html, "head")
        el(head, "meta", {"charset": "utf-8"})
        el(head, "meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"})
        el(head, "title", text=title)
        el(head, "link", {"rel": "stylesheet", "href": self.up + CSS_NAME})
        if feed:
            el(head, "link", {"rel": "alternate", "type": "application/rss+xml",
                              "title": site_title(config), "href": self.up + FEED_NAME})
        self.head = head
        self.body = el(self.html, "body")
        skip = el(self.body, "a", {"class": "skip-link", "href": "#main"}, "Skip to main content")
        self.ui(skip)
        header = el(self.body, "header", {"class": "site-header"})
        self.ui(header)
        name = el(header, "p", {"class": "site-name"})
        el(name, "a", {"href": self.up + "index.html"}, site_title(config))
        nav = el(header, "nav", {"aria-label": "Site"})
        items = el(nav, "ul")
        el(el(items, "li"), "a", {"href": self.up + "index.html"}, "All releases")
        if feed:
            el(el(items, "li"), "a", {"href": self.up + FEED_NAME,
                                      "type": "application/rss+xml"}, "Podcast feed (RSS)")
        self.main = el(self.body, "main", {"id": "main", "tabindex": "-1"})

    def ui(self, node: etree._Element) -> etree._Element:
        """Mark interface text (English) when the page's language is another one."""
        if primary(self.lang) != UI_LANG:
            node.set("lang", UI_LANG)
        return node

    def footer(self, lines: list[str]) -> None:
        footer = self.ui(el(self.body, "footer", {"class": "site-footer"}))
        for line in lines:
            el(footer, "p", text=line)

    def bytes(self) -> bytes:
        return to_html(self.html)


class SiteChapterWriter(ChapterWriter):
    """Images are next to the page, under the same paths as inside the EPUB."""


# --- release page -------------------------------------------------------------------------

def _chapter_starts(publication: Publication, timeline: Timeline) -> list[tuple[str, float, Path]]:
    titles = {c.id: (c.title or f"Part {c.number}") for c in publication.chapters}
    return [(titles.get(t.chapter_id, t.chapter_id), timeline.seconds(t.offset), t.path)
            for t in timeline.tracks]


def _section(parent: etree._Element, ident: str, title: str, level: int = 2,
             cls: str | None = None) -> etree._Element:
    node = el(parent, "section", {"id": ident, "aria-labelledby": f"{ident}-h"})
    if cls:
        node.set("class", cls)
    el(node, f"h{level}", {"id": f"{ident}-h"}, title)
    return node


def _listen(page: Page, parent: etree._Element, result: "WrittenRelease", out: Path) -> None:
    timeline = result.timeline
    assert timeline is not None
    mp3 = result.files["mp3"].relative_to(out).as_posix()
    section = _section(parent, "listen", "Listen", cls="listen")
    page.ui(section[0])
    page.ui(el(section, "p", text=f"The whole release read aloud by a synthetic voice "
                                  f"({spoken_duration(timeline.duration)})."))
    audio = el(section, "audio", {"id": "narration", "controls": "controls",
                                  "preload": "metadata", "src": mp3})
    page.ui(el(audio, "a", {"href": mp3}, "Download the narration (MP3)"))
    chapters = _chapter_starts(result.publication, timeline)
    if len(chapters) > 1:
        page.ui(el(section, "h3", {"id": "chapters-h"}, "Chapters"))
        page.ui(el(section, "p", {"class": "hint"},
                   text="Each chapter link starts the narration at that chapter."))
        listing = el(section, "ol", {"class": "chapters", "aria-labelledby": "chapters-h"})
        for title, start, _track in chapters:
            item = el(listing, "li")
            link = el(item, "a", {"href": f"{mp3}#t={start:.3f}", "data-start": f"{start:.3f}"},
                      title)
            link.tail = " "
            el(item, "span", {"class": "start"}, short_clock(start))


def _transcript(page: Page, parent: etree._Element, result: "WrittenRelease") -> None:
    timeline = result.timeline
    assert timeline is not None
    publication = result.publication
    section = _section(parent, "transcript", "Transcript")
    page.ui(section[0])
    intro = page.ui(el(section, "p"))
    intro.text = ("What the narration says, sentence by sentence, with the time each "
                  "sentence starts. ")
    details = el(section, "details")
    page.ui(el(details, "summary", text="Show the transcript"))
    chapter_of = {}
    for chapter in publication.chapters:
        for sentence in chapter.iter_sentences():
            chapter_of[sentence.id] = chapter
    current = None
    listing = None
    for sentence, start, _end in cues(publication, timeline):
        chapter = chapter_of.get(sentence.id)
        if chapter is not current:
            current = chapter
            if chapter is not None and chapter.title:
                heading = el(details, "h3", text=chapter.title)
                if chapter.lang != page.lang:
                    heading.set("lang", chapter.lang)
            listing = el(details, "ol", {"class": "cues"})
        item = el(listing, "li")
        stamp = el(item, "span", {"class": "start"}, short_clock(start))
        stamp.tail = " "
        text = el(item, "span", {"class": "cue"}, sentence.text)
        if sentence.lang != page.lang:
            text.set("lang", sentence.lang)


DOWNLOADS = [
    ("epub", "EPUB 3 e-book with synchronised narration", "application/epub+zip"),
    ("mp3", "Narration (MP3)", "audio/mpeg"),
    ("vtt", "Transcript with timings (WebVTT)", "text/vtt"),
    ("srt", "Subtitles (SRT)", "application/x-subrip"),
    ("txt", "Transcript (plain text)", "text/plain"),
    ("chapters", "Chapters (Podcasting 2.0 JSON)", "application/json"),
]


def _downloads(page: Page, parent: etree._Element, result: "WrittenRelease", out: Path) -> None:
    section = _section(parent, "downloads", "Downloads")
    page.ui(section[0])
    listing = page.ui(el(section, "ul", {"class": "downloads"}))
    for kind, label, mime in DOWNLOADS:
        path = result.files.get(kind)
        if path is None:
            continue
        item = el(listing, "li")
        link = el(item, "a", {"href": path.relative_to(out).as_posix(), "type": mime}, label)
        detail = file_size(path)
        if kind == "mp3" and result.timeline is not None:
            detail = f"{short_clock(result.timeline.duration)}, {detail}"
        link.tail = f" ({detail})"
    timeline = result.timeline
    if timeline is not None and len(timeline.tracks) > 1:
        page.ui(el(section, "h3", {"id": "tracks-h"}, "One MP3 per chapter"))
        tracks = el(section, "ol", {"class": "downloads", "aria-labelledby": "tracks-h"})
        for title, _start, path in _chapter_starts(result.publication, timeline):
            item = el(tracks, "li")
            link = el(item, "a", {"href": path.relative_to(out).as_posix(), "type": "audio/mpeg"},
                      title)
            link.tail = f" ({file_size(path)})"


def release_page(result: "WrittenRelease", config: Config, out: Path, feed: bool = True) -> bytes:
    """``out/index.html`` for one release (``out`` = the release's folder)."""
    publication = result.publication
    meta = publication.meta
    page = Page(meta.lang, meta.title, config, depth=1, feed=feed)
    if meta.description:
        el(page.head, "meta", {"name": "description", "content": meta.description})
    article = el(page.main, "article", {"aria-labelledby": "release-title"})
    writer = SiteChapterWriter(publication)
    chapters = list(publication.chapters)
    first_is_title = bool(chapters) and chapters[0].section.level == 1
    text_parent = article
    if first_is_title:
        writer.section(article, chapters[0].section, meta.lang)
        if chapters[0].notes:
            writer.notes(article, chapters[0].notes, meta.lang)
        chapters = chapters[1:]
    h1 = next(article.iter(f"{{{XHTML}}}h1"), None)
    if h1 is None:
        h1 = el(None, "h1", text=meta.title)
        article.insert(0, h1)
    if not h1.get("id"):
        h1.set("id", "release-title")
    article.set("aria-labelledby", h1.get("id"))
    if result.timeline is not None and "mp3" in result.files:
        _listen(page, article, result, out)
    for chapter in chapters:
        start = len(text_parent)
        writer.section(text_parent, chapter.section, chapter.lang)
        if chapter.notes:
            writer.notes(text_parent, chapter.notes, chapter.lang)
        if chapter.lang != meta.lang:
            for node in text_parent[start:]:
                node.set("lang", chapter.lang)
    # The EPUB labels each section by its heading (one file per chapter).  On one page,
    # named sections would be a long list of region landmarks, and two chapters may share
    # a heading (axe: landmark-unique); the headings carry the structure instead.
    for section in article.iter(f"{{{XHTML}}}section"):
        if section.get("id") != "listen":
            section.attrib.pop("aria-labelledby", None)
    if result.timeline is not None:
        _transcript(page, article, result)
    _downloads(page, article, result, out)
    footer = [line for line in (meta.publisher or config.publisher, meta.rights or config.rights)
              if line]
    if result.timeline is not None and result.timeline.voice:
        voice = result.timeline.voice
        if "synthetic" not in voice.lower():
            voice += " (a synthetic voice)"
        footer.append(f"Narration: {voice}.")
    page.footer(footer)
    if result.timeline is not None:
        el(page.body, "script", text=SCRIPT)
    return page.bytes()


# --- index --------------------------------------------------------------------------------

def index_page(results: list["WrittenRelease"], config: Config, root: Path,
               feed: bool = True) -> bytes:
    """``root/index.html``: every release, newest first, with its date, summary and links."""
    title = site_title(config)
    page = Page(config.language, title, config, depth=0, feed=feed)
    el(page.main, "h1", {"id": "site-title"}, title)
    if config.podcast.description:
        el(page.main, "p", {"class": "lead"}, config.podcast.description)
    if feed:
        subscribe = page.ui(el(page.main, "p", {"class": "subscribe"}))
        subscribe.text = "Listen in a podcast app: "
        el(subscribe, "a", {"href": FEED_NAME, "type": "application/rss+xml"},
           "subscribe to the podcast feed (RSS)")
    # An undated release (reported as meta-date-missing) is listed last.
    newest_first = sorted(results, key=lambda r: (r.publication.meta.date or dt.date.min, r.slug),
                          reverse=True)
    page.ui(el(page.main, "h2", {"id": "releases-h"}, "Releases"))
    listing = el(page.main, "ol", {"class": "releases", "aria-labelledby": "releases-h"})
    for result in newest_first:
        meta = result.publication.meta
        item = el(listing, "li")
        article = el(item, "article", {"aria-labelledby": f"r-{result.slug}"})
        if meta.lang != config.language:
            article.set("lang", meta.lang)
        heading = el(article, "h3", {"id": f"r-{result.slug}"})
        el(heading, "a", {"href": f"{result.slug}/index.html"}, meta.title)
        if meta.date is not None:
            date = el(article, "p", {"class": "date"})
            el(date, "time", {"datetime": meta.date.isoformat()}, long_date(meta.date, meta.lang))
        if meta.description:
            el(article, "p", {"class": "summary"}, meta.description)
        links = el(article, "ul", {"class": "links"})
        if meta.lang != config.language:
            links.set("lang", config.language)
        el(el(links, "li"), "a", {"href": f"{result.slug}/index.html"}, "Read and listen")
        if "epub" in result.files:
            el(el(links, "li"), "a", {"href": result.files["epub"].relative_to(root).as_posix(),
                                      "type": "application/epub+zip"}, "EPUB")
        if "mp3" in result.files and result.timeline is not None:
            a = el(el(links, "li"), "a", {"href": result.files["mp3"].relative_to(root).as_posix(),
                                          "type": "audio/mpeg"}, "MP3")
            a.tail = f" ({short_clock(result.timeline.duration)})"
    page.footer([line for line in (config.publisher, config.rights) if line])
    return page.bytes()


# --- writing --------------------------------------------------------------------------------

def stylesheet() -> bytes:
    return resources.files("accesspub").joinpath(f"data/{CSS_NAME}").read_bytes()


def write_site(results: list["WrittenRelease"], config: Config, root: Path,
               feed: bool = True) -> list[Path]:
    """Write ``root/index.html``, ``root/site.css`` and ``root/<slug>/index.html``; return them.

    ``feed``: whether ``root/feed.xml`` exists, so the pages link it.
    """
    written = []
    css = root / CSS_NAME
    css.write_bytes(stylesheet())
    written.append(css)
    for result in results:
        out = root / result.slug
        out.mkdir(parents=True, exist_ok=True)
        for image in result.publication.images:
            dest = out / image.href
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(image.source.read_bytes())
            written.append(dest)
        page = out / "index.html"
        page.write_bytes(release_page(result, config, out, feed))
        written.append(page)
    index = root / "index.html"
    index.write_bytes(index_page(results, config, root, feed))
    written.append(index)
    return written
