"""The podcast feed: RSS 2.0 + iTunes + Podcasting 2.0, one episode per narrated release.

Built with feedgen and its ``podcast`` (iTunes) extension; the ``podcast:`` namespace
(Podcasting 2.0) is a small feedgen extension below, so no XML is written by hand.

Values, and what happens when one is missing (STANDARDS §10):

* ``[project] base_url`` — **required**: every URL in a feed is absolute.  Empty: a
  ``ConfigError`` (``config-missing``) naming the key.
* ``[podcast] title`` — defaults to ``[project] publisher``; both empty: ``ConfigError``.
* ``[podcast] description`` — defaults to "Narrated releases of <publisher/title>."
* ``[podcast] author`` — defaults to the publisher, then ``[project] author``.
* ``[podcast] image`` — a JPEG or PNG in the project (Apple: square, 1400–3000 px).  It is
  copied to the output root and linked with its absolute URL.  Apple Podcasts rejects a
  feed without it, but other apps do not, so a missing image is a *warning*
  (``podcast-image``), a named file that does not exist or is not JPEG/PNG is an error.
* ``[podcast] owner_name`` / ``owner_email`` — ``itunes:owner`` only when the e-mail is
  set (Apple no longer asks for it; other directories verify ownership with it).
* ``category`` / ``subcategory`` / ``explicit`` / ``type`` / ``locked`` — as configured.

Determinism: the same releases give the same bytes.  Nothing comes from the wall clock:
``pubDate`` is the release date at 00:00 UTC, ``lastBuildDate`` the newest release date,
item guids are UUIDv5 of the publication identifier, ``itunes:duration`` and the
enclosure length are read from the final MP3.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import uuid
import logging
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from accesspub.config import Config, Podcast
from accesspub.folders import within
from accesspub.errors import ConfigError, Diagnostic, Diagnostics
from accesspub.model import SourceLocation

if TYPE_CHECKING:
    from accesspub.model import WrittenRelease

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
FEED_NAME = "feed.xml"
# Podcasting 2.0 podcast:guid namespace (docs/tags/guid.md)
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# accesspub's own namespace for episode guids: uuid5(URL namespace, a fixed name)
ITEM_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://accesspub.invalid/feed/item")
IMAGE_TYPES = {".jpg": ".jpg", ".jpeg": ".jpg", ".png": ".png"}
MIME = {"vtt": "text/vtt", "srt": "application/x-subrip",
        "chapters": "application/json+chapters", "mp3": "audio/mpeg"}
CONFIG_FILE = SourceLocation("accesspub.toml")


def podcast_guid(feed_url: str) -> str:
    """``podcast:guid``: UUIDv5 of the feed URL without scheme and trailing slashes (R-12)."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def episode_guid(identifier: str) -> str:
    """The item ``guid``: UUIDv5 of the publication identifier, so it survives rebuilds."""
    return str(uuid.uuid5(ITEM_GUID_NAMESPACE, identifier))


def wants_feed(config: Config, narrated: bool) -> bool:
    """A feed is written when some release is narrated and the project asks for one
    (``base_url`` or a ``[podcast]`` table)."""
    return narrated and bool(config.base_url or config.podcast != Podcast())


def feed_skipped_reason(config: Config, narrated: bool) -> str:
    if not narrated:
        return "no release has narration (built with --no-audio and none kept)"
    missing = [what for what, absent in (("project.base_url", not config.base_url),
                                         ("a [podcast] table", config.podcast == Podcast()))
               if absent]
    return f"accesspub.toml sets neither {' nor '.join(missing)}"


def base_url(config: Config) -> str:
    """``[project] base_url`` ending in ``/``; a ConfigError naming the key when empty."""
    url = config.base_url.strip()
    if not url:
        raise ConfigError(
            "[project] base_url is needed for the podcast feed: every URL in a feed is absolute",
            CONFIG_FILE, code="config-missing",
            hint='add base_url = "https://example.org/releases/" under [project] in accesspub.toml '
                 "(the address where build/ will be uploaded)")
    if not re.match(r"^https?://", url):
        raise ConfigError(f"[project] base_url must start with https:// (got {url!r})",
                          CONFIG_FILE, code="config-value",
                          hint='e.g. base_url = "https://example.org/releases/"')
    return url if url.endswith("/") else url + "/"


