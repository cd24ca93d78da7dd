"""The narrate stage as the build sees it: engines from the config, progress, credits, and
a cache of finished narrations so a rebuild with nothing changed encodes nothing: the MP3s
and, when the M4B is among the outputs, its AAC stream (``AUDIOBOOK``), which the build
then only muxes with the tags of this build."""

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
from accesspub.model import Publication, Timeline
from accesspub.progress import Progress

# Bump when stitching, loudness, encoding or tagging change what the files contain.
NARRATION_VERSION = "5"           # 5: the M4B's AAC stream is made and kept with the MP3s

# The M4B's AAC stream, beside the MP3s while the release is built; the build muxes it into
# ``<slug>.m4b`` and removes it.  A dot name: nothing that lists the output shows it.
AUDIOBOOK = ".audiobook.m4a"


def audiobook_stream(out: Path) -> Path:
    """Where stitching writes, and the cache restores, the M4B's AAC stream."""
    return out / AUDIOBOOK


def wants_audiobook(config: Config) -> bool:
    return "m4b" in config.outputs


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
    encoding, the metadata written into the ID3 tags, and whether the AAC stream is made."""
    digest = hashlib.sha256()

    def add(value: object) -> None:
        digest.update(repr(value).encode("utf-8") + b"\0")

    add(NARRATION_VERSION)
    add(config.narration)
    add(config.publisher)
    add(wants_audiobook(config))
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


MAX_INDEX_BYTES = 64 << 20     # a timeline.json is a few bytes per sentence


class BadEntry(Exception):
    """A finished-narration cache entry that cannot be used as it is: why, in words."""


def _need(ok: bool, why: str) -> None:
    if not ok:
        raise BadEntry(why)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _name(value: object) -> str:
    """A file name of the entry: relative, inside it, nothing but plain parts."""
    _need(isinstance(value, str) and bool(value), "a file name is not text")
    parts = value.split("/")
    _need(not value.startswith("/") and "\\" not in value and "\0" not in value
          and all(part not in ("", ".", "..") for part in parts),
          f"the file name {value[:80]!r} points outside the entry")
    return value


def _files(data: object) -> dict[str, tuple[int, str]]:
    """Every file of a timeline.json as read back, {name: (size, sha256)}; BadEntry when
    it is not the shape ``store`` writes."""
    _need(isinstance(data, dict), "timeline.json is not a JSON object")
    _need(_count(data.get("sample_rate")) and data["sample_rate"] > 0
          and _count(data.get("samples")), "timeline.json has no valid lengths")
    tracks = data.get("tracks")
    _need(isinstance(tracks, list), "timeline.json has no list of tracks")
    names = [_name(data.get("full"))]
    if "audiobook" in data:
        names.append(_name(data["audiobook"]))
    for track in tracks:
        _need(isinstance(track, dict) and isinstance(track.get("chapter"), str)
              and _count(track.get("samples")) and _count(track.get("offset"))
              and isinstance(track.get("engines"), list)
              and all(isinstance(e, str) for e in track["engines"])
              and isinstance(track.get("clips"), list)
              and all(isinstance(c, list) and len(c) == 3 and isinstance(c[0], str)
                      and _count(c[1]) and _count(c[2]) for c in track["clips"]),
              "timeline.json has a malformed track")
        names.append(_name(track.get("file")))
    recorded = data.get("files")
    _need(isinstance(recorded, dict), "no sizes and digests recorded (an older accesspub "
          "made it)")
    files = {}
    for name in names:
        item = recorded.get(name)
        _need(isinstance(item, dict) and _count(item.get("size"))
              and isinstance(item.get("sha256"), str) and len(item["sha256"]) == 64,
              f"no size and digest recorded for {name}")
        files[name] = (item["size"], item["sha256"])
    return files


def _copy(source: Path, dest: Path) -> tuple[int, str]:
    """Copy a file, returning the size and SHA-256 of what was copied (one read)."""
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as src, dest.open("wb") as out:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _restore(entry: Path, out: Path, audiobook: bool) -> Timeline:
    """The entry's files copied into ``out`` and checked; BadEntry when anything is off."""
    _need(not entry.is_symlink() and entry.is_dir(), "it is not a folder")
    index = entry / "timeline.json"
    _need(index.is_file() and not index.is_symlink()
          and index.stat().st_size < MAX_INDEX_BYTES, "timeline.json is missing or too large")
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BadEntry(f"timeline.json cannot be read ({type(exc).__name__})") from None
    files = _files(data)
    _need(not audiobook or data.get("audiobook") == AUDIOBOOK, "it has no audiobook stream")
    real = os.path.realpath(entry)
    copied = []
    try:
        for name, (size, sha256) in files.items():
            source = entry / name
            # No link anywhere on the way: what is copied is the file stored here.
            _need(os.path.realpath(source) == os.path.join(real, *name.split("/"))
                  and source.is_file(), f"{name} is missing or a link")
            _need(source.stat().st_size == size, f"{name} has the wrong size")
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            copied.append(out / name)
            _need(_copy(source, out / name) == (size, sha256), f"{name} has changed")
    except BaseException:
        for path in copied:                   # in the folder being built, ours
            path.unlink(missing_ok=True)
        raise
    return Timeline.from_json(data, out)


