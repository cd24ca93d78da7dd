"""``accesspub new DIR``: a ready project that builds at once.

    create_project(folder) -> list of the files written
    placeholder_in(text) -> the template placeholder ``text`` still contains, or None

The template lives in ``accesspub/data/new/``: a commented ``accesspub.toml``, a sample
release using every supported feature, a pronunciation lexicon, an image and a
``.gitignore`` (shipped as ``gitignore``: package data drops dot files).

The template's ``[project]`` values of ``PLACEHOLDER_KEYS`` are placeholders the user must
replace.  They are read from the template itself, so the file a new project starts from
and ``check``'s ``placeholder`` warning can never disagree.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from accesspub.errors import AccessPubError
from accesspub.model import SourceLocation

__all__ = ["create_project", "placeholders", "placeholder_in"]

RENAMES = {"gitignore": ".gitignore"}
PLACEHOLDER_KEYS = ("publisher", "author", "rights")


def _template() -> Traversable:
    return resources.files("accesspub").joinpath("data/new")


@lru_cache(maxsize=1)
def placeholders() -> tuple[str, ...]:
    """The template's placeholder values, longest first."""
    config = tomllib.loads(_template().joinpath("accesspub.toml").read_text("utf-8"))
    values = {config["project"][key] for key in PLACEHOLDER_KEYS}
    return tuple(sorted(values, key=lambda v: (-len(v), v)))


def placeholder_in(text: str) -> str | None:
    """The placeholder ``text`` contains (ignoring case and spacing), or None.

    Containment, not equality: "© Your Organisation 2025" is still the template's."""
    folded = " ".join(str(text).split()).casefold()
    if not folded:
        return None
    return next((p for p in placeholders() if " ".join(p.split()).casefold() in folded), None)


def _walk(node: Traversable, prefix: tuple[str, ...] = ()):
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name.startswith(("__", ".")) or child.name.endswith(".pyc"):
            continue
        if child.is_dir():
            yield from _walk(child, prefix + (child.name,))
        else:
            yield prefix + (RENAMES.get(child.name, child.name),), child


def create_project(folder: Path) -> list[Path]:
    """Write the template project into ``folder`` (missing or empty); return the files."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise AccessPubError(f"{folder} exists and is not a folder", SourceLocation(str(folder)),
                             code="new-not-empty", hint="choose a new folder name")
    if folder.is_dir() and any(folder.iterdir()):
        raise AccessPubError(f"{folder} is not empty; a new project needs an empty folder",
                             SourceLocation(str(folder)), code="new-not-empty",
                             hint="choose a new folder name, or empty this one first")
    template = _template()
    written = []
    try:
        for parts, source in _walk(template):
            target = folder.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            written.append(target)
    except OSError as exc:
        raise AccessPubError(f"cannot write {folder}: {exc.strerror or exc}",
                             SourceLocation(str(folder)), code="new-write",
                             hint="check that you may write there") from None
    return written
