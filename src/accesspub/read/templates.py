"""Template syntax inside Markdown (Hugo, Jekyll/Liquid, Eleventy/Nunjucks) -> Markdown.

Posts copied from static-site generators carry tags only the generator understands:
Hugo shortcodes ``{{< name … >}}`` / ``{{% name … %}}`` (with closing ``{{< /name >}}``),
Liquid/Nunjucks tags ``{% … %}`` and outputs ``{{ … }}``.  None of it may reach the EPUB or
the narration.  This pre-pass runs on the source text before markdown-it and rewrites:

* image shortcodes and includes (``figure``, ``img``, ``image``, ``{% include figure.html … %}``)
  -> a Markdown image ``![alt](src "caption")``: a figure like any other;
* ``ref``/``relref``, ``{% link %}``, ``{% post_url %}``, ``site.baseurl`` and the
  ``relative_url``/``absolute_url``/``url`` filters -> URLs under ``project.base_url``
  (without one, the link keeps only its text);
* content shortcodes (``note``, ``warning``, ``tab``, ``details``…) -> their inner content,
  with a label ("Note:") where the site shows one; ``glossary_tooltip`` -> its text;
* ``{% highlight %}`` / ``{{< highlight >}}`` -> a fenced code block; ``{% raw %}`` -> its
  content, literally; comments and tags without output (``assign``, ``set``) -> nothing;
* anything else -> removed, with a ``template-removed`` warning at ``file:line``.

Every replacement keeps the number of lines of what it replaces, so the line numbers of
the rest of the file (and of every diagnostic) stay right.  Inline code spans are code:
template syntax there is left as written.  In fenced code blocks the generator would run
shortcodes and tags (so this pass does too), but ``{{ … }}`` is left alone there: in code it
is nearly always literal (Go templates, Helm, Ansible, Vue).
"""

from __future__ import annotations

import bisect
import re
import shlex
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from accesspub.languages import primary

# A note for the diagnostics: (level, code, message, line, hint)
Note = tuple[str, str, str, int, str]

HUGO_RE = re.compile(r"\{\{(?:(?P<d><)(?P<body>.*?)>\}\}|(?P<d2>%)(?P<body2>.*?)%\}\})", re.S)
LIQUID_RE = re.compile(r"\{%-?(?P<body>.*?)-?%\}", re.S)
OUTPUT_RE = re.compile(r"\{\{-?(?P<body>(?:(?!\}\}).)*?)-?\}\}", re.S)
COMMENT_RE = re.compile(r"\{#[\s\-#](?:(?!#\}).)*#\}", re.S)
FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# kramdown attribute lists ({: .class}, {:toc}, {:target="_blank"}): Jekyll-only syntax
IAL_RE = re.compile(r"\{:[^{}\n]*\}")
HEADING_ATTRS_RE = re.compile(r"^( {0,3}#{1,6}[ \t].*?)[ \t]+\{[#.][^{}\n]*\}[ \t]*$", re.M)
# Kubernetes' {{% heading "key" %}}: headings the site translates; given in English, marked so
HEADINGS = {"whatsnext": "What's next", "prerequisites": "Before you begin",
            "objectives": "Objectives", "cleanup": "Clean up", "synopsis": "Synopsis",
            "options": "Options", "seealso": "See also", "options_from_parent":
            "Options inherited from parent commands", "feedback": "Feedback"}

IMAGE_SHORTCODES = {"figure", "img", "image", "imgproc", "picture", "resize", "photo"}
IMAGE_NAME_RE = re.compile(r"(?:^|[-_/])(?:img|image|figure|picture|photo)(?:$|[-_/])")
IMAGE_INCLUDE_RE = re.compile(r"(?:^|/)[\w-]*(?:figure|image|img|photo|picture)[\w.-]*$", re.I)
LINK_SHORTCODES = {"ref", "relref"}
LABELS = {"note": "Note", "warning": "Warning", "caution": "Caution", "tip": "Tip",
          "important": "Important", "danger": "Danger", "info": "Information",
          "hint": "Hint", "attention": "Attention", "notice": "Notice", "todo": "To do"}
