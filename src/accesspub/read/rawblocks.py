"""The blocks of a release as read, before they are frozen into the model: what the
Markdown block parser and the HTML block converter both make."""

from __future__ import annotations

from dataclasses import dataclass, field

from accesspub.model import Run, SourceLocation


@dataclass
class RawBlock:
    kind: str
    where: SourceLocation
    lang: str
    runs: list[Run] = field(default_factory=list)
    children: list["RawBlock"] = field(default_factory=list)
    level: int = 0
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class RawFootnote:
    key: str
    where: SourceLocation
    blocks: list[RawBlock]
