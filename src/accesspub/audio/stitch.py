"""Narrate stage, part 2: sentence clips + pauses -> chapter tracks, full narration, Timeline.

Timing contract (MO-13, A-CH-2): every number in the Timeline is a sample count taken while
laying clips out here, never read back from an MP3.  A sentence's Clip runs from the first
sample of its speech to the first sample of the next sentence's speech, so the pause after a
sentence belongs to it and the clips of a track tile it without gaps; the last clip ends at
the end of the track (tracks end with the last word: the chapter pause lives only in the full
file, between tracks, and belongs to the chapter before it there).

Pauses (AU-4): ``pauses.sentence`` between sentences of a block, ``pauses.paragraph`` after a
block, ``pauses.heading`` after a heading; ``pauses.chapter`` between tracks in the full file.

Linear time and memory: a track is a list of references to clip arrays and shared silence
arrays ("chunks"), streamed into the encoder; no track is ever concatenated in memory.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import numpy as np

from accesspub.audio.encode import codec_gain_db, encode_many
from accesspub.audio.loudness import (integrated_loudness, limit_clip, needs_limiting,
                                      normalising_gain, peak_envelope)
from accesspub.audio.synthesize import SAMPLE_RATE, SentenceAudio
from accesspub.audio.tags import tag_full, tag_track
from accesspub.config import Config, Pauses
from accesspub.model import Block, Chapter, Clip, Publication, Section, Sentence, Timeline, Track


@dataclass(frozen=True, slots=True, eq=False)
class StitchedChapter:
    """A chapter's track before encoding: the chunks to write and the exact clip times."""

    chapter_id: str
    chunks: tuple[np.ndarray, ...]      # int16; clip arrays and shared silence, in order
    clips: tuple[Clip, ...]
    samples: int
    engines: tuple[str, ...]            # distinct engines that spoke it, first use first

    def track(self, path: Path, offset: int) -> Track:
        return Track(self.chapter_id, path, self.clips, self.samples, offset, self.engines)


class _Silence:
    """Zero arrays by length, shared: a pause costs no memory per use."""

    def __init__(self) -> None:
        self._cache: dict[int, np.ndarray] = {}

    def __call__(self, n: int) -> np.ndarray:
        if n not in self._cache:
            zeros = np.zeros(n, dtype=np.int16)
            zeros.flags.writeable = False
            self._cache[n] = zeros
        return self._cache[n]


_SILENCE = _Silence()


def _block_groups(block: Block) -> Iterator[tuple[tuple[Sentence, ...], bool]]:
    """(sentences of one block, is a heading) in reading order, children after parents."""
    if block.sentences:
        yield block.sentences, block.kind == "heading"
    for child in block.children:
        yield from _block_groups(child)


def _section_groups(section: Section) -> Iterator[tuple[tuple[Sentence, ...], bool]]:
    if section.heading is not None:
        yield from _block_groups(section.heading)
    for block in section.blocks:
        yield from _block_groups(block)
    for child in section.children:
        yield from _section_groups(child)


def reading_order(chapter: Chapter) -> Iterator[tuple[tuple[Sentence, ...], bool]]:
    """The chapter's sentence groups (one per block) in the order they are spoken."""
    yield from _section_groups(chapter.section)
    if chapter.notes is not None:
        yield from _block_groups(chapter.notes)


def stitch_chapter(chapter: Chapter, clips: Mapping[str, SentenceAudio], pauses: Pauses,
                   sample_rate: int = SAMPLE_RATE) -> StitchedChapter:
    """Lay the chapter's clips end to end with pauses; exact Clip times in samples.

    Sentences without an entry in ``clips`` (no spoken text) get no Clip.  A chapter with
    no audible sentence becomes ``pauses.sentence`` of silence with no clips.
    """
    def samples(seconds: float) -> int:
        return int(round(seconds * sample_rate))

    gap = {"sentence": samples(pauses.sentence), "paragraph": samples(pauses.paragraph),
           "heading": samples(pauses.heading)}
    items: list[tuple[SentenceAudio, int]] = []
    for sentences, is_heading in reading_order(chapter):
        audible = [clips[s.id] for s in sentences if s.id in clips]
        for i, audio in enumerate(audible):
            last = i == len(audible) - 1
            kind = ("heading" if is_heading else "paragraph") if last else "sentence"
            items.append((audio, gap[kind]))

    chunks: list[np.ndarray] = []
    out: list[Clip] = []
    engines: dict[str, None] = {}
    cursor = 0
    for i, (audio, pause) in enumerate(items):
        if i == len(items) - 1:
            pause = 0                                  # the track ends with the last word
        begin = cursor
        chunks.append(audio.pcm)
        if pause:
            chunks.append(_SILENCE(pause))
        cursor += audio.samples + pause
        out.append(Clip(audio.sentence_id, begin, cursor))
        engines.update(dict.fromkeys(audio.engines))
    if not items:
        cursor = gap["sentence"]
        chunks.append(_SILENCE(cursor))
    return StitchedChapter(chapter.id, tuple(chunks), tuple(out), cursor, tuple(engines))


