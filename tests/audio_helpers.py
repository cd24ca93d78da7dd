"""Builders and stand-in engines for the audio tests.

``ToneEngines``: a deterministic engine set (no model): each text becomes a tone whose
length is 40 ms per character at 22050 Hz and whose pitch depends on the text, at a speech-
like level with a slow amplitude envelope.  It counts calls (per process) so tests can see
what was really synthesised.  Picklable, so process pools can use it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np

from accesspub.config import Config
from accesspub.engines import AudioClip
from accesspub.model import (Block, Chapter, Metadata, Publication, Run, Section, Sentence,
                             SourceLocation, SpokenPart)

CALLS: list[tuple[str, str]] = []


class ToneEngines:
    """Stand-in engine set: speak(text, lang) -> (AudioClip, "tone")."""

    def __init__(self, ms_per_char: int = 40, sample_rate: int = 22050,
                 version: str = "1", log: Path | None = None) -> None:
        self.ms_per_char = ms_per_char
        self.sample_rate = sample_rate
        self.version = version
        self.log = log          # a file each call is appended to, from any process

    def __call__(self) -> "ToneEngines":           # it is its own factory
        return self

    def fingerprint(self, lang: str) -> str:
        return f"tone/{self.version}/{self.ms_per_char}/{self.sample_rate}"

    def speak(self, text: str, lang: str) -> tuple[AudioClip, str]:
        CALLS.append((text, lang))
        if self.log is not None:
            with open(self.log, "a", encoding="utf-8") as fh:
                fh.write(f"{lang}\t{text}\n")
        n = self.sample_rate * self.ms_per_char * len(text) // 1000
        seed = int.from_bytes(hashlib.sha256(f"{lang}:{text}".encode()).digest()[:4], "little")
        freq = 150 + seed % 250
        t = np.arange(n) / self.sample_rate
        envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t) ** 2
        wave = 0.3 * envelope * np.sin(2 * np.pi * freq * t)
        return AudioClip((wave * 32767).astype("<i2").tobytes(), self.sample_rate), "tone"

    def close(self) -> None:
        pass


def sentence(sid: str, text: str, lang: str = "en", spoken: tuple | None = None) -> Sentence:
    parts = spoken if spoken is not None else (SpokenPart(text, lang),)
    return Sentence(sid, (Run(text, lang),), lang, SourceLocation("content/x.md", 1),
                    spoken=parts)


def block(bid: str, kind: str, sentences: list[Sentence], children=()) -> Block:
    return Block(bid, kind, "en", SourceLocation("content/x.md", 1), tuple(sentences),
                 tuple(children), level=2 if kind == "heading" else 0)


def chapter(number: int, title: str, paragraphs: list[list[str]], name: str = "part",
            notes: Block | None = None) -> Chapter:
    """A chapter: a heading then one paragraph per list of sentence texts."""
    cid = f"c{number:02d}"
    heading = block(f"{cid}-h", "heading", [sentence(f"{cid}-s0000", title)])
    blocks, k = [], 1
    for i, texts in enumerate(paragraphs):
        sents = []
        for text in texts:
            sents.append(sentence(f"{cid}-s{k:04d}", text))
            k += 1
        blocks.append(block(f"{cid}-p{i}", "paragraph", sents))
    section = Section(f"{cid}-sec", 2, heading, tuple(blocks), (), SourceLocation("x.md", 1))
    return Chapter(cid, number, f"{number:02d}-{name}", section, "en", notes)


def publication(chapters: list[Chapter], slug: str = "test-release") -> Publication:
    meta = Metadata(identifier="urn:uuid:00000000-0000-4000-8000-000000000000",
                    title="Test Release", lang="en", date=dt.date(2020, 1, 20),
                    modified=dt.datetime(2020, 1, 20, tzinfo=dt.timezone.utc),
                    authors=("Press Office",), publisher="Example Press")
    return Publication(slug, meta, tuple(chapters), (), SourceLocation("content/x.md"))


def small_publication() -> Publication:
    return publication([
        chapter(1, "Opening", [["The first sentence.", "A second one follows."],
                               ["New paragraph here."]], name="opening"),
        chapter(2, "Details", [["Numbers are spoken as words.", "That is all."]],
                name="details"),
    ])


def config(tmp_path: Path, **narration) -> Config:
    from accesspub.config import Narration
    narration.setdefault("engine", "tone")
    return Config(root=tmp_path, content_dir=tmp_path / "content",
                  output_dir=tmp_path / "build", cache_dir=tmp_path / "cache",
                  publisher="Example Press", narration=Narration(**narration))


def replace_spoken(pub: Publication, sentence_id: str, text: str) -> Publication:
    """A copy of ``pub`` with one sentence's spoken text changed."""
    import dataclasses

    def fix_block(b: Block) -> Block:
        sents = tuple(dataclasses.replace(s, spoken=(SpokenPart(text, s.lang),))
                      if s.id == sentence_id else s for s in b.sentences)
        return dataclasses.replace(b, sentences=sents,
                                   children=tuple(fix_block(c) for c in b.children))

    def fix_section(s: Section) -> Section:
        return dataclasses.replace(
            s, heading=fix_block(s.heading) if s.heading else None,
            blocks=tuple(fix_block(b) for b in s.blocks),
            children=tuple(fix_section(c) for c in s.children))

    chapters = tuple(dataclasses.replace(c, section=fix_section(c.section))
                     for c in pub.chapters)
    return dataclasses.replace(pub, chapters=chapters)
