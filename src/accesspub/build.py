"""run_build(): the stage order, written once.

read -> model -> speech -> check -> narrate -> write, into a staging folder that replaces
``build/`` only when every release succeeded: a failed build leaves the last good one intact.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

from accesspub.config import Config
from accesspub.errors import AccessPubError, ContentError, Diagnostics
from accesspub.model import Publication, Timeline
from accesspub.progress import Progress, Silent


@dataclass
class BuildOptions:
    audio: bool = True
    jobs: int | None = None
    strict: bool = False
    releases: tuple[str, ...] = ()
    progress: Progress = field(default_factory=Silent)
    text_only: frozenset[str] = frozenset()   # slugs not narrated this time (kept instead)


@dataclass
class ReleaseResult:
    """What one release became; paths point into the folder being written."""

    publication: Publication
    timeline: Timeline | None
    files: dict[str, Path]            # kind -> file: "epub", "mp3", "vtt", "srt", "txt", "chapters"
    engines: dict[str, list[str]] = field(default_factory=dict)   # engine -> sentence ids it spoke
    speech: dict[str, int] = field(default_factory=dict)          # clips synthesised / from cache

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

    kept: bool = False       # the narration is the previous build's (not narrated this time)
    kept_digest: str = ""    # what that narration says (it may no longer match the text)

    def rebase(self, old: Path, new: Path) -> None:
        """Point every path at ``new`` after the staging folder became the output folder."""
        def move(path: Path) -> Path:
            return new / path.relative_to(old)
        self.files = {k: move(v) for k, v in self.files.items()}
        if self.timeline is not None:
            tracks = tuple(replace(t, path=move(t.path)) for t in self.timeline.tracks)
            self.timeline = replace(self.timeline, tracks=tracks,
                                    full_path=move(self.timeline.full_path))


@dataclass
class BuildResult:
    output_dir: Path
    releases: list[ReleaseResult]
    diagnostics: Diagnostics
    seconds: float


@dataclass
class HeadStart:
    """What a build starts before it has read anything: ``speak(publication)`` is called
    with each release as read, before its languages are detected (what speaking ahead
    starts from); ``lingua`` runs language detection (``langdetect.LinguaProcess``)."""

    speak: Callable[[Publication], None] | None = None
    lingua: object | None = None


def load_publications(config: Config, diag: Diagnostics, names: tuple[str, ...] = (),
                      head: HeadStart | None = None) -> list[Publication]:
    """Every release (or those named) as a frozen Publication; problems go to ``diag``."""
    # Imported here, not at the top: a build starts its synthesis workers first, and
    # these take a fifth of a second to import.
    from accesspub.outline import build_publication
    from accesspub.reader import find_releases, read_release
    found = find_releases(config)
    if names:
        known = {slug for slug, _ in found}
        for name in names:
            if name not in known:
                raise ContentError(f"no release named {name!r}", code="release-unknown",
                                   hint=f"releases here: {', '.join(sorted(known)) or 'none'}")
        found = [(slug, files) for slug, files in found if slug in names]
    if not found:
        raise ContentError(f"no releases in {config.content_dir.name}/", code="content-empty",
                           hint="add a Markdown file such as content/my-release.md")
    publications = []
    for slug, files in found:
        try:
            raw = read_release(slug, files, config)
            publication = build_publication(raw, config, diag)
            if config.detect_languages:
                from accesspub.langdetect import mark_passages, screen_release
                head = head or HeadStart()
                # lingua holds the GIL while it loads its models: in this process, it
                # screens before the workers are given anything (this process could not
                # feed them meanwhile); in its own, after.
                if head.speak is not None and head.lingua is not None:
                    head.speak(publication)
                verdicts = screen_release(publication, config.cache_dir, head.lingua)
                if head.speak is not None and head.lingua is None:
                    head.speak(publication)
                publication = mark_passages(publication, diag, config.cache_dir, verdicts)
            publications.append(publication)
        except ContentError as exc:
            diag.items.append(exc.as_diagnostic())
    return publications


def load_lexicon(config: Config):
    """The project's pronunciation lexicon (content/lexicon.pls), or None."""
    path = config.content_dir / "lexicon.pls"
    if not path.exists():
        return None
    from accesspub.speech.lexicon import load_lexicon as load
    return load(path)


