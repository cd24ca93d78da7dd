"""Narrate stage, part 2: sentence clips + pauses -> chapter tracks, full narration, Timeline.

Timing contract (MO-13, A-CH-2): every number in the Timeline is a sample count taken while
laying clips out here, or (a track's offset in the full file) counted from the MP3 frames
the full file is joined from; never measured by decoding.  A sentence's Clip runs from the first
sample of its speech to the first sample of the next sentence's speech, so the pause after a
sentence belongs to it and the clips of a track tile it without gaps; the last clip ends at
the end of the track (tracks end with the last word: the chapter pause lives only in the full
file, between tracks, and belongs to the chapter before it there).

Pauses (AU-4): ``pauses.sentence`` between sentences of a block, ``pauses.paragraph`` after a
block, ``pauses.heading`` after a heading; ``pauses.chapter`` between tracks in the full file
(to within 13 ms: it is made of whole MP3 frames, see ``join``).

Linear time, bounded memory, one pass: a track is laid out from the sentences that have
spoken text (known before any is spoken) and the pauses between them; then each sentence's
clip is taken as soon as it exists (``clips[sid]`` may wait for a synthesis still running),
written to the chapter's ffmpeg and forgotten; the full narration is joined from the
tracks' frames at the end (``join``: every sample is encoded once).  Clips arrive levelled
to the narration's loudness (``synthesize.Levelling``, done where they are spoken), so
nothing here measures audio.  So encoding runs alongside synthesis, and memory is a few
sentence clips at a time, whatever the length of the book.

The audiobook (M4B) is AAC encoded from the same PCM at the same time, when asked for
(``audiobook``): every chunk a chapter's MP3 encoder gets also goes to one AAC encoder
for the whole book, the tracks end to end (no chapter pauses: DAISY and the W3C
audiobook play the tracks that way, so a chapter starts at the same second in every
format).  Transcoding the MP3s instead lost a generation of quality and cost a decode
and an encode after the narration was done; this way ``writers.m4b`` only muxes.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable, Container, Iterator, Mapping

import numpy as np

from accesspub.audio.encode import StreamingEncoder, aac_command, codec_gain_db
from accesspub.audio.join import (FRAME_SAMPLES, EncodedTrack, join_tracks, offsets, read_track,
                                  silence_frames)
from accesspub.audio.synthesize import SAMPLE_RATE, SentenceAudio
from accesspub.audio.tags import tag_full, tag_track
from accesspub.config import Config, Pauses
from accesspub.errors import ToolError
from accesspub.model import Block, Chapter, Clip, Publication, Section, Sentence, Timeline, Track


StitchProgress = Callable[[str, int, int], None]    # (stage, done, total)


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


def chapter_plan(chapter: Chapter, spoken: Container[str], pauses: Pauses,
                 sample_rate: int = SAMPLE_RATE) -> tuple[tuple[str, int], ...]:
    """(sentence id, pause after it in samples) for every sentence in ``spoken``, in reading
    order: the track's layout before any clip length is known."""
    def samples(seconds: float) -> int:
        return int(round(seconds * sample_rate))

    gap = {"sentence": samples(pauses.sentence), "paragraph": samples(pauses.paragraph),
           "heading": samples(pauses.heading)}
    laid: list[tuple[str, int]] = []
    for sentences, is_heading in reading_order(chapter):
        audible = [s.id for s in sentences if s.id in spoken]
        for i, sid in enumerate(audible):
            last = i == len(audible) - 1
            laid.append((sid, gap[("heading" if is_heading else "paragraph") if last
                                  else "sentence"]))
    if laid:
        laid[-1] = (laid[-1][0], 0)                    # the track ends with the last word
    return tuple(laid)


def _silent_track(pauses: Pauses, sample_rate: int) -> int:
    """Samples of a chapter with no audible sentence: one sentence pause of silence."""
    return int(round(pauses.sentence * sample_rate))


AUDIOBOOK_BITRATE = "64k"    # the M4B's AAC, whatever the MP3s' bitrate


def _write(sinks: tuple[StreamingEncoder, ...], pcm: np.ndarray) -> None:
    for sink in sinks:
        sink.write(pcm)