LOCAL_LABELS = {
    "en": {k: v + ":" for k, v in LABELS.items()},
    "de": {"note": "Hinweis:", "warning": "Warnung:", "caution": "Vorsicht:", "tip": "Tipp:",
           "important": "Wichtig:", "danger": "Gefahr:", "info": "Information:"},
    "fr": {"note": "Remarque\u00a0:", "warning": "Avertissement\u00a0:", "caution": "Attention\u00a0:",
           "tip": "Astuce\u00a0:", "important": "Important\u00a0:", "danger": "Danger\u00a0:",
           "info": "Information\u00a0:"},
    "es": {"note": "Nota:", "warning": "Advertencia:", "caution": "Precaución:", "tip": "Consejo:",
           "important": "Importante:", "danger": "Peligro:", "info": "Información:"},
}
CONTAINER_SHORTCODES = {"alert", "callout", "admonition", "pageinfo", "details", "expand",
                        "collapse", "tab", "tabs", "tabpane", "tabbed", "blocks/section",
                        "columns", "column", "center", "box", "panel", "mermaid-none",
                        "div", "section", "aside", "blockquote", "quote", "capture"}
TEXT_PARAM_SHORTCODES = {"glossary_tooltip": ("text", "term_id"), "abbr": ("text", "title"),
                         "term": ("text", "term_id"), "tooltip": ("text",), "mark": ("text",)}
MEDIA_SHORTCODES = {"youtube", "vimeo", "tweet", "x", "instagram", "gist", "video", "audio",
                    "iframe", "embed", "asciinema", "twitter"}
# Liquid / Nunjucks block tags -> their closing tag
BLOCK_TAGS = {"if": "endif", "unless": "endunless", "case": "endcase", "for": "endfor",
              "tablerow": "endtablerow", "comment": "endcomment", "capture": "endcapture",
              "highlight": "endhighlight", "raw": "endraw", "block": "endblock",
              "macro": "endmacro", "filter": "endfilter", "call": "endcall",
              "verbatim": "endverbatim", "set": "endset", "with": "endwith",
              "markdown": "endmarkdown", "callout": "endcallout", "note": "endnote",
              "codeblock": "endcodeblock", "blockquote": "endblockquote"}
BRANCH_TAGS = {"else", "elsif", "elif", "when"}
SILENT_TAGS = {"assign", "set", "increment", "decrement", "import", "from", "extends",
               "layout", "cycle", "liquid", "echo-none", "seo", "feed_meta", "render_none"}
BASE_OUTPUTS = {"site.baseurl", "site.url", "site.base_url", ".site.baseurl", "site.baseurl",
                "baseurl", ".Site.BaseURL", "site.BaseURL", "base_url", "site.base", "base"}
BASE_LOWER = {b.lower() for b in BASE_OUTPUTS}
URL_FILTERS = {"relative_url", "absolute_url", "url", "prepend: site.baseurl", "absURL",
               "relURL", "relLangURL", "absLangURL"}


class _Closers:
    """Where each kind of tag can end, found once per text."""

    CLOSERS = {"{{<": ">}}", "{{%": "%}}", "{%": "%}", "{{": "}}"}

    def __init__(self, text: str) -> None:
        self.text = text
        self.positions: dict[str, list[int]] = {}

    def after(self, opener: str, pos: int) -> int | None:
        """The end of the first closer of ``opener`` at or after ``pos``, or None."""
        closer = self.CLOSERS.get(opener, "#}")
        found = self.positions.get(closer)
        if found is None:
            found = self.positions[closer] = [
                m.start() for m in re.finditer("(?=" + re.escape(closer) + ")", self.text)]
        i = bisect.bisect_left(found, pos)
        return found[i] + len(closer) if i < len(found) else None


@dataclass
class Tag:
    kind: str            # "hugo", "liquid", "output", "comment"
    start: int
    end: int
    name: str = ""
    args: str = ""
    closing: bool = False
    delim: str = ""      # hugo: "<" or "%"
    children: list["Tag | tuple[int, int]"] = field(default_factory=list)   # for paired tags
    close: "Tag | None" = None
    branches: list["Tag"] = field(default_factory=list)                    # else/elsif


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _pad(replacement: str, original: str) -> str:
    """``replacement`` followed by the newlines it lacks to span as many lines as ``original``."""
    missing = original.count("\n") - replacement.count("\n")
    return replacement + "\n" * max(0, missing)