def analyse(config: Config, names: tuple[str, ...] = (), head: HeadStart | None = None
            ) -> tuple[list[Publication], Diagnostics, object]:
    """Read, model, check and speak every release (or those named), collecting every
    finding without raising: what ``accesspub check`` reports and ``build`` starts from."""
    diag = Diagnostics(config.ignore)
    diag.extend(config.diagnostics)
    from accesspub.folders import claim_cache
    claim_cache(config.cache_dir)
    publications = load_publications(config, diag, names, head)
    from accesspub.lint import lint_publication
    for publication in publications:
        lint_publication(publication, config, diag)
    lexicon = None
    try:
        lexicon = load_lexicon(config)
    except ContentError as exc:
        diag.items.append(exc.as_diagnostic())
    from accesspub.lint import lint_project      # once per run: accesspub.toml, the lexicon
    lint_project(config, publications, lexicon, diag, complete=not names)
    if not diag.errors:
        from accesspub.speech import apply_speech
        publications = [apply_speech(p, config, diag, lexicon) for p in publications]
    return publications, diag, lexicon


def prepare(config: Config, options: BuildOptions, head: HeadStart | None = None
            ) -> tuple[list[Publication], Diagnostics, object]:
    """``analyse``, then raise with all errors (or warnings, with --strict) before anything
    is written."""
    # A build of some releases reads them all: the others keep their narration from the
    # previous build (``text_only``), and the feed and site still list every release.
    publications, diag, lexicon = analyse(config, (), head)
    if options.releases:
        known = {p.slug for p in publications}
        for name in options.releases:
            if name not in known:
                raise ContentError(f"no release named {name!r}", code="release-unknown",
                                   hint=f"releases here: {', '.join(sorted(known)) or 'none'}")
        options.text_only = frozenset(known - set(options.releases))
    if wants_feed(config, options.audio):
        from accesspub.writers.feed import base_url, podcast_image
        base_url(config)          # a feed without its base URL fails now, before synthesis
        podcast_image(config)     # and so does a podcast image outside or not an image
    diag.raise_if_errors()
    if options.strict and diag.warnings:
        first = diag.warnings[0]
        raise ContentError(f"{len(diag.warnings)} warning(s) and --strict is on",
                           first.location, code="strict", diagnostics=tuple(diag.warnings))
    return publications, diag, lexicon


def build_release(publication: Publication, config: Config, options: BuildOptions,
                  out: Path, lexicon, pool=None, previous: dict | None = None,
                  diag: Diagnostics | None = None) -> ReleaseResult:
    """One release into ``out``.  Not narrated this time, it keeps the narration of the
    previous build (``previous``: its report entry, its folder in the old output)."""
    from accesspub.writers.epub import write_epub
    out.mkdir(parents=True)
    timeline: Timeline | None = None
    engines: dict[str, list[str]] = {}
    speech: dict[str, int] = {}
    kept = None
    if options.audio and publication.slug not in options.text_only:
        from accesspub.narrate import narrate
        timeline, engines, speech = narrate(publication, config, out, jobs=options.jobs,
                                            progress=options.progress, pool=pool)
    elif previous is not None:
        kept = _keep_narration(publication, config, out, previous, diag)
    lexicon_bytes = lexicon.to_pls_bytes() if lexicon is not None and hasattr(lexicon, "to_pls_bytes") else None
    overlays = timeline if kept is None else (kept.timeline if kept.matches else None)
    files = {"epub": write_epub(publication, out / f"{publication.slug}.epub",
                                timeline=overlays, lexicon=lexicon_bytes)}
    if timeline is not None:
        from accesspub.writers.transcripts import write_transcripts
        files["mp3"] = timeline.full_path
        files.update(write_transcripts(publication, timeline, out))
    if kept is not None:
        timeline = kept.timeline
        files.update(kept.files)
        for track in timeline.tracks:
            for engine in track.engines:
                engines.setdefault(engine, []).extend(c.sentence_id for c in track.clips)
        speech = {"kept": sum(len(t.clips) for t in timeline.tracks)}
    return ReleaseResult(publication, timeline, files, engines, speech, kept=kept is not None,
                         kept_digest=kept.digest if kept is not None else "")