def stitch_publication(publication: Publication, clips: Mapping[str, SentenceAudio],
                       config: Config, out_dir: Path, *, sample_rate: int = SAMPLE_RATE,
                       progress: StitchProgress | None = None,
                       audiobook: Path | None = None) -> Timeline:
    """Build, encode and tag every chapter track and the full narration; return the Timeline.

    Files: ``out_dir/tracks/<chapter.slug>.mp3`` and ``out_dir/<publication.slug>.mp3``.
    ``Track.offset`` is the track's first sample in the full narration; ``Timeline.samples``
    the full narration's length.  ``clips``: as ``synthesize_publication`` returns them, or
    a mapping whose ``in`` answers at once and whose ``[]`` waits for a clip still being
    spoken (``synthesize.ClipFeed``): each is read in reading order, once.
    Clips are written as they are: levelled when spoken (``synthesize.Levelling``).
    ``progress(stage, done, total)``: "encoding", per sentence.
    ``audiobook``: where to write the AAC stream of the M4B (an MP4 file), or None.
    """
    out_dir = Path(out_dir)
    narration = config.narration
    chapter_pause = int(round(narration.pauses.chapter * sample_rate))
    plans = [chapter_plan(ch, clips, narration.pauses, sample_rate)
             for ch in publication.chapters]
    total = sum(len(plan) for plan in plans)

    tracks_dir = out_dir / "tracks"
    tracks_dir.mkdir(parents=True, exist_ok=True)
    full_path = out_dir / f"{publication.slug}.mp3"
    laid_out: list[tuple[tuple[Clip, ...], int, tuple[str, ...]]] = []
    encoded: list[EncodedTrack] = []
    done = 0
    encode = dict(sample_rate=sample_rate, bitrate=narration.bitrate)
    if progress:
        progress("encoding", 0, total)
    # Each clip is read once and written to its chapter's encoder (and the audiobook's);
    # the full narration is then joined from the tracks' frames (``join``), not encoded again.
    with contextlib.ExitStack() as stack:
        book: tuple[StreamingEncoder, ...] = ()
        if audiobook is not None:
            command = aac_command(audiobook, sample_rate, AUDIOBOOK_BITRATE,
                                  codec_gain_db(narration.bitrate, sample_rate))
            book = (stack.enter_context(StreamingEncoder(audiobook, sample_rate=sample_rate,
                                                         command=command)),)
        for chapter, plan in zip(publication.chapters, plans):
            path = tracks_dir / f"{chapter.slug}.mp3"
            laid: list[Clip] = []
            engines: dict[str, None] = {}
            cursor = 0
            with StreamingEncoder(path, **encode) as one:
                sinks = (one, *book)
                for sid, pause in plan:
                    audio = clips[sid]
                    pcm = audio.pcm
                    _write(sinks, pcm)
                    _write(sinks, _SILENCE(pause))
                    laid.append(Clip(sid, cursor, cursor + len(pcm) + pause))
                    cursor += len(pcm) + pause
                    engines.update(dict.fromkeys(audio.engines))
                    done += 1
                    if progress:
                        progress("encoding", done, total)
                if not plan:
                    cursor = _silent_track(narration.pauses, sample_rate)
                    _write(sinks, _SILENCE(cursor))
            encoded.append(read_track(path))
            # ffmpeg's LAME tag counts up to 47 samples of padding as audio when a track
            # ends 1-47 samples into a frame: the track then decodes that much longer, in
            # silence.  Offsets in the full file follow the tag, as decoders do.
            if not 0 <= encoded[-1].samples - cursor < FRAME_SAMPLES:
                raise ToolError(f"{path.name} decodes to {encoded[-1].samples} samples, not "
                                f"the {cursor} encoded", code="tool-failed")
            laid_out.append((tuple(laid), cursor, tuple(engines)))

    gaps = [silence_frames(a, b, chapter_pause) for a, b in zip(encoded, encoded[1:])]
    starts, samples = offsets(encoded, gaps)
    join_tracks(encoded, gaps, full_path)
    tracks = [Track(chapter.id, track.path, laid, length, start, engines)
              for chapter, track, start, (laid, length, engines)
              in zip(publication.chapters, encoded, starts, laid_out)]
    timeline = Timeline(sample_rate=sample_rate, tracks=tuple(tracks), full_path=full_path,
                        samples=samples, voice=narration.voice)
    for chapter, track in zip(publication.chapters, tracks):
        tag_track(track.path, publication.meta, chapter, len(tracks),
                  publisher=publication.meta.publisher or config.publisher)
    tag_full(full_path, publication.meta, publication.chapters, timeline,
             publisher=publication.meta.publisher or config.publisher)
    return timeline