def _discard(entry: Path) -> None:
    """Remove a bad entry: ``entry`` is a folder of our cache (its name is our key)."""
    try:
        if entry.is_symlink() or not entry.is_dir():
            entry.unlink()                    # the link, never what it points to
        else:
            shutil.rmtree(entry)
    except OSError:
        pass                # still there: the narration is stitched and not stored again


def restore(entry: Path, out: Path, progress: Progress | None = None, *,
            audiobook: bool = False) -> Timeline | None:
    """The cached narration's files copied into ``out``, or None when there is none.

    Nothing in the entry is trusted: its shape, that every file is inside it, and the
    size and SHA-256 of every file are checked as it is copied.  A bad entry (a truncated
    MP3, a damaged or crafted timeline.json) is deleted, with a notice, and None returned:
    the narration is then made again from the clips.  ``audiobook``: the entry must hold
    the M4B's AAC stream (restored as ``audiobook_stream(out)``).
    """
    if not os.path.lexists(entry):
        return None
    try:
        return _restore(entry, out, audiobook)
    except (BadEntry, OSError) as exc:
        why = str(exc) if isinstance(exc, BadEntry) else f"it cannot be read ({exc.strerror})"
        _discard(entry)
        if progress is not None:
            progress.message(f"notice cache-entry-bad: the cached narration {entry.name[:12]}… "
                             f"was discarded: {why}; it is made again")
        return None


