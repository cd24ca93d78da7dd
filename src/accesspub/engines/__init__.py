"""Speech engines: the protocol every engine follows, and how engines are found.

Engines are registered as entry points in the group ``accesspub.engines`` (built-ins too),
so a plugin package can add one without touching accesspub.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol, Sequence, runtime_checkable

from accesspub.errors import ConfigError


@dataclass(frozen=True, slots=True)
class AudioClip:
    pcm: bytes          # signed 16-bit little-endian, mono
    sample_rate: int

    @property
    def samples(self) -> int:
        return len(self.pcm) // 2


@dataclass(frozen=True, slots=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]   # BCP 47 tags it speaks natively


@runtime_checkable
class Engine(Protocol):
    name: ClassVar[str]

    def voices(self) -> Sequence[Voice]:
        """The voices this engine offers here, now."""

    def speaks(self, lang: str) -> bool:
        """Whether this engine can say text in ``lang`` (natively or by phonemes)."""

    def synthesize(self, text: str, *, lang: str, voice: str | None = None) -> AudioClip:
        """Speak normalised ``text`` in ``lang``; raise EngineError on failure."""

    def fingerprint(self) -> str:
        """Engine, package version, model and settings: anything that changes the sound."""

    def close(self) -> None:
        """Release models, sessions and processes."""


def engine_names() -> list[str]:
    return sorted(ep.name for ep in entry_points(group="accesspub.engines"))


def load_engine(name: str, options: dict[str, Any] | None = None) -> Engine:
    """Instantiate the engine registered as ``name`` with its ``[engine.NAME]`` options."""
    for ep in entry_points(group="accesspub.engines"):
        if ep.name == name:
            cls = ep.load()
            return cls(**(options or {}))
    raise ConfigError(f"unknown speech engine {name!r}", code="config-engine",
                      hint=f"installed engines: {', '.join(engine_names())}")
