"""run_build(): the stage order, written once.

gather (read, model, check, speech) -> narrate -> write, into a staging folder that
replaces ``build/`` only when every release succeeded: a failed build leaves the last good
one intact.  The narrate stage starts first (``Narrator``: its workers load their voices
while the releases are read) and is closed last.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from accesspub import folders
from accesspub.config import Config
from accesspub.errors import AccessPubError, ContentError, Diagnostics
from accesspub.model import Publication, Timeline
from accesspub.results import BuildOptions, BuildResult, ReleaseResult

if TYPE_CHECKING:
    from accesspub.audio.narration import Narrator
    from accesspub.read import HeadStart

# The stages are imported where they are first used, not here: a build starts its
# synthesis workers first (``Narrator``), and the read, speech and write stages take a
# fifth of a second to import, which the workers spend loading their voices.

__all__ = ["BuildOptions", "BuildResult", "ReleaseResult", "analyse", "prepare", "run_build"]


def analyse(config: Config, names: tuple[str, ...] = (), head: HeadStart | None = None
            ) -> tuple[list[Publication], Diagnostics, object]:
    """Read, model, check and speak every release (or those named), collecting every
    finding without raising: what ``accesspub check`` reports and ``build`` starts from."""
    from accesspub.check import lint_project, lint_publication
    from accesspub.read import load_publications
    from accesspub.speech import apply_speech
    from accesspub.speech.lexicon import project_lexicon
    diag = Diagnostics(config.ignore)
    diag.extend(config.diagnostics)
    folders.claim_cache(config.cache_dir)
    publications = load_publications(config, diag, names, head)
    for publication in publications:
        lint_publication(publication, config, diag)
    lexicon = None
    try:
        lexicon = project_lexicon(config)
    except ContentError as exc:
        diag.items.append(exc.as_diagnostic())
    lint_project(config, publications, lexicon, diag, complete=not names)
    if not diag.errors:
        publications = [apply_speech(p, config, diag, lexicon) for p in publications]
        from accesspub.respeak import check as check_respeak
        check_respeak(config, publications, diag)
    return publications, diag, lexicon


def prepare(config: Config, options: BuildOptions, head: HeadStart | None = None
            ) -> tuple[list[Publication], Diagnostics, object]:
    """``analyse``, then raise with all errors (or warnings, with --strict) before anything
    is written."""
    from accesspub.writers.feed import base_url, podcast_image, wants_feed
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
        base_url(config)          # a feed without its base URL fails now, before synthesis
        podcast_image(config)     # and so does a podcast image outside or not an image
    if options.audio and not diag.errors:
        from accesspub.engines.select import foreign_voice_warnings
        foreign_voice_warnings(config, publications, diag)
    diag.raise_if_errors()
    if options.strict and diag.warnings:
        first = diag.warnings[0]
        raise ContentError(f"{len(diag.warnings)} warning(s) and --strict is on",
                           first.location, code="strict", diagnostics=tuple(diag.warnings))
    return publications, diag, lexicon


def build_release(publication: Publication, config: Config, options: BuildOptions,
                  out: Path, lexicon, narrator: Narrator | None = None,
                  previous: dict | None = None, *,
                  diag: Diagnostics) -> ReleaseResult:
    """One release into ``out``.  Not narrated this time, it keeps the narration of the
    previous build (``previous``: its report entry, its folder in the old output)."""
    from accesspub.writers.epub import write_epub
    from accesspub.writers.transcripts import write_transcripts
    out.mkdir(parents=True)
    timeline: Timeline | None = None
    engines: dict[str, list[str]] = {}
    speech: dict[str, int] = {}
    kept = None
    if narrator is not None and publication.slug not in options.text_only:
        from accesspub.respeak import marked      # sentences to be spoken with another seed
        timeline, engines, speech = narrator.narrate(marked(publication, config), out,
                                                     options.progress)
    elif previous is not None:
        kept = _keep_narration(publication, config, out, previous, diag)
    lexicon_bytes = lexicon.to_pls_bytes() if lexicon is not None and hasattr(lexicon, "to_pls_bytes") else None
    overlays = timeline if kept is None else (kept.timeline if kept.matches else None)
    files = {"epub": write_epub(publication, out / f"{publication.slug}.epub",
                                timeline=overlays, lexicon=lexicon_bytes)}
    if timeline is not None:
        files["mp3"] = timeline.full_path
        files.update(write_transcripts(publication, timeline, out))
        files.update(_write_listening(publication, timeline, config, out))
    if kept is not None:
        timeline = kept.timeline
        files.update(kept.files)
        for track in timeline.tracks:
            for engine in track.engines:
                engines.setdefault(engine, []).extend(c.sentence_id for c in track.clips)
        speech = {"kept": sum(len(t.clips) for t in timeline.tracks)}
    return ReleaseResult(publication, timeline, files, engines, speech, kept=kept is not None,
                         kept_digest=kept.digest if kept is not None else "")


def _write_listening(publication: Publication, timeline: Timeline, config: Config,
                     out: Path) -> dict[str, Path]:
    """The listening formats ``[outputs]`` asks for, from the narration just made."""
    files: dict[str, Path] = {}
    if "daisy" in config.outputs:
        from accesspub.writers.daisy import write_daisy
        files["daisy"] = write_daisy(publication, timeline, out)[1]
    if "m4b" in config.outputs:
        from accesspub.audio.narration import audiobook_stream
        from accesspub.writers.m4b import write_m4b
        stream = audiobook_stream(out)        # the AAC the narrate stage made or restored
        files["m4b"] = write_m4b(publication, timeline, out, stream)
        stream.unlink()                       # this build's, in its staging folder
    if "lpf" in config.outputs:
        from accesspub.writers.lpf import write_lpf
        files["lpf"] = write_lpf(publication, timeline, out)
    return files


def _keep_narration(publication: Publication, config: Config, out: Path,
                    previous: dict, diag: Diagnostics):
    from accesspub.previous import keep_narration
    entry, old = previous["entry"], previous["folder"]
    kept = keep_narration(entry, old, out, publication, config)
    where = publication.source
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


def write_collection(results: list[ReleaseResult], config: Config, root: Path,
                     diag: Diagnostics | None = None) -> list[Path]:
    """What spans releases, at the root of the output: the podcast feed and the site.

    The feed needs narration and is written when the project sets ``base_url`` or a
    ``[podcast]`` table; with ``[podcast]`` but no ``base_url`` it is a ConfigError.
    """
    from accesspub.writers.feed import feed_skipped_reason, wants_feed, write_feed
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


def _write_output(publications: list[Publication], config: Config, options: BuildOptions,
                  diag: Diagnostics, lexicon, narrator: Narrator | None
                  ) -> list[ReleaseResult]:
    """Write every release into a staging folder, then swap it in for the output folder.

    Only folders accesspub made (``folders``) are ever deleted or replaced; a file system
    that refuses (full, read-only, busy) leaves the previous output as it was.
    """
    from accesspub.previous import previous_releases
    from accesspub.report import write_report
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
                                         staging / publication.slug, lexicon, narrator,
                                         kept, diag=diag))
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
    narrator = None
    try:
        folders.check_replaceable(config.output_dir)   # before minutes of synthesis, not after
        if options.audio:
            from accesspub.audio.narration import Narrator
            narrator = Narrator(config, options.jobs, options.releases)
        head = narrator.head_start() if narrator is not None else None
        publications, diag, lexicon = prepare(config, options, head)
        results = _write_output(publications, config, options, diag, lexicon, narrator)
        return BuildResult(config.output_dir, results, diag, time.monotonic() - started)
    finally:
        if narrator is not None:
            narrator.close()
        lock.release()