def _keep_narration(publication: Publication, config: Config, out: Path,
                    previous: dict, diag: Diagnostics | None):
    from accesspub.previous import keep_narration
    entry, old = previous["entry"], previous["folder"]
    kept = keep_narration(entry, old, out, publication, config)
    where = publication.source
    if diag is None:
        return kept
    if kept is None:
        diag.warning("narration-dropped",
                     f"{publication.slug}: the narration of the last build could not be kept "
                     "(its files are missing or damaged); this build has no audio for it",
                     where, "run accesspub build (without --no-audio) to narrate it again")
    elif kept.matches:
        diag.notice("narration-kept", f"{publication.slug}: the narration of the last build "
                    "still matches the text and is kept", where)
    else:
        diag.warning("narration-stale",
                     f"{publication.slug}: the text changed since the last narrated build; its "
                     "audio, transcripts and feed episode are kept as they were, and the EPUB "
                     "has no read-along until the release is narrated again", where,
                     "run accesspub build (without --no-audio) to narrate the new text")
    return kept


def wants_feed(config: Config, audio: bool) -> bool:
    from accesspub.config import Podcast
    return audio and bool(config.base_url or config.podcast != Podcast())


def feed_skipped_reason(config: Config, narrated: bool) -> str:
    from accesspub.config import Podcast
    if not narrated:
        return "no release has narration (built with --no-audio and none kept)"
    missing = [what for what, absent in (("project.base_url", not config.base_url),
                                         ("a [podcast] table", config.podcast == Podcast()))
               if absent]
    return f"accesspub.toml sets neither {' nor '.join(missing)}"


def write_collection(results: list[ReleaseResult], config: Config, root: Path,
                     diag: Diagnostics | None = None) -> list[Path]:
    """What spans releases, at the root of the output: the podcast feed and the site.

    The feed needs narration and is written when the project sets ``base_url`` or a
    ``[podcast]`` table; with ``[podcast]`` but no ``base_url`` it is a ConfigError.
    """
    from accesspub.writers.feed import write_feed
    from accesspub.writers.site import write_site
    written = []
    narrated = any(r.timeline is not None and "mp3" in r.files for r in results)
    feed = wants_feed(config, narrated)
    if feed:
        written.append(write_feed(results, config, root, diag))
    elif diag is not None:
        diag.notice("feed-skipped", f"no podcast feed: {feed_skipped_reason(config, narrated)}",
                    None, "set project.base_url and a [podcast] table in accesspub.toml, "
                    "and build with narration")
    written.extend(write_site(results, config, root, feed=feed))
    return written


def _release_report(r: ReleaseResult, result_dir: Path, config: Config) -> dict:
    entry = {
        "slug": r.slug, "title": r.title,
        "outputs": [p.relative_to(result_dir).as_posix() for p in r.outputs],
        "narration_seconds": round(r.duration, 3) if r.duration else None,
        "narration": "kept from the previous build" if r.kept else
                     ("narrated" if r.timeline else "none"),
        "speech": r.speech,
        "tracks": [{"chapter": t.chapter_id, "file": t.path.relative_to(result_dir).as_posix(),
                    "engines": list(t.engines)} for t in r.timeline.tracks] if r.timeline else [],
        "engines": {name: len(ids) for name, ids in sorted(r.engines.items())}}
    if r.timeline is not None:
        # What a later text-only build needs to keep this narration (accesspub.previous).
        from accesspub.previous import speech_digest, timeline_json
        folder = result_dir / r.slug
        entry["files"] = {kind: path.relative_to(folder).as_posix()
                          for kind, path in sorted(r.files.items()) if kind != "epub"}
        entry["timeline"] = timeline_json(r.timeline, folder)
        entry["narrator"] = r.timeline.voice
        entry["speech_digest"] = (r.kept_digest if r.kept else
                                  speech_digest(r.publication, config))
    return entry


