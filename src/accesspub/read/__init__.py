"""The read stage: a project's releases -> frozen Publications.

Sources and front matter, CMS template syntax, Markdown and HTML blocks, inline runs,
sentences, structure (ids, heading levels), metadata, images, languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from accesspub.config import Config
from accesspub.errors import ContentError, Diagnostics
from accesspub.model import Publication


@dataclass
class HeadStart:
    """What the narrate stage asks of reading: ``speak(publication)`` is called with each
    release as read, before its languages are detected (so workers start speaking it);
    ``lingua`` runs language detection in a process of its own."""

    speak: Callable[[Publication], None] | None = None
    lingua: object | None = None


def load_publications(config: Config, diag: Diagnostics, names: tuple[str, ...] = (),
                      head: HeadStart | None = None) -> list[Publication]:
    """Every release (or those named) as a frozen Publication; problems go to ``diag``."""
    # Imported here, not at the top: a build starts its synthesis workers first, and
    # these take a fifth of a second to import.
    from accesspub.read.sources import find_releases, read_release
    from accesspub.read.structure import build_publication
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
    head = head or HeadStart()
    publications = []
    for slug, files in found:
        try:
            raw = read_release(slug, files, config)
            publication = build_publication(raw, config, diag)
            if not config.detect_languages and head.speak is not None:
                head.speak(publication)         # as read is as narrated: nothing to detect
            if config.detect_languages:
                from accesspub.read.langdetect import (mark_passages, project_languages,
                                                       screen_release)
                # lingua holds the GIL while it loads its models: in this process, it
                # screens before the workers are given anything (this process could not
                # feed them meanwhile); in its own, after.
                if head.speak is not None and head.lingua is not None:
                    head.speak(publication)
                verdicts = screen_release(publication, config.cache_dir, head.lingua,
                                          project_languages(config))
                if head.speak is not None and head.lingua is None:
                    head.speak(publication)
                publication = mark_passages(publication, diag, config.cache_dir, verdicts)
            publications.append(publication)
        except ContentError as exc:
            diag.items.append(exc.as_diagnostic())
    return publications
