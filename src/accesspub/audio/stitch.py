"""Narrate stage, part 2: sentence clips + pauses -> chapter tracks, full narration, Timeline.

Timing contract (MO-13, A-CH-2): every number in the Timeline is a sample count taken while
laying clips out here, never read back from an MP3.  A sentence's Clip runs from the first
sample of its speech to the first sample of the next sentence's speech, so the pause after a
sentence belongs to it and the clips of a track tile it without gaps; the last clip ends at
the end of the track (tracks end with the last word: the chapter pause lives only in the full
file, between tracks, and belongs to the chapter before it there).

Pauses (AU-4): ``pauses.sentence`` between sentences of a block, ``pauses.paragraph`` after a
block, ``pauses.heading`` after a heading; ``pauses.chapter`` between tracks in the full file.

Linear time, bounded memory: a track is a list of references to sentence clips (in the clip
cache) and pause lengths; nothing holds a track, let alone the book, in memory.  Loudness is
measured by streaming the clips from the cache through a BS.1770 meter; then, chapter by
chapter, each clip is read, gained and limited once and written to two ffmpeg processes: the
chapter's track and the full narration (one encoder open across all chapters).  Memory is a
few sentence clips at a time, whatever the length of the book (plus a bounded cache of the
limiter's peak envelopes, which only saves time).
"""

from __future__ import annotations

from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence, Union

import numpy as np

from accesspub.audio.encode import StreamingEncoder, codec_gain_db
from accesspub.audio.loudness import (integrated_loudness, limit_clip, needs_limiting,
                                      normalising_gain, peak_envelope)
from accesspub.audio.synthesize import SAMPLE_RATE, SentenceAudio
from accesspub.audio.tags import tag_full, tag_track
from accesspub.config import Config, Pauses
from accesspub.model import Block, Chapter, Clip, Publication, Section, Sentence, Timeline, Track


Item = Union[SentenceAudio, int]          # a sentence's speech, or a pause in samples
Process = Callable[[SentenceAudio], np.ndarray]
StitchProgress = Callable[[str, int, int], None]    # (stage, done, total)


@dataclass(frozen=True, slots=True, eq=False)
class StitchedChapter:
    """A chapter's track before encoding: what to play in order and the exact clip times."""

    chapter_id: str
    items: tuple[Item, ...]             # sentence audio (a reference) and pauses, in order
    clips: tuple[Clip, ...]
    samples: int
    engines: tuple[str, ...]            # distinct engines that spoke it, first use first

    def track(self, path: Path, offset: int) -> Track:
        return Track(self.chapter_id, path, self.clips, self.samples, offset, self.engines)

    def iter_chunks(self, process: Process | None = None) -> Iterator[np.ndarray]:
        """The track as int16 arrays, read one sentence at a time; ``process`` turns a
        sentence's audio into the array to play (default: as spoken)."""
        for item in self.items:
            if isinstance(item, int):
                yield _SILENCE(item)
            elif process is None:
                yield from item.chunks()
            else:
                yield process(item)

    @property
    def chunks(self) -> "_Chunks":
        """The track's arrays as a lazy sequence: each item is read when asked for."""
        return _Chunks(self.items)


