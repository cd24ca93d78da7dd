"""The publication model every stage shares: immutable, built once, read by every writer.

Publication > Chapter > Section > Block > Sentence > Run.  A *chapter* is the unit of
files: one XHTML document, one SMIL overlay, one audio track.  A *sentence* is the atom:
its id is the XHTML ``<span id>``, the SMIL ``<par>`` target, the VTT cue id and,
with its spoken text, the key of its audio clip.

Audio results live beside the model in a ``Timeline``: no half-filled objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Literal


@dataclass(frozen=True, slots=True)
class SourceLocation:
    path: str                 # as the user should see it, relative to the project
    line: int | None = None   # 1-based, from markdown-it's Token.map

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Mark:
    """An inline element around text: em, strong, a, sup, sub, span, code, abbr, s, q…"""

    tag: str
    attrs: tuple[tuple[str, str], ...] = ()

    def get(self, name: str, default: str | None = None) -> str | None:
        return dict(self.attrs).get(name, default)


RunKind = Literal["text", "break", "noteref"]


@dataclass(frozen=True, slots=True)
class Run:
    """Text with the inline elements around it, outermost first, and its language."""

    text: str
    lang: str
    marks: tuple[Mark, ...] = ()
    kind: RunKind = "text"    # "break": a line break; "noteref": a footnote reference


@dataclass(frozen=True, slots=True)
class SpokenPart:
    """What the engine is given: text already normalised for speech, in one language."""

    text: str
    lang: str


SentenceRole = Literal["text", "alt"]


@dataclass(frozen=True, slots=True)
class Sentence:
    id: str                               # "c02-s0012"
    runs: tuple[Run, ...]
    lang: str                             # dominant language (BCP 47)
    location: SourceLocation
    role: SentenceRole = "text"           # "alt": the text alternative of an image
    spoken: tuple[SpokenPart, ...] = ()   # filled by the speech stage

    @property
    def text(self) -> str:
        return "".join(" " if r.kind == "break" else r.text for r in self.runs).strip()

    @property
    def spoken_text(self) -> str:
        return " ".join(p.text for p in self.spoken if p.text)


BlockKind = Literal[
    "heading", "paragraph", "list", "list_item", "quote", "table", "table_row",
    "table_cell", "figure", "code", "rule", "footnotes", "footnote", "titlepage_line",
]


@dataclass(frozen=True, slots=True)
class Block:
    id: str
    kind: BlockKind
    lang: str
    location: SourceLocation
    sentences: tuple[Sentence, ...] = ()
    children: tuple["Block", ...] = ()
    level: int = 0                                  # heading level after normalisation
    attrs: tuple[tuple[str, str], ...] = ()         # kind-specific: ordered, start, scope, src, alt…

    def get(self, name: str, default: str | None = None) -> str | None:
        return dict(self.attrs).get(name, default)

    def iter_sentences(self) -> Iterator[Sentence]:
        yield from self.sentences
        for child in self.children:
            yield from child.iter_sentences()

    def iter_blocks(self) -> Iterator["Block"]:
        yield self
        for child in self.children:
            yield from child.iter_blocks()


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and what follows it up to the next heading of the same or higher rank."""

    id: str
    level: int                        # 1 = the publication title
    heading: Block | None             # None only for text before the first heading
    blocks: tuple[Block, ...]
    children: tuple["Section", ...]
    location: SourceLocation
    epub_type: str = "chapter"        # SSV term; "" for none

    @property
    def title(self) -> str:
        if self.heading is None:
            return ""
        return " ".join(s.text for s in self.heading.sentences)

    def iter_sentences(self) -> Iterator[Sentence]:
        if self.heading:
            yield from self.heading.iter_sentences()
        for block in self.blocks:
            yield from block.iter_sentences()
        for child in self.children:
            yield from child.iter_sentences()

    def iter_sections(self) -> Iterator["Section"]:
        yield self
        for child in self.children:
            yield from child.iter_sections()


@dataclass(frozen=True, slots=True)
class Chapter:
    """One content document, one overlay, one audio track."""

    id: str            # "c01"
    number: int        # 1-based, in reading order
    slug: str          # "01-press-release": stem of every file made for it
    section: Section   # its root section (level 1 for the title page, else 2…)
    lang: str
    notes: Block | None = None        # footnotes referenced from this chapter

    @property
    def title(self) -> str:
        return self.section.title

    def iter_sentences(self) -> Iterator[Sentence]:
        yield from self.section.iter_sentences()
        if self.notes:
            yield from self.notes.iter_sentences()


