"""The podcast feed (STANDARDS §10) on a real narrated build: two podcast-client parsers,
lxml with namespaces, exact enclosure lengths and decoded durations, stable bytes and guids."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import shutil
import struct
import subprocess
import zlib
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import imageio_ffmpeg
import podcastparser
import pytest
from lxml import etree

from accesspub.build import BuildOptions, run_build
from accesspub.config import load_config
from accesspub.errors import ConfigError
from accesspub.writers.feed import PODCAST_NS, episode_guid, podcast_guid, write_feed
from helpers import make_project

pytestmark = pytest.mark.slow

BASE = "https://example.org/press/"
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": PODCAST_NS,
      "atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/"}
CONFIG = f"""
[project]
language = "en"
publisher = "Test Office"
base_url = "{BASE}"

[podcast]
title = "Test Office releases"
description = "Press releases of the Test Office, read aloud."
owner_name = "Press desk"
owner_email = "press@example.org"
image = "art/cover.png"
category = "News"
subcategory = "Politics"
explicit = false
"""
OLD = """\
---
title: Spring opening
date: 2024-03-01
description: The office opens a reading room.
---
# Spring opening

## The news

The reading room opens on Monday.

## Contact

Call us any time.
"""
NEW = """\
---
title: Summer hours
date: 2024-06-15
description: Shorter hours in July.
---
# Summer hours

## Hours

We close at noon in July.
"""


def png(size: int) -> bytes:
    """A grey square PNG made with zlib alone."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x80" * (3 * size) for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def decoded_seconds(mp3: Path) -> float:
    """Decode the whole MP3 with ffmpeg and count the samples."""
    pcm = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(mp3),
                          "-f", "s16le", "-ac", "1", "-ar", "44100", "-"],
                         check=True, capture_output=True).stdout
    return len(pcm) / 2 / 44100


@pytest.fixture(scope="module")
def project(tmp_path_factory, speech_cache) -> Path:
    root = make_project(tmp_path_factory.mktemp("feed") / "project",
                        {"content/spring-opening.md": OLD, "content/summer-hours.md": NEW,
                         "art/cover.png": png(1400)},
                        CONFIG)
    return root


@pytest.fixture(scope="module")
def built(project):
    """Two builds of the same project: (config, BuildResult of the 2nd, feed bytes of each)."""
    config = load_config(project)
    first = run_build(config, BuildOptions(jobs=2))
    first_bytes = (config.output_dir / "feed.xml").read_bytes()
    second = run_build(config, BuildOptions(jobs=2))
    second_bytes = (config.output_dir / "feed.xml").read_bytes()
    return config, second, first_bytes, second_bytes


@pytest.fixture(scope="module")
def feed_bytes(built) -> bytes:
    return built[3]