class _Chunks(SequenceABC):
    """A read-on-demand sequence of a track's arrays (one per sentence or pause)."""

    def __init__(self, items: tuple[Item, ...]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        item = self._items[index]
        return _SILENCE(item) if isinstance(item, int) else item.pcm


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
    no audible sentence becomes ``pauses.sentence`` of silence with no clips.  Only lengths
    are used: no audio is read.
    """
    def samples(seconds: float) -> int:
        return int(round(seconds * sample_rate))

    gap = {"sentence": samples(pauses.sentence), "paragraph": samples(pauses.paragraph),
           "heading": samples(pauses.heading)}
    laid: list[tuple[SentenceAudio, int]] = []
    for sentences, is_heading in reading_order(chapter):
        audible = [clips[s.id] for s in sentences if s.id in clips]
        for i, audio in enumerate(audible):
            last = i == len(audible) - 1
            kind = ("heading" if is_heading else "paragraph") if last else "sentence"
            laid.append((audio, gap[kind]))

    items: list[Item] = []
    out: list[Clip] = []
    engines: dict[str, None] = {}
    cursor = 0
    for i, (audio, pause) in enumerate(laid):
        if i == len(laid) - 1:
            pause = 0                                  # the track ends with the last word
        begin = cursor
        items.append(audio)
        if pause:
            items.append(pause)
        cursor += audio.samples + pause
        out.append(Clip(audio.sentence_id, begin, cursor))
        engines.update(dict.fromkeys(audio.engines))
    if not laid:
        cursor = gap["sentence"]
        items.append(cursor)
    return StitchedChapter(chapter.id, tuple(items), tuple(out), cursor, tuple(engines))


def full_chunks(stitched: Sequence[StitchedChapter], chapter_pause: int,
                process: Process | None = None) -> Iterator[np.ndarray]:
    """The arrays of the full narration: tracks joined with ``chapter_pause`` samples."""
    for i, chapter in enumerate(stitched):
        if i:
            yield _SILENCE(chapter_pause)
        yield from chapter.iter_chunks(process)


class _Envelopes:
    """The limiter's peak envelopes, kept between passes within a memory budget.

    Only the samples whose envelope could reach the ceiling at up to twice the gain of the
    pass that computed them are kept (index, value); the rest are zero when rebuilt, which
    gives ``limit_clip`` exactly the same result (their required gain is 1 either way), as
    long as the gain stays under twice that gain; beyond it, or when the budget is full,
    the envelope is simply computed again.  So this only saves time, never changes sound.
    """

    def __init__(self, ceiling_dbtp: float, budget: int) -> None:
        self.target = 10 ** (ceiling_dbtp / 20)
        self.budget = budget
        self.used = 0
        self._kept: dict[str, tuple[float, np.ndarray, np.ndarray]] = {}

    def get(self, sid: str, pcm: np.ndarray, gain: float) -> np.ndarray:
        kept = self._kept.get(sid)
        if kept is not None and gain <= 2 * kept[0]:
            _, where, values = kept
            envelope = np.zeros(len(pcm), dtype=np.float32)
            envelope[where] = values
            return envelope
        envelope = peak_envelope(pcm)
        if kept is None:
            where = np.flatnonzero(envelope * np.float32(2 * gain) > np.float32(self.target))
            size = where.size * 8
            if self.used + size <= self.budget:
                self._kept[sid] = (gain, where.astype(np.int32), envelope[where])
                self.used += size
        return envelope


ENVELOPE_BUDGET = 64 << 20      # bytes of kept limiter envelopes (time saved, not needed)


def _processor(gain: float, ceiling: float, sample_rate: int,
               envelopes: _Envelopes) -> Process:
    """Sentence audio -> int16 with ``gain`` and the true-peak limiter applied."""
    def process(audio: SentenceAudio) -> np.ndarray:
        pcm = audio.pcm
        envelope = (envelopes.get(audio.sentence_id, pcm, gain)
                    if needs_limiting(pcm, gain, ceiling) else None)
        return limit_clip(pcm, gain, ceiling, sample_rate, envelope)
    return process


def _loudness_plan(stitched: Sequence[StitchedChapter], config: Config, sample_rate: int,
                   codec_db: float, progress: StitchProgress | None = None
                   ) -> tuple[Process, float, float]:
    """(the processing that normalises every clip, loudness measured before, gain in dB).

    ONE gain (to ``narration.loudness``) and the true-peak limiter.  Loudness is measured
    on the full narration exactly as it will be laid out, so tracks and the full file share
    the gain.  Limiting lowers loudness a little (Piper peaks at full scale, so at -19 LUFS
    most sentences touch the ceiling), so the gain is corrected from a re-measurement of
    the limited narration, up to ``_PASSES`` times, until it is within 0.2 LU.  Every pass
    streams the clips from the cache; memory does not grow with the book.
    ``codec_db``: the encoder's own level change (``codec_gain_db``); loudness target and
    peak ceiling are raised by its opposite so the *encoded* file meets them.
    """
    narration = config.narration
    chapter_pause = int(round(narration.pauses.chapter * sample_rate))
    target = narration.loudness - codec_db
    ceiling = narration.true_peak - codec_db
    envelopes = _Envelopes(ceiling, ENVELOPE_BUDGET)
    steps = _PASSES + 1
    if progress:
        progress("loudness", 0, steps)

    measured = integrated_loudness(full_chunks(stitched, chapter_pause), sample_rate)
    if progress:
        progress("loudness", 1, steps)
    gain = normalising_gain(measured, target)
    process = _processor(gain, ceiling, sample_rate, envelopes)
    for attempt in range(_PASSES):
        reached = integrated_loudness(full_chunks(stitched, chapter_pause, process),
                                      sample_rate)
        if progress:
            progress("loudness", attempt + 2, steps)
        if not np.isfinite(reached) or abs(reached - target) <= 0.2 or attempt == _PASSES - 1:
            break
        gain *= normalising_gain(reached, target)
        process = _processor(gain, ceiling, sample_rate, envelopes)
    if progress:
        progress("loudness", steps, steps)
    return process, measured, 20 * float(np.log10(gain))


def normalise_clips(publication: Publication, clips: Mapping[str, SentenceAudio],
                    config: Config, sample_rate: int = SAMPLE_RATE, *,
                    codec_db: float = 0.0) -> tuple[dict[str, SentenceAudio], float, float]:
    """Clips with ONE gain and the true-peak limiter applied, *in memory* (for tests and
    short texts; ``stitch_publication`` streams instead).  See ``_loudness_plan``.
    Returns (new clips, loudness measured before, final gain in dB)."""
    stitched = [stitch_chapter(ch, clips, config.narration.pauses, sample_rate)
                for ch in publication.chapters]
    process, measured, gain_db = _loudness_plan(stitched, config, sample_rate, codec_db)
    out = {sid: SentenceAudio(sid, process(audio), audio.engines)
           for sid, audio in clips.items()}
    return out, measured, gain_db


_PASSES = 3


def stitch_publication(publication: Publication, clips: Mapping[str, SentenceAudio],
                       config: Config, out_dir: Path, *, sample_rate: int = SAMPLE_RATE,
                       normalise: bool = True,
                       progress: StitchProgress | None = None) -> Timeline:
    """Build, encode and tag every chapter track and the full narration; return the Timeline.

    Files: ``out_dir/tracks/<chapter.slug>.mp3`` and ``out_dir/<publication.slug>.mp3``.
    ``Track.offset`` is the track's first sample in the full narration; ``Timeline.samples``
    the full narration's length.  ``clips`` are as ``synthesize_publication`` returns them;
    ``normalise=False`` skips loudness/limiting (tests of pure timing).
    ``progress(stage, done, total)``: "loudness" passes, then "encoding" per chapter.
    """
    out_dir = Path(out_dir)
    narration = config.narration
    stitched = [stitch_chapter(ch, clips, narration.pauses, sample_rate)
                for ch in publication.chapters]
    process: Process | None = None
    if normalise:
        process, _, _ = _loudness_plan(stitched, config, sample_rate,
                                       codec_gain_db(narration.bitrate, sample_rate), progress)
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

    # Each clip is processed once and written to two ffmpeg processes: the chapter's track
    # and the full narration (open across all chapters).  LAME is single-threaded, so the
    # two encoders and this process share the cores.
    total = len(stitched)
    encode = dict(sample_rate=sample_rate, bitrate=narration.bitrate)
    if progress:
        progress("encoding", 0, total)
    with StreamingEncoder(full_path, **encode) as full:
        for n, (st, track) in enumerate(zip(stitched, tracks), 1):
            if n > 1:
                full.write(_SILENCE(chapter_pause))
            with StreamingEncoder(track.path, **encode) as one:
                for chunk in st.iter_chunks(process):
                    one.write(chunk)
                    full.write(chunk)
            if progress:
                progress("encoding", n, total)

    timeline = Timeline(sample_rate=sample_rate, tracks=tuple(tracks), full_path=full_path,
                        samples=offset, voice=narration.voice)
    for chapter, track in zip(publication.chapters, tracks):
        tag_track(track.path, publication.meta, chapter, total,
                  publisher=publication.meta.publisher or config.publisher)
    tag_full(full_path, publication.meta, publication.chapters, timeline,
             publisher=publication.meta.publisher or config.publisher)
    return timeline