def full_chunks(stitched: Sequence[StitchedChapter], chapter_pause: int) -> Iterator[np.ndarray]:
    """The chunks of the full narration: tracks joined with ``chapter_pause`` samples."""
    for i, chapter in enumerate(stitched):
        if i:
            yield _SILENCE(chapter_pause)
        yield from chapter.chunks


def normalise_clips(publication: Publication, clips: Mapping[str, SentenceAudio],
                    config: Config, sample_rate: int = SAMPLE_RATE, *,
                    codec_db: float = 0.0) -> tuple[dict[str, SentenceAudio], float, float]:
    """Clips with ONE gain (to ``narration.loudness``) and the true-peak limiter applied.

    Loudness is measured on the full narration exactly as it will be laid out, so tracks
    and the full file share the gain.  Limiting lowers loudness a little (Piper peaks at
    full scale, so at -19 LUFS most sentences touch the ceiling), so the gain is corrected
    from a re-measurement of the limited narration, up to ``_PASSES`` times, until it is
    within 0.2 LU.  The costly part (4x oversampling) is done once per clip.
    ``codec_db``: the encoder's own level change (``codec_gain_db``); loudness target and
    peak ceiling are raised by its opposite so the *encoded* file meets them.
    Returns (new clips, loudness measured before, final gain in dB).
    """
    pauses = config.narration.pauses
    chapter_pause = int(round(pauses.chapter * sample_rate))
    target = config.narration.loudness - codec_db
    ceiling = config.narration.true_peak - codec_db

    def measure(current: Mapping[str, SentenceAudio]) -> float:
        stitched = [stitch_chapter(ch, current, pauses, sample_rate)
                    for ch in publication.chapters]
        return integrated_loudness(full_chunks(stitched, chapter_pause), sample_rate)

    measured = measure(clips)
    gain = normalising_gain(measured, target)
    envelopes: dict[str, np.ndarray] = {}
    out: dict[str, SentenceAudio] = dict(clips)
    for attempt in range(_PASSES):
        for sid, audio in clips.items():
            if sid not in envelopes and needs_limiting(audio.pcm, gain, ceiling):
                envelopes[sid] = peak_envelope(audio.pcm)
            out[sid] = dataclasses.replace(audio, pcm=limit_clip(
                audio.pcm, gain, ceiling, sample_rate, envelopes.get(sid)))
        reached = measure(out)
        if not np.isfinite(reached) or abs(reached - target) <= 0.2 or attempt == _PASSES - 1:
            break
        gain *= normalising_gain(reached, target)
    return out, measured, 20 * float(np.log10(gain))


_PASSES = 3


def stitch_publication(publication: Publication, clips: Mapping[str, SentenceAudio],
                       config: Config, out_dir: Path, *, sample_rate: int = SAMPLE_RATE,
                       normalise: bool = True) -> Timeline:
    """Build, encode and tag every chapter track and the full narration; return the Timeline.

    Files: ``out_dir/tracks/<chapter.slug>.mp3`` and ``out_dir/<publication.slug>.mp3``.
    ``Track.offset`` is the track's first sample in the full narration; ``Timeline.samples``
    the full narration's length.  ``clips`` are as ``synthesize_publication`` returns them;
    ``normalise=False`` skips loudness/limiting (tests of pure timing).
    """
    out_dir = Path(out_dir)
    narration = config.narration
    if normalise:
        clips, _, _ = normalise_clips(publication, clips, config, sample_rate,
                                      codec_db=codec_gain_db(narration.bitrate, sample_rate))
    stitched = [stitch_chapter(ch, clips, narration.pauses, sample_rate)
                for ch in publication.chapters]
    chapter_pause = int(round(narration.pauses.chapter * sample_rate))

    tracks_dir = out_dir / "tracks"
    tracks_dir.mkdir(parents=True, exist_ok=True)
    full_path = out_dir / f"{publication.slug}.mp3"
    tracks, offset = [], 0
    for chapter, st in zip(publication.chapters, stitched):
        if tracks:
            offset += chapter_pause
        tracks.append(st.track(tracks_dir / f"{chapter.slug}.mp3", offset))
        offset += st.samples

    # One ffmpeg per file, all at once: LAME is single-threaded and the full file is as
    # long as all tracks together, so this roughly halves the wall time on two cores.
    jobs = [(st.chunks, track.path) for st, track in zip(stitched, tracks)]
    jobs.insert(0, (full_chunks(stitched, chapter_pause), full_path))
    encode_many(jobs, sample_rate=sample_rate, bitrate=narration.bitrate,
                workers=max(2, os.cpu_count() or 1))

    timeline = Timeline(sample_rate=sample_rate, tracks=tuple(tracks), full_path=full_path,
                        samples=offset, voice=narration.voice)
    total = len(publication.chapters)
    for chapter, track in zip(publication.chapters, tracks):
        tag_track(track.path, publication.meta, chapter, total, publisher=publication.meta.publisher or config.publisher)
    tag_full(full_path, publication.meta, publication.chapters, timeline,
             publisher=publication.meta.publisher or config.publisher)
    return timeline
