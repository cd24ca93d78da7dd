"""Find releases in content/, read their files, split front matter, tokenise with markdown-it.

A release is ``content/<slug>.md`` or a folder ``content/<slug>/`` whose Markdown files are
its chapters in name order.  Every token keeps its source line so diagnostics name file:line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from accesspub.config import Config
from accesspub.errors import ContentError
from accesspub.model import SourceLocation

MARKDOWN_SUFFIXES = (".md", ".markdown")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path                 # absolute
    display: str               # relative to the project, for diagnostics
    text: str
    tokens: tuple[Token, ...]
    front_matter: dict[str, Any]
    front_matter_lines: dict[str, int]   # key -> line, for diagnostics


@dataclass(frozen=True, slots=True)
class RawRelease:
    slug: str
    root: Path                 # the folder the release's relative paths resolve against
    files: tuple[SourceFile, ...]

    @property
    def front_matter(self) -> dict[str, Any]:
        return self.files[0].front_matter

    @property
    def location(self) -> SourceLocation:
        return SourceLocation(self.files[0].display, 1)


def markdown_parser() -> MarkdownIt:
    """CommonMark plus tables, strikethrough, footnotes, front matter and {attributes}."""
    return (
        MarkdownIt("commonmark", {"html": True})
        .enable(["table", "strikethrough"])
        .use(front_matter_plugin)
        .use(footnote_plugin)
        .use(attrs_plugin, spans=True)
        .use(attrs_block_plugin)
    )


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _slugify(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-.")
    return slug or "release"


def find_releases(config: Config) -> list[tuple[str, list[Path]]]:
    """(slug, markdown files in order) for every release in the content folder, sorted."""
    content = config.content_dir
    if not content.is_dir():
        raise ContentError(f"no content folder at {_display(content, config.root)}",
                           SourceLocation(_display(content, config.root)),
                           code="content-missing",
                           hint="create it and put a release in it, or run 'accesspub new DIR'")
    releases = []
    for entry in sorted(content.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file() and entry.suffix.lower() in MARKDOWN_SUFFIXES:
            releases.append((_slugify(entry.stem), [entry]))
        elif entry.is_dir():
            files = sorted(p for p in entry.iterdir()
                           if p.is_file() and p.suffix.lower() in MARKDOWN_SUFFIXES
                           and not p.name.startswith((".", "_")))
            if files:
                releases.append((_slugify(entry.name), files))
    return releases


def _decode(path: Path, display: str, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            SourceLocation(display, line), code="content-encoding",
            hint="save the file as UTF-8 (most editors: 'Save with encoding')") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    # Control characters are invalid in XML; they are never meant as content.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]", "", text).replace("\r\n", "\n").replace("\r", "\n")


def _front_matter(tokens: list[Token], display: str) -> tuple[dict[str, Any], dict[str, int]]:
    if not tokens or tokens[0].type != "front_matter":
        return {}, {}
    token = tokens[0]
    first_line = (token.map[0] if token.map else 0) + 2   # the line after the opening ---
    node = None
    try:
        node = yaml.compose(token.content, Loader=yaml.SafeLoader)
        data = yaml.safe_load(token.content)
    except ValueError as exc:       # a well-formed but impossible value, e.g. date: 2024-02-30
        line = first_line
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                try:
                    yaml.safe_load(yaml.serialize(value_node))
                except ValueError:
                    line = first_line + key_node.start_mark.line
                    break
        raise ContentError(f"front matter value is not valid: {exc}", SourceLocation(display, line),
                           code="front-matter-syntax",
                           hint="check the value on that line (dates as YYYY-MM-DD, e.g. 2024-02-29)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark else first_line - 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(f"front matter is not valid YAML: {problem}",
                           SourceLocation(display, line), code="front-matter-syntax",
                           hint="check the indentation and quote values that contain ':'") from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ContentError("front matter must be a set of 'key: value' lines",
                           SourceLocation(display, first_line), code="front-matter-syntax",
                           hint="write e.g. 'title: My release' between the --- lines")
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = first_line + key_node.start_mark.line
    return {str(k): v for k, v in data.items()}, lines


def read_file(path: Path, config: Config, parser: MarkdownIt | None = None) -> SourceFile:
    display = _display(path, config.root)
    data = path.read_bytes()
    if len(data) > config.max_release_bytes:
        raise ContentError(
            f"file is {len(data):,} bytes, over the limit of {config.max_release_bytes:,}",
            SourceLocation(display), code="content-too-large",
            hint="split it into chapter files in a folder, or raise project.max_release_bytes")
    text = _decode(path, display, data)
    tokens = (parser or markdown_parser()).parse(text)
    front, lines = _front_matter(tokens, display)
    return SourceFile(path, display, text, tuple(tokens), front, lines)


def read_release(slug: str, files: list[Path], config: Config) -> RawRelease:
    parser = markdown_parser()
    sources = tuple(read_file(p, config, parser) for p in files)
    root = files[0].parent
    return RawRelease(slug, root, sources)
