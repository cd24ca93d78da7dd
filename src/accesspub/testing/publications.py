"""Publications and timelines made in code, for fast tests of the writers: no Markdown is
read and nothing is spoken.  ``FAKE_NARRATION`` is a project configuration whose speech
comes from the fake engine (``accesspub.engines.fake``): a tone as long as the text, so a
whole build with narration takes a second."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from accesspub.model import (Block, Chapter, Clip, Metadata, Publication, Run, Section,
                             Sentence, SourceLocation, SpokenPart, Timeline, Track)

SOURCE = SourceLocation("content/test-release.md", 1)

FAKE_NARRATION = """
[project]
language = "en"
publisher = "Test Office"
base_url = "https://example.org/releases/"

[narration]
engine = "fake"
jobs = 1

[podcast]
title = "Test Office releases"
"""


def _sentence(sid: str, text: str, lang: str) -> Sentence:
    return Sentence(sid, (Run(text, lang),), lang, SOURCE, spoken=(SpokenPart(text, lang),))


def make_publication(chapters: dict[str, list[list[str]]] | None = None, *,
                     slug: str = "test-release", title: str = "Test Release",
                     lang: str = "en", date: dt.date | None = dt.date(2020, 1, 20)
                     ) -> Publication:
    """One chapter per entry (its heading, then one paragraph per list of sentence texts),
    ids as the read stage makes them (``c01-s0001``), the spoken form equal to the text."""
    chapters = chapters or {"Opening": [["The first sentence.", "A second one follows."],
                                        ["New paragraph here."]],
                            "Details": [["Numbers are spoken as words.", "That is all."]]}
    made = []
    for number, (heading, paragraphs) in enumerate(chapters.items(), start=1):
        cid = f"c{number:02d}"
        head = Block(f"{cid}-h", "heading", lang, SOURCE,
                     (_sentence(f"{cid}-s0000", heading, lang),), level=2)
        blocks, k = [], 1
        for i, texts in enumerate(paragraphs):
            sentences = []
            for text in texts:
                sentences.append(_sentence(f"{cid}-s{k:04d}", text, lang))
                k += 1
            blocks.append(Block(f"{cid}-p{i}", "paragraph", lang, SOURCE, tuple(sentences)))
        section = Section(f"{cid}-sec", 2, head, tuple(blocks), (), SOURCE)
        made.append(Chapter(cid, number, f"{number:02d}-part-{number}", section, lang))
    modified = dt.datetime(2020, 1, 20, tzinfo=dt.timezone.utc)
    meta = Metadata(identifier="urn:uuid:00000000-0000-4000-8000-000000000000",
                    title=title, lang=lang, date=date, modified=modified,
                    authors=("Press Office",), publisher="Example Press")
    return Publication(slug, meta, tuple(made), (), SOURCE)


def make_timeline(publication: Publication, folder: Path, *, sample_rate: int = 22050,
                  samples_per_char: int = 882, pause: int = 7717) -> Timeline:
    """Where each sentence would sound if every character took ``samples_per_char`` samples
    and a pause followed each sentence; track paths in ``folder`` (no file is written)."""
    tracks, offset = [], 0
    for chapter in publication.chapters:
        clips, at = [], 0
        for sentence in chapter.iter_sentences():
            length = samples_per_char * len(sentence.spoken_text)
            clips.append(Clip(sentence.id, at, at + length))
            at += length + pause
        tracks.append(Track(chapter.id, folder / "tracks" / f"{chapter.slug}.mp3",
                            tuple(clips), at, offset, ("fake",)))
        offset += at
    return Timeline(sample_rate, tuple(tracks), folder / f"{publication.slug}.mp3", offset)
