"""accesspub.toml -> frozen dataclasses.  Every problem is reported with its key path and
its line (``accesspub.toml:LINE``), all at once, before anything is read or spoken."""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accesspub.languages import primary
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


WORKER_MEMORY_FRAMES = 0        # no limit by default: docs/cluster.md "Worker memory" says why


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
    # Where synthesis runs and where the clips are kept: not part of what the narration
    # sounds like, so left out of repr (the finished-narration cache key).
    cluster: str = field(default="", repr=False, compare=False)        # "tcp://…", "local:N"
    shared_cache: str = field(default="", repr=False, compare=False)   # clip cache all workers see
    # Latent frames (~11.6 ms of speech each) a synthesis worker process speaks at once
    # over all its threads: bounds its memory (docs/cluster.md "Worker memory"); 0: none.
    worker_memory_frames: int = field(default=WORKER_MEMORY_FRAMES, repr=False, compare=False)

    def choice_for(self, lang: str) -> VoiceChoice:
        table = dict(self.languages)
        return table.get(lang) or table.get(primary(lang)) or VoiceChoice(self.engine, self.voice)


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
    detect_among: tuple[str, ...] | None = None   # languages detection may choose; None: the default
    outputs: tuple[str, ...] = ("daisy", "m4b", "lpf")   # listening formats made from the narration
    diagnostics: tuple[Diagnostic, ...] = ()   # warnings found while loading

    def engine_options(self, name: str) -> dict[str, Any]:
        return dict(dict(self.engines).get(name, ()))


