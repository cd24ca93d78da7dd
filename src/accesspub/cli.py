"""The command line: turns options into calls and errors into exit codes.  No logic here."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import traceback
from pathlib import Path

import click

from accesspub import __version__
from accesspub.errors import AccessPubError, ContentError, Diagnostic
from accesspub.model import SourceLocation


class State:
    def __init__(self, project: Path, show_traceback: bool) -> None:
        self.project = project
        self.show_traceback = show_traceback


def _print_diagnostics(items: list[Diagnostic], quiet_notices: bool = False,
                       err: bool = True) -> None:
    """To stderr, where a build's findings go; ``check``'s are its report: stdout."""
    for item in items:
        if quiet_notices and item.level == "notice":
            continue
        click.echo(str(item), err=err)


def _run(ctx: click.Context, action):
    """Run ``action``; a user-fixable error prints its diagnostics and exits non-zero."""
    state: State = ctx.obj
    try:
        return action()
    except AccessPubError as exc:
        _print_diagnostics(list(exc.diagnostics) or [exc.as_diagnostic()])
        if state.show_traceback:
            traceback.print_exc()
        ctx.exit(exc.exit_code)
    except (click.exceptions.Exit, click.ClickException):
        raise                  # ctx.exit() inside an action: an exit status, not a bug
    except KeyboardInterrupt:
        click.echo("interrupted; the previous build/ is untouched", err=True)
        ctx.exit(130)
    except Exception as exc:  # an accesspub bug: say so in one line unless asked for more
        if state.show_traceback:
            traceback.print_exc()
        else:
            click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                       "    (this is a bug in accesspub; run again with --traceback for details)",
                       err=True)
        ctx.exit(3)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="accesspub")
@click.option("-C", "--project", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Project folder (with accesspub.toml and content/).")
@click.option("--traceback", is_flag=True, help="Show Python tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, project: Path, traceback: bool) -> None:
    """Turn Markdown releases into accessible EPUB 3, narration, transcripts and a podcast feed."""
    ctx.obj = State(project, traceback)


def _config(ctx: click.Context):
    from accesspub.config import load_config
    return load_config(ctx.obj.project)


def _max_jobs() -> int:
    from accesspub.config import max_jobs
    return max_jobs()


def _build_options(command):
    """The options ``build``, ``watch`` and ``serve --watch`` share."""
    for option in reversed([
        click.option("--no-audio", is_flag=True, help="Text-only EPUB: no narration, no overlays."),
        click.option("-j", "--jobs", type=click.IntRange(min=1, max=_max_jobs()), default=None,
                     help="Parallel speech synthesis jobs (default: one per core; at most "
                          "4 per core: more only hold memory)."),
        click.option("--strict", is_flag=True, help="Treat warnings as errors."),
        click.option("-q", "--quiet", is_flag=True, help="No progress, no notices."),
    ]):
        command = option(command)
    return command


def _release_names(config, args: tuple[str, ...]) -> tuple[str, ...]:
    """Release names from the command line: a name, or a path (as linters take) to a
    release's file or folder, or to a folder holding releases (content/: all of them).
    A path is taken from the current folder, else from the project's."""
    if not args:
        return ()
    from accesspub.read.sources import find_releases
    found = find_releases(config)
    names: list[str] = []
    for arg in args:
        if arg in {slug for slug, _ in found}:
            names.append(arg)
            continue
        matched = _releases_at(arg, found, config.root)
        if matched is None:
            raise ContentError(f"no release or file named {arg!r}", code="release-unknown",
                               hint="name a release (" + (", ".join(s for s, _ in found) or
                                                          "none here") +
                               ") or its path, such as content/my-release.md")
        if not matched:
            raise ContentError(f"{arg} is not a release", SourceLocation(arg),
                               code="release-unknown",
                               hint="a release is a Markdown file in the content folder, or "
                               "a folder of them there; give its path or its name")
        names.extend(matched)
    return tuple(dict.fromkeys(names))


def _releases_at(arg: str, found, root: Path) -> list[str] | None:
    """The releases with a file at or under the path ``arg``; None when no such path."""
    candidates = [Path(arg)] + ([root / arg] if not Path(arg).is_absolute() else [])
    for candidate in candidates:
        if not (candidate.exists() or candidate.is_symlink()):
            continue
        # Both with links resolved and as written: a release file may be a link.
        places = {Path(os.path.abspath(candidate)), candidate.resolve()}
        return [slug for slug, files in found
                if any(f == p or f.is_relative_to(p)
                       for file in files for f in (Path(os.path.abspath(file)), file.resolve())
                       for p in places)]
    return None


