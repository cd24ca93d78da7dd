"""The narrate stage: sentences -> cached clips -> tracks and full narration -> Timeline.

    synthesize_publication(publication, engine_set_factory, config, *, jobs, progress)
        -> Synthesis  ({sentence id: SentenceAudio}, .hits, .misses)
    stitch_publication(publication, clips, config, out_dir, *, progress) -> Timeline
    accesspub.audio.narration.narrate runs both at once: stitching encodes each sentence as soon
    as it has been spoken (``ClipFeed``).

All audio is int16 mono at SAMPLE_RATE (44.1 kHz); times are sample counts.  A
``SentenceAudio`` is a reference to clips in the clip cache (keys, lengths, engines), not
PCM: synthesis writes every clip to the cache and stitching streams them back, so memory
stays bounded by a few sentence clips whatever the length of the release.
"""

from __future__ import annotations

from accesspub.audio.synthesize import (SAMPLE_RATE, ClipFeed, EngineSetLike, Progress,
                                        SentenceAudio, Synthesis, WorkerPool, speak_part,
                                        speak_to_cache, spoken_sentences,
                                        synthesize_publication)

__all__ = [
    "SAMPLE_RATE", "ClipFeed", "EngineSetLike", "Progress", "SentenceAudio", "Synthesis",
    "WorkerPool", "spoken_sentences",
    "StreamingEncoder", "decode_mp3", "encode_mp3", "speak_part", "speak_to_cache",
    "stitch_publication", "synthesize_publication",
]


# Stitching pulls in the encoder and mutagen: loaded only when a narration is actually
# stitched, so a rebuild served from the narration cache stays fast.
_LAZY = {"decode_mp3": "encode", "encode_mp3": "encode", "StreamingEncoder": "encode",
         "stitch_publication": "stitch"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f"accesspub.audio.{_LAZY[name]}"), name)
    raise AttributeError(name)