def mp3_seconds(path: Path) -> float:
    """The playing time of an MP3, from its frames (mutagen reads the LAME/Xing header)."""
    from mutagen.mp3 import MP3
    return MP3(str(path)).info.length


# --- Podcasting 2.0 as a feedgen extension ----------------------------------------------

@dataclass
class Person:
    name: str
    role: str = "host"
    group: str = "cast"


class Podcast20Extension(BaseExtension):
    """Channel tags of the ``podcast:`` namespace, plus ``itunes:explicit`` as true/false.

    (feedgen's iTunes extension only knows Apple's old yes/no/clean values.)
    """

    def __init__(self) -> None:
        self.guid: str | None = None
        self.locked: bool | None = None
        self.locked_owner: str = ""
        self.medium: str | None = None
        self.explicit: bool | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, feed):
        channel = feed[0]
        if self.explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = "true" if self.explicit else "false"
        if self.guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self.guid
        if self.locked is not None:
            node = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
            node.text = "yes" if self.locked else "no"
            if self.locked_owner:
                node.set("owner", self.locked_owner)
        if self.medium:
            xml_elem(f"{{{PODCAST_NS}}}medium", channel).text = self.medium
        return feed

    extend_atom = BaseExtension.extend_atom


class Podcast20EntryExtension(BaseEntryExtension):
    """Item tags of the ``podcast:`` namespace: transcripts, chapters, persons."""

    def __init__(self) -> None:
        self.transcripts: list[dict[str, str]] = []
        self.chapters: dict[str, str] | None = None
        self.persons: list[Person] = []

    def extend_rss(self, entry):
        for attrs in self.transcripts:
            xml_elem(f"{{{PODCAST_NS}}}transcript", entry, **attrs)
        if self.chapters:
            xml_elem(f"{{{PODCAST_NS}}}chapters", entry, **self.chapters)
        for person in self.persons:
            node = xml_elem(f"{{{PODCAST_NS}}}person", entry, role=person.role, group=person.group)
            node.text = person.name[:128]
        return entry


# --- the feed -----------------------------------------------------------------------------

def _problem(diag: Diagnostics | None, ignore: frozenset[str], code: str, message: str,
             hint: str) -> None:
    """A warning into ``diag``; without one, logged in the CLI's ``file: level code:`` form."""
    if diag is not None:
        diag.warning(code, message, CONFIG_FILE, hint)
    elif code not in ignore:
        logging.getLogger("accesspub").warning(str(Diagnostic("warning", code, message,
                                                               CONFIG_FILE, hint)))