def write_report(result_dir: Path, releases: list[ReleaseResult], diag: Diagnostics,
                 config: Config) -> Path:
    from accesspub.config import Podcast
    narrated = any(r.timeline is not None for r in releases)
    report = {
        "releases": [_release_report(r, result_dir, config) for r in releases],
        "feed": ({"written": True} if wants_feed(config, narrated) else
                 {"written": False, "reason": feed_skipped_reason(config, narrated)}),
        "diagnostics": [d.as_json() for d in diag.items],
    }
    path = result_dir / "report.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _speak_ahead(config: Config, pool, names: tuple[str, ...],
                 publication: Publication) -> None:
    """Start the workers on the release as read so far (``WorkerPool.prefetch``), when it
    is one this build narrates."""
    if names and publication.slug not in names:
        return
    from accesspub.speech import apply_speech
    try:
        spoken = apply_speech(publication, config, Diagnostics(config.ignore),
                              load_lexicon(config))
    except AccessPubError:
        return                  # reported where the build meets it, with its location
    pool.prefetch(spoken, config)


def _measure_codec(config: Config) -> None:
    from accesspub.audio.synthesize import Levelling
    try:
        Levelling.from_config(config)          # kept by encode.codec_gain_db's cache
    except AccessPubError:
        pass                    # reported where the build needs the figure


def _write_output(publications: list[Publication], config: Config, options: BuildOptions,
                  diag: Diagnostics, lexicon, pool) -> list[ReleaseResult]:
    """Write every release into a staging folder, then swap it in for the output folder.

    Only folders accesspub made (``folders``) are ever deleted or replaced; a file system
    that refuses (full, read-only, busy) leaves the previous output as it was.
    """
    from accesspub import folders
    from accesspub.previous import previous_releases
    output = config.output_dir
    folders.check_replaceable(output)
    try:
        folders.recover(output)
        previous = previous_releases(output)
        staging, inside = folders.staging_for(output)
        if staging.exists():
            folders.remove(staging)
        folders.make_output(staging)
    except OSError as exc:
        raise folders.as_folder_error(exc, "prepare the output folder") from None
    try:
        results = []
        for publication in publications:
            options.progress.message(f"building {publication.slug}")
            before = previous.get(publication.slug)
            kept = ({"entry": before, "folder": output / publication.slug}
                    if before is not None and before.get("timeline") else None)
            results.append(build_release(publication, config, options,
                                         staging / publication.slug, lexicon, pool,
                                         kept, diag))
        write_collection(results, config, staging, diag)
        write_report(staging, results, diag, config)
        if inside:
            folders.swap_contents(staging, output)
        else:
            folders.swap_in(staging, output)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError) and exc.filename:
            raise folders.as_folder_error(exc, "write") from None
        raise
    for result in results:
        result.rebase(staging, output)
    return results


def run_build(config: Config, options: BuildOptions) -> BuildResult:
    """Build every release into ``config.output_dir``, all or nothing."""
    started = time.monotonic()
    config.root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(config.root / ".accesspub.lock"))
    try:
        lock.acquire(timeout=600)
    except Timeout:
        raise AccessPubError("another accesspub build is running in this project",
                             code="build-locked", hint="wait for it to finish") from None
    pool = None
    head = HeadStart()
    try:
        from accesspub.folders import check_replaceable
        check_replaceable(config.output_dir)     # before minutes of synthesis, not after
        if options.audio:
            # Workers start (and load their voices) while the release is being read.
            from accesspub.audio.synthesize import WorkerPool
            from accesspub.narrate import engine_factory
            jobs = options.jobs or config.narration.jobs or os.cpu_count() or 1
            pool = WorkerPool(engine_factory(config), jobs)
            head.speak = functools.partial(_speak_ahead, config, pool, options.releases)
            # The encoder's level change (an ffmpeg round trip, 0.1 s) is part of every
            # clip's cache key: measured while the release is read, not when it is spoken.
            threading.Thread(target=_measure_codec, args=(config,), daemon=True).start()
            if config.detect_languages and not (config.cache_dir / "langdetect.json").exists():
                from accesspub.langdetect import LinguaProcess
                head.lingua = LinguaProcess()    # a first build: it will be needed
        publications, diag, lexicon = prepare(config, options, head)
        results = _write_output(publications, config, options, diag, lexicon, pool)
        return BuildResult(config.output_dir, results, diag, time.monotonic() - started)
    finally:
        if head.lingua is not None:
            head.lingua.close()
        if pool is not None:
            pool.close()
        lock.release()
