"""Speech engines: the protocol every engine follows, and how engines are found.

Engines are registered as entry points in the group ``accesspub.engines`` (built-ins too),
so a plugin package can add one without touching accesspub.

Helpers for engine authors live here too: ``check_option`` (validate an ``[engine.NAME]``
option, naming its key path), ``primary_subtag``, ``strip_phonemes`` (for engines that
cannot speak ``[[ IPA ]]``); ``pcm`` has ``trim_silence`` and the PCM conversions.  Choosing engines per
language, with fallback, is ``select.EngineSet``.
"""

from __future__ import annotations

import importlib
import inspect
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Sequence, runtime_checkable

from accesspub.errors import ConfigError
from accesspub.model import SourceLocation
from accesspub.languages import primary

CONFIG_FILE = SourceLocation("accesspub.toml")


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


def engine_registry() -> dict[str, str]:
    """Every registered engine: name -> where its class is ("module:Class", the entry
    point's value)."""
    # Imported here: importlib.metadata costs a synthesis worker 35 ms to import, and a
    # worker is given the registry its build read (see narrate.engine_factory).
    from importlib.metadata import entry_points
    return {ep.name: ep.value for ep in entry_points(group="accesspub.engines")}


def engine_names() -> list[str]:
    return sorted(engine_registry())


def engine_class(name: str, registry: Mapping[str, str] | None = None) -> type:
    """The class registered as ``name`` (its module is imported; nothing is started).

    Raises ConfigError for an unknown engine, listing the installed ones.
    """
    registry = engine_registry() if registry is None or name not in registry else registry
    if name not in registry:
        raise ConfigError(f"unknown speech engine {name!r}", CONFIG_FILE, code="config-engine",
                          hint=f"installed engines: {', '.join(sorted(registry))} "
                               "(accesspub voices lists them with their voices)")
    module, _, attribute = registry[name].partition(":")
    cls: Any = importlib.import_module(module.strip())
    for part in attribute.split("[")[0].strip().split("."):
        cls = getattr(cls, part)
    return cls


def option_names(cls: type) -> list[str] | None:
    """The ``[engine.NAME]`` keys an engine class takes, or None when it takes any.

    Keyword-only parameters with a default are for programs and tests (gTTS's ``sleep``),
    not for accesspub.toml.
    """
    params = inspect.signature(cls).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    return sorted(p.name for p in params
                  if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                  and not (p.kind is p.KEYWORD_ONLY and p.default is not p.empty))


def unknown_option_error(name: str, key: str, known: list[str]) -> ConfigError:
    return ConfigError(f"unknown option engine.{name}.{key}", CONFIG_FILE,
                       code="config-engine-option",
                       hint=f"options of engine {name!r}: {', '.join(known) or 'none'}")


def load_engine(name: str, options: dict[str, Any] | None = None,
                registry: Mapping[str, str] | None = None) -> Engine:
    """Instantiate the engine registered as ``name`` with its ``[engine.NAME]`` options.

    ``registry``: ``engine_registry()`` as read already (by the build that started this
    process); else the installed packages' entry points are read.  Raises ConfigError for
    an unknown engine (listing the installed ones) or option, and whatever the engine
    raises: ConfigError for a bad value, EngineUnavailable when a library or program it
    needs is missing.
    """
    cls = engine_class(name, registry)
    options = dict(options or {})
    known = option_names(cls)
    for key in sorted(options):
        if known is not None and key not in known:
            raise unknown_option_error(name, key, known)
    return cls(**options)


def check_option(engine: str, key: str, value: Any, expected: type | tuple[type, ...],
                 *, optional: bool = False) -> Any:
    """Return ``value`` if it is of the ``expected`` type, else raise a ConfigError.

    The error names the key path (``engine.piper.length_scale``) so the user finds it in
    accesspub.toml.  ``bool`` is never accepted as a number (TOML ``true`` is not 1), and
    an ``int`` is accepted where a ``float`` is expected, and TOML's ``nan`` and ``inf``
    never are.  ``optional`` allows ``None``.
    """
    if value is None and optional:
        return None
    declared = expected if isinstance(expected, tuple) else (expected,)
    accepted = declared + (int,) if float in declared else declared
    if isinstance(value, bool) and bool not in declared or not isinstance(value, accepted):
        wanted = " or ".join(t.__name__ for t in declared)
        raise ConfigError(f"engine.{engine}.{key} must be {wanted}, not {value!r}",
                          CONFIG_FILE, code="config-type")
    if isinstance(value, float) and not math.isfinite(value):
        # TOML has nan and inf; no engine setting means either.
        raise ConfigError(f"engine.{engine}.{key} must be a finite number, not {value!r}",
                          CONFIG_FILE, code="config-value")
    if float in declared and int not in declared and isinstance(value, int):
        return float(value)
    return value


_RAW_PHONEMES = re.compile(r"\s*\[\[.*?\]\]\s*", re.DOTALL)


def strip_phonemes(text: str) -> str:
    """Remove ``[[ raw phonemes ]]`` blocks, for engines that cannot speak IPA.

    An engine that can (Piper) sets ``accepts_phonemes = True`` on its class; the speech
    stage should only send ``[[ ]]`` to those.  Others call this so that, at worst, a
    lexicon word is skipped rather than read out as bracket and symbol names.
    """
    text = re.sub(r"\s{2,}", " ", _RAW_PHONEMES.sub(" ", text))
    return re.sub(r"\s+([.,;:!?])", r"\1", text).strip()


# ``"en-GB"`` -> ``"en"``: the part of a BCP 47 tag engines compare languages by (the name
# engine plugins know it by).
primary_subtag = primary


