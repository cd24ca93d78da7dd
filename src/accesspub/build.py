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
    publications = load_publications(config, diag, names, head)
    from accesspub.lint import lint_publication
    for publication in publications:
        lint_publication(publication, config, diag)
    lexicon = None
    try:
        lexicon = load_lexicon(config)
    except ContentError as exc:
        diag.items.append(exc.as_diagnostic())
    if not diag.errors:
        from accesspub.speech import apply_speech
        publications = [apply_speech(p, config, diag, lexicon) for p in publications]
    return publications, diag, lexicon


def prepare(config: Config, options: BuildOptions, head: HeadStart | None = None
            ) -> tuple[list[Publication], Diagnostics, object]:
    """``analyse``, then raise with all errors (or warnings, with --strict) before anything
    is written."""
    publications, diag, lexicon = analyse(config, options.releases, head)
    if wants_feed(config, options.audio):
        from accesspub.writers.feed import base_url
        base_url(config)          # a feed without its base URL fails now, before synthesis
    diag.raise_if_errors()
    if options.strict and diag.warnings:
        first = diag.warnings[0]
        raise ContentError(f"{len(diag.warnings)} warning(s) and --strict is on",
                           first.location, code="strict", diagnostics=tuple(diag.warnings))
    return publications, diag, lexicon


def recover(output: Path) -> None:
    """Clean up after a build that was killed: we hold the lock, so no other build runs.

    A kill between the two renames of ``_swap_in`` leaves only the old output under its
    temporary name: put it back.  Staging folders of killed builds are deleted.
    """
    olds = sorted(output.parent.glob(f".{output.name}-old-*"))
    if not output.exists() and olds:
        os.replace(olds[-1], output)
        olds = olds[:-1]
    for leftover in olds + list(output.parent.glob(f".{output.name}-staging-*")):
        shutil.rmtree(leftover, ignore_errors=True)


def _swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` with ``staging`` by renames on one file system."""
    old = output.with_name(f".{output.name}-old-{os.getpid()}")
    if output.exists():
        os.replace(output, old)
    os.replace(staging, output)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def build_release(publication: Publication, config: Config, options: BuildOptions,
                  out: Path, lexicon, pool=None) -> ReleaseResult:
    from accesspub.writers.epub import write_epub
    out.mkdir(parents=True)
    timeline: Timeline | None = None
    engines: dict[str, list[str]] = {}
    speech: dict[str, int] = {}
    if options.audio:
        from accesspub.narrate import narrate
        timeline, engines, speech = narrate(publication, config, out, jobs=options.jobs,
                                            progress=options.progress, pool=pool)
    lexicon_bytes = lexicon.to_pls_bytes() if lexicon is not None and hasattr(lexicon, "to_pls_bytes") else None
    files = {"epub": write_epub(publication, out / f"{publication.slug}.epub",
                                timeline=timeline, lexicon=lexicon_bytes)}
    if timeline is not None:
        from accesspub.writers.transcripts import write_transcripts
        files["mp3"] = timeline.full_path
        files.update(write_transcripts(publication, timeline, out))
    return ReleaseResult(publication, timeline, files, engines, speech)


def wants_feed(config: Config, audio: bool) -> bool:
    from accesspub.config import Podcast
    return audio and bool(config.base_url or config.podcast != Podcast())


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
    written.extend(write_site(results, config, root, feed=feed))
    return written


def write_report(result_dir: Path, releases: list[ReleaseResult], diag: Diagnostics) -> Path:
    report = {
        "releases": [
            {"slug": r.slug, "title": r.title,
             "outputs": [p.relative_to(result_dir).as_posix() for p in r.outputs],
             "narration_seconds": round(r.duration, 3) if r.duration else None,
             "speech": r.speech,
             "tracks": [{"chapter": t.chapter_id, "file": t.path.relative_to(result_dir).as_posix(),
                         "engines": list(t.engines)} for t in r.timeline.tracks] if r.timeline else [],
             "engines": {name: len(ids) for name, ids in sorted(r.engines.items())}}
            for r in releases],
        "diagnostics": [d.as_json() for d in diag.items],
    }
    path = result_dir / "report.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _speak_ahead(config: Config, pool, publication: Publication) -> None:
    """Start the workers on the release as read so far (``WorkerPool.prefetch``)."""
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
        if options.audio:
            # Workers start (and load their voices) while the release is being read.
            from accesspub.audio.synthesize import WorkerPool
            from accesspub.narrate import engine_factory
            jobs = options.jobs or config.narration.jobs or os.cpu_count() or 1
            pool = WorkerPool(engine_factory(config), jobs)
            head.speak = functools.partial(_speak_ahead, config, pool)
            # The encoder's level change (an ffmpeg round trip, 0.1 s) is part of every
            # clip's cache key: measured while the release is read, not when it is spoken.
            threading.Thread(target=_measure_codec, args=(config,), daemon=True).start()
            if config.detect_languages and not (config.cache_dir / "langdetect.json").exists():
                from accesspub.langdetect import LinguaProcess
                head.lingua = LinguaProcess()    # a first build: it will be needed
        publications, diag, lexicon = prepare(config, options, head)
        output = config.output_dir
        recover(output)
        staging = output.with_name(f".{output.name}-staging-{os.getpid()}")
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        try:
            results = []
            for publication in publications:
                options.progress.message(f"building {publication.slug}")
                result = build_release(publication, config, options,
                                       staging / publication.slug, lexicon, pool)
                results.append(result)
            write_collection(results, config, staging, diag)
            write_report(staging, results, diag)
            _swap_in(staging, output)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        for result in results:
            result.rebase(staging, output)
        return BuildResult(output, results, diag, time.monotonic() - started)
    finally:
        if head.lingua is not None:
            head.lingua.close()
        if pool is not None:
            pool.close()
        lock.release()