def _build_action(ctx: click.Context, names: tuple[str, ...], no_audio: bool,
                  jobs: int | None, strict: bool, quiet: bool, cluster: str | None = None):
    """One build, as ``build`` runs it and ``watch`` repeats it."""
    from accesspub.build import BuildOptions, run_build
    from accesspub.progress import Progress

    def action():
        config = _config(ctx)
        if cluster:                      # --cluster wins over [narration] cluster
            from dataclasses import replace
            config = replace(config, narration=replace(config.narration, cluster=cluster))
        options = BuildOptions(audio=not no_audio, jobs=jobs, strict=strict,
                               releases=_release_names(config, names),
                               progress=Progress(enabled=not quiet))
        result = run_build(config, options)
        _print_diagnostics(result.diagnostics.items, quiet_notices=quiet)
        for release in result.releases:
            length = ""
            if release.duration:
                minutes, seconds = divmod(round(release.duration), 60)
                length = f", narration {minutes}:{seconds:02d}"
            click.echo(f"built {release.slug}: {len(release.outputs)} files{length}")
        warnings = len(result.diagnostics.warnings)
        click.echo(f"{len(result.releases)} release(s) in {result.output_dir} "
                   f"({result.seconds:.1f} s, {warnings} warning(s))")
    return action


def _watch(ctx: click.Context, action) -> None:
    from accesspub.commands.watch import watch_project
    watch_project(ctx.obj.project, action, on_error=lambda exc: _print_diagnostics(
        list(exc.diagnostics) or [exc.as_diagnostic()]))


@main.command()
@click.argument("releases", nargs=-1, metavar="[RELEASE|PATH]...")
@_build_options
@click.option("-w", "--watch", is_flag=True, help="Rebuild whenever content/, accesspub.toml or respeak.toml changes.")
@click.option("--cluster", metavar="ADDRESS|local:N", default=None,
              help="Speak on a Dask cluster (tcp://host:8786), or on N local Dask workers.")
@click.pass_context
def build(ctx: click.Context, releases: tuple[str, ...], no_audio: bool, jobs: int | None,
          strict: bool, quiet: bool, watch: bool, cluster: str | None) -> None:
    """Build every release in content/ (or those named) into build/."""
    action = _build_action(ctx, releases, no_audio, jobs, strict, quiet, cluster)
    _run(ctx, (lambda: _watch(ctx, action)) if watch else action)


@main.command()
@click.argument("releases", nargs=-1, metavar="[RELEASE|PATH]...")
@_build_options
@click.pass_context
def watch(ctx: click.Context, releases: tuple[str, ...], no_audio: bool, jobs: int | None,
          strict: bool, quiet: bool) -> None:
    """Build, then rebuild whenever content/, accesspub.toml or respeak.toml changes (= build --watch)."""
    action = _build_action(ctx, releases, no_audio, jobs, strict, quiet)
    _run(ctx, lambda: _watch(ctx, action))


@main.command()
@click.argument("releases", nargs=-1, metavar="[RELEASE|PATH]...")
@click.option("--speech", is_flag=True, help="Print the spoken form of every sentence that differs from its text.")
@click.option("--json", "as_json", is_flag=True, help="Diagnostics as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--listen", is_flag=True, help="Transcribe the built narration offline and flag "
              "sentences heard badly (needs accesspub[listen]).")