def parse_args(args: str) -> tuple[list[str], dict[str, str]]:
    """Positional and named arguments of a shortcode or include: ``a "b c" key="v" k=v``."""
    positional: list[str] = []
    named: dict[str, str] = {}
    lexer = shlex.shlex(args.strip(), posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    lexer.quotes = "\"'`"
    try:
        words = list(lexer)
    except ValueError:
        words = args.split()
    for word in words:
        key, sep, value = word.partition("=")
        if sep and re.fullmatch(r"[\w.:-]+", key):
            named[key.lower()] = value
        else:
            positional.append(word)
    return positional, named


def _code_regions(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(fenced code blocks, inline code spans) as (start, end) offsets."""
    fences: list[tuple[int, int]] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    fence_start = None
    fence_marker = ""
    prose_start = 0
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip(" \t>-*+0123456789.)")  # fences inside lists and quotes too
        m = FENCE_RE.match(stripped)
        if fence_start is None:
            if m:
                fence_start, fence_marker = pos, m.group(1)
                spans.extend(_code_spans(text, prose_start, pos))
        else:
            if m and m.group(1)[0] == fence_marker[0] and len(m.group(1)) >= len(fence_marker) \
                    and not stripped[len(m.group(1)):].strip():
                fences.append((fence_start, pos + len(line)))
                fence_start = None
                prose_start = pos + len(line)
        pos += len(line)
    if fence_start is not None:
        fences.append((fence_start, len(text)))
    else:
        spans.extend(_code_spans(text, prose_start, len(text)))
    return fences, spans


CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)


def _code_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    for m in CODE_SPAN_RE.finditer(text, start, end):
        if "\n\n" not in m.group(2):
            out.append((m.start(), m.end()))
    return out


def _inside(pos: int, regions: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in regions)


class TemplatePass:
    def __init__(self, text: str, base_url: str = "", front_matter: dict | None = None,
                 body_start: int = 0) -> None:
        self.text = text
        self.base_url = base_url.rstrip("/")
        self.front = front_matter or {}
        self.body_start = body_start
        self.notes: list[Note] = []
        self.fences: list[tuple[int, int]] = []
        self.spans: list[tuple[int, int]] = []

    # -- diagnostics ---------------------------------------------------------------------

    def warn(self, pos: int, message: str, hint: str = "") -> None:
        self.notes.append(("warning", "template-removed", message, _line_of(self.text, pos),
                           hint or "write it in Markdown, or delete it"))

    def notice(self, code: str, pos: int, message: str, hint: str = "") -> None:
        self.notes.append(("notice", code, message, _line_of(self.text, pos), hint))

    # -- lexing ----------------------------------------------------------------------------

    def lex(self) -> list[Tag]:
        text = self.text
        self.fences, self.spans = _code_regions(text)
        found: list[Tag] = []
        pos = self.body_start
        closers = _Closers(text)
        pattern = re.compile(r"\{\{[<%]|\{%|\{\{|\{#[\s\-#]")
        while True:
            m = pattern.search(text, pos)
            if not m:
                break
            start = m.start()
            if _inside(start, self.spans):
                pos = m.end()
                continue
            in_fence = _inside(start, self.fences)
            opener = m.group(0)
            tag = None
            # Each pattern is matched only up to the first closer after its opener (found
            # with a bisect in a list made once): an opener that is never closed costs
            # nothing, where a lazy match would run to the end of the text from each one.
            end = closers.after(opener, m.end())
            if end is None:
                pos = m.end()
                continue
            if opener in ("{{<", "{{%"):
                hm = HUGO_RE.match(text, start, end) if end - start < 2010 else None
                if hm and len(hm.group("body") or hm.group("body2")) < 2000:
                    tag = self._hugo(hm)
            elif opener == "{%":
                lm = LIQUID_RE.match(text, start, end)
                if lm:
                    body = lm.group("body").strip()
                    name, _, args = body.partition(" ")
                    tag = Tag("liquid", start, lm.end(), name.strip().lower(), args.strip())
            elif opener == "{{":
                om = OUTPUT_RE.match(text, start, end)
                if om and not in_fence:
                    tag = Tag("output", start, om.end(), args=om.group("body").strip())
            else:
                cm = COMMENT_RE.match(text, start, end)
                if cm and not in_fence:
                    tag = Tag("comment", start, cm.end())
            if tag is None:
                pos = m.end()
                continue
            found.append(tag)
            pos = tag.end
            if tag.kind == "liquid" and tag.name in ("raw", "verbatim"):
                close = re.compile(r"\{%-?\s*end" + tag.name + r"\s*-?%\}").search(text, tag.end)
                if close:
                    found.append(Tag("literal", tag.end, close.start()))
                    found.append(Tag("liquid", close.start(), close.end(), "end" + tag.name))
                    pos = close.end()
            elif tag.kind == "liquid" and tag.name == "comment":
                close = re.compile(r"\{%-?\s*endcomment\s*-?%\}").search(text, tag.end)
                if close:
                    found[-1] = Tag("comment", tag.start, close.end())
                    pos = close.end()
        return found

    def _hugo(self, m: re.Match) -> Tag:
        body = (m.group("body") if m.group("d") else m.group("body2")).strip()
        delim = m.group("d") or m.group("d2")
        if body.startswith("/*") and body.endswith("*/"):
            # {{</* name */>}}: Hugo's way of showing shortcode syntax literally
            return Tag("escaped", m.start(), m.end(), args="{{" + delim + " " +
                       body[2:-2].strip() + " " + (">" if delim == "<" else "%") + "}}")
        closing = body.startswith("/")
        body = body.lstrip("/").strip()
        name, _, args = body.partition(" ")
        return Tag("hugo", m.start(), m.end(), name.strip().lower(), args.strip(), closing, delim)

    # -- pairing ---------------------------------------------------------------------------

    def tree(self, tags: list[Tag]) -> list[Tag]:
        """Nest paired tags: each opening tag gets its children and its closing tag."""
        root = Tag("root", 0, len(self.text))
        stack = [root]
        for tag in tags:
            if tag.kind == "hugo" and tag.closing:
                match = next((i for i in range(len(stack) - 1, 0, -1)
                              if stack[i].kind == "hugo" and stack[i].name == tag.name), None)
                if match is None:
                    stack[-1].children.append(tag)      # a stray closing tag: removed
                    continue
                self._close(stack, match, tag)
            elif tag.kind == "liquid" and tag.name.startswith("end"):
                opened = tag.name[3:]
                match = next((i for i in range(len(stack) - 1, 0, -1)
                              if stack[i].kind == "liquid" and stack[i].name == opened), None)
                if match is None:
                    stack[-1].children.append(tag)
                    continue
                self._close(stack, match, tag)
            elif tag.kind == "liquid" and tag.name in BRANCH_TAGS and len(stack) > 1 \
                    and stack[-1].kind == "liquid" and stack[-1].name in ("if", "unless", "case", "for"):
                stack[-1].branches.append(tag)
                stack[-1].children.append(tag)
            else:
                stack[-1].children.append(tag)
                if tag.kind == "hugo" or (tag.kind == "liquid" and tag.name in BLOCK_TAGS
                                          and not (tag.name == "set" and "=" in tag.args)):
                    stack.append(tag)
        # tags never closed: their children belong to their parent
        while len(stack) > 1:
            self._unwind(stack)
        return root.children

    @staticmethod
    def _close(stack: list[Tag], index: int, closing: Tag) -> None:
        while len(stack) - 1 > index:
            TemplatePass._unwind(stack)
        stack[-1].close = closing
        stack.pop()

    @staticmethod
    def _unwind(stack: list[Tag]) -> None:
        tag = stack.pop()
        parent = stack[-1]
        parent.children.extend(tag.children)
        tag.children = []
        tag.branches = []

    # -- rendering -------------------------------------------------------------------------

    def run(self) -> str:
        tags = self.tree(self.lex())
        return self.text[:self.body_start] + self.render(self.body_start, len(self.text), tags)

    def render(self, start: int, end: int, tags: list[Tag]) -> str:
        """The text from start to end with the given (top-level) tags replaced."""
        out = []
        pos = start
        for tag in tags:
            out.append(self._prose(pos, tag.start))
            out.append(self.replace(tag))
            pos = (tag.close.end if tag.close else tag.end)
        out.append(self._prose(pos, end))
        return "".join(out)

    def _prose(self, start: int, end: int) -> str:
        """Text between tags; kramdown attribute lists and heading ids ``{#id}`` (Hugo,
        kramdown, Pandoc) are removed outside code."""
        chunk = self.text[start:end]
        if "{:" not in chunk and "{#" not in chunk and "{." not in chunk:
            return chunk

        def drop(m: re.Match) -> str:
            if _inside(start + m.start(), self.fences) or _inside(start + m.start(), self.spans):
                return m.group(0)
            return m.group(1) if m.re is HEADING_ATTRS_RE else ""
        return HEADING_ATTRS_RE.sub(drop, IAL_RE.sub(drop, chunk))

    def inner(self, tag: Tag) -> str:
        """The rendered content between an opening tag and its closing tag."""
        if tag.close is None:
            return ""
        return self.render(tag.end, tag.close.start, tag.children)

    def whole(self, tag: Tag) -> str:
        return self.text[tag.start:(tag.close.end if tag.close else tag.end)]

    def wrap(self, tag: Tag, before: str, content: str | None = None, after: str = "") -> str:
        """Opening tag -> ``before``, content (rendered inner text), closing tag -> ``after``."""
        if tag.close is None:
            return _pad(before, self.text[tag.start:tag.end])
        if content is None:
            content = self.inner(tag)
        return (_pad(before, self.text[tag.start:tag.end]) + content +
                _pad(after, self.text[tag.close.start:tag.close.end]))

    def blank(self, tag: Tag) -> str:
        return _pad("", self.whole(tag))

    def replace(self, tag: Tag) -> str:
        if tag.kind == "literal":
            return self.text[tag.start:tag.end]
        if tag.kind == "escaped":
            return tag.args
        if tag.kind == "comment":
            return self.blank(tag)
        if tag.kind == "output":
            return self.output(tag)
        if tag.kind == "hugo":
            return self.hugo(tag)
        if tag.kind == "liquid":
            return self.liquid(tag)
        return self.blank(tag)

    # -- URLs ------------------------------------------------------------------------------

    def _url_context(self, pos: int) -> str:
        """"image", "link" or "" for a tag at ``pos``: inside ![…]( or […]( or src=/href=."""
        line_start = self.text.rfind("\n", 0, pos) + 1
        before = self.text[max(line_start - 300, 0):pos]
        if re.search(r"!\[[^\]]*\]\(\s*<?$", before) or re.search(r"\bsrc\s*=\s*[\"']?$", before, re.I):
            return "image"
        if re.search(r"\]\(\s*<?$", before) or re.search(r"\bhref\s*=\s*[\"']?$", before, re.I) \
                or re.search(r"^\s*\[[^\]]+\]:\s*<?$", before.rsplit("\n", 1)[-1]):
            return "link"
        return ""

    def site_url(self, path: str, pos: int, context: str | None = None) -> str:
        """A site path as the target of a link (under base_url) or an image (a local path)."""
        context = self._url_context(pos) if context is None else context
        if urlsplit(path).scheme:
            return path
        if context == "image":
            return path
        path = path if path.startswith(("/", "#")) or not path else "/" + path
        if self.base_url:
            return self.base_url + path
        if context == "link":
            return "accesspub-text:" + path.lstrip("/")
        return ""

    def _page_path(self, target: str) -> str:
        """Hugo ref target or Jekyll file path -> the page's site path."""
        target, _, anchor = target.partition("#")
        path = target.strip().strip("/")
        path = re.sub(r"^(?:content|_posts|_pages|_drafts|docs/_posts)/", "", path)
        path = re.sub(r"(?:/_?index)?\.(?:md|markdown|html)$", "", path)
        m = re.match(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$", path.rsplit("/", 1)[-1])
        if m:
            path = "/".join(m.groups())
        url = "/" + path + ("/" if path else "")
        return url + ("#" + anchor if anchor else "")

    def link(self, tag: Tag, target: str, what: str) -> str:
        url = self.site_url(self._page_path(target), tag.start)
        if url.startswith("accesspub-text:") or not url:
            self.notice("template-link-text", tag.start, f"{what} link to {target!r} kept as text: "
                        "no project.base_url to resolve it against",
                        "set base_url under [project] in accesspub.toml")
        return _pad(url, self.whole(tag))

    # -- outputs {{ … }} ------------------------------------------------------------------

    def front_value(self, name: str) -> str | None:
        key = name.split(".")[-1]
        for candidate in (key, key.lower()):
            value = self.front.get(candidate)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return str(value)
        return None

    def output(self, tag: Tag) -> str:
        expr = tag.args
        parts = [p.strip() for p in re.split(r"(?<!\|)\|(?!\|)", expr)]
        head, filters = parts[0], parts[1:]
        filter_names = [f.split(":")[0].strip() for f in filters]
        literal = re.fullmatch(r"""(["'])(.*)\1""", head, re.S)
        if head.lower() in BASE_LOWER:
            context = self._url_context(tag.start)
            if context == "image" or not context:
                replacement = ""
            elif self.base_url:
                replacement = self.base_url
            else:
                replacement = "accesspub-text:"
                self.notice("template-link-text", tag.start, f"link under {{{{ {head} }}}} kept as "
                            "text: no project.base_url to resolve it against",
                            "set base_url under [project] in accesspub.toml")
            return _pad(replacement, self.whole(tag))
        if literal and any(f in URL_FILTERS for f in filter_names):
            return _pad(self.site_url(literal.group(2), tag.start), self.whole(tag))
        if literal and not filters and "{{" not in literal.group(2) and "{%" not in literal.group(2):
            return _pad(literal.group(2), self.whole(tag))
        m = re.fullmatch(r"(?:page|\.Params|\.Page\.Params|\.Page|include|post|\.)\.?([\w.]+)", head)
        if m:
            value = self.front_value(m.group(1))
            if value is not None:
                return _pad(value, self.whole(tag))
        self.warn(tag.start, f"template output {{{{ {expr[:40]} }}}} removed: it has no value "
                  "outside the site generator")
        return self.blank(tag)

    # -- Hugo shortcodes ------------------------------------------------------------------

    def hugo(self, tag: Tag) -> str:
        name = tag.name
        if tag.closing:
            return self.blank(tag)               # a closing tag with no opening one
        positional, named = parse_args(tag.args)
        if name in IMAGE_SHORTCODES or IMAGE_NAME_RE.search(name):
            return self.figure(tag, positional, named)
        if name == "heading" and positional:
            key = positional[0].strip().lower()
            text = HEADINGS.get(key, key.replace("_", " ").replace("-", " ").capitalize())
            return _pad(f"[{_md_escape(text)}]{{lang=en}}", self.whole(tag))
        if name in LINK_SHORTCODES:
            target = named.get("path") or (positional[0] if positional else "")
            return self.link(tag, target, name)
        if name in ("highlight", "code", "codeblock"):
            lang = named.get("lang") or (positional[0] if positional else "")
            return self.code(tag, lang)
        if name == "comment":
            return self.blank(tag)
        if name in TEXT_PARAM_SHORTCODES:
            text = next((named[k] for k in TEXT_PARAM_SHORTCODES[name] if named.get(k)), "")
            if tag.close is not None:
                return self.wrap(tag, "", None, "") if not text else _pad(text, self.whole(tag))
            return _pad(text.replace("_", " ") if not named.get("text") else text, self.whole(tag))
        if name in ("param", "siteparam"):
            value = self.front_value(positional[0]) if positional else None
            if value is not None:
                return _pad(value, self.whole(tag))
        if name in LABELS or name in CONTAINER_SHORTCODES:
            return self.container(tag, name, positional, named)
        if name in MEDIA_SHORTCODES:
            self.warn(tag.start, f"embedded {name} ({{{{< {name} … >}}}}) removed: an EPUB "
                      "does not fetch media from the web",
                      "link to it instead: [What the video shows](https://…)")
            return self.blank(tag)
        if tag.close is not None:
            self.warn(tag.start, f"shortcode {self._show(tag)} removed; the text inside it is kept")
            return self.wrap(tag, "")
        self.warn(tag.start, f"shortcode {self._show(tag)} removed")
        return self.blank(tag)

    @staticmethod
    def _show(tag: Tag) -> str:
        close = ">" if tag.delim == "<" else "%"
        return "{{" + tag.delim + " " + tag.name + " " + close + "}}"

    def container(self, tag: Tag, name: str, positional: list[str], named: dict[str, str]) -> str:
        label = named.get("title") or named.get("summary") or named.get("name") or named.get("header")
        if not label and name in ("details", "expand", "collapse", "tab", "tabpane", "tabbed") and positional:
            label = positional[0]
        if not label and name in LABELS:
            label = LABELS[name]
        if not label and name in ("alert", "callout", "admonition", "notice") and (
                named.get("type") or named.get("color") or positional):
            kind = (named.get("type") or (positional[0] if positional else "")).lower()
            label = LABELS.get(kind, "")
        before = ""
        if label:
            label = label.strip().rstrip(":")
            lang = primary(str(self.front.get("language") or self.front.get("lang") or
                                   self.front.get("locale") or ""))
            if label in LABELS.values() and name in LABELS:
                translated = LOCAL_LABELS.get(lang, {}).get(name)
                # the site's label, in the release's language when known, else marked English
                before = (f"**{translated}** " if translated else
                          f"**[{_md_escape(label)}:]{{lang=en}}** ")
            else:
                before = f"**{_md_escape(label)}:** "
        if tag.close is None:
            if name in LABELS or label:
                return _pad(before, self.text[tag.start:tag.end])
            return self.blank(tag)
        inner = self.inner(tag)
        if before:
            # The label starts the first paragraph of the content (or stands alone before it).
            lead = len(inner) - len(inner.lstrip(" \t"))
            if inner[:lead + 1].strip() == "" and inner[lead:lead + 1] == "\n":
                return _pad(before.rstrip(), self.text[tag.start:tag.end]) + inner + \
                    _pad("", self.text[tag.close.start:tag.close.end])
            return _pad("", self.text[tag.start:tag.end]) + before + inner.lstrip(" \t") + \
                _pad("", self.text[tag.close.start:tag.close.end])
        return self.wrap(tag, "", inner, "")

    def figure(self, tag: Tag, positional: list[str], named: dict[str, str]) -> str:
        src = (named.get("src") or named.get("image") or named.get("file") or named.get("url")
               or named.get("path") or named.get("img") or (positional[0] if positional else ""))
        alt = named.get("alt") or named.get("alt_text") or named.get("description") or ""
        caption = named.get("caption") or named.get("title") or ""
        caption = re.sub(r"<[^>]+>", "", caption)    # captions may carry HTML; keep the text
        if not alt and not caption and tag.close is not None:
            caption = " ".join(re.sub(r"<[^>]+>", "", self.inner(tag)).split())
        if not alt:
            alt = caption
        if not src:
            self.warn(tag.start, f"image shortcode {tag.name!r} without a source removed")
            return self.blank(tag)
        src = re.sub(OUTPUT_RE, lambda m: "", src) if "{{" in src else src
        title = f' "{caption.replace(chr(34), chr(39))}"' if caption else ""
        return _pad(f"![{_md_escape(alt)}](<{src}>{title})", self.whole(tag))

    def code(self, tag: Tag, lang: str) -> str:
        lang = re.sub(r"[^\w+#.-]", "", lang)
        if tag.close is None:
            return self.blank(tag)
        content = self.text[tag.end:tag.close.start]     # code: taken literally
        opening = "```" + lang
        if not self.text[:tag.start].endswith("\n") and tag.start > 0:
            opening = "\n" + opening
        if not content.startswith("\n"):
            opening += "\n"
        closing = "```"
        if not content.endswith("\n"):
            closing = "\n" + closing
        return (_pad(opening, self.text[tag.start:tag.end]) + content +
                _pad(closing, self.text[tag.close.start:tag.close.end]))

    # -- Liquid / Nunjucks tags -----------------------------------------------------------

    def liquid(self, tag: Tag) -> str:
        name = tag.name
        if name in ("raw", "verbatim"):
            return self.wrap(tag, "", self.render(tag.end, tag.close.start, tag.children)
                             if tag.close else "", "")
        if name in ("comment", "capture") or (name == "set" and tag.close is not None):
            return self.blank(tag)
        if name in SILENT_TAGS:
            return self.blank(tag)
        if name == "highlight":
            return self.code(tag, tag.args.split()[0] if tag.args else "")
        if name in ("codeblock",):
            return self.code(tag, tag.args.split()[0] if tag.args else "")
        if name in ("link", "post_url"):
            target = tag.args.strip().strip("\"'")
            if name == "post_url":
                target = "_posts/" + target + ".md"
            return self.link(tag, target, name)
        if name in ("include", "include_relative", "render", "partial", "include_cached"):
            return self.include(tag)
        if name in ("if", "unless", "case"):
            if tag.close is None:
                self.warn(tag.start, f"{{% {name} %}} without {{% end{name} %}} removed")
                return self.blank(tag)
            # A condition cannot be evaluated outside the site: the first branch is kept.
            first_end = tag.branches[0].start if tag.branches else tag.close.start
            kept = [c for c in tag.children if c.start < first_end]
            self.warn(tag.start, f"{{% {name} {tag.args[:30]} %}} removed: its first branch is kept"
                      + (", the others dropped" if tag.branches else ""),
                      "remove the condition and keep the text you want")
            content = self.render(tag.end, first_end, [c for c in kept if c not in tag.branches])
            dropped = self.text[first_end:tag.close.start]
            return (_pad("", self.text[tag.start:tag.end]) + content + _pad("", dropped)
                    + _pad("", self.text[tag.close.start:tag.close.end]))
        if name in ("for", "tablerow"):
            self.warn(tag.start, f"{{% {name} %}} loop removed with its content: it needs the site's data")
            return self.blank(tag)
        if name in ("block", "markdown", "with", "filter", "call", "blockquote"):
            return self.wrap(tag, "")
        if name in ("note", "callout"):
            label = LABELS.get(name, "Note")
            return self.container(tag, "note", [], {"title": tag.args.strip().strip("\"'") or label})
        if tag.close is not None:
            self.warn(tag.start, f"tag {{% {name} %}} removed; the text inside it is kept")
            return self.wrap(tag, "")
        self.warn(tag.start, f"tag {{% {name} {tag.args[:30]} %}} removed")
        return self.blank(tag)

    def include(self, tag: Tag) -> str:
        words = tag.args.split(None, 1)
        target = words[0].strip("\"'") if words else ""
        positional, named = parse_args(words[1] if len(words) > 1 else "")
        if IMAGE_INCLUDE_RE.search(target.rsplit(".", 1)[0]) or (
                any(k in named for k in ("src", "image", "img")) and "alt" in named):
            return self.figure(tag, positional, named)
        self.warn(tag.start, f"include of {target!r} removed: the file is the site's, not the post's")
        return self.blank(tag)


MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#!|])")


def _md_escape(text: str) -> str:
    return MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def has_template_syntax(text: str) -> bool:
    return bool(re.search(r"\{\{|\{%|\{#[\s\-#]", text))


def preprocess(text: str, *, base_url: str = "", front_matter: dict | None = None,
               body_start: int = 0) -> tuple[str, list[Note]]:
    """The text with template syntax rewritten (same number of lines), and the notes."""
    if not has_template_syntax(text[body_start:]) and "{:" not in text[body_start:]:
        return text, []
    rewriter = TemplatePass(text, base_url, front_matter, body_start)
    result = rewriter.run()
    return result, rewriter.notes
