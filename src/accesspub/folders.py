"""The folders accesspub writes, deletes and replaces: the output and the speech cache.

accesspub deletes or replaces only what it made.  Every folder it makes carries a marker,
and nothing is ever removed from a folder without one:

- the output folder (``build/``) and its staging and old copies: ``.accesspub-output``;
- the speech cache: ``CACHEDIR.TAG`` (the Cache Directory Tagging Specification, so
  backup tools skip it too) with an accesspub line.

``check_places`` refuses, before anything runs, an output or cache folder that is not
strictly inside the project or that is, holds or lies inside the project's own files
(the content folder, ``accesspub.toml``, ``.git``).
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from accesspub.errors import AccessPubError, ConfigError
from accesspub.model import SourceLocation

OUTPUT_MARKER = ".accesspub-output"
OUTPUT_MARKER_TEXT = "This folder is written by accesspub build; it replaces it as a whole.\n"
CACHE_TAG = "CACHEDIR.TAG"
CACHE_TAG_TEXT = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                  "# This file is a cache directory tag created by accesspub.\n"
                  "# For information about cache directory tags see https://bford.info/cachedir/\n")


class FolderError(AccessPubError):
    """The file system refused: a full disk, a read-only or busy folder (exit 1)."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def within(path: Path, root: Path) -> Path | None:
    """``path`` with every link resolved, or None when that leads outside ``root`` (or
    nowhere: a link loop).  The one rule for everything accesspub reads from a project."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        return None
    return resolved if resolved.is_relative_to(root.resolve()) else None


def check_places(root: Path, content: Path, output: Path, cache: Path,
                 locate, cache_from_env: bool = False) -> None:
    """Raise a located ConfigError when the output or cache folder could hold, or be,
    something of the user's.  ``locate(key)`` gives the config line of a key."""
    root = root.resolve()
    content = content.resolve()
    protected = [("the project folder", root), ("the content folder", content),
                 ("accesspub.toml", root / "accesspub.toml"), (".git", root / ".git")]
    for key, folder in (("project.output", output), ("project.cache", cache)):
        from_env = key == "project.cache" and cache_from_env
        where = SourceLocation("ACCESSPUB_CACHE") if from_env else locate(key)
        real = folder.resolve()
        if folder.is_symlink():
            raise ConfigError(f"{key} {folder} is a symbolic link (to {os.readlink(folder)})",
                              where, code="output-symlink",
                              hint="accesspub replaces this folder as a whole: point "
                                   f"{key} at a real folder and copy it where it must go")
        if not from_env and not _inside(real, root):
            raise ConfigError(f"{key} is {folder} (resolved: {real}), outside the project",
                              where, code="config-folder-outside",
                              hint="use a folder inside the project, such as \"build\"")
        for name, mine in protected:
            if _inside(mine, real) or (name != "the project folder" and _inside(real, mine)):
                raise ConfigError(
                    f"{key} {folder} would {'be' if real == mine else 'hold' if _inside(mine, real) else 'lie inside'} "
                    f"{name}; accesspub deletes and replaces this folder as a whole",
                    where, code="config-folder-unsafe",
                    hint="use a folder of its own inside the project, such as \"build\" "
                         "or \".accesspub-cache\"")
    if _inside(output.resolve(), cache.resolve()) or _inside(cache.resolve(), output.resolve()):
        raise ConfigError("project.output and project.cache must be separate folders "
                          "(one would replace the other)", locate("project.cache"),
                          code="config-folder-unsafe", hint="keep them side by side")


def is_output(folder: Path) -> bool:
    return (folder / OUTPUT_MARKER).is_file() and not folder.is_symlink()


