"""Fast tests of the writers on publications made in code (accesspub.testing): overlays,
transcripts, and, through a build with the fake engine, the feed and the site."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from accesspub.testing import make_publication, make_timeline
from accesspub.writers.smil import overlay_document
from accesspub.writers.transcripts import chapters_json, srt, vtt

SMIL = "{http://www.w3.org/ns/SMIL}"


def test_overlay_has_one_par_per_sentence_at_its_time(tmp_path):
    pub = make_publication()
    timeline = make_timeline(pub, tmp_path)
    chapter, track = pub.chapters[0], timeline.tracks[0]
    doc = etree.fromstring(overlay_document(chapter, track, timeline, "01.xhtml", "01.mp3"))
    pars = doc.findall(f".//{SMIL}par")
    assert [p.find(f"{SMIL}text").get("src") for p in pars] == \
        [f"01.xhtml#{s.id}" for s in chapter.iter_sentences()]
    for par, clip in zip(pars, track.clips):
        audio = par.find(f"{SMIL}audio")
        h, m, s = audio.get("clipBegin").split(":")
        assert abs(int(h) * 3600 + int(m) * 60 + float(s) - clip.begin / 22050) < 0.0005


def test_captions_follow_the_timeline(tmp_path):
    pub = make_publication({"Only": [["One & two < three.", "Second."]]})
    timeline = make_timeline(pub, tmp_path)
    text = vtt(pub, timeline)
    assert text.startswith("WEBVTT")
    blocks = [b for b in text.split("\n\n")[1:] if b.strip()]
    assert len(blocks) == 3                                     # heading and two sentences
    assert "One &amp; two &lt; three." in text
    ident, timing = blocks[1].splitlines()[:2]
    assert ident == "c01-s0001"                                 # the cue is the sentence
    assert timing.startswith("00:00:") and " --> " in timing
    assert srt(pub, timeline).splitlines()[1].count(",") == 2   # SRT's decimal comma


def test_chapters_json_names_every_chapter(tmp_path):
    pub = make_publication()
    timeline = make_timeline(pub, tmp_path)
    chapters = json.loads(chapters_json(pub, timeline))["chapters"]
    assert [c["title"] for c in chapters] == ["Opening", "Details"]
    assert chapters[0]["startTime"] == 0
    assert abs(chapters[1]["startTime"] - timeline.tracks[1].offset / 22050) <= 0.005


def test_feed_and_site_from_a_fake_narrated_build(fake_build):
    root = fake_build({"content/spring-opening.md": """
        ---
        title: Spring Opening
        date: 2024-03-01
        ---

        The garden opens on Monday.

        ## Hours

        We open at nine.
        """})
    out: Path = root / "build"
    feed = etree.parse(str(out / "feed.xml"))
    enclosure = feed.find(".//item/enclosure")
    mp3 = out / "spring-opening" / "spring-opening.mp3"
    assert int(enclosure.get("length")) == mp3.stat().st_size
    assert enclosure.get("url") == "https://example.org/releases/spring-opening/spring-opening.mp3"
    page = (out / "spring-opening" / "index.html").read_text(encoding="utf-8")
    assert "The garden opens on Monday." in page and "spring-opening.mp3" in page
