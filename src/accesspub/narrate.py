"""The narrate stage as the build sees it: engines from the config, progress, credits."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

from accesspub import audio
from accesspub.config import Config
from accesspub.engines.select import EngineSet
from accesspub.model import Publication, Timeline
from accesspub.progress import Progress


def narrator_credit(config: Config, publication: Publication) -> str:
    """How the synthetic narrator is credited (EPUB media:narrator, feed podcast:person)."""
    names = []
    for lang in publication.languages:
        choice = config.narration.choice_for(lang)
        voice = choice.voice or ("en_US-joe-medium" if choice.engine == "piper" else "")
        name = f"{choice.engine.capitalize()}{' ' + voice if voice else ''}"
        if name not in names:
            names.append(name)
    return f"Synthetic voice ({', '.join(names)})"


def narrate(publication: Publication, config: Config, out: Path, *, jobs: int | None,
            progress: Progress) -> tuple[Timeline, dict[str, list[str]], dict[str, int]]:
    """Speak every sentence (through the cache), stitch tracks and the full MP3."""
    factory = functools.partial(EngineSet.from_config, config)
    total_known = False

    def report(done: int, total: int) -> None:
        nonlocal total_known
        if not total_known:
            progress.stage("synthesis", total)
            total_known = True
        progress.update(done)

    clips = audio.synthesize_publication(publication, factory, config,
                                         jobs=jobs or config.narration.jobs or None,
                                         progress=report)
    if total_known:
        progress.done()
    progress.message(f"speech: {clips.misses} new clip(s), {clips.hits} from the cache; "
                     "encoding")
    timeline = audio.stitch_publication(publication, clips, config, out)
    timeline = replace(timeline, voice=narrator_credit(config, publication))
    engines: dict[str, list[str]] = {}
    for sentence_id, clip in clips.items():
        for engine in clip.engines:
            engines.setdefault(engine, []).append(sentence_id)
    return timeline, engines, {"synthesised": clips.misses, "from_cache": clips.hits}