def is_cache(folder: Path) -> bool:
    tag = folder / CACHE_TAG
    try:
        return (not folder.is_symlink() and tag.is_file()
                and "accesspub" in tag.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return False


def make_output(folder: Path) -> Path:
    """A new, marked folder (a staging folder)."""
    folder.mkdir(parents=True)
    (folder / OUTPUT_MARKER).write_text(OUTPUT_MARKER_TEXT, encoding="utf-8")
    return folder


def claim_cache(folder: Path) -> Path:
    """Create the cache folder (or adopt an empty one) and tag it as ours."""
    folder.mkdir(parents=True, exist_ok=True)
    tag = folder / CACHE_TAG
    if not tag.exists():
        if any(p.name not in ("clips", "narrations", "langdetect.json")
               for p in folder.iterdir()):
            return folder          # a folder that is not only ours is never tagged
        tag.write_text(CACHE_TAG_TEXT, encoding="utf-8")
    return folder


def _empty(folder: Path) -> bool:
    return not any(folder.iterdir())


def check_replaceable(output: Path) -> None:
    """Raise unless accesspub may replace ``output``: absent, empty, or marked as ours."""
    if output.is_symlink():
        raise ConfigError(f"{output} is a symbolic link (to {os.readlink(output)})",
                          SourceLocation("accesspub.toml"), code="output-symlink",
                          hint="accesspub replaces its output folder as a whole: set "
                               "project.output to a real folder and copy it where it goes")
    if not output.exists():
        return
    if not output.is_dir():
        raise ConfigError(f"{output} is a file, not a folder", SourceLocation("accesspub.toml"),
                          code="output-not-ours", hint="move the file away, or set project.output")
    if not is_output(output) and not _empty(output):
        raise ConfigError(
            f"{output} was not made by accesspub (it has no {OUTPUT_MARKER} marker), "
            "so accesspub will not replace it", SourceLocation("accesspub.toml"),
            code="output-not-ours",
            hint="if nothing in it is yours, delete it yourself; or set project.output "
                 "to another folder")


def remove(folder: Path, kind: str = "output") -> None:
    """Delete a folder accesspub made; refuse one it did not."""
    ours = is_output(folder) if kind == "output" else is_cache(folder)
    if not ours:
        raise ConfigError(f"{folder} was not made by accesspub (no "
                          f"{OUTPUT_MARKER if kind == 'output' else CACHE_TAG} in it): "
                          "not deleting it", code="folder-not-ours",
                          hint="delete it yourself if nothing in it is yours")
    shutil.rmtree(folder)


def swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` with ``staging``: two renames on one file system.

    Where the output folder cannot be renamed (a mount point, such as a container
    volume), its contents are replaced instead, after staging was made inside it.
    """
    old = output.with_name(f".{output.name}-old-{os.getpid()}")
    if output.exists():
        os.replace(output, old)
    os.replace(staging, output)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def staging_for(output: Path) -> tuple[Path, bool]:
    """Where to write the next build, and whether it is inside ``output`` (a folder
    that cannot be renamed: a mount point)."""
    if output.exists() and os.path.ismount(output):
        return output / f".accesspub-staging-{os.getpid()}", True
    return output.with_name(f".{output.name}-staging-{os.getpid()}"), False


def swap_contents(staging: Path, output: Path) -> None:
    """Replace the contents of ``output`` with those of ``staging`` (inside it), keeping
    the old ones aside until the new ones are in place."""
    old = output / f".accesspub-old-{os.getpid()}"
    old.mkdir()
    for entry in list(output.iterdir()):
        if entry not in (staging, old) and entry.name != OUTPUT_MARKER:
            os.replace(entry, old / entry.name)
    for entry in list(staging.iterdir()):
        os.replace(entry, output / entry.name)
    staging.rmdir()
    shutil.rmtree(old, ignore_errors=True)


def recover(output: Path) -> None:
    """Clean up after a build that was killed (we hold the lock: no other build runs).

    A kill between the two renames of ``swap_in`` leaves only the old output under its
    temporary name: put it back.  Staging folders of killed builds are deleted; only
    folders carrying our marker are ever touched.
    """
    olds = sorted(p for p in output.parent.glob(f".{output.name}-old-*") if is_output(p))
    if not output.exists() and olds:
        os.replace(olds[-1], output)
        olds = olds[:-1]
    leftovers = olds + [p for p in output.parent.glob(f".{output.name}-staging-*")
                        if is_output(p)]
    if output.is_dir() and is_output(output):
        inner_old = sorted(output.glob(".accesspub-old-*"))
        for old in inner_old[-1:]:
            # swap_contents was killed: make the output what it was before
            for entry in list(output.iterdir()):
                if entry.name != OUTPUT_MARKER and not entry.name.startswith(".accesspub-"):
                    _delete(entry)
            for entry in list(old.iterdir()):
                os.replace(entry, output / entry.name)
        leftovers += [p for p in output.glob(".accesspub-old-*")]
        leftovers += [p for p in output.glob(".accesspub-staging-*")]
    for leftover in leftovers:
        _delete(leftover)


def _delete(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


_HINTS = {
    errno.ENOSPC: "the disk is full: free some space and build again",
    errno.EDQUOT: "the disk quota is used up: free some space and build again",
    errno.EROFS: "the file system is read-only: set project.output to a writable folder",
    errno.EACCES: "accesspub may not write there: check the folder's permissions "
                  "(and `lsattr` for the immutable flag)",
    errno.EPERM: "accesspub may not change that folder: check its permissions "
                 "(and `lsattr` for the immutable flag)",
    errno.EBUSY: "the folder is in use or a mount point: accesspub replaces its contents "
                 "instead when it sees a mount point; close what holds it",
}


def as_folder_error(exc: OSError, doing: str) -> FolderError:
    """An OSError from writing the build, as a message a person can act on."""
    path = exc.filename or ""
    hint = _HINTS.get(exc.errno or 0, "check the folder and the disk, then build again")
    return FolderError(f"could not {doing}{' ' + str(path) if path else ''}: "
                       f"{exc.strerror or exc}; the previous build is untouched",
                       code="build-io", hint=hint)