# key -> (type, field name); a section maps to its own table
_PROJECT_KEYS = {
    "content": str, "output": str, "cache": str, "language": str, "publisher": str,
    "author": str, "rights": str, "base_url": str, "number_format": str,
    "max_release_bytes": int, "split_level": int, "detect_languages": bool,
    "detect_among": list,
}
_A11Y_KEYS = {"certified_by": str, "conformance": str, "summary": str}
_NARRATION_KEYS = {
    "engine": str, "voice": str, "jobs": int, "bitrate": str, "loudness": (int, float),
    "true_peak": (int, float), "read_noterefs": bool, "read_table_headers": bool,
    "cluster": str, "shared_cache": str, "worker_memory_frames": int,
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
_OUTPUT_KEYS = {"formats": list}
OUTPUT_FORMATS = ("daisy", "m4b", "lpf")
# One line per listening format on who it is for: the release page and report.json say it.
OUTPUT_AUDIENCES = {
    "daisy": "for DAISY players such as Victor Reader Stream, Plextalk, Dolphin EasyReader "
             "and Thorium: text and audio, navigable by heading",
    "m4b": "for audiobook apps (Apple Books, Smart AudioBook Player, BookPlayer): one file "
           "with chapters",
    "lpf": "for Readium-based players (Thorium and others) that open W3C audiobooks",
}
CONFORMANCE_VALUES = {
    f"EPUB Accessibility 1.1 - WCAG {v} Level {l}"
    for v in ("2.0", "2.1", "2.2") for l in ("A", "AA", "AAA")
}


def _typename(t: Any) -> str:
    if isinstance(t, tuple):
        return "number"
    return {str: "text", int: "whole number", bool: "true or false", list: "list"}[t]


# A TOML key: bare, "basic" or 'literal'; dotted keys are several joined by dots.
_KEY = r"""[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'"""
_DOTTED = rf"(?:{_KEY})(?:\s*\.\s*(?:{_KEY}))*"
_HEADER = re.compile(rf"\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"\s*({_DOTTED})\s*=(.*)")
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'[^']*'""")


def _key_parts(dotted: str) -> tuple[str, ...]:
    return tuple(p[1:-1] if p[0] in "\"'" else p for p in re.findall(_KEY, dotted))


def _nesting(value: str) -> int:
    """Brackets and braces a value opens and leaves open (strings and comments aside)."""
    bare = _STRING.sub("", value).split("#")[0]
    return bare.count("[") + bare.count("{") - bare.count("]") - bare.count("}")


class ConfigLines:
    """Where each table and key of accesspub.toml is written, so that every message about
    a setting names its line: ``ConfigLines(text)("narration.voice")`` -> accesspub.toml:12.

    A key path not written in the file (a default) gets the line of its nearest table that
    is, else no line.  Reads lines as TOML writes them; it need not be a full parser,
    because tomllib has accepted the file already.
    """

    def __init__(self, text: str = "") -> None:
        self.entries: list[tuple[tuple[str, ...], int]] = []
        table: tuple[str, ...] = ()
        open_string, depth = "", 0
        for number, line in enumerate(text.splitlines(), 1):
            if open_string or depth > 0:          # inside a multi-line string or array
                if open_string and line.count(open_string) % 2:
                    open_string = ""
                elif not open_string:
                    depth += _nesting(line)
                continue
            header, assign = _HEADER.match(line), _ASSIGN.match(line)
            if header and not assign:
                table = _key_parts(header.group(1))
                self.entries.append((table, number))
            elif assign:
                parts = _key_parts(assign.group(1))
                # "pauses.sentence = 0.3" writes the table narration.pauses here too.
                self.entries.extend((table + parts[:n], number)
                                    for n in range(len(parts), 0, -1))
                value = assign.group(2)
                for quote in ('"""', "'''"):
                    if value.count(quote) % 2:
                        open_string = quote
                if not open_string:
                    depth = _nesting(value)

    def line(self, key: str) -> int | None:
        wanted = tuple(key.split("."))
        best, found = 0, None
        for path, number in self.entries:
            if len(path) > best and wanted[:len(path)] == path:
                best, found = len(path), number
        return found

    def __call__(self, key: str) -> SourceLocation:
        return SourceLocation(CONFIG_NAME, self.line(key))


def config_location(root: Path, key: str) -> SourceLocation:
    """``accesspub.toml:LINE`` of ``key`` ("podcast.image") in the project at ``root``, for
    errors found after loading (the feed, the site); without a line if it cannot be read."""
    try:
        text = (root / CONFIG_NAME).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    return ConfigLines(text)(key)


def _take(table: dict, keys: dict, path: str, at: ConfigLines, diag: Diagnostics) -> dict:
    out = {}
    for key, value in table.items():
        if key not in keys:
            diag.warning("config-unknown-key", f"unknown key {path}{key} (ignored)",
                         at(path + key), f"known keys here: {', '.join(sorted(keys))}")
            continue
        expected = keys[key]
        if isinstance(value, bool) and expected in (int, (int, float)):
            ok = False
        else:
            ok = isinstance(value, expected)
        if not ok:
            diag.error("config-type", f"{path}{key} must be {_typename(expected)}, "
                       f"not {type(value).__name__} {value!r}", at(path + key))
            continue
        out[key] = value
    return out


# Bit rates of MPEG-1 Layer III: the narration is always encoded at 44.1 kHz, where LAME
# turns any other figure into the nearest of these without a word.
MP3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
# (key, lowest, highest, unit): numbers outside these are typos, not preferences.
_RANGES = (
    ("narration.loudness", -40.0, -5.0, "LUFS"),
    ("narration.true_peak", -10.0, 0.0, "dBTP"),
    *((f"narration.pauses.{name}", 0.0, 10.0, "seconds") for name in _PAUSE_KEYS),
)
MAX_JOBS = 256


def max_jobs() -> int:
    """The most synthesis jobs that can help: more processes than this only hold memory."""
    return min(MAX_JOBS, 4 * (os.cpu_count() or 1))


def _check_values(values: dict[str, Any], at: ConfigLines, diag: Diagnostics) -> None:
    """Ranges of the values whose type is right already; ``values``: key path -> value."""
    for key, low, high, unit in _RANGES:
        value = values.get(key)
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            diag.error("config-value", f"{key} must be {low:g} to {high:g} {unit}, "
                       f"not {value!r}", at(key))
    bitrate = values.get("narration.bitrate")
    rate = re.fullmatch(r"(\d{1,3})k", bitrate) if bitrate is not None else None
    if bitrate is not None and (rate is None or int(rate.group(1)) not in MP3_BITRATES):
        diag.error("config-value", f"narration.bitrate {bitrate!r} is not an MP3 bit rate",
                   at("narration.bitrate"), "write it like \"64k\": one of "
                   f"{', '.join(f'{r}k' for r in MP3_BITRATES)} (64k suits speech)")
    jobs = values.get("narration.jobs")
    if jobs is not None and not 0 <= jobs <= max_jobs():
        diag.error("config-value", f"narration.jobs must be 0 (one per core) to "
                   f"{max_jobs()}, not {jobs}", at("narration.jobs"),
                   f"this machine has {os.cpu_count() or 1} core(s); more jobs than 4 per "
                   "core only hold memory")
    frames = values.get("narration.worker_memory_frames")
    if frames is not None and not 0 <= frames <= 100_000:
        diag.error("config-value", f"narration.worker_memory_frames must be 0 (no limit) to "
                   f"100000, not {frames}", at("narration.worker_memory_frames"),
                   "latent frames a synthesis worker speaks at once, ~11.6 ms of speech "
                   "each; see docs/cluster.md \"Worker memory\"")
    if not 2 <= values.get("project.split_level", 3) <= 6:
        diag.error("config-value", "project.split_level must be 2 to 6 (the deepest heading "
                   "that starts a chapter file)", at("project.split_level"))
    for entry in values.get("check.ignore", []):
        if not isinstance(entry, str):
            diag.error("config-type", f"check.ignore must list codes as text, not "
                       f"{type(entry).__name__} {entry!r}", at("check.ignore"),
                       'e.g. ignore = ["style-long-sentence"]')


def _syntax_error(exc: tomllib.TOMLDecodeError, text: str) -> ConfigError:
    """tomllib (3.11) says where only inside its message: "… (at line 3, column 9)"."""
    message = str(exc)
    found = re.search(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$", message)
    line = None
    if found:
        message = message[:found.start()]
        line = int(found.group(1)) if found.group(1) else max(1, len(text.splitlines()))
        if found.group(2):
            message += f" (column {found.group(2)})"
    return ConfigError(f"not valid TOML: {message}", SourceLocation(CONFIG_NAME, line),
                       code="config-syntax", hint="check quotes, brackets and '=' on that line")


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{CONFIG_NAME} is not UTF-8 text", SourceLocation(CONFIG_NAME, line),
                          code="config-encoding", hint="save the file as UTF-8") from None


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read ``root/accesspub.toml`` (optional) into a Config, reporting every problem at once,
    each at its line."""
    root = root.resolve()
    path = root / CONFIG_NAME
    diag = Diagnostics()
    data: dict[str, Any] = {}
    text = ""
    if path.exists():
        text = _read(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise _syntax_error(exc, text) from None
    at = ConfigLines(text)

    sections = {"project", "accessibility", "narration", "engine", "podcast", "check", "outputs"}
    for key in data:
        if key not in sections:
            diag.warning("config-unknown-key", f"unknown table [{key}] (ignored)", at(key),
                         f"known tables: {', '.join(sorted(sections))}")

    def table(name: str, within: dict = data, prefix: str = "") -> dict:
        value = within.get(name, {})
        if not isinstance(value, dict):
            diag.error("config-type", f"{prefix}{name} must be a table [{prefix}{name}]",
                       at(prefix + name))
            return {}
        return value

    project = _take(table("project"), _PROJECT_KEYS, "project.", at, diag)
    a11y = _take(table("accessibility"), _A11Y_KEYS, "accessibility.", at, diag)
    narr_raw = dict(table("narration"))
    pauses_raw = table("pauses", narr_raw, "narration.")
    langs_raw = table("languages", narr_raw, "narration.")
    narr_raw.pop("pauses", None)
    narr_raw.pop("languages", None)
    narration = _take(narr_raw, _NARRATION_KEYS, "narration.", at, diag)
    pauses = _take(pauses_raw, _PAUSE_KEYS, "narration.pauses.", at, diag)
    languages = []
    for lang, choice in sorted(langs_raw.items()):
        if isinstance(choice, str):
            choice = {"engine": choice}
        if isinstance(choice, dict) and "voice" in choice and "engine" not in choice:
            # A voice alone belongs to the narration's engine: de = { voice = "de_DE-…" }.
            choice = {**choice, "engine": narration.get("engine", Narration().engine)}
        if not isinstance(choice, dict) or "engine" not in choice:
            diag.error("config-type", f"narration.languages.{lang} must name an engine, "
                       "e.g. { engine = \"piper\" }", at(f"narration.languages.{lang}"))
            continue
        fields = _take(choice, _VOICE_KEYS, f"narration.languages.{lang}.", at, diag)
        if "engine" in fields:
            languages.append((lang, VoiceChoice(**fields)))
    engines_raw = table("engine")
    for name, opts in engines_raw.items():
        if not isinstance(opts, dict):
            diag.error("config-type", f"engine.{name} must be a table [engine.{name}]",
                       at(f"engine.{name}"))
    engines = tuple(sorted(
        (name, tuple(sorted(opts.items()))) for name, opts in engines_raw.items()
        if isinstance(opts, dict)))
    podcast = _take(table("podcast"), _PODCAST_KEYS, "podcast.", at, diag)
    check = _take(table("check"), _CHECK_KEYS, "check.", at, diag)
    outputs = _take(table("outputs"), _OUTPUT_KEYS, "outputs.", at, diag)
    formats = tuple(outputs.get("formats", OUTPUT_FORMATS))
    for name in formats:
        if name not in OUTPUT_FORMATS:
            diag.error("config-value", f"outputs.formats: {name!r} is not a format accesspub "
                       "makes", at("outputs.formats"), f"choose from {', '.join(OUTPUT_FORMATS)}")

    for key, value in (overrides or {}).items():
        project[key] = value

    conformance = a11y.get("conformance", DEFAULT_CONFORMANCE)
    if conformance not in CONFORMANCE_VALUES:
        diag.error("config-conformance", f"accessibility.conformance {conformance!r} is not a "
                   "conformance statement reading systems recognise",
                   at("accessibility.conformance"),
                   'use e.g. "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"')
    values = {f"{section}.{key}": value for section, table_ in (
        ("project", project), ("narration", narration), ("narration.pauses", pauses),
        ("check", check)) for key, value in table_.items()}
    _check_values(values, at, diag)
    diag.raise_if_errors(ConfigError)

    from accesspub.engines.select import check_choices
    voice_settings = Narration(languages=tuple(languages), **narration)
    for problem in check_choices(voice_settings, {k: dict(v) for k, v in engines}):
        diag.add(problem.level, problem.code, problem.message, at(problem.key), problem.hint)
    diag.raise_if_errors(ConfigError)

    language = project.get("language", "en")
    from accesspub.languages import check_language_tag
    problem = check_language_tag(language)
    if problem:
        raise ConfigError(f"project.language: {problem}", at("project.language"),
                          code="config-language",
                          hint='use a BCP 47 tag such as "en" or "en-GB"')

    for tag in project.get("detect_among", []):
        problem = check_language_tag(tag) if isinstance(tag, str) else f"{tag!r} is not text"
        if problem:
            diag.error("config-language", f"project.detect_among: {problem}",
                       at("project.detect_among"), 'list BCP 47 tags, e.g. ["en", "cy"]')
    diag.raise_if_errors(ConfigError)

    cache = os.environ.get("ACCESSPUB_CACHE") or project.get("cache", ".accesspub-cache")
    content_dir = root / project.get("content", "content")
    output_dir = root / project.get("output", "build")
    cache_dir = (root / cache) if not os.path.isabs(cache) else Path(cache)
    from accesspub.folders import check_places
    check_places(root, content_dir, output_dir, cache_dir, at,
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
        detect_among=(tuple(dict.fromkeys(primary(t) for t in project["detect_among"]))
                      if "detect_among" in project else None),
        certified_by=a11y.get("certified_by", ""),
        conformance=conformance,
        accessibility_summary=a11y.get("summary", ""),
        ignore=frozenset(check.get("ignore", [])),
        outputs=tuple(dict.fromkeys(formats)),
        narration=Narration(
            languages=tuple(languages), pauses=Pauses(**pauses), **narration),
        engines=engines,
        podcast=Podcast(**podcast),
        diagnostics=tuple(diag.items),
    )
