"""accesspub.toml -> frozen dataclasses.  Every problem is reported with its key path, all at once."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accesspub.errors import ConfigError, Diagnostic, Diagnostics
from accesspub.model import SourceLocation

CONFIG_NAME = "accesspub.toml"
DEFAULT_CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"


@dataclass(frozen=True, slots=True)
class Pauses:
    """Silence in seconds; it grows with structure so a listener hears it."""

    sentence: float = 0.35
    paragraph: float = 0.7
    heading: float = 0.9
    chapter: float = 1.5


@dataclass(frozen=True, slots=True)
class VoiceChoice:
    """Which engine speaks a language, with which voice, and what to try when it fails."""

    engine: str
    voice: str = ""
    fallback: str = ""


@dataclass(frozen=True, slots=True)
class Narration:
    engine: str = "piper"
    voice: str = ""
    languages: tuple[tuple[str, VoiceChoice], ...] = ()
    jobs: int = 0                     # 0: one per core
    bitrate: str = "64k"
    loudness: float = -19.0           # LUFS, mono spoken word
    true_peak: float = -1.5           # dBTP ceiling (target below Apple's -1 dBTP)
    pauses: Pauses = Pauses()
    read_noterefs: bool = True        # say "note 1" where a footnote is referenced
    read_table_headers: bool = True   # say a data cell's column header before it

    def choice_for(self, lang: str) -> VoiceChoice:
        table = dict(self.languages)
        primary = lang.split("-")[0].lower()
        return table.get(lang) or table.get(primary) or VoiceChoice(self.engine, self.voice)


@dataclass(frozen=True, slots=True)
class Podcast:
    title: str = ""
    description: str = ""
    author: str = ""
    owner_name: str = ""
    owner_email: str = ""
    image: str = ""
    category: str = "News"
    subcategory: str = ""
    explicit: bool = False
    type: str = "episodic"
    locked: bool = True


@dataclass(frozen=True, slots=True)
class Config:
    root: Path
    content_dir: Path
    output_dir: Path
    cache_dir: Path
    language: str = "en"
    publisher: str = ""
    author: str = ""
    rights: str = ""
    base_url: str = ""
    number_format: str = ""            # locale whose number grouping the content uses, e.g. "de"
    certified_by: str = ""
    conformance: str = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"   # claimed only with certified_by
    accessibility_summary: str = ""
    ignore: frozenset[str] = frozenset()
    narration: Narration = Narration()
    engines: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    podcast: Podcast = Podcast()
    max_release_bytes: int = 5_000_000
    split_level: int = 3                       # headings down to h3 start a new chapter file and track
    detect_languages: bool = True              # detect undeclared languages of releases and passages
    diagnostics: tuple[Diagnostic, ...] = ()   # warnings found while loading

    def engine_options(self, name: str) -> dict[str, Any]:
        return dict(dict(self.engines).get(name, ()))


# key -> (type, field name); a section maps to its own table
_PROJECT_KEYS = {
    "content": str, "output": str, "cache": str, "language": str, "publisher": str,
    "author": str, "rights": str, "base_url": str, "number_format": str,
    "max_release_bytes": int, "split_level": int, "detect_languages": bool,
}
_A11Y_KEYS = {"certified_by": str, "conformance": str, "summary": str}
_NARRATION_KEYS = {
    "engine": str, "voice": str, "jobs": int, "bitrate": str, "loudness": (int, float),
    "true_peak": (int, float), "read_noterefs": bool, "read_table_headers": bool,
}
_PAUSE_KEYS = {"sentence": (int, float), "paragraph": (int, float), "heading": (int, float),
               "chapter": (int, float)}
_VOICE_KEYS = {"engine": str, "voice": str, "fallback": str}
_PODCAST_KEYS = {
    "title": str, "description": str, "author": str, "owner_name": str, "owner_email": str,
    "image": str, "category": str, "subcategory": str, "explicit": bool, "type": str,
    "locked": bool,
}
_CHECK_KEYS = {"ignore": list}
CONFORMANCE_VALUES = {
    f"EPUB Accessibility 1.1 - WCAG {v} Level {l}"
    for v in ("2.0", "2.1", "2.2") for l in ("A", "AA", "AAA")
}


def _typename(t: Any) -> str:
    if isinstance(t, tuple):
        return "number"
    return {str: "text", int: "whole number", bool: "true or false", list: "list"}[t]


def _take(table: dict, keys: dict, path: str, where: SourceLocation, diag: Diagnostics) -> dict:
    out = {}
    for key, value in table.items():
        if key not in keys:
            diag.warning("config-unknown-key", f"unknown key {path}{key} (ignored)", where,
                         f"known keys here: {', '.join(sorted(keys))}")
            continue
        expected = keys[key]
        if isinstance(value, bool) and expected in (int, (int, float)):
            ok = False
        else:
            ok = isinstance(value, expected)
        if not ok:
            diag.error("config-type", f"{path}{key} must be {_typename(expected)}, "
                       f"not {type(value).__name__} {value!r}", where)
            continue
        out[key] = value
    return out


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read ``root/accesspub.toml`` (optional) into a Config, reporting every problem at once."""
    root = root.resolve()
    path = root / CONFIG_NAME
    where = SourceLocation(CONFIG_NAME)
    diag = Diagnostics()
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise ConfigError(f"{CONFIG_NAME} is not UTF-8 text", where,
                              code="config-encoding", hint="save the file as UTF-8")
        except tomllib.TOMLDecodeError as exc:
            line = getattr(exc, "lineno", None)
            raise ConfigError(f"{CONFIG_NAME} is not valid TOML: {exc}",
                              SourceLocation(CONFIG_NAME, line), code="config-syntax",
                              hint="check quotes, brackets and '=' on that line")

    sections = {"project", "accessibility", "narration", "engine", "podcast", "check"}
    for key in data:
        if key not in sections:
            diag.warning("config-unknown-key", f"unknown table [{key}] (ignored)", where,
                         f"known tables: {', '.join(sorted(sections))}")

    def table(name: str) -> dict:
        value = data.get(name, {})
        if not isinstance(value, dict):
            diag.error("config-type", f"{name} must be a table [{name}]", where)
            return {}
        return value

    project = _take(table("project"), _PROJECT_KEYS, "project.", where, diag)
    a11y = _take(table("accessibility"), _A11Y_KEYS, "accessibility.", where, diag)
    narr_raw = dict(table("narration"))
    pauses_raw = narr_raw.pop("pauses", {})
    langs_raw = narr_raw.pop("languages", {})
    narration = _take(narr_raw, _NARRATION_KEYS, "narration.", where, diag)
    pauses = _take(pauses_raw if isinstance(pauses_raw, dict) else {}, _PAUSE_KEYS,
                   "narration.pauses.", where, diag)
    languages = []
    if isinstance(langs_raw, dict):
        for lang, choice in sorted(langs_raw.items()):
            if isinstance(choice, str):
                choice = {"engine": choice}
            if not isinstance(choice, dict) or "engine" not in choice:
                diag.error("config-type", f"narration.languages.{lang} must name an engine, "
                           "e.g. { engine = \"piper\" }", where)
                continue
            fields = _take(choice, _VOICE_KEYS, f"narration.languages.{lang}.", where, diag)
            if "engine" in fields:
                languages.append((lang, VoiceChoice(**fields)))
    engines_raw = table("engine")
    engines = tuple(sorted(
        (name, tuple(sorted(opts.items()))) for name, opts in engines_raw.items()
        if isinstance(opts, dict)))
    podcast = _take(table("podcast"), _PODCAST_KEYS, "podcast.", where, diag)
    check = _take(table("check"), _CHECK_KEYS, "check.", where, diag)

    for key, value in (overrides or {}).items():
        project[key] = value

    conformance = a11y.get("conformance", DEFAULT_CONFORMANCE)
    if conformance not in CONFORMANCE_VALUES:
        diag.error("config-conformance", f"accessibility.conformance {conformance!r} is not a "
                   "conformance statement reading systems recognise", where,
                   'use e.g. "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"')
    if not 2 <= project.get("split_level", 3) <= 6:
        diag.error("config-value", "project.split_level must be 2 to 6 (the deepest heading "
                   "that starts a chapter file)", where)
    if narration.get("jobs", 0) < 0:
        diag.error("config-value", "narration.jobs must be 0 (one per core) or more", where)

    diag.raise_if_errors(ConfigError)

    language = project.get("language", "en")
    from accesspub.languages import check_language_tag
    problem = check_language_tag(language)
    if problem:
        raise ConfigError(f"project.language: {problem}", where, code="config-language",
                          hint='use a BCP 47 tag such as "en" or "en-GB"')

    cache = os.environ.get("ACCESSPUB_CACHE") or project.get("cache", ".accesspub-cache")
    content_dir = root / project.get("content", "content")
    output_dir = root / project.get("output", "build")
    cache_dir = (root / cache) if not os.path.isabs(cache) else Path(cache)
    from accesspub.folders import check_places
    check_places(root, content_dir, output_dir, cache_dir, lambda key: where,
                 cache_from_env=bool(os.environ.get("ACCESSPUB_CACHE")))
    return Config(
        root=root,
        content_dir=content_dir,
        output_dir=output_dir,
        cache_dir=cache_dir,
        language=language,
        publisher=project.get("publisher", ""),
        author=project.get("author", ""),
        rights=project.get("rights", ""),
        base_url=project.get("base_url", ""),
        number_format=project.get("number_format", ""),
        max_release_bytes=project.get("max_release_bytes", 5_000_000),
        split_level=project.get("split_level", 3),
        detect_languages=project.get("detect_languages", True),
        certified_by=a11y.get("certified_by", ""),
        conformance=conformance,
        accessibility_summary=a11y.get("summary", ""),
        ignore=frozenset(check.get("ignore", [])),
        narration=Narration(
            languages=tuple(languages), pauses=Pauses(**pauses), **narration),
        engines=engines,
        podcast=Podcast(**podcast),
        diagnostics=tuple(diag.items),
    )