def _image_location(config: Config) -> SourceLocation:
    """accesspub.toml at the line of ``image =`` in ``[podcast]``, when it can be found."""
    table = ""
    try:
        lines = (config.root / CONFIG_FILE.path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return CONFIG_FILE
    for number, line in enumerate(lines, start=1):
        header = re.match(r"\s*\[([^\[\]]+)\]", line)
        if header:
            table = header[1].strip()
        elif table == "podcast" and re.match(r"\s*image\s*=", line):
            return SourceLocation(CONFIG_FILE.path, number)
    return CONFIG_FILE


def podcast_image(config: Config) -> tuple[Path, str] | None:
    """``[podcast] image`` checked (the images' rule: inside the project once links are
    resolved, and a JPEG or PNG by its bytes): (file, extension of its copy), or None when
    not set.  A ConfigError otherwise; ``build.prepare`` calls this before any speech."""
    name = config.podcast.image.strip()
    if not name:
        return None
    where = _image_location(config)
    source = Path(name) if os.path.isabs(name) else config.root / name
    resolved = within(source, config.root)
    if resolved is None:
        raise ConfigError(f"[podcast] image {name!r} is outside the project folder", where,
                          code="config-outside-project",
                          hint="copy the image into the project and give its path relative "
                               "to the project folder")
    if not resolved.is_file():
        raise ConfigError(f"[podcast] image {name!r} does not exist", where,
                          code="config-missing-file",
                          hint="give the path of the image relative to the project folder")
    from accesspub.read.images import sniff_media_type
    with resolved.open("rb") as fh:
        kind = sniff_media_type(fh.read(16))
    ext = {"image/jpeg": ".jpg", "image/png": ".png"}.get(kind or "")
    if source.suffix.lower() not in IMAGE_TYPES or ext is None:
        what = "not a JPEG or PNG image" if ext is None else "not named .jpg or .png"
        raise ConfigError(f"[podcast] image {name!r} is {what}", where, code="config-value",
                          hint="podcast apps accept square JPEG or PNG artwork, 1400–3000 px")
    return resolved, ext


def copy_image(config: Config, root: Path) -> Path | None:
    """Copy ``[podcast] image`` to the output root as ``podcast<ext>``; None when not set."""
    image = podcast_image(config)
    if image is None:
        return None
    dest = root / f"podcast{image[1]}"
    shutil.copyfile(image[0], dest)
    return dest


def _episodes(results: list["WrittenRelease"]) -> list[tuple[int, "WrittenRelease"]]:
    """(episode number, result), newest first; numbers count from the oldest release = 1."""
    narrated = [r for r in results if r.timeline is not None and "mp3" in r.files]
    # An undated release (reported as meta-date-missing) counts as the oldest.
    oldest_first = sorted(narrated, key=lambda r: (r.publication.meta.date or dt.date.min, r.slug))
    numbered = list(enumerate(oldest_first, start=1))
    return list(reversed(numbered))


def _midnight(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)


def episode_html(result: "WrittenRelease", page_url: str, urls: dict[str, str]) -> str:
    """The episode's show notes: summary, and links to the page, the EPUB and transcripts."""
    meta = result.publication.meta
    parts = []
    if meta.description:
        parts.append(f"<p>{escape(meta.description)}</p>")
    links = [f'<a href="{escape(page_url)}">Read the release and follow the narration</a>']
    labels = {"epub": "EPUB 3 with synchronised narration", "vtt": "Transcript (WebVTT)",
              "txt": "Transcript (plain text)"}
    for kind, label in labels.items():
        if kind in urls:
            links.append(f'<a href="{escape(urls[kind])}">{label}</a>')
    parts.append("<ul>" + "".join(f"<li>{link}</li>" for link in links) + "</ul>")
    return "".join(parts)


def build_feed(results: list["WrittenRelease"], config: Config, root: Path,
               diag: Diagnostics | None = None) -> bytes:
    """The feed's bytes (see the module docstring for the values and their defaults)."""
    base = base_url(config)
    podcast = config.podcast
    feed_url = base + FEED_NAME
    title = (podcast.title or config.publisher).strip()
    if not title:
        raise ConfigError("[podcast] title is needed for the podcast feed", CONFIG_FILE,
                          code="config-missing",
                          hint='add title = "…" under [podcast] (or publisher under [project])')
    author = (podcast.author or config.publisher or config.author).strip()
    description = (podcast.description.strip()
                   or f"Narrated releases of {config.publisher or title}.")
    if podcast.type not in ("episodic", "serial"):
        raise ConfigError(f"[podcast] type must be \"episodic\" or \"serial\", not {podcast.type!r}",
                          CONFIG_FILE, code="config-value")
    episodes = _episodes(results)

    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("podcast20", Podcast20Extension, Podcast20EntryExtension)
    fg.title(title)
    # feedgen's RSS <link> is the last link given: the self link first, then the site
    fg.link(href=feed_url, rel="self", type="application/rss+xml")
    fg.link(href=base, rel="alternate")
    fg.description(description)
    fg.language(config.language)
    fg.generator("accesspub")
    if config.rights:
        fg.copyright(config.rights)
    newest = max((r.publication.meta.date for _, r in episodes if r.publication.meta.date),
                 default=None)
    # feedgen defaults lastBuildDate to now(); the newest release date keeps the bytes stable.
    # Without any dated release it is left out (optional in RSS) rather than made up.
    if newest:
        fg.lastBuildDate(_midnight(newest))
    else:
        fg._FeedGenerator__rss_lastBuildDate = None    # feedgen has no way to unset it

    fg.podcast.itunes_type(podcast.type)
    if author:
        fg.podcast.itunes_author(author)
    if podcast.owner_email:
        fg.podcast.itunes_owner(name=podcast.owner_name or author or title, email=podcast.owner_email)
    if podcast.category:
        fg.podcast.itunes_category(podcast.category, podcast.subcategory or False)
    image = copy_image(config, root)
    if image is not None:
        fg.podcast.itunes_image(base + image.name)
        fg.image(url=base + image.name, title=title, link=base)
    else:
        _problem(diag, config.ignore, "podcast-image", "no [podcast] image: Apple Podcasts requires cover art "
                 "for a feed", 'add image = "podcast.jpg" under [podcast] (square JPEG or PNG, '
                 "1400–3000 px)")
    ext: Podcast20Extension = fg.podcast20
    ext.explicit = podcast.explicit
    ext.guid = podcast_guid(feed_url)
    ext.locked = podcast.locked
    ext.locked_owner = podcast.owner_email
    ext.medium = "podcast"

    for number, result in episodes:
        _add_episode(fg, result, number, base, root, config)
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def _url(base: str, root: Path, path: Path) -> str:
    return base + path.relative_to(root).as_posix()


def _add_episode(fg: FeedGenerator, result: "WrittenRelease", number: int, base: str,
                 root: Path, config: Config) -> None:
    meta = result.publication.meta
    files = result.files
    mp3 = files["mp3"]
    urls = {kind: _url(base, root, path) for kind, path in files.items()}
    page_url = f"{base}{result.slug}/"

    fe = fg.add_entry(order="append")
    fe.title(meta.title)
    fe.link(href=page_url)
    fe.guid(episode_guid(meta.identifier), permalink=False)
    if meta.date is not None:      # no date known: none given rather than a made-up one
        fe.pubDate(_midnight(meta.date))
    fe.description(meta.description or meta.title)
    fe.content(episode_html(result, page_url, urls), type="CDATA")
    fe.enclosure(urls["mp3"], str(os.path.getsize(mp3)), MIME["mp3"])
    fe.podcast.itunes_duration(str(round(mp3_seconds(mp3))))
    fe.podcast.itunes_episode(number)
    fe.podcast.itunes_episode_type("full")
    if meta.cover is not None and meta.cover.source.suffix.lower() in IMAGE_TYPES:
        cover = root / result.slug / f"cover{IMAGE_TYPES[meta.cover.source.suffix.lower()]}"
        shutil.copyfile(meta.cover.source, cover)
        fe.podcast.itunes_image(_url(base, root, cover))

    ext: Podcast20EntryExtension = fe.podcast20
    for kind in ("vtt", "srt"):
        if kind in urls:
            attrs = {"url": urls[kind], "type": MIME[kind], "language": meta.lang}
            if kind == "vtt":
                attrs["rel"] = "captions"
            ext.transcripts.append(attrs)
    if "chapters" in urls:
        ext.chapters = {"url": urls["chapters"], "type": MIME["chapters"]}
    voice = result.timeline.voice if result.timeline else ""
    if voice:
        ext.persons.append(Person(voice, role="narrator", group="cast"))
    for name in meta.authors or ((meta.publisher or config.publisher,) if (meta.publisher or config.publisher) else ()):
        ext.persons.append(Person(name, role="author", group="writing"))


def write_feed(results: list["WrittenRelease"], config: Config, root: Path,
               diag: Diagnostics | None = None) -> Path:
    """Write ``root/feed.xml`` and return its path.

    Raises ``ConfigError`` for a missing ``[project] base_url`` or title, or a bad image;
    a missing ``[podcast] image`` is a warning: into ``diag``, else logged on the
    ``accesspub`` logger (printed to stderr when logging is not configured).
    """
    data = build_feed(results, config, root, diag)
    path = root / FEED_NAME
    path.write_bytes(data)
    return path
