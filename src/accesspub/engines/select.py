"""Choosing the engine for each language, with fallback; and the ``accesspub voices`` listing.

``[narration]`` names a default engine and voice; ``[narration.languages]`` can give a
language its own engine, voice and fallback (``Narration.choice_for``).  ``EngineSet`` loads
each engine the first time it is needed and then keeps it, and reports which engine actually
spoke, so the build report can say "section 3 was read by piper after gtts failed".
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from accesspub.engines import (AudioClip, Engine, Voice, engine_class, engine_names,
                               engine_registry, load_engine, option_names,
                               unknown_option_error)
from accesspub.errors import AccessPubError, ConfigError, EngineError, EngineUnavailable

if TYPE_CHECKING:
    from accesspub.config import Config, Narration

log = logging.getLogger(__name__)

Loader = Callable[[str, dict[str, Any]], Engine]


@dataclass(frozen=True, slots=True)
class Fallback:
    """One time an engine failed and another spoke instead."""

    lang: str
    engine: str          # the engine that failed
    fallback: str        # the engine that spoke
    reason: str


@dataclass(frozen=True, slots=True)
class EngineReport:
    """One line of ``accesspub voices``."""

    name: str
    available: bool
    voices: tuple[Voice, ...] = ()
    reason: str = ""     # why it is unavailable, with the fix

    def __str__(self) -> str:
        """Human-readable, for ``accesspub voices``: the engine, then one line per voice."""
        if not self.available:
            return f"{self.name}: not available: {self.reason}"
        lines = [f"{self.name}:"]
        for voice in self.voices:
            lines.append(f"  {voice.id}  {voice.name}")
            if voice.languages != (voice.id,):       # espeak: the id is the language
                langs = ", ".join(voice.languages) or "any language"
                lines += [f"      {chunk}" for chunk in textwrap.wrap(langs, 88)]
        return "\n".join(lines)


# A respeak seed (``accesspub respeak``) rides at the head of a part's spoken text, between
# two record separators, from the speech stage to ``EngineSet.speak``: the text is part of
# the clip's cache key, so only that clip is spoken again, and nothing in between (plans,
# worker jobs, a Dask cluster) needs to know of seeds.  The reader and the speech stage
# remove every control character from the text, so no text of a release can carry one.
SEED_MARK = "\x1e"


def with_seed(text: str, seed: int) -> str:
    """``text`` to be spoken with the noise seed ``seed`` (0: as always, unchanged)."""
    return f"{SEED_MARK}{seed}{SEED_MARK}{text}" if seed else text


def split_seed(text: str) -> tuple[str, int]:
    """(the text, its respeak seed or 0) from what ``with_seed`` made."""
    if text.startswith(SEED_MARK):
        seed, found, rest = text[1:].partition(SEED_MARK)
        if found and seed.isdigit():
            return rest, int(seed)
    return text, 0


def accepts_seed(engine: str, registry: Mapping[str, str] | None = None) -> bool:
    """Whether the engine registered as ``engine`` speaks differently with another seed
    (``accepts_seed`` on its class); False for one that cannot be imported."""
    try:
        return bool(getattr(engine_class(engine, registry), "accepts_seed", False))
    except (AccessPubError, ImportError, AttributeError):
        return False


class EngineSet:
    """The engines a build uses, each loaded once, with per-language choice and fallback.

    ``engine_options(name)`` gives the ``[engine.NAME]`` table; ``loader`` is
    ``load_engine`` except in tests.  Not thread-safe: use one per thread or process.
    """

    def __init__(self, narration: "Narration",
                 engine_options: Callable[[str], dict[str, Any]] = lambda name: {},
                 *, loader: Loader = load_engine) -> None:
        self.narration = narration
        self._options = engine_options
        self._loader = loader
        self._engines: dict[str, Engine] = {}
        self._down: dict[str, EngineUnavailable] = {}
        self.fallbacks: list[Fallback] = []

    @classmethod
    def from_config(cls, config: "Config", *, loader: Loader = load_engine) -> "EngineSet":
        return cls(config.narration, config.engine_options, loader=loader)

    def engine(self, name: str) -> Engine:
        """The engine registered as ``name``, loaded on first use.

        Raises ConfigError (unknown name, bad options) or EngineUnavailable (not installed,
        or it already proved unreachable during this build).
        """
        if name in self._down:
            raise self._down[name]
        if name not in self._engines:
            try:
                self._engines[name] = self._loader(name, self._options(name))
            except EngineUnavailable as exc:
                self._down[name] = exc
                raise
        return self._engines[name]

    def warm(self) -> None:
        """Load the narration's default engine and voice now (a worker being started).

        Never raises: an error here would break the worker pool ("BrokenProcessPool")
        instead of being reported, located, when something is actually said.
        """
        try:
            engine = self.engine(self.narration.engine)
            getattr(engine, "warm", lambda voice=None: None)(self.narration.voice or None)
        except AccessPubError:
            return

    def voice_for(self, engine: str, lang: str) -> str | None:
        """The configured voice for ``lang`` when ``engine`` speaks it, else the engine's default.

        A voice name belongs to one engine, so a fallback engine gets the narration voice
        only if it is the narration's default engine.
        """
        choice = self.narration.choice_for(lang)
        if engine == choice.engine and choice.voice:
            return choice.voice
        if engine == self.narration.engine and self.narration.voice:
            return self.narration.voice
        return None

    def speak(self, text: str, lang: str) -> tuple[AudioClip, str]:
        """Say ``text`` in ``lang``; return the clip and the name of the engine that spoke.

        ``text`` may carry a respeak seed (``with_seed``): it is taken off here and given
        to an engine that ``accepts_seed``; any other engine gets the plain text.

        If the chosen engine raises EngineError (or is unavailable) and the language has a
        ``fallback``, the fallback speaks and the switch is recorded in ``fallbacks``.  An
        engine that is *unavailable* (not installed, network down after its retries) is
        skipped for the rest of the build, so later sentences go straight to the fallback.
        Errors of the fallback itself propagate.
        """
        choice = self.narration.choice_for(lang)
        already_down = choice.engine in self._down
        try:
            return self._say(choice.engine, text, lang), choice.engine
        except EngineError as exc:
            if not choice.fallback or choice.fallback == choice.engine:
                raise
            if isinstance(exc, EngineUnavailable):
                self._down.setdefault(choice.engine, exc)
            if not already_down:      # say it once per outage, not once per sentence
                log.warning("engine %s failed for %s (%s); %s speaks instead",
                            choice.engine, lang, exc.message, choice.fallback)
            self.fallbacks.append(Fallback(lang, choice.engine, choice.fallback, exc.message))
            return self._say(choice.fallback, text, lang), choice.fallback

    def candidates(self, lang: str) -> list[tuple[str, str | None]]:
        """(engine, voice) in the order ``speak`` tries them: for cache look-ups by engine."""
        choice = self.narration.choice_for(lang)
        names = [choice.engine]
        if choice.fallback and choice.fallback != choice.engine:
            names.append(choice.fallback)
        return [(name, self.voice_for(name, lang)) for name in names]

    def _say(self, name: str, text: str, lang: str) -> AudioClip:
        engine = self.engine(name)
        text, seed = split_seed(text)
        if seed and getattr(engine, "accepts_seed", False):
            return engine.synthesize(text, lang=lang, voice=self.voice_for(name, lang),
                                     seed=seed)
        return engine.synthesize(text, lang=lang, voice=self.voice_for(name, lang))

    def fingerprint(self, lang: str) -> str:
        """The fingerprint of the engine chosen for ``lang`` (part of every cache key).

        If that engine cannot even be loaded but the language has a fallback, the result
        names both, so it never equals a key the chosen engine wrote; the audio stage
        caches only clips spoken by the chosen engine, so nothing is stored under it.
        """
        choice = self.narration.choice_for(lang)
        try:
            return self.engine(choice.engine).fingerprint()
        except EngineUnavailable:
            if not choice.fallback or choice.fallback == choice.engine:
                raise
            return (f"{choice.engine} unavailable; fallback "
                    f"{self.engine(choice.fallback).fingerprint()}")

    def describe_voices(self) -> list[EngineReport]:
        """``describe_voices`` with this set's engine options."""
        return describe_voices(self._options, loader=self._loader)

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()

    def __enter__(self) -> "EngineSet":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def describe_voices(engine_options: Callable[[str], dict[str, Any]] = lambda name: {},
                    *, loader: Loader = load_engine) -> list[EngineReport]:
    """Every registered engine: can it run here, which voices and languages, and if not, why.

    Loading an engine reads its options but does not load voice models or touch the network.
    """
    reports = []
    for name in engine_names():
        try:
            engine = loader(name, engine_options(name))
            voices = tuple(engine.voices())
            engine.close()
        except AccessPubError as exc:
            reason = exc.message + (f" ({exc.hint})" if exc.hint else "")
            reports.append(EngineReport(name, False, (), reason))
            continue
        except ImportError as exc:           # a plugin whose own imports are broken
            reports.append(EngineReport(name, False, (), f"cannot be imported: {exc}"))
            continue
        reports.append(EngineReport(name, True, voices))
    return reports