def store(entry: Path, timeline: Timeline, out: Path, audiobook: bool = False) -> None:
    """Keep the finished files, with the size and SHA-256 of each (checked by ``restore``);
    written aside and renamed, so readers never see half.  ``audiobook``: the M4B's AAC
    stream (``audiobook_stream(out)``) too."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=entry.parent))
    try:
        data = timeline.to_json(out)
        data["files"] = {}
        if audiobook:
            data["audiobook"] = AUDIOBOOK
        for name in ([data["full"]] + [t["file"] for t in data["tracks"]]
                     + ([AUDIOBOOK] if audiobook else [])):
            (temp / name).parent.mkdir(parents=True, exist_ok=True)
            size, sha256 = _copy(out / name, temp / name)
            data["files"][name] = {"size": size, "sha256": sha256}
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
            timeline = _stitch(publication, feed, config, out)
            worker.join()
            _raise(outcome)
            clips = outcome["clips"]
            store(config.cache_dir / "narrations" / narration_key(publication, clips, config),
                  timeline, out, wants_audiobook(config))
            progress.message(_spoken(clips))
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
    speech: dict = {"synthesised": clips.misses, "from_cache": clips.hits}
    if hasattr(pool, "workers_for"):            # a cluster: who spoke what, at what memory
        speech["workers"] = pool.workers_for({k for c in clips.values() for k in c.keys})
        progress.message(pool.status())
    return timeline, engines, speech


def _spoken(clips: audio.Synthesis) -> str:
    """What this build spoke: clips spoken ahead, while the release was read, are new
    clips though the narration found them all in the cache."""
    if not clips.misses:
        return f"speech: all {clips.hits} clip(s) from the cache"
    return f"speech: {clips.misses} new clip(s), {clips.hits} from the cache"


def _raise(outcome: dict[str, object]) -> None:
    error = outcome.get("error")
    if isinstance(error, BaseException):
        raise error


def _from_cache_or_stitch(publication: Publication, config: Config, out: Path,
                          outcome: dict[str, object], progress: Progress) -> Timeline:
    _raise(outcome)
    clips = outcome["clips"]
    entry = config.cache_dir / "narrations" / narration_key(publication, clips, config)
    timeline = restore(entry, out, progress, audiobook=wants_audiobook(config))
    if timeline is None:
        progress.message(f"{_spoken(clips)}; encoding")
        timeline = _stitch(publication, clips, config, out)
        store(entry, timeline, out, wants_audiobook(config))
    return timeline


def _stitch(publication: Publication, clips, config: Config, out: Path) -> Timeline:
    return audio.stitch_publication(
        publication, clips, config, out,
        audiobook=audiobook_stream(out) if wants_audiobook(config) else None)


class Narrator:
    """The narrate stage, started before anything is read: the synthesis workers start
    and load their voices, the codec's level change is measured, and on a first build
    language detection gets a process of its own.  ``head_start()`` is what reading is
    given so the workers speak each release as soon as it is read; ``narrate()`` speaks
    and stitches one release; ``close()`` stops what was started."""

    def __init__(self, config: Config, jobs: int | None, names: tuple[str, ...] = ()) -> None:
        from accesspub.audio.synthesize import WorkerPool
        self.config = config
        self.names = names
        self.jobs = jobs
        if config.narration.cluster:            # --cluster: a Dask cluster speaks instead
            from accesspub.audio.cluster import ClusterPool
            self.pool = ClusterPool(engine_factory(config), config.narration.cluster, config)
        else:
            self.pool = WorkerPool(engine_factory(config),
                                   jobs or config.narration.jobs or os.cpu_count() or 1)
        # The encoder's level change (an ffmpeg round trip) is part of every clip's cache
        # key: measured while the release is read, not when it is first spoken.
        threading.Thread(target=_measure_codec, args=(config,), daemon=True).start()
        self.lingua = None
        if config.detect_languages and not (config.cache_dir / "langdetect.json").exists():
            from accesspub.read.langdetect import LinguaProcess
            self.lingua = LinguaProcess()          # a first build: it will be needed

    def head_start(self):
        from accesspub.read import HeadStart
        return HeadStart(speak=self._speak_ahead, lingua=self.lingua)

    def _speak_ahead(self, publication: Publication) -> None:
        """Start the workers on a release as read (``WorkerPool.prefetch``), when it is
        one this build narrates."""
        if self.names and publication.slug not in self.names:
            return
        from accesspub.errors import AccessPubError, Diagnostics
        from accesspub.respeak import marked
        from accesspub.speech import apply_speech
        from accesspub.speech.lexicon import project_lexicon
        try:
            spoken = apply_speech(publication, self.config, Diagnostics(self.config.ignore),
                                  project_lexicon(self.config))
            # As the build will narrate it: a respeak.toml sentence with its seed, not
            # spoken once more with seed 0 for nothing.
            spoken = marked(spoken, self.config)
        except AccessPubError:
            return              # reported where the build meets it, with its location
        self.pool.prefetch(spoken, self.config)

    def narrate(self, publication: Publication, out: Path, progress: Progress):
        # A cluster starts while the releases are read; one that could not start stops
        # the build here, in this thread, with its own error (cluster-unreachable…).
        getattr(self.pool, "started", lambda: None)()
        return narrate(publication, self.config, out, jobs=self.jobs, progress=progress,
                       pool=self.pool)

    def close(self) -> None:
        if self.lingua is not None:
            self.lingua.close()
        self.pool.close()


def _measure_codec(config: Config) -> None:
    from accesspub.audio.synthesize import Levelling
    from accesspub.errors import AccessPubError
    try:
        Levelling.from_config(config)          # kept by encode.codec_gain_db's cache
    except AccessPubError:
        pass                    # reported where the build needs the figure
