"""The narrate stage as the build sees it: engines from the config, progress, credits, and
a cache of finished narrations so a rebuild with nothing changed encodes nothing."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from accesspub import audio
from accesspub.config import Config
from accesspub.engines.select import EngineSet
from accesspub.model import Clip, Publication, Timeline, Track
from accesspub.progress import Progress

# Bump when stitching, loudness, encoding or tagging change what the files contain.
NARRATION_VERSION = "2"


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


def narration_key(publication: Publication, clips: audio.Synthesis, config: Config) -> str:
    """Everything the narration's files are made from: the speech itself, pauses, loudness,
    encoding, and the metadata written into the ID3 tags."""
    digest = hashlib.sha256()

    def add(value: object) -> None:
        digest.update(repr(value).encode("utf-8") + b"\0")

    add(NARRATION_VERSION)
    add(config.narration)
    add(config.publisher)
    meta = publication.meta
    add((publication.slug, meta.title, meta.authors, meta.publisher, meta.date, meta.lang))
    if meta.cover is not None:
        add(hashlib.sha256(meta.cover.source.read_bytes()).hexdigest())
    for chapter in publication.chapters:
        add((chapter.id, chapter.slug, chapter.title))
        for sentence in chapter.iter_sentences():
            clip = clips.get(sentence.id)
            add(sentence.id)
            if clip is not None:
                # The clip cache is content-addressed (engine, voice, language, text), so
                # the keys stand for the sound without reading the book's audio back.
                digest.update(clip.identity())
                add(clip.engines)
    return digest.hexdigest()


def _timeline_json(timeline: Timeline, out: Path) -> dict:
    return {
        "sample_rate": timeline.sample_rate, "samples": timeline.samples,
        "full": timeline.full_path.relative_to(out).as_posix(),
        "tracks": [{"chapter": t.chapter_id, "file": t.path.relative_to(out).as_posix(),
                    "samples": t.samples, "offset": t.offset, "engines": list(t.engines),
                    "clips": [[c.sentence_id, c.begin, c.end] for c in t.clips]}
                   for t in timeline.tracks],
    }


def _timeline_from_json(data: dict, out: Path) -> Timeline:
    tracks = tuple(
        Track(t["chapter"], out / t["file"], tuple(Clip(*c) for c in t["clips"]), t["samples"],
              t["offset"], tuple(t["engines"]))
        for t in data["tracks"])
    return Timeline(data["sample_rate"], tracks, out / data["full"], data["samples"])


def restore(entry: Path, out: Path) -> Timeline | None:
    """The cached narration's files copied into ``out``, or None when there is none."""
    index = entry / "timeline.json"
    if not index.is_file():
        return None
    data = json.loads(index.read_text(encoding="utf-8"))
    files = [data["full"]] + [t["file"] for t in data["tracks"]]
    if not all((entry / name).is_file() for name in files):
        return None
    for name in files:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(entry / name, out / name)
    return _timeline_from_json(data, out)


def store(entry: Path, timeline: Timeline, out: Path) -> None:
    """Keep the finished files; written aside and renamed, so readers never see half."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=entry.parent))
    try:
        data = _timeline_json(timeline, out)
        for name in [data["full"]] + [t["file"] for t in data["tracks"]]:
            (temp / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out / name, temp / name)
        (temp / "timeline.json").write_text(json.dumps(data), encoding="utf-8")
        os.replace(temp, entry)
    except OSError:
        pass                    # another build stored the same entry first: theirs is as good
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def engine_factory(config: Config):
    """What builds the engine set, in this process or a worker (it pickles, with the
    engines' entry points as read here: a worker need not read them again)."""
    from accesspub.engines import engine_registry, load_engine
    loader = functools.partial(load_engine, registry=engine_registry())
    return functools.partial(EngineSet.from_config, config, loader=loader)


def narrate(publication: Publication, config: Config, out: Path, *, jobs: int | None,
            progress: Progress, pool: "audio.WorkerPool | None" = None
            ) -> tuple[Timeline, dict[str, list[str]], dict[str, int]]:
    """Speak every sentence (through the cache), stitch tracks and the full MP3.

    Synthesis runs in a thread (its workers, or the engine, do the work) and stitching
    encodes each sentence as soon as it has been spoken, so encoding overlaps speaking.
    When every clip is already cached, the finished files of an identical earlier
    narration are copied instead.
    """
    feed = audio.ClipFeed(audio.spoken_sentences(publication))
    planned = threading.Event()
    counts: dict[str, int] = {}
    outcome: dict[str, object] = {}

    def report(done: int, total: int) -> None:
        # Called from the synthesis thread only; the main thread writes no progress until
        # that thread has ended (or, when all is cached, before it reports anything else).
        if not planned.is_set():
            counts.update(hits=done, total=total)
            if done < total:
                progress.stage("speaking", total)
            planned.set()
        elif counts["hits"] < counts["total"]:
            progress.update(done)

    def speak() -> None:
        try:
            outcome["clips"] = audio.synthesize_publication(
                publication, engine_factory(config), config,
                jobs=jobs or config.narration.jobs or None, progress=report,
                pool=pool, on_sentence=feed.put)
            if counts.get("hits", 0) < counts.get("total", 0):
                progress.done()
        except BaseException as exc:       # handed to the main thread, raised there
            outcome["error"] = exc
            feed.fail(exc)
        finally:
            planned.set()

    worker = threading.Thread(target=speak, name="synthesis", daemon=True)
    worker.start()
    planned.wait()
    try:
        if counts and counts["hits"] == counts["total"]:
            worker.join()                  # nothing to speak: done in a moment
            timeline = _from_cache_or_stitch(publication, config, out, outcome, progress)
        else:
            timeline = audio.stitch_publication(publication, feed, config, out)
            worker.join()
            _raise(outcome)
            clips = outcome["clips"]
            store(config.cache_dir / "narrations" / narration_key(publication, clips, config),
                  timeline, out)
            progress.message(f"speech: {clips.misses} new clip(s), {clips.hits} from the cache")
    except BaseException:
        feed.cancel()
        worker.join()
        raise
    clips = outcome["clips"]
    timeline = replace(timeline, voice=narrator_credit(config, publication))
    engines: dict[str, list[str]] = {}
    for sentence_id, clip in clips.items():
        for engine in clip.engines:
            engines.setdefault(engine, []).append(sentence_id)
    return timeline, engines, {"synthesised": clips.misses, "from_cache": clips.hits}


def _raise(outcome: dict[str, object]) -> None:
    error = outcome.get("error")
    if isinstance(error, BaseException):
        raise error


def _from_cache_or_stitch(publication: Publication, config: Config, out: Path,
                          outcome: dict[str, object], progress: Progress) -> Timeline:
    _raise(outcome)
    clips = outcome["clips"]
    entry = config.cache_dir / "narrations" / narration_key(publication, clips, config)
    timeline = restore(entry, out)
    if timeline is None:
        progress.message(f"speech: all {clips.hits} clip(s) from the cache; encoding")
        timeline = audio.stitch_publication(publication, clips, config, out)
        store(entry, timeline, out)
    return timeline