# -- checking the configuration before anything is spoken -----------------------------------

@dataclass(frozen=True, slots=True)
class Problem:
    """A mistake in the engine choice, at a key path of accesspub.toml (config locates it)."""

    key: str             # "narration.voice", "engine.piper.model", "narration.languages.fr"
    code: str
    message: str
    hint: str | None = None
    level: str = "error"


def check_choices(narration: "Narration", options: Mapping[str, dict[str, Any]],
                  registry: Mapping[str, str] | None = None) -> list[Problem]:
    """Every engine named exists, every ``[engine.NAME]`` key is one it takes, and every
    voice named is one its engine has: found by ``check`` and before a worker starts,
    not by a worker failing (which broke the whole pool).

    An engine with options or a voice to check is started (cheap: no model is loaded);
    one that is unavailable here (espeak-ng not installed) is left to the build, which
    reports it when it is needed, or uses the fallback.
    """
    registry = dict(engine_registry() if registry is None else registry)
    problems: list[Problem] = []
    known_names = ", ".join(sorted(registry))
    voices: dict[str, list[tuple[str, str]]] = {}     # engine -> (key path, voice)
    named = [("narration.engine", narration.engine, "narration.voice", narration.voice)]
    for lang, choice in narration.languages:
        at = f"narration.languages.{lang}"
        named.append((f"{at}.engine", choice.engine, f"{at}.voice", choice.voice))
        if choice.fallback:
            named.append((f"{at}.fallback", choice.fallback, "", ""))
    for key, name, voice_key, voice in named:
        if name not in registry:
            problems.append(Problem(key, "config-engine", f"{key}: unknown speech engine "
                                    f"{name!r}", f"installed engines: {known_names}"))
        else:
            entry = voices.setdefault(name, [])
            if voice:
                entry.append((voice_key, voice))
    startable = set()
    for name, opts in sorted(options.items()):
        if name not in registry:
            problems.append(Problem(f"engine.{name}", "config-unknown-key",
                                    f"no speech engine {name!r} is installed: [engine.{name}] "
                                    "is ignored", f"installed engines: {known_names}",
                                    "warning"))
            continue
        try:
            known = option_names(engine_class(name, registry))
        except (ImportError, AttributeError) as exc:     # a plugin whose imports are broken
            problems.append(Problem(f"engine.{name}", "config-engine",
                                    f"engine {name!r} cannot be imported: {exc}"))
            continue
        wrong = [k for k in sorted(opts) if known is not None and k not in known]
        for key in wrong:
            error = unknown_option_error(name, key, known or [])
            problems.append(Problem(f"engine.{name}.{key}", error.code, error.message,
                                    error.hint))
        if not wrong:
            startable.add(name)
    for name, wanted in sorted(voices.items()):
        if name in options and name not in startable or not (wanted or options.get(name)):
            continue          # nothing to check, or already reported
        problems.extend(_check_engine(name, dict(options.get(name, {})), wanted, registry))
    return problems


