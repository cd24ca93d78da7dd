"""What a build is asked to do and what it made."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from accesspub.errors import Diagnostics
from accesspub.model import WrittenRelease
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
class ReleaseResult(WrittenRelease):
    """What one release became, and how: who spoke it, what came from the cache."""

    engines: dict[str, list[str]] = field(default_factory=dict)   # engine -> sentence ids it spoke
    speech: dict[str, int] = field(default_factory=dict)          # clips synthesised / from cache / kept
    kept: bool = False       # the narration is the previous build's (not narrated this time)
    kept_digest: str = ""    # what that narration says (it may no longer match the text)


@dataclass
class BuildResult:
    output_dir: Path
    releases: list[ReleaseResult]
    diagnostics: Diagnostics
    seconds: float
