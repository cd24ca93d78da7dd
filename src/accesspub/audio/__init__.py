"""The narrate stage: sentences -> cached clips -> tracks and full narration -> Timeline.

    synthesize_publication(publication, engine_set_factory, config, *, jobs, progress)
        -> Synthesis  ({sentence id: SentenceAudio}, .hits, .misses)
    stitch_publication(publication, clips, config, out_dir, *, progress) -> Timeline
    narrate(...) = both, in order.

All audio is int16 mono at SAMPLE_RATE (44.1 kHz); times are sample counts.  A
``SentenceAudio`` is a reference to clips in the clip cache (keys, lengths, engines), not
PCM: synthesis writes every clip to the cache and stitching streams them back, so memory
stays bounded by a few sentence clips whatever the length of the release.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from accesspub.audio.synthesize import (SAMPLE_RATE, ClipFeed, EngineSetLike, Progress,
                                        SentenceAudio, Synthesis, WorkerPool, speak_part,
                                        speak_to_cache, spoken_sentences,
                                        synthesize_publication)
from accesspub.config import Config
from accesspub.model import Publication, Timeline

__all__ = [
    "SAMPLE_RATE", "ClipFeed", "EngineSetLike", "Progress", "SentenceAudio", "Synthesis",
    "StitchedChapter", "WorkerPool", "spoken_sentences",
    "StreamingEncoder", "decode_mp3", "encode_mp3", "narrate", "speak_part", "speak_to_cache",
    "stitch_chapter", "stitch_publication", "synthesize_publication",
]


# Stitching pulls in pyloudnorm and scipy (over a second of imports): loaded only when a
# narration is actually stitched, so a rebuild served from the narration cache stays fast.
_LAZY = {"decode_mp3": "encode", "encode_mp3": "encode", "StreamingEncoder": "encode",
         "StitchedChapter": "stitch",
         "stitch_chapter": "stitch", "stitch_publication": "stitch"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f"accesspub.audio.{_LAZY[name]}"), name)
    raise AttributeError(name)


def narrate(publication: Publication, engine_set_factory: Callable[[], EngineSetLike],
            config: Config, out_dir: Path, *, jobs: int | None = None,
            progress: Progress | None = None) -> tuple[Timeline, Synthesis]:
    """Synthesise (through the cache) and stitch; returns the Timeline and the synthesis
    (whose ``hits``/``misses`` and per-sentence engines go into the build report)."""
    clips = synthesize_publication(publication, engine_set_factory, config, jobs=jobs,
                                   progress=progress)
    from accesspub.audio.stitch import stitch_publication
    return stitch_publication(publication, clips, config, out_dir), clips
