"""A small accessible static site: ``index.html`` (the releases) and one page per release.

The release page carries the text with the same structure as the EPUB (``ChapterWriter``
builds it: headings in order, sections labelled by their headings, ``lang`` on every
change of language), the full narration in an ``<audio>`` player, a chapter list that
seeks, the transcript and the downloads.  It works without JavaScript: a chapter link is
a media-fragment link into the MP3 (``book.mp3#t=12.5``), which the browser opens at that
time.  With script (``player.js``, one small file) the page reads along: every sentence
span carries its time in the narration (``data-b``/``data-e``, from the same Timeline as
the overlays and the VTT), so the script highlights the sentence being spoken without
loading anything else; the read-along controls are in the page, ``hidden`` until the
script shows them.

Pages are built as trees and serialised as HTML5 (never string templates); links are
relative, so ``build/`` can be uploaded anywhere.  The output depends on the input only.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html
from lxml import etree

from accesspub.config import OUTPUT_AUDIENCES, Config
from accesspub.languages import long_date, primary
from accesspub.model import Publication, Timeline
from accesspub.timecode import short_clock
from accesspub.writers.transcripts import cues
from accesspub.writers.xhtml import XHTML, ChapterWriter, el

if TYPE_CHECKING:
    from accesspub.model import WrittenRelease

CSS_NAME = "site.css"
SCRIPT_NAME = "player.js"
FEED_NAME = "feed.xml"
UI_LANG = "en"
NBSP = "\u00a0"

# A number and its unit stay on one line ("39.6 %", "6 kB"): the site only, the EPUB
# keeps the author's spaces.  A unit is whole (not the "h" of "2 hours").
_UNITS = (r"%|‰|‱|°[CF]?|[kMGT]?B|[kMGT]?bit/s|[kMG]?Hz|k?Wh|[kMG]?W|km/h|[kcm]?m[²³]?|"
          r"kg|mg|g|t|ml|l|h|min|s|ms|V|€|\$|£|EUR|USD|GBP|AZN|CHF|million|billion|"
          r"trillion|percent|per cent|seconds?|minutes?|hours?|days?|weeks?|months?|years?")
_NUMBER_UNIT = re.compile(rf"(?<=\d)[ \t\n]+(?=(?:{_UNITS})(?![\w²³]))")
_NO_UNITS = {"pre", "code", "kbd", "samp", "script", "style"}


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
    return " ".join(parts).replace(" second", NBSP + "second").replace(" minute", NBSP + "minute")


def file_size(path: Path) -> str:
    size = path.stat().st_size
    if size < 1000:
        return f"{size}{NBSP}bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f}{NBSP}kB"
    return f"{size / 1_000_000:.1f}{NBSP}MB"


def keep_units(root: etree._Element) -> None:
    """A no-break space between a number and its unit, in every text of the tree."""
    literal = {inner for node in root.iter() if isinstance(node.tag, str)
               and node.tag.rpartition("}")[2] in _NO_UNITS for inner in node.iter()}
    for node in root.iter():
        if node.text and isinstance(node.tag, str) and node not in literal:
            node.text = _NUMBER_UNIT.sub(NBSP, node.text)
        if node.tail and node is not root and node.getparent() not in literal:
            node.tail = _NUMBER_UNIT.sub(NBSP, node.tail)


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
        if depth:       # on the index the h1 names the site: once is enough on a phone
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


def reads_along(result: "WrittenRelease", config: Config) -> bool:
    """Whether the narration's sentence timings fit the text on the page: not when it was
    kept from an earlier build whose text has changed since (narration-stale)."""
    if result.timeline is None:
        return False
    if not getattr(result, "kept", False):
        return True
    from accesspub.previous import speech_digest
    return getattr(result, "kept_digest", "") == speech_digest(result.publication, config)


def _time_sentences(root: etree._Element, timeline: Timeline) -> int:
    """``data-b``/``data-e`` (seconds in the full MP3) on every sentence span the narration
    speaks: what the script highlights and seeks to.  Returns how many were timed."""
    spans = {node.get("id"): node for node in root.iter(f"{{{XHTML}}}span") if node.get("id")}
    timed = 0
    for track in timeline.tracks:
        for clip in track.clips:
            span = spans.get(clip.sentence_id)
            if span is not None and span.get("data-b") is None:
                span.set("data-b", f"{timeline.seconds(track.offset + clip.begin):.3f}")
                span.set("data-e", f"{timeline.seconds(track.offset + clip.end):.3f}")
                timed += 1
    return timed


SHORTCUTS = [("K", "Play or pause"), ("J", "Previous sentence"), ("L", "Next sentence"),
             ("Shift + J", "Previous section"), ("Shift + L", "Next section"),
             ("- (minus)", "Slower"), ("+ (plus)", "Faster"), ("F", "Follow the text on or off")]


def _button(parent: etree._Element, action: str, label: str, **attrs: str) -> etree._Element:
    return el(parent, "button", {"type": "button", "data-act": action, **attrs}, label)


def _controls(page: Page, section: etree._Element, sentences: bool, sections: bool) -> None:
    """The read-along controls over the native player: hidden without script, which they
    need; every one a real button, named by its text."""
    player = page.ui(el(section, "div", {"id": "player", "class": "player", "hidden": "hidden",
                                         "role": "group", "aria-label": "Read-along controls"}))
    moves = el(player, "div", {"class": "controls"})
    _button(moves, "play", "Play", **{"class": "play"})
    if sentences:
        _button(moves, "prev-sentence", "Previous sentence")
        _button(moves, "next-sentence", "Next sentence")
    if sections:
        _button(moves, "prev-section", "Previous section")
        _button(moves, "next-section", "Next section")
    tune = el(player, "div", {"class": "controls"})
    _button(tune, "slower", "Slower")
    speed = el(tune, "span", {"class": "speed"}, "Speed ")
    el(speed, "output", {"id": "rate", "aria-live": "polite"}, "1×")
    _button(tune, "faster", "Faster")
    if sentences:
        _button(tune, "follow", "Follow the text", **{"aria-pressed": "true"})
    keys = el(player, "details", {"class": "shortcuts"})
    el(keys, "summary", text="Keyboard shortcuts")
    listing = el(keys, "dl")
    for key, action in SHORTCUTS:
        if not sentences and "sentence" in action or not sections and "section" in action \
                or not sentences and action.startswith("Follow"):
            continue
        el(el(listing, "dt"), "kbd", text=key)
        el(listing, "dd", text=action)
    el(keys, "p", text="The shortcuts work anywhere on the page except in a form field; "
                       "single keys can get in the way of a screen reader or speech input, "
                       "so they can be turned off:")
    _button(keys, "keys", "Single-key shortcuts", **{"aria-pressed": "true"})


def _listen(page: Page, parent: etree._Element, result: "WrittenRelease", out: Path,
            timed: bool) -> etree._Element:
    timeline = result.timeline
    assert timeline is not None
    mp3 = result.files["mp3"].relative_to(out).as_posix()
    section = _section(parent, "listen", "Listen", cls="listen")
    page.ui(section[0])
    page.ui(el(section, "p", text=f"The whole release read aloud by a synthetic voice "
                                  f"({spoken_duration(timeline.duration)})."))
    audio = el(section, "audio", {"id": "narration", "controls": "controls",
                                  "preload": "metadata", "src": mp3})
    if "vtt" in result.files:
        lang = result.publication.meta.lang
        vtt = result.files["vtt"].relative_to(out).as_posix()
        el(audio, "track", {"kind": "captions", "src": vtt, "srclang": lang,
                            "label": f"Captions ({lang})"})
    page.ui(el(audio, "a", {"href": mp3}, "Download the narration (MP3)"))
    chapters = _chapter_starts(result.publication, timeline)
    _controls(page, section, timed, len(chapters) > 1)
    if not timed:
        page.ui(el(section, "p", {"class": "hint"},
                   text="This narration was made from an earlier version of the text, so the "
                        "page does not highlight the sentences as they are spoken."))
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
    return section


def _transcript(page: Page, parent: etree._Element, result: "WrittenRelease",
                timed: bool = True) -> None:
    timeline = result.timeline
    assert timeline is not None
    publication = result.publication
    section = _section(parent, "transcript", "Transcript")
    page.ui(section[0])
    if not timed:
        # The kept narration's sentences may no longer be in the text: its own transcript
        # files (in the downloads) say what it says.
        page.ui(el(section, "p", text="The narration was made from an earlier version of "
                                      "the text: its transcript is in the downloads."))
        return
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
    ("daisy", "DAISY 2.02 talking book (zip)", "application/zip"),
    ("m4b", "Audiobook with chapters (M4B)", "audio/mp4"),
    ("lpf", "W3C audiobook (LPF)", "application/lpf+zip"),
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
        if kind in OUTPUT_AUDIENCES:
            link.tail += f", {OUTPUT_AUDIENCES[kind]}"
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
    timed = reads_along(result, config)
    if result.timeline is not None and "mp3" in result.files:
        timed = timed and _time_sentences(article, result.timeline) > 0
        # Right under the title (and its dateline), before the lead: on a phone the
        # player is on the first screen.
        listen = _listen(page, article, result, out, timed)
        title_block = h1
        while title_block.getparent() is not article and \
                etree.QName(title_block.getparent()).localname in ("hgroup", "header"):
            title_block = title_block.getparent()
        title_block.addnext(listen)
    if result.timeline is not None:
        _transcript(page, article, result, reads_along(result, config))
    _downloads(page, article, result, out)
    footer = [line for line in (meta.publisher or config.publisher, meta.rights or config.rights)
              if line]
    if result.timeline is not None and result.timeline.voice:
        voice = result.timeline.voice
        if "synthetic" not in voice.lower():
            voice += " (a synthetic voice)"
        footer.append(f"Narration: {voice}.")
    page.footer(footer)
    keep_units(page.body)
    if result.timeline is not None and "mp3" in result.files:
        el(page.body, "script", {"src": page.up + SCRIPT_NAME})
    return page.bytes()


# --- index --------------------------------------------------------------------------------

def index_page(results: list["WrittenRelease"], config: Config, root: Path,
               feed: bool = True) -> bytes:
    """``root/index.html``: every release, newest first, with its date, summary and links."""
    title = site_title(config)
    page = Page(config.language, title, config, depth=0, feed=feed)
    el(page.main, "h1", {"id": "site-title", "class": "site-title"}, title)
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
    keep_units(page.body)
    return page.bytes()


# --- writing --------------------------------------------------------------------------------

def stylesheet() -> bytes:
    return resources.files("accesspub").joinpath(f"data/{CSS_NAME}").read_bytes()


def player_script() -> bytes:
    return resources.files("accesspub").joinpath(f"data/{SCRIPT_NAME}").read_bytes()


def write_site(results: list["WrittenRelease"], config: Config, root: Path,
               feed: bool = True) -> list[Path]:
    """Write ``root/index.html``, ``root/site.css``, ``root/player.js`` and
    ``root/<slug>/index.html``; return them.

    ``feed``: whether ``root/feed.xml`` exists, so the pages link it.
    """
    written = []
    css = root / CSS_NAME
    css.write_bytes(stylesheet())
    written.append(css)
    script = root / SCRIPT_NAME
    script.write_bytes(player_script())
    written.append(script)
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