def _check_engine(name: str, options: dict[str, Any], wanted: list[tuple[str, str]],
                  registry: Mapping[str, str]) -> list[Problem]:
    """Start engine ``name``; its option errors, and the ``wanted`` voices it lacks."""
    try:
        engine = load_engine(name, options, registry)
    except ConfigError as exc:
        return [Problem(_key_in(exc.message, name), exc.code, exc.message, exc.hint)]
    except EngineUnavailable:
        return []
    except Exception as exc:            # a plugin's own failure: still not a worker's crash
        return [Problem(f"engine.{name}", "config-engine",
                        f"engine {name!r} could not be started: {exc}")]
    try:
        has = getattr(engine, "has_voice", None)
        # Piper lists its own voices cheaply (for the hint); an engine that offers only
        # has_voice may need the network to list them.
        ids = [v.id for v in engine.voices()] if not has or hasattr(engine, "voice_language") \
            else []
        problems = []
        for key, voice in wanted:
            if (has(voice) if has else voice in ids):
                continue
            listed = f"voices of {name} here: {', '.join(ids)}" if ids else \
                f"accesspub voices lists the voices of {name}"
            more = getattr(engine, "more_voices", "")
            problems.append(Problem(key, "config-voice", f"{key}: engine {name!r} has no voice "
                                    f"{voice!r}", listed + (f"; {more}" if more else "")))
        return problems
    except EngineError:
        return []                       # it cannot even list its voices: the build will say
    finally:
        engine.close()


