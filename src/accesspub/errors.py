"""Errors and diagnostics a user can act on.

    AccessPubError(message, location, code, hint)
    ├── ConfigError        accesspub.toml or command-line options      (exit 2)
    ├── ContentError       a release: Markdown, front matter, images   (exit 1)
    ├── EngineError        a speech engine failed                      (exit 1)
    │   └── EngineUnavailable   the engine is not installed or not reachable
    └── ToolError          an external tool (ffmpeg, EPUBCheck) failed (exit 1)

The library raises; only ``cli.py`` turns errors into exit codes.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from accesspub.model import SourceLocation

Level = Literal["error", "warning", "notice"]


class AccessPubError(Exception):
    """A problem the user can fix, located in a file when possible."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        location: SourceLocation | None = None,
        *,
        code: str = "error",
        hint: str | None = None,
        diagnostics: tuple["Diagnostic", ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.code = code
        self.hint = hint
        self.diagnostics = diagnostics

    def as_diagnostic(self) -> "Diagnostic":
        return Diagnostic("error", self.code, self.message, self.location, self.hint)

    def __str__(self) -> str:
        if self.diagnostics:
            return "\n".join(str(d) for d in self.diagnostics)
        return str(self.as_diagnostic())


class ConfigError(AccessPubError):
    exit_code = 2


class ContentError(AccessPubError):
    pass


class EngineError(AccessPubError):
    pass


class EngineUnavailable(EngineError):
    pass


class ToolError(AccessPubError):
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: ``file:line: level code: message`` plus a fix hint."""

    level: Level
    code: str
    message: str
    location: SourceLocation | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{self.level} {self.code}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_json(self) -> dict:
        return {
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "file": str(self.location.path) if self.location else None,
            "line": self.location.line if self.location else None,
            "hint": self.hint,
        }


class Diagnostics:
    """Collects diagnostics during a build; codes listed in ``ignore`` are dropped."""

    def __init__(self, ignore: frozenset[str] = frozenset()) -> None:
        self.ignore = ignore
        self.items: list[Diagnostic] = []
        self.scoped: dict[str, frozenset[str]] = {}   # file or folder -> codes ignored there

    def ignore_in(self, scope: str, codes: frozenset[str]) -> None:
        """Ignore ``codes`` for locations in ``scope`` (a file, or a folder ending in "/"):
        a release's front matter ``ignore:``.  Findings already collected there are dropped."""
        self.scoped[scope] = self.scoped.get(scope, frozenset()) | frozenset(codes)
        self.items = [d for d in self.items if not self._ignored(d.level, d.code, d.location)]

    def _ignored(self, level: Level, code: str, location: SourceLocation | None) -> bool:
        if level == "error":
            return False
        if code in self.ignore:
            return True
        if location is None:
            return False
        return any(code in codes and (location.path == scope or
                                      (scope.endswith("/") and location.path.startswith(scope)))
                   for scope, codes in self.scoped.items())

    def add(self, level: Level, code: str, message: str,
            location: SourceLocation | None = None, hint: str | None = None) -> None:
        if self._ignored(level, code, location):
            return
        self.items.append(Diagnostic(level, code, message, location, hint))

    def error(self, code: str, message: str, location: SourceLocation | None = None,
              hint: str | None = None) -> None:
        self.add("error", code, message, location, hint)

    def warning(self, code: str, message: str, location: SourceLocation | None = None,
                hint: str | None = None) -> None:
        self.add("warning", code, message, location, hint)

    def notice(self, code: str, message: str, location: SourceLocation | None = None,
               hint: str | None = None) -> None:
        self.add("notice", code, message, location, hint)

    def extend(self, items) -> None:
        """Add findings made elsewhere (e.g. while loading the config), honouring ``ignore``."""
        for item in items:
            self.add(item.level, item.code, item.message, item.location, item.hint)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "warning"]

    def raise_if_errors(self, cls: type[AccessPubError] = ContentError) -> None:
        errors = self.errors
        if errors:
            first = errors[0]
            raise cls(first.message, first.location, code=first.code, hint=first.hint,
                      diagnostics=tuple(errors))
