"""Find releases in content/, read their files, split front matter, tokenise with markdown-it.

A release is ``content/<slug>.md`` or a folder ``content/<slug>/`` whose Markdown files are
its chapters in name order.  Every token keeps its source line so diagnostics name file:line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from accesspub.config import Config
from accesspub.folders import within
from accesspub.errors import ContentError, Diagnostic
from accesspub.model import SourceLocation
from accesspub.read.templates import preprocess

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
    # findings made while reading (template syntax, coerced front matter values), reported
    # when the file's blocks are parsed: (level, code, message, line, hint)
    notes: tuple[tuple[str, str, str, int, str], ...] = ()


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


# markdown-it stops reading a container nested deeper than ``maxNesting`` and drops the
# rest of it without a word (the preset's 20 lost list levels 10+).  The parser is given
# room past the depth accesspub accepts (blocks.MAX_NESTING), so anything it would drop is
# reported there as an error first; its own recursion stays far from Python's limit.
PARSER_MAX_NESTING = 100


def markdown_parser() -> MarkdownIt:
    """CommonMark plus tables, strikethrough, footnotes, front matter and {attributes}."""
    return (
        MarkdownIt("commonmark", {"html": True, "maxNesting": PARSER_MAX_NESTING})
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


# What the site writes at the root of the output folder, next to the release folders: a
# release named like one of them would collide with it (the names of writers/site.py,
# writers/feed.py and build.write_report; tests/test_safe_inputs.py keeps them in step).
RESERVED_SLUGS = frozenset({"index.html", "site.css", "player.js", "feed.xml", "report.json",
                            "podcast.jpg", "podcast.png"})


def _outside(path: Path, config: Config) -> Diagnostic:
    try:
        target = str(path.resolve())
    except (OSError, RuntimeError):
        target = "a link that leads nowhere (a loop)"
    return Diagnostic("error", "source-outside-project",
                      f"{_display(path, config.root)} leads to {target}, outside the project "
                      "folder: it is not read", SourceLocation(_display(path, config.root)),
                      "copy the file into the project instead of linking to it: nothing "
                      "outside the project folder is ever read or published")


def _markdown_files(folder: Path, root: Path, config: Config, problems: list) -> list[Path]:
    files = []
    for path in sorted(folder.iterdir()):
        if (path.name.startswith((".", "_")) or path.suffix.lower() not in MARKDOWN_SUFFIXES
                or not path.is_file()):
            continue
        if within(path, root) is None:
            problems.append(_outside(path, config))
        else:
            files.append(path)
    return files


def _name_problems(releases: list[tuple[str, list[Path], Path]], config: Config) -> list:
    """Two releases with one name, or a release named like a file of the site: both would
    be written to the same place in the output folder."""
    output = _display(config.output_dir, config.root)
    problems, first = [], {}
    for slug, _, entry in releases:
        where = _display(entry, config.root)
        if slug in first:
            problems.append(Diagnostic(
                "error", "release-name-taken",
                f"{where} and {first[slug]} would both be the release '{slug}' ({output}/{slug}/)",
                SourceLocation(where),
                "rename one of them: a release is named after its file or folder, in lower "
                "case, with every other character made '-'"))
        elif slug in RESERVED_SLUGS:
            problems.append(Diagnostic(
                "error", "release-name-taken",
                f"{where} would be the release '{slug}', but {output}/{slug} is a file of the site",
                SourceLocation(where),
                f"rename it: {', '.join(sorted(RESERVED_SLUGS))} are the site's own names"))
        first.setdefault(slug, where)
    return problems


def find_releases(config: Config) -> list[tuple[str, list[Path]]]:
    """(slug, markdown files in order) for every release in the content folder, sorted.

    As for images, links are resolved first and nothing outside the project is read; two
    releases that would be written to the same place are refused.  Every such problem is
    reported at once, before anything is read or spoken.
    """
    content = config.content_dir
    if not content.is_dir():
        raise ContentError(f"no content folder at {_display(content, config.root)}",
                           SourceLocation(_display(content, config.root)),
                           code="content-missing",
                           hint="create it and put a release in it, or run 'accesspub new DIR'")
    root = config.root.resolve()
    if within(content, root) is None:
        problem = _outside(content, config)
        raise ContentError(problem.message, problem.location, code=problem.code,
                           hint=problem.hint)
    problems: list[Diagnostic] = []
    releases: list[tuple[str, list[Path], Path]] = []
    for entry in sorted(content.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file() and entry.suffix.lower() in MARKDOWN_SUFFIXES:
            if within(entry, root) is None:
                problems.append(_outside(entry, config))
            else:
                releases.append((_slugify(entry.stem), [entry], entry))
        elif entry.is_dir():
            if within(entry, root) is None:
                problems.append(_outside(entry, config))
                continue
            files = _markdown_files(entry, root, config, problems)
            if files:
                releases.append((_slugify(entry.name), files, entry))
    problems.extend(_name_problems(releases, config))
    if problems:
        first = problems[0]
        raise ContentError(first.message, first.location, code=first.code, hint=first.hint,
                           diagnostics=tuple(problems))
    return [(slug, files) for slug, files, _ in releases]


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


# A YAML alias repeats a value without copying it, so ten lines of aliases can stand for
# a billion values ("billion laughs") that any str() or walk over them would expand.
# Front matter never needs more than a few repeats: past this many values, expanded, the
# front matter is refused before anything reads it.
MAX_FRONT_MATTER_VALUES = 10_000


class _FrontMatterLoader(yaml.SafeLoader):
    """The SafeLoader, remembering the line of every alias it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_lines: list[int] = []

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.alias_lines.append(self.peek_event().start_mark.line)
        return super().compose_node(parent, index)


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """How many values the node graph stands for with every alias expanded (stops counting
    past ``limit``).  Sizes of shared nodes are remembered, so the walk is over the graph,
    not over its expansion."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()        # on the path from the root: met again, a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if not done and id(node) in open_nodes:
            return limit + 1            # "&a [*a]": a value that contains itself
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done or not children:
            sizes[id(node)] = min(limit + 1, 1 + sum(sizes.get(id(c), 0) for c in children))
            continue
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _compose(content: str, display: str, first_line: int) -> tuple[Any, Any]:
    """The YAML node graph of the front matter and its Python value, refusing alias bombs
    and nesting Python cannot construct."""
    loader = _FrontMatterLoader(content)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        if loader.alias_lines and _expanded_size(node, MAX_FRONT_MATTER_VALUES) > \
                MAX_FRONT_MATTER_VALUES:
            raise ContentError(
                f"front matter aliases expand to more than {MAX_FRONT_MATTER_VALUES:,} "
                "values: it is not read", SourceLocation(display, first_line + loader.alias_lines[0]),
                code="front-matter-aliases",
                hint="write the values out instead of repeating them with &anchors and *aliases")
        return node, loader.construct_document(node)
    except RecursionError:
        raise ContentError("front matter is nested too deeply to be read",
                           SourceLocation(display, first_line), code="nesting-too-deep",
                           hint="front matter needs 'key: value' lines and simple lists, "
                                "not lists inside lists") from None
    finally:
        loader.dispose()


def _front_matter(tokens: list[Token], display: str) -> tuple[dict[str, Any], dict[str, int]]:
    if not tokens or tokens[0].type != "front_matter":
        return {}, {}
    token = tokens[0]
    first_line = (token.map[0] if token.map else 0) + 2   # the line after the opening ---
    node = None
    try:
        node, data = _compose(token.content, display, first_line)
    except ValueError as exc:       # a well-formed but impossible value, e.g. date: 2024-02-30
        line = first_line
        try:
            node = yaml.compose(token.content, Loader=yaml.SafeLoader)
        except (yaml.YAMLError, RecursionError):
            node = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                try:
                    yaml.SafeLoader("").construct_object(value_node, deep=True)
                except ValueError:
                    line = first_line + key_node.start_mark.line
                    break
                except Exception:
                    continue
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
            if isinstance(key_node, yaml.ScalarNode):
                lines[str(key_node.value)] = first_line + key_node.start_mark.line
    return {str(k): v for k, v in data.items()}, lines


# Front matter keys whose value is text (a YAML number or yes/no there is meant as text).
TEXT_KEYS = {"title", "subtitle", "description", "summary", "excerpt", "abstract", "publisher",
             "rights", "copyright", "license", "identifier", "id", "author", "creator",
             "language", "lang", "locale"}
DATE_KEYS = {"date"}
MONTH_NAMES = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december"
    .split(), start=1)}
MONTH_NAMES.update({m[:3]: i for m, i in list(MONTH_NAMES.items())})
MONTH_NAMES["sept"] = 9


def coerce_date(value: str) -> "dt.date | None":
    """A date written the ways other tools write it: ``2019-03-05 10:00:00 +0000``,
    ``2019-03-05T10:00:00Z``, ``2019/03/05``, ``March 5, 2019``, ``5 Mar 2019``,
    ``Tue, 05 Mar 2019 10:00:00 +0000`` (RFC 2822)."""
    import datetime as dt
    text = " ".join(str(value).strip().split())
    m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T ])", text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    text = re.sub(r"^[A-Za-z]{3,9}, ", "", text)        # a weekday: "Tue, 05 Mar 2019"
    m = re.match(r"^([A-Za-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\b", text)
    if m and m[1].lower() in MONTH_NAMES:
        day, month, year = int(m[2]), MONTH_NAMES[m[1].lower()], int(m[3])
    else:
        m = re.match(r"^(\d{1,2})(?:st|nd|rd|th)?\.? ([A-Za-z]{3,9})\.?,? (\d{4})\b", text)
        if not (m and m[2].lower() in MONTH_NAMES):
            return None
        day, month, year = int(m[1]), MONTH_NAMES[m[2].lower()], int(m[3])
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _coerce_front_matter(front: dict[str, Any], lines: dict[str, int], tokens: list[Token],
                         notes: list) -> dict[str, Any]:
    """Values written for other tools, made what accesspub expects (each change noted)."""
    import datetime as dt
    if not front:
        return front
    raw: dict[str, str] = {}
    try:
        node = yaml.compose(tokens[0].content, Loader=yaml.SafeLoader)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and isinstance(value_node, yaml.ScalarNode):
                    raw[str(key_node.value)] = value_node.value
    except (yaml.YAMLError, RecursionError):
        pass
    out = dict(front)
    for key, value in front.items():
        lowered = key.lower()
        if lowered in TEXT_KEYS and isinstance(value, (bool, int, float, dt.date)) and key in raw:
            out[key] = raw[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                notes.append(("notice", "front-matter-coerced",
                              f"{key}: {raw[key]!r} read as text", lines.get(key, 1),
                              f"quote it to make that clear: {key}: \"{raw[key]}\""))
        elif lowered in DATE_KEYS and isinstance(value, str):
            date = coerce_date(value)
            if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                out[key] = date
                notes.append(("notice", "front-matter-coerced",
                              f"{key}: {value!r} read as {date.isoformat()}", lines.get(key, 1),
                              f"write it as {key}: {date.isoformat()}"))
        elif lowered in DATE_KEYS and isinstance(value, dt.datetime):
            out[key] = value.date()
    return out


def read_file(path: Path, config: Config, parser: MarkdownIt | None = None) -> SourceFile:
    display = _display(path, config.root)
    data = path.read_bytes()
    if len(data) > config.max_release_bytes:
        raise ContentError(
            f"file is {len(data):,} bytes, over the limit of {config.max_release_bytes:,}",
            SourceLocation(display), code="content-too-large",
            hint="split it into chapter files in a folder, or raise project.max_release_bytes")
    text = _decode(path, display, data)
    parser = parser or markdown_parser()
    tokens = parser.parse(text)
    front, lines = _front_matter(tokens, display)
    notes: list[tuple[str, str, str, int, str]] = []
    front = _coerce_front_matter(front, lines, tokens, notes)
    body_start = 0
    if tokens and tokens[0].type == "front_matter" and tokens[0].map:
        body_start = sum(len(line) for line in text.splitlines(keepends=True)[:tokens[0].map[1]])
    rewritten, template_notes = preprocess(text, base_url=config.base_url, front_matter=front,
                                           body_start=body_start)
    if rewritten != text:
        tokens = parser.parse(rewritten)
    notes.extend(template_notes)
    # ``text`` is what was parsed: template syntax already rewritten, the same lines
    return SourceFile(path, display, rewritten, tuple(tokens), front, lines, tuple(notes))


def read_release(slug: str, files: list[Path], config: Config) -> RawRelease:
    parser = markdown_parser()
    sources = tuple(read_file(p, config, parser) for p in files)
    root = files[0].parent
    return RawRelease(slug, root, sources)