@click.pass_context
def check(ctx: click.Context, releases: tuple[str, ...], speech: bool, as_json: bool, strict: bool,
          listen: bool) -> None:
    """Check releases (all, or those named or at the paths given) without building.

    The report goes to standard output: file:line: level code: message."""
    from accesspub.build import analyse

    def action():
        from accesspub.speech import speech_differences
        config = _config(ctx)
        publications, diag, lexicon = analyse(config, _release_names(config, releases))
        if speech and diag.errors:
            publications = _speak_releases_without_errors(config, publications, diag, lexicon)
        heard = _listen(config, publications, diag) if listen and not diag.errors else []
        differences = [(sentence, spoken) for publication in (publications if speech else ())
                       for sentence, spoken in speech_differences(publication)]
        if as_json:
            # One array for every reader of --json: spoken forms are "note" entries in it.
            click.echo(json.dumps([d.as_json() for d in diag.items]
                                  + [_spoken_json(s, spoken) for s, spoken in differences],
                                  indent=2, ensure_ascii=False))
        else:
            _print_diagnostics(diag.items, err=False)
        if (speech and not as_json and lexicon is None and diag.errors
                and (config.content_dir / "lexicon.pls").exists()):
            click.echo("note: the spoken forms below are without the lexicon, which has errors")
        for sentence, spoken in differences if not as_json else ():
            click.echo(f"{sentence.location}: {sentence.id}\n    text:   {sentence.text}\n"
                       f"    spoken: {spoken}")
        failed = diag.errors or (strict and diag.warnings)
        for result in heard if not as_json else ():
            click.echo(result.summary())
        if not as_json:
            click.echo(f"{len(diag.errors)} error(s), {len(diag.warnings)} warning(s)")
        if failed:
            ctx.exit(1)
    _run(ctx, action)


def _spoken_json(sentence, spoken: str) -> dict:
    where = sentence.location
    return {"level": "note", "code": "spoken-form", "message": f"spoken: {spoken}",
            "file": str(where.path) if where else None, "line": where.line if where else None,
            "hint": None, "id": sentence.id, "text": sentence.text, "spoken": spoken}


def _listen(config, publications, diag) -> list:
    """``check --listen``: the findings join the check's; the JSON goes beside the build."""
    from accesspub.listen import listen_back, model_name
    from accesspub.listen.report import write_report
    results = listen_back(config, publications, diag)
    if results:
        write_report(results, config.output_dir, model_name())
    return results


def _speak_releases_without_errors(config, publications, diag, lexicon) -> list:
    """``analyse`` speaks nothing when anything has an error; for proofreading, the
    releases with no error of their own are spoken all the same."""
    from accesspub.read.sources import find_releases
    from accesspub.speech import apply_speech
    root = config.root.resolve()
    files = {slug: {_shown(f, root) for f in paths} for slug, paths in find_releases(config)}
    broken = {d.location.path for d in diag.errors if d.location is not None}
    clean = [p for p in publications if not files.get(p.slug, set()) & broken]
    return [apply_speech(p, config, diag, lexicon) for p in clean]


def _shown(path: Path, root: Path) -> str:
    """A path as diagnostics show it: relative to the project."""
    path = Path(os.path.abspath(path))
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def _invocation() -> str:
    """How accesspub was started, as a command that works again from this folder."""
    prog = os.environ.get("ACCESSPUB_PROG")      # set by ./dev accesspub
    if prog:
        return prog
    script = Path(sys.argv[0])
    if script.name in ("accesspub", "accesspub.exe"):
        on_path = shutil.which("accesspub")
        if on_path and Path(on_path).resolve() == script.resolve():
            return "accesspub"
        return shlex.quote(sys.argv[0])
    return f"{shlex.quote(sys.executable)} -m accesspub"


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def new(ctx: click.Context, folder: Path) -> None:
    """Create a ready project in FOLDER (new or empty): config, sample release, lexicon."""
    def action():
        from accesspub.commands.new import PLACEHOLDER_KEYS, create_project
        files = create_project(folder)
        command = _invocation()
        where = shlex.quote(str(folder))
        click.echo(f"created {len(files)} files in {folder}")
        click.echo(f"next: replace the placeholders ({', '.join(PLACEHOLDER_KEYS)}) in "
                   f"{folder / 'accesspub.toml'}, then check and build:")
        click.echo(f"    {command} -C {where} check")
        click.echo(f"    {command} -C {where} build")
        if command != "accesspub":
            source = Path(__file__).resolve().parents[2]
            tip = (f"; to put it there: pipx install {shlex.quote(str(source))}"
                   if (source / "pyproject.toml").is_file() else "")
            click.echo(f"(accesspub is not on your PATH: the commands above run it{tip})")
    _run(ctx, action)


@main.group(invoke_without_command=True)
@click.pass_context
def voices(ctx: click.Context) -> None:
    """List speech engines, their voices and languages, and the Piper voices installable."""
    if ctx.invoked_subcommand is not None:
        return

    def action():
        from accesspub.engines.select import describe_installable, describe_voices
        for line in describe_voices():
            click.echo(line)
        click.echo(describe_installable())
    _run(ctx, action)


