"""The command line: turns options into calls and errors into exit codes.  No logic here."""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

import click

from accesspub import __version__
from accesspub.errors import AccessPubError, Diagnostic


class State:
    def __init__(self, project: Path, show_traceback: bool) -> None:
        self.project = project
        self.show_traceback = show_traceback


def _print_diagnostics(items: list[Diagnostic], quiet_notices: bool = False) -> None:
    for item in items:
        if quiet_notices and item.level == "notice":
            continue
        click.echo(str(item), err=True)


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


@main.command()
@click.option("--no-audio", is_flag=True, help="Text-only EPUB: no narration, no overlays.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Parallel speech synthesis jobs (default: one per core).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("-q", "--quiet", is_flag=True, help="No progress, no notices.")
@click.option("-w", "--watch", is_flag=True, help="Rebuild whenever content/ or accesspub.toml changes.")
@click.pass_context
def build(ctx: click.Context, no_audio: bool, jobs: int | None, strict: bool, quiet: bool,
          watch: bool) -> None:
    """Build every release in content/ into build/."""
    from accesspub.build import BuildOptions, run_build
    from accesspub.progress import Progress

    def action():
        config = _config(ctx)
        options = BuildOptions(audio=not no_audio, jobs=jobs, strict=strict,
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
    if watch:
        from accesspub.watch import watch_project
        _run(ctx, lambda: watch_project(ctx.obj.project, action, on_error=lambda exc:
                                        _print_diagnostics(list(exc.diagnostics) or [exc.as_diagnostic()])))
        return
    _run(ctx, action)


@main.command()
@click.argument("releases", nargs=-1)
@click.option("--speech", is_flag=True, help="Print the spoken form of every sentence that differs from its text.")
@click.option("--json", "as_json", is_flag=True, help="Diagnostics as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.pass_context
def check(ctx: click.Context, releases: tuple[str, ...], speech: bool, as_json: bool, strict: bool) -> None:
    """Check releases without building: file:line: level code: message."""
    from accesspub.build import analyse

    def action():
        from accesspub.speech import speech_differences
        publications, diag, _ = analyse(_config(ctx), releases)
        if as_json:
            click.echo(json.dumps([d.as_json() for d in diag.items], indent=2, ensure_ascii=False))
        else:
            _print_diagnostics(diag.items)
        if speech and not diag.errors:
            for publication in publications:
                for sentence, spoken in speech_differences(publication):
                    click.echo(f"{sentence.location}: {sentence.id}\n    text:   {sentence.text}\n"
                               f"    spoken: {spoken}")
        failed = diag.errors or (strict and diag.warnings)
        if not as_json:
            click.echo(f"{len(diag.errors)} error(s), {len(diag.warnings)} warning(s)", err=True)
        if failed:
            ctx.exit(1)
    _run(ctx, action)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def new(ctx: click.Context, folder: Path) -> None:
    """Create a ready project in FOLDER (new or empty): config, sample release, lexicon."""
    def action():
        from accesspub.scaffold import create_project
        files = create_project(folder)
        click.echo(f"created {len(files)} files in {folder}")
        click.echo(f"next: cd {folder} && accesspub check && accesspub build")
    _run(ctx, action)


@main.command()
@click.pass_context
def voices(ctx: click.Context) -> None:
    """List speech engines, their voices and languages."""
    def action():
        from accesspub.engines.select import describe_voices
        for line in describe_voices():
            click.echo(line)
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
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Preview build/ in a browser (with byte ranges, so the audio can seek)."""
    def action():
        from accesspub.errors import ConfigError
        from accesspub.serve import make_server
        config = _config(ctx)
        folder = config.output_dir
        if not (folder / "index.html").is_file():
            raise ConfigError(f"nothing to serve: {folder} has no index.html",
                              code="serve-no-build", hint="run accesspub build first")
        try:
            server = make_server(folder, host, port)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                              code="serve-port", hint="choose another port with --port") from None
        with server:
            click.echo(f"serving {folder} at {server.url} (Ctrl+C stops)")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                click.echo("stopped")
    _run(ctx, action)