def _key_in(message: str, engine: str) -> str:
    """The key path an engine's ConfigError names (they all do), else its table."""
    found = re.search(rf"\bengine\.{re.escape(engine)}\.([\w-]+)", message)
    return f"engine.{engine}.{found.group(1)}" if found else f"engine.{engine}"


def describe_installable() -> str:
    """Piper voices installed with ``accesspub voices install``, and those installable
    (from the index the last install kept: listing them needs no network)."""
    from accesspub.engines.piper import catalogue
    have = catalogue.installed_names()
    lines = ["piper voices installed here: " + (", ".join(have) or "none")]
    index = catalogue.installable()
    if index is None:
        lines.append("  installable: Piper's voices (de_DE-thorsten-medium, fr_FR-siwis-medium, "
                     "es_ES-davefx-medium, …); accesspub voices install NAME downloads one "
                     "and keeps the full list for this command")
    else:
        by_lang: dict[str, list[str]] = {}
        for name, lang in index.items():
            if name not in have:
                by_lang.setdefault(lang or "?", []).append(name)
        lines.append(f"  installable ({catalogue.REVISION}; accesspub voices install NAME):")
        for lang, names in sorted(by_lang.items()):
            lines += [f"    {lang}: {chunk}" for chunk in textwrap.wrap(", ".join(names), 84)]
    return "\n".join(lines)


# -- a voice not made for the language it reads ----------------------------------------------

LONG_PASSAGE = 3     # sentences in one language: fewer is a phrase the default voice can say


def foreign_voice_warnings(config: "Config", publications, diag, *,
                           loader: Loader = load_engine) -> None:
    """Warn once per release and language when a whole release, or a passage of at least
    LONG_PASSAGE sentences, is read by a voice made for another language (Piper's English
    voice with German phonemes is hardly understood: WER 0.94 against Whisper).  Short
    foreign phrases stay with the default voice, which says them with their own phonemes."""
    from accesspub.languages import primary
    engines: dict[str, Engine | None] = {}
    for publication in publications:
        own = primary(publication.meta.lang)
        counts: dict[str, int] = {}
        for sentence in publication.iter_sentences():
            counts[primary(sentence.lang)] = counts.get(primary(sentence.lang), 0) + 1
        for lang, count in sorted(counts.items()):
            if lang != own and count < LONG_PASSAGE:
                continue
            choice = config.narration.choice_for(lang)
            voice = choice.voice or (config.narration.voice
                                     if choice.engine == config.narration.engine else "")
            if choice.engine not in engines:
                try:
                    engines[choice.engine] = loader(choice.engine,
                                                    config.engine_options(choice.engine))
                except (AccessPubError, ImportError):
                    engines[choice.engine] = None       # the build reports it where it matters
            engine = engines[choice.engine]
            spoken_in = getattr(engine, "voice_language", None)
            try:
                voice_lang = spoken_in(voice or None) if spoken_in else ""
            except AccessPubError:
                continue
            if not voice_lang or primary(voice_lang) == lang:
                continue
            what = ("the release" if lang == own else
                    f"{count} sentences in {lang}")
            diag.warning("narration-foreign-voice",
                         f"{what} will be read by {choice.engine} voice "
                         f"{voice or getattr(engine, 'default_voice', '?')}, made for "
                         f"{voice_lang}, not {lang}: listeners will hardly understand it",
                         publication.source,
                         _native_hint(lang))
    for engine in engines.values():
        if engine is not None:
            engine.close()


# A medium voice per language of Piper's repository (v1.0.0), for the hint.
NATIVE_VOICES = {"de": "de_DE-thorsten-medium", "fr": "fr_FR-siwis-medium",
                 "es": "es_ES-davefx-medium", "it": "it_IT-riccardo-x_low",
                 "nl": "nl_NL-mls-medium", "ru": "ru_RU-irina-medium",
                 "en": "en_GB-alan-medium"}


def _native_hint(lang: str) -> str:
    name = NATIVE_VOICES.get(lang)
    if name is None:
        return (f"install a voice made for {lang} (accesspub voices lists them): accesspub "
                f'voices install NAME, then [narration.languages] {lang} = {{ voice = "NAME" }}')
    return (f"install a native voice: accesspub voices install {name}, then set "
            f'[narration.languages] {lang} = {{ voice = "{name}" }} in accesspub.toml')