@voices.command("install")
@click.argument("name")
@click.pass_context
def voices_install(ctx: click.Context, name: str) -> None:
    """Download the Piper voice NAME (e.g. de_DE-thorsten-medium) into the user's voice cache."""
    def action():
        from accesspub.engines.piper.catalogue import install
        done = install(name)
        click.echo(f"installed {done.name} ({done.bytes / 1e6:.1f} MB) in {done.model.parent}")
        lang = done.name.split("-")[0].split("_")[0]
        click.echo(f'use it: [narration.languages] {lang} = {{ voice = "{done.name}" }} '
                   "in accesspub.toml")
    _run(ctx, action)


@main.command()
@click.argument("target")
@click.option("--seed", type=click.IntRange(1, 999), default=None,
              help="The seed to use (default: the next one).")
@click.option("--undo", is_flag=True, help="Back to the first recording: remove the entry.")
@click.pass_context
def respeak(ctx: click.Context, target: str, seed: int | None, undo: bool) -> None:
    """Speak one garbled sentence again, with another noise seed, at the next build.

    TARGET: FILE:LINE as a warning shows it, a sentence id (c01-s0003, or
    RELEASE/c01-s0003), or a few words of the sentence.  Recorded in respeak.toml."""
    def action():
        from accesspub.commands.respeak import choose
        config = _config(ctx)
        done = choose(config, target, seed, undo)
        said = " ".join(done.sentence.text.split())
        said = said if len(said) <= 70 else said[:69] + "…"
        if done.seed:
            click.echo(f'{done.sentence.location}: "{said}" will be spoken with seed '
                       f"{done.seed}" + (f" (was {done.was})" if done.was else "")
                       + f", recorded in {done.path.name}")
        else:
            click.echo(f'{done.sentence.location}: "{said}" will be spoken as first recorded'
                       + (f" (seed {done.was} removed from {done.path.name})" if done.was else ""))
        click.echo("next: accesspub build, then listen to it (accesspub check --listen "
                   "hears it again)")
    _run(ctx, action)


@main.command()
@click.option("--cache", is_flag=True, help="Also delete the speech cache.")
@click.pass_context
def clean(ctx: click.Context, cache: bool) -> None:
    """Delete build/ (and with --cache the synthesised speech)."""
    def action():
        from accesspub.folders import remove
        config = _config(ctx)
        targets = [(config.output_dir, "output")] + ([(config.cache_dir, "cache")] if cache else [])
        for target, kind in targets:
            if target.exists() or target.is_symlink():
                remove(target, kind)
                click.echo(f"deleted {target}")
    _run(ctx, action)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for other devices on the network).")
@click.option("-p", "--port", type=click.IntRange(min=0, max=65535), default=8000,
              show_default=True, help="Port to listen on.")
@click.option("-w", "--watch", is_flag=True,
              help="Build first, then rebuild whenever content/, accesspub.toml or respeak.toml changes.")
@_build_options
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, watch: bool, no_audio: bool,
          jobs: int | None, strict: bool, quiet: bool) -> None:
    """Preview build/ in a browser (with byte ranges, so the audio can seek); with --watch,
    build it and rebuild on every change while serving (reload the page to see it)."""
    def action():
        from accesspub.errors import ConfigError
        from accesspub.commands.serve import make_server, serve_in_background
        config = _config(ctx)
        folder = config.output_dir
        if not watch and not (folder / "index.html").is_file():
            raise ConfigError(f"nothing to serve: {folder} has no index.html",
                              code="serve-no-build",
                              hint="run accesspub build first, or accesspub serve --watch to "
                              "build, serve and rebuild on every change")
        try:
            server = make_server(folder, host, port)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                              code="serve-port", hint="choose another port with --port") from None
        with server:
            click.echo(f"serving {folder} at {server.url} (Ctrl+C stops)")
            if watch:
                # The server reads build/ afresh on each request, so every rebuild (a
                # swap of the whole folder) is served as soon as it is in place.
                serve_in_background(server)
                try:
                    _watch(ctx, _build_action(ctx, (), no_audio, jobs, strict, quiet))
                finally:
                    server.shutdown()
                return
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                click.echo("stopped")
    _run(ctx, action)
