"""ID3v2.4 tags on the narration MP3s (mutagen), chapters on the full file (A-CH-1).

Determinism: frames are written in a fixed order from the model only (no timestamps, no
encoder strings), and padding is fixed to ``PADDING`` bytes, so the same input always gives
the same bytes.  Saving replaces any tag already there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from mutagen.id3 import (APIC, CHAP, CTOC, ID3, TALB, TCON, TDRC, TIT2, TLAN, TPE1, TPUB,
                         TRCK, CTOCFlags, PictureType)

from accesspub.model import Chapter, Metadata, Timeline

PADDING = 0                   # fixed: mutagen would otherwise choose padding itself
_FIRST = ["TIT2", "TPE1", "TRCK", "TALB", "TPOS", "TDRC", "TCON"]   # as mutagen orders them


class _ChapterOrderID3(ID3):
    """An ID3 tag that stores CTOC and CHAP frames in the order they were added.

    mutagen sorts frames by their size when it saves, so a chapter with a short title is
    stored before one with a long title; ffmpeg and the players built on it list CHAP
    frames as stored, not by start time.  Other frames keep mutagen's order (known text
    frames first, pictures last), so the tracks' tags are the bytes mutagen would write."""

    def _write(self, config):
        from mutagen.id3._tags import save_frame   # what mutagen's own _write uses

        def key(item):
            index, (frame, data) = item
            if frame.FrameID in ("CTOC", "CHAP"):
                return (len(_FIRST), 1, index, "")
            prio = _FIRST.index(frame.FrameID) if frame.FrameID in _FIRST else (
                len(_FIRST) + 1 if frame.FrameID == "APIC" else len(_FIRST))
            return (prio, 0, index if frame.FrameID == "APIC" else len(data), frame.HashKey)

        frames = [(frame, save_frame(frame, config=config)) for frame in self.values()]
        return bytearray().join(data for _, (_, data) in sorted(enumerate(frames), key=key))


def iso639_2(tag: str) -> str:
    """BCP 47 -> ISO 639-2 (bibliographic-free, 'eng'); 'und' when unknown."""
    try:
        import langcodes
        return langcodes.Language.get(tag).to_alpha3()
    except Exception:
        return "und"


def _ms(samples: int, sample_rate: int) -> int:
    return round(samples * 1000 / sample_rate)


def _common(meta: Metadata, title: str, publisher: str, cover: bool) -> ID3:
    tags = _ChapterOrderID3()
    tags.add(TIT2(encoding=3, text=[title]))
    artist = list(meta.authors) or ([meta.publisher or publisher] if (meta.publisher
                                                                      or publisher) else [])
    if artist:
        tags.add(TPE1(encoding=3, text=artist))
    tags.add(TALB(encoding=3, text=[meta.title]))
    if meta.date is not None:
        tags.add(TDRC(encoding=3, text=[meta.date.isoformat()]))
    tags.add(TLAN(encoding=3, text=[iso639_2(meta.lang)]))
    tags.add(TCON(encoding=3, text=["Speech"]))
    if meta.publisher or publisher:
        tags.add(TPUB(encoding=3, text=[meta.publisher or publisher]))
    if cover and meta.cover is not None:
        tags.add(APIC(encoding=3, mime=meta.cover.media_type, type=PictureType.COVER_FRONT,
                      desc="Cover", data=Path(meta.cover.source).read_bytes()))
    return tags


def _save(tags: ID3, path: Path) -> None:
    tags.save(str(path), v2_version=4, v1=0, padding=lambda info: PADDING)


def tag_track(path: Path, meta: Metadata, chapter: Chapter, total: int, *,
              publisher: str = "", cover: bool = True) -> None:
    """Tag one chapter track: title = chapter title, TRCK ``n/N``."""
    tags = _common(meta, chapter.title or meta.title, publisher, cover)
    tags.add(TRCK(encoding=3, text=[f"{chapter.number}/{total}"]))
    _save(tags, path)


def chapter_element_id(index: int) -> str:
    """Element id of the ``index``-th (0-based) CHAP frame: "ch01", "ch02", …"""
    return f"ch{index + 1:02d}"


def tag_full(path: Path, meta: Metadata, chapters: Sequence[Chapter], timeline: Timeline, *,
             publisher: str = "", cover: bool = True) -> None:
    """Tag the full narration with one CHAP per chapter and one top-level ordered CTOC.

    CHAP times come from the Timeline (sample offsets -> ms) and tile the file: a chapter
    runs from its track's offset to the next track's offset (so the chapter pause belongs
    to the chapter before it); the first starts at 0 and the last ends at the duration.
    At most 255 chapters fit one CTOC (8-bit entry count); more are not nested yet.
    """
    tags = _common(meta, meta.title, publisher, cover)
    rate = timeline.sample_rate
    # Time order: tracks are laid out one after the other, but sort anyway so the stored
    # order can never depend on how the caller listed them.
    pairs = sorted(zip(chapters, timeline.tracks), key=lambda pair: pair[1].offset)
    ends = [track.offset for _, track in pairs[1:]] + [timeline.samples]
    ids = [chapter_element_id(i) for i in range(len(pairs))]
    if len(ids) > 255:
        raise ValueError("more than 255 chapters need nested CTOC frames (not supported)")
    if ids:
        # The table of contents first, then its chapters in the order it lists them.
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                      child_element_ids=ids,
                      sub_frames=[TIT2(encoding=3, text=[meta.title])]))
    for element, (chapter, track), end in zip(ids, pairs, ends):
        tags.add(CHAP(element_id=element, start_time=_ms(track.offset, rate),
                      end_time=_ms(end, rate),
                      sub_frames=[TIT2(encoding=3, text=[chapter.title or meta.title])]))
    _save(tags, path)