@pytest.fixture(scope="module")
def tree(feed_bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(feed_bytes, parser)


def local(config, url: str) -> Path:
    assert url.startswith(BASE), url
    return config.output_dir / url[len(BASE):]


def test_podcast_guid_vectors():
    # STANDARDS R-12, from the Podcasting 2.0 guid tag page
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert (podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml")
            == "917393e3-1b1e-5cef-ace4-edaa54e1f810")


def test_feed_is_deterministic(built):
    config, result, first, second = built
    assert first == second
    assert b"lastBuildDate>Sat, 15 Jun 2024 00:00:00" in second   # the newest release, not now


def test_feedparser_reads_every_episode(built, feed_bytes):
    config, result, _, _ = built
    feed = feedparser.parse(feed_bytes)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "rss20"
    assert feed.feed.title == "Test Office releases"
    assert feed.feed.language == "en"
    assert [e.title for e in feed.entries] == ["Summer hours", "Spring opening"]   # newest first
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        assert enclosure.type == "audio/mpeg"
        mp3 = local(config, enclosure.href)
        assert mp3.suffix == ".mp3" and mp3.parent.name == mp3.stem
        assert int(enclosure.length) == mp3.stat().st_size
        assert abs(int(entry.itunes_duration) - decoded_seconds(mp3)) <= 1.0
        assert entry.id and entry.guidislink is False
        assert entry.link == f"{BASE}{mp3.stem}/"
        published = parsedate_to_datetime(entry.published)
        assert published.utcoffset() == dt.timedelta(0)
        assert (published.hour, published.minute, published.second) == (0, 0, 0)
    assert [e.itunes_episode for e in feed.entries] == ["2", "1"]


def test_podcastparser_reads_every_episode(built, feed_bytes):
    config, result, _, _ = built
    parsed = podcastparser.parse(BASE + "feed.xml", io.BytesIO(feed_bytes))
    assert parsed["title"] == "Test Office releases"
    assert parsed["cover_url"] == BASE + "podcast.png"
    episodes = parsed["episodes"]
    assert [e["title"] for e in episodes] == ["Summer hours", "Spring opening"]
    for episode in episodes:
        (enclosure,) = episode["enclosures"]
        mp3 = local(config, enclosure["url"])
        assert enclosure["mime_type"] == "audio/mpeg"
        assert enclosure["file_size"] == mp3.stat().st_size
        assert abs(episode["total_time"] - decoded_seconds(mp3)) <= 1.0
        assert episode["guid"]
        assert episode["published"] > 0
    # podcastparser 0.6 knows the podcast: namespace only under its old GitHub URI; under it
    # the same elements give the transcript and chapters links.
    legacy = feed_bytes.replace(
        PODCAST_NS.encode(),
        b"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md")
    for episode in podcastparser.parse(BASE + "feed.xml", io.BytesIO(legacy))["episodes"]:
        assert local(config, episode["transcript_url"]).is_file()
        assert local(config, episode["chapters_json_url"]).name.endswith(".chapters.json")


def test_channel_tags(built, tree):
    config, result, _, _ = built
    channel = tree.find("channel")
    assert tree.get("version") == "2.0"
    assert tree.nsmap["itunes"] == NS["itunes"] and tree.nsmap["podcast"] == PODCAST_NS
    text = lambda path: channel.findtext(path, namespaces=NS)   # noqa: E731
    assert text("title") == "Test Office releases"
    assert text("link") == BASE
    assert text("description") == "Press releases of the Test Office, read aloud."
    assert text("language") == "en"
    assert text("itunes:author") == "Test Office"
    assert text("itunes:owner/itunes:name") == "Press desk"
    assert text("itunes:owner/itunes:email") == "press@example.org"
    assert channel.find("itunes:image", NS).get("href") == BASE + "podcast.png"
    assert (config.output_dir / "podcast.png").read_bytes() == (config.root / "art/cover.png").read_bytes()
    category = channel.find("itunes:category", NS)
    assert category.get("text") == "News"
    assert category.find("itunes:category", NS).get("text") == "Politics"
    assert text("itunes:explicit") == "false"
    assert text("itunes:type") == "episodic"
    assert text("podcast:guid") == podcast_guid(BASE + "feed.xml")
    assert text("podcast:locked") == "yes"
    assert channel.find("podcast:locked", NS).get("owner") == "press@example.org"
    assert text("podcast:medium") == "podcast"
    assert channel.find("atom:link", NS).get("href") == BASE + "feed.xml"


def test_item_tags(built, tree):
    config, result, _, _ = built
    by_slug = {r.slug: r for r in result.releases}
    items = tree.findall("channel/item")
    assert len(items) == 2
    guids = [i.findtext("guid") for i in items]
    assert len(set(guids)) == 2
    enclosures = [i.find("enclosure").get("url") for i in items]
    assert len(set(enclosures)) == 2
    for item in items:
        url = item.find("enclosure").get("url")
        release = by_slug[local(config, url).stem]
        meta = release.publication.meta
        assert item.findtext("guid") == episode_guid(meta.identifier)
        assert item.find("guid").get("isPermaLink") == "false"
        assert parsedate_to_datetime(item.findtext("pubDate")).date() == meta.date
        duration = item.findtext("itunes:duration", namespaces=NS)
        assert duration.isdigit()
        assert abs(int(duration) - release.duration) <= 1.0
        transcripts = {t.get("type"): t for t in item.findall("podcast:transcript", NS)}
        assert set(transcripts) == {"text/vtt", "application/x-subrip"}
        vtt = local(config, transcripts["text/vtt"].get("url"))
        assert vtt.read_text(encoding="utf-8").startswith("WEBVTT")
        assert local(config, transcripts["application/x-subrip"].get("url")).suffix == ".srt"
        assert transcripts["text/vtt"].get("language") == "en"
        chapters = item.find("podcast:chapters", NS)
        assert chapters.get("type") == "application/json+chapters"
        assert local(config, chapters.get("url")).is_file()
        persons = {p.get("role"): p.text for p in item.findall("podcast:person", NS)}
        assert persons["narrator"] == release.timeline.voice and persons["narrator"]
        assert persons["author"] == "Test Office"
        content = item.findtext("content:encoded", namespaces=NS)
        assert f'href="{BASE}{release.slug}/"' in content


def test_guids_survive_a_rebuild(built):
    config, result, first, second = built
    old = etree.fromstring(first)
    new = etree.fromstring(second)
    assert [g.text for g in old.iter("guid")] == [g.text for g in new.iter("guid")]


def test_missing_base_url_is_a_config_error(built, tmp_path):
    config, result, _, _ = built
    with pytest.raises(ConfigError) as info:
        write_feed(result.releases, dataclasses.replace(config, base_url=""), tmp_path)
    assert "base_url" in info.value.message
    assert info.value.code == "config-missing"
    assert "base_url" in (info.value.hint or "")


def test_missing_image_is_a_warning(built, tmp_path):
    from accesspub.errors import Diagnostics
    config, result, _, _ = built
    diag = Diagnostics()
    podcast = dataclasses.replace(config.podcast, image="")
    root = tmp_path / "build"
    shutil.copytree(config.output_dir, root)
    releases = copy.deepcopy(result.releases)
    for release in releases:
        release.rebase(config.output_dir, root)
    write_feed(releases, dataclasses.replace(config, podcast=podcast), root, diag)
    assert [d.code for d in diag.warnings] == ["podcast-image"]
    assert b"itunes:image" not in (root / "feed.xml").read_bytes()
