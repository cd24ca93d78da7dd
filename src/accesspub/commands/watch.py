"""``accesspub build --watch``: rebuild whenever a file the build reads changes: the
content folder (the lexicon, ``content/lexicon.pls``, included), accesspub.toml,
respeak.toml and the podcast image.

    watch_project(root, rebuild, on_error=…, interval=0.5)

Polls modification times and sizes every ``interval`` seconds (no dependency, works on
every file system, including network shares and containers).  A change is built once it
has settled for one interval, so an editor's save-in-several-writes gives one rebuild.
Each rebuild goes through ``run_build``: all or nothing, under the project lock, and the
synthesis cache makes it incremental (only changed sentences are spoken again).  A failed
rebuild prints its diagnostics and keeps watching.  Ctrl-C (or SIGTERM) stops.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Callable

import click

from accesspub.errors import AccessPubError

__all__ = ["watch_project", "snapshot"]

Snapshot = dict[str, tuple[int, int]]


def _watched(root: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """(folders to scan, folders to skip inside them, files read outside them) for the
    project at ``root``: what a build reads, so that a change of any of it rebuilds."""
    from accesspub.config import CONFIG_NAME, load_config
    from accesspub.respeak import FILE_NAME
    root = root.resolve()
    files = [root / CONFIG_NAME, root / FILE_NAME]
    try:
        config = load_config(root)
    except AccessPubError:
        return [root / "content"], [root / "build", root / ".accesspub-cache"], files
    # The lexicon is read from the content folder (speech.lexicon.project_lexicon), and
    # so is scanned with it.
    image = config.podcast.image.strip()
    if image:
        files.append(Path(image) if os.path.isabs(image) else root / image)
    return [config.content_dir], [config.output_dir, config.cache_dir], files


def snapshot(root: Path) -> Snapshot:
    """(mtime, size) of every file the build reads: accesspub.toml, respeak.toml, the
    podcast image and every file under the content folder."""
    root = Path(root).resolve()
    state: Snapshot = {}
    folders, skipped, files = _watched(root)
    candidates = list(files)
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                                 and here / d not in skipped)
            candidates.extend(here / f for f in filenames if not f.startswith((".", "~"))
                              and not f.endswith(("~", ".swp")))
    for path in candidates:
        try:
            stat = path.stat()
        except OSError:
            continue
        state[path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)] = (
            stat.st_mtime_ns, stat.st_size)
    return state


def _changes(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def watch_project(root: Path, rebuild: Callable[[], None], *,
                  on_error: Callable[[AccessPubError], None] | None = None,
                  interval: float = 0.5, echo: Callable[[str], None] = click.echo,
                  max_rebuilds: int | None = None) -> None:
    """Build now, then again after every change, until interrupted."""
    previous_term = None
    try:
        previous_term = signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:                # not the main thread: Ctrl-C only
        pass
    rebuilds = 0
    try:
        state = snapshot(root)
        _attempt(rebuild, on_error, echo)
        echo(f"watching {', '.join(_labels(root))} for changes (Ctrl-C to stop)")
        while max_rebuilds is None or rebuilds < max_rebuilds:
            time.sleep(interval)
            current = snapshot(root)
            if current == state:
                continue
            # Let the change settle: an editor may write a file in several steps.
            while True:
                time.sleep(interval)
                settled = snapshot(root)
                if settled == current:
                    break
                current = settled
            changed = _changes(state, current)
            state = current
            rebuilds += 1
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            echo(f"[{time.strftime('%H:%M:%S')}] changed: {shown}; rebuilding")
            _attempt(rebuild, on_error, echo)
    except KeyboardInterrupt:
        echo("stopped watching")
    finally:
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)


def _interrupt(signum, frame):  # noqa: ARG001 - signal handler signature
    raise KeyboardInterrupt


def _labels(root: Path) -> list[str]:
    root = Path(root).resolve()
    folders, _, files = _watched(root)

    def shown(path: Path) -> str:
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)

    return [shown(folder) + "/" for folder in folders] + [shown(path) for path in files]


def _attempt(rebuild: Callable[[], None], on_error, echo) -> None:
    started = time.monotonic()
    try:
        rebuild()
    except AccessPubError as exc:
        if on_error is not None:
            on_error(exc)
        else:
            echo(str(exc))
        echo(f"build failed after {time.monotonic() - started:.1f} s; build/ is unchanged; "
             "fix the problem and save again")