@dataclass(frozen=True, slots=True)
class Image:
    source: Path       # absolute path of the file read
    href: str          # path inside the EPUB, relative to the package document: "images/x.png"
    media_type: str


@dataclass(frozen=True, slots=True)
class Metadata:
    identifier: str                    # "urn:uuid:…", stable across rebuilds
    title: str
    lang: str
    date: dt.date | None               # None: not known (never made up)
    modified: dt.datetime              # UTC; from the release date or SOURCE_DATE_EPOCH
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    publisher: str = ""
    description: str = ""
    subjects: tuple[str, ...] = ()
    rights: str = ""
    cover: Image | None = None
    accessibility_summary: str = ""    # the author's own words, added to the computed summary
    certified_by: str = ""             # set only after a human evaluation
    conformance: str = ""


@dataclass(frozen=True, slots=True)
class Publication:
    slug: str                          # "black-january-2020": stem of the release's outputs
    meta: Metadata
    chapters: tuple[Chapter, ...]
    images: tuple[Image, ...]
    source: SourceLocation

    def iter_sentences(self) -> Iterator[Sentence]:
        for chapter in self.chapters:
            yield from chapter.iter_sentences()

    @property
    def languages(self) -> tuple[str, ...]:
        seen = dict.fromkeys([self.meta.lang])
        for sentence in self.iter_sentences():
            for run in sentence.runs:
                seen.setdefault(run.lang)
        return tuple(seen)


# --- audio results ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Clip:
    """Where one sentence sounds in its chapter's track, in samples (exact)."""

    sentence_id: str
    begin: int
    end: int


@dataclass(frozen=True, slots=True)
class Track:
    chapter_id: str
    path: Path                   # the chapter's MP3
    clips: tuple[Clip, ...]
    samples: int                 # length of the track
    offset: int                  # where the track starts in the full narration
    engines: tuple[str, ...] = ()  # which engines spoke this chapter (for the report)


@dataclass(frozen=True, slots=True)
class Timeline:
    """Every time of the narration, from PCM sample counts taken while stitching."""

    sample_rate: int
    tracks: tuple[Track, ...]
    full_path: Path              # the whole release in one MP3
    samples: int                 # length of the full narration
    voice: str = ""              # the narrator, as credited in metadata

    def seconds(self, samples: int) -> float:
        return samples / self.sample_rate

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate

    def track(self, chapter_id: str) -> Track:
        for track in self.tracks:
            if track.chapter_id == chapter_id:
                return track
        raise KeyError(chapter_id)

    def to_json(self, folder: Path) -> dict:
        """As kept in the narration cache and the build report, paths relative to ``folder``."""
        return {
            "sample_rate": self.sample_rate, "samples": self.samples,
            "full": self.full_path.relative_to(folder).as_posix(),
            "tracks": [{"chapter": t.chapter_id, "file": t.path.relative_to(folder).as_posix(),
                        "samples": t.samples, "offset": t.offset, "engines": list(t.engines),
                        "clips": [[c.sentence_id, c.begin, c.end] for c in t.clips]}
                       for t in self.tracks],
        }

    @classmethod
    def from_json(cls, data: dict, folder: Path) -> "Timeline":
        tracks = tuple(
            Track(t["chapter"], folder / t["file"], tuple(Clip(*c) for c in t["clips"]),
                  t["samples"], t["offset"], tuple(t["engines"]))
            for t in data["tracks"])
        return cls(data["sample_rate"], tracks, folder / data["full"], data["samples"])


@dataclass
class WrittenRelease:
    """A release as written into the output folder: what the writers of the collection (feed,
    site) take.  Paths point into the folder being written."""

    publication: Publication
    timeline: Timeline | None
    files: dict[str, Path]            # kind -> file: "epub", "mp3", "vtt", "srt", "txt", "chapters"

    @property
    def slug(self) -> str:
        return self.publication.slug

    @property
    def title(self) -> str:
        return self.publication.meta.title

    @property
    def duration(self) -> float | None:
        return self.timeline.duration if self.timeline else None

    @property
    def outputs(self) -> list[Path]:
        tracks = [t.path for t in self.timeline.tracks] if self.timeline else []
        return list(self.files.values()) + tracks

    def rebase(self, old: Path, new: Path) -> None:
        """Point every path at ``new`` after the staging folder became the output folder."""
        def move(path: Path) -> Path:
            return new / path.relative_to(old)
        self.files = {k: move(v) for k, v in self.files.items()}
        if self.timeline is not None:
            tracks = tuple(replace(t, path=move(t.path)) for t in self.timeline.tracks)
            self.timeline = replace(self.timeline, tracks=tracks,
                                    full_path=move(self.timeline.full_path))
