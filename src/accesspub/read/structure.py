"""RawBlocks of a release -> the frozen Publication: one heading hierarchy, chapters, ids.

Heading levels are made publication-wide: the title is the single h1, levels never skip
(the author's order is kept, each change reported).  Headings down to ``split_level``
start a chapter: its own XHTML document, overlay and audio track.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accesspub.read.blocks import BlockParser
from accesspub.read.rawblocks import RawBlock, RawFootnote
from accesspub.config import Config
from accesspub.errors import Diagnostics
from accesspub.ids import IdMaker, chapter_id, chapter_slug
from accesspub.languages import long_date
from accesspub.read.images import ImageStore
from accesspub.read.metadata import build_metadata, parse_date
from accesspub.model import (Block, Chapter, Mark, Publication, Run, Section,
                             Sentence, SourceLocation)
from accesspub.read.sources import RawRelease
from accesspub.read.sentences import split_sentences


@dataclass
class RawSection:
    level: int
    heading: RawBlock | None
    where: SourceLocation
    blocks: list[RawBlock] = field(default_factory=list)
    children: list["RawSection"] = field(default_factory=list)


def plain(runs: list[Run]) -> str:
    return " ".join("".join(r.text for r in runs if r.kind != "noteref").split())


def _find_dateline(blocks: list[RawBlock]) -> tuple[str, SourceLocation] | None:
    for block in blocks[:20]:
        if block.kind == "paragraph":
            text = plain(block.runs)
            if len(text) <= 40 and parse_date(text):
                return text, block.where
    return None


def normalise_levels(blocks: list[RawBlock], diag: Diagnostics) -> None:
    """Give body headings levels 2..6 that never skip, keeping the author's order.

    Every heading whose level changes is reported with its old and new level, whatever
    the reason: a change the author does not see would surprise them in the table of
    contents (``# Title`` then ``### Part`` makes the part an h2)."""
    stack: list[tuple[int, int]] = []          # (source level, new level)
    for h in (b for b in blocks if b.kind == "heading"):
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        new = stack[-1][1] + 1 if stack else 2
        if new > 6:
            diag.warning("heading-too-deep", "heading deeper than level 6 is kept at level 6",
                         h.where, "reorganise the outline so it needs at most 5 levels below the title")
            new = 6
        if new != h.level:
            _report_level_change(h, new, stack[-1] if stack else None, diag)
        stack.append((h.level, new))
        h.level = new


def _report_level_change(h: RawBlock, new: int, parent: tuple[int, int] | None,
                         diag: Diagnostics) -> None:
    if h.level == 1:
        why = "the title is the publication's only level 1 heading"
        hint = "start the sections with '##' (the title is set by 'title:' or one '#' heading)"
    elif parent is None:
        why = "the first level of sections under the title is 2"
        hint = "start the sections with '##'"
    elif h.level == parent[0] + 1:
        why = f"the level {parent[0]} heading it belongs under became level {parent[1]}"
        hint = "use one more '#' than the heading it belongs under"
    else:
        why = f"it is under a level {parent[0]} heading and levels may not skip"
        hint = "use one more '#' than the heading it belongs under"
    diag.notice("heading-level-fixed", f"heading {plain(h.runs)[:40]!r} is level {h.level} "
                f"({'#' * h.level}) and becomes level {new} (h{new}): {why}", h.where, hint)


def build_sections(blocks: list[RawBlock], where: SourceLocation) -> RawSection:
    root = RawSection(1, None, where)
    stack = [root]
    for block in blocks:
        if block.kind == "heading":
            section = RawSection(block.level, block, block.where)
            while stack[-1].level >= block.level:
                stack.pop()
            stack[-1].children.append(section)
            stack.append(section)
        else:
            stack[-1].blocks.append(block)
    return root


def report_duplicate_headings(section: RawSection, diag: Diagnostics) -> None:
    """Sibling sections with the same heading text: the same entry twice in the table of
    contents, where a listener cannot tell them apart.  The text is kept (it is the author's;
    ids are unique anyway): reported so the author can make it say what differs."""
    seen: dict[str, RawSection] = {}
    for child in section.children:
        text = plain(child.heading.runs).casefold() if child.heading else ""
        if text and text in seen:
            diag.notice("heading-duplicate", f"heading {plain(child.heading.runs)[:40]!r} repeats "
                        f"the one at line {seen[text].where.line} under the same parent: the "
                        "table of contents lists both the same", child.where,
                        "say what differs, e.g. 'Example: reading a file', 'Example: writing a file'")
        elif text:
            seen[text] = child
        report_duplicate_headings(child, diag)


def split_chapters(root: RawSection, split_level: int) -> list[RawSection]:
    """Root first, then every section down to ``split_level`` in reading order, detached."""
    chapters = [root]

    def walk(section: RawSection) -> None:
        kept = []
        for child in section.children:
            if child.level <= split_level:
                chapters.append(child)
                walk(child)
            else:
                kept.append(child)
        section.children = kept
    walk(root)
    return chapters


class Freezer:
    """Makes the frozen model of one chapter: ids, sentences, footnote links."""

    def __init__(self, cid: str, href: str, notes: "NoteRegistry") -> None:
        self.ids = IdMaker(cid)
        self.href = href
        self.notes = notes

    def sentences(self, runs: list[Run], lang: str, where: SourceLocation) -> tuple[Sentence, ...]:
        runs = [self._link_note(r) for r in runs]
        out = []
        for part in split_sentences(runs, lang):
            langs = [r.lang for r in part if r.text.strip() and r.kind == "text"]
            main = max(set(langs), key=lambda l: (sum(len(r.text) for r in part if r.lang == l), l == lang)) if langs else lang
            out.append(Sentence(self.ids.sentence(), tuple(part), main, where))
        return tuple(out)

    def _link_note(self, run: Run) -> Run:
        if run.kind != "noteref":
            return run
        key = next(m.get("key") for m in run.marks if m.tag == "noteref")
        number, ref_id, target = self.notes.reference(key, self)
        marks = tuple(m for m in run.marks if m.tag != "noteref") + (
            Mark("noteref", (("href", target), ("id", ref_id))),)
        return Run(str(number), run.lang, marks, "noteref")

    def block(self, raw: RawBlock) -> Block | None:
        attrs = tuple(sorted(raw.attrs.items()))
        if raw.kind == "figure":
            sentences = ()
            if raw.attrs.get("alt"):
                sentences = (Sentence(self.ids.sentence(), (Run(raw.attrs["alt"], raw.lang),),
                                      raw.lang, raw.where, role="alt"),)
            sentences += self.sentences(raw.runs, raw.lang, raw.where)
            return Block(self.ids.next("b"), "figure", raw.lang, raw.where, sentences, attrs=attrs)
        if raw.kind in ("code",):
            text = "".join(r.text for r in raw.runs)
            sentence = Sentence(self.ids.sentence(), tuple(raw.runs), raw.lang, raw.where)
            return Block(self.ids.next("b"), "code", raw.lang, raw.where, (sentence,) if text.strip() else ())
        if raw.kind == "rule":
            return Block(self.ids.next("b"), "rule", raw.lang, raw.where)
        block_id = self.ids.next("h" if raw.kind == "heading" else "b")
        sentences = self.sentences(raw.runs, raw.lang, raw.where) if raw.runs else ()
        children = tuple(b for b in (self.block(c) for c in raw.children) if b is not None)
        if raw.kind in ("paragraph", "heading") and not sentences:
            return None
        if raw.kind in ("list", "quote", "list_item") and not children:
            return None
        return Block(block_id, raw.kind, raw.lang, raw.where, sentences, children, raw.level, attrs)

    def section(self, raw: RawSection, lang: str, epub_type: str) -> Section:
        section_id = self.ids.next("sec", 2)
        heading = self.block(raw.heading) if raw.heading else None
        blocks = tuple(b for b in (self.block(x) for x in raw.blocks) if b is not None)
        children = tuple(self.section(c, lang, "" if c.heading else "bodymatter")
                         for c in raw.children)
        # A lead whose blocks all came to nothing (only empty paragraphs) is no section.
        children = tuple(c for c in children if c.heading or c.blocks or c.children)
        return Section(section_id, raw.level, heading, blocks, children, raw.where,
                       epub_type)


class NoteRegistry:
    """Footnotes are numbered in reading order and placed in the chapter that first cites them."""

    def __init__(self, footnotes: dict[str, RawFootnote]) -> None:
        self.footnotes = footnotes
        self.placed: dict[str, tuple[int, str, str, str]] = {}   # key -> number, ref id, href, note id
        self.pending: list[str] = []

    def reference(self, key: str, freezer: Freezer) -> tuple[int, str, str]:
        if key not in self.placed:
            number = len(self.placed) + 1
            note_id = f"{freezer.ids.chapter}-fn{number}"
            ref_id = f"{freezer.ids.chapter}-ref{number}"
            self.placed[key] = (number, ref_id, f"{freezer.href}#{note_id}", note_id)
            self.pending.append(key)
            return number, ref_id, f"{freezer.href}#{note_id}"
        number, _, href, _ = self.placed[key]
        ref_id = freezer.ids.next(f"ref{number}-", 1)
        return number, ref_id, href

    def notes_block(self, freezer: Freezer, level: int, lang: str, where: SourceLocation) -> Block | None:
        notes = []
        while self.pending:
            key = self.pending.pop(0)
            number, ref_id, _, note_id = self.placed[key]
            raw = self.footnotes[key]
            children = tuple(b for b in (freezer.block(x) for x in raw.blocks) if b is not None)
            notes.append(Block(note_id, "footnote", lang, raw.where, (), children,
                               attrs=(("backref", ref_id), ("number", str(number)))))
        if not notes:
            return None
        title = Sentence(freezer.ids.sentence(), (Run("Notes", lang),), lang, where)
        return Block(freezer.ids.next("b"), "footnotes", lang, where, (title,), tuple(notes),
                     level=min(level + 1, 6))


def _cover(src: str, folder, images: ImageStore, diag: Diagnostics,
           where: SourceLocation):
    """The front matter's cover image, or None with a warning: a cover that is a web address,
    missing, or outside the project (written for the site, not for the EPUB) is not an error."""
    if "://" in src or src.startswith(("//", "data:")):
        diag.warning("image-remote", f"cover {src[:60]!r} is not a local file; nothing is "
                     "fetched from the network, so the EPUB has no cover", where,
                     "download the image into the project and give its path")
        return None
    # "/images/x.png" is site-root relative in Jekyll and Hugo: the project is the root.
    path = (images.root / src.lstrip("/")) if src.startswith("/") else folder / src
    if not path.resolve().is_relative_to(images.root) or not path.resolve().is_file():
        diag.warning("image-missing", f"cover {src} not found in the project; the EPUB has "
                     "no cover", where, "check the path: relative to the Markdown file, or to "
                     "the project folder when it starts with /")
        return None
    return images.add(path, src, where)


def build_publication(raw: RawRelease, config: Config, diag: Diagnostics) -> Publication:
    """The frozen model of one release."""
    images = ImageStore(config.root, diag)
    detected = None
    if config.detect_languages and not any(k in raw.front_matter for k in ("language", "lang", "locale")):
        from accesspub.read.langdetect import detect_release_language, project_languages
        detected = detect_release_language("\n".join(f.text for f in raw.files),
                                           project_languages(config))
    lang_hint = (raw.front_matter.get("language") or raw.front_matter.get("lang")
                 or raw.front_matter.get("locale") or (detected[0] if detected else config.language))
    lang_hint = str(lang_hint)
    from accesspub.languages import check_language_tag
    if check_language_tag(lang_hint):
        lang_hint = config.language
    blocks: list[RawBlock] = []
    footnotes: dict[str, RawFootnote] = {}
    for index, source in enumerate(raw.files):
        parser = BlockParser(source, index, lang_hint, diag, images)
        file_blocks = parser.parse()
        if index > 0 and source.front_matter:
            diag.notice("front-matter-ignored", "front matter of a chapter file is not used; "
                        "only the first file's counts", SourceLocation(source.display, 1))
        while file_blocks and file_blocks[-1].kind == "heading" and (
                parser.footnotes or index == len(raw.files) - 1):
            # A heading with nothing under it at the end of a file is usually "Footnotes"
            # above the definitions, which become the chapter's notes section instead.
            heading = file_blocks.pop()
            diag.notice("heading-empty-section", f"heading {plain(heading.runs)[:40]!r} has "
                        "nothing under it; it is left out", heading.where,
                        "write the section's text under it, or delete the heading")
        blocks.extend(file_blocks)
        footnotes.update(parser.footnotes)
    first = raw.files[0]
    if not any(b.kind != "rule" for b in blocks):
        diag.error("content-empty", "the release has no text", raw.location,
                   "write the release's text below the front matter")

    # A leading top-level heading with no title in the front matter is the title.
    title_runs: list[Run] | None = None
    headings = [b for b in blocks if b.kind == "heading"]
    fm_title = str(first.front_matter.get("title") or "").strip()
    if headings and headings[0].level == 1 and sum(h.level == 1 for h in headings) == 1 and (
            not fm_title or plain(headings[0].runs) == fm_title):
        title_runs = headings[0].runs
        blocks.remove(headings[0])
    first_heading = plain(headings[0].runs) if headings else ""

    cover = None
    cover_src = first.front_matter.get("cover") or first.front_matter.get("image")
    if isinstance(cover_src, str) and cover_src.strip():
        where = SourceLocation(first.display, first.front_matter_lines.get("cover", first.front_matter_lines.get("image", 1)))
        cover = _cover(cover_src.strip(), first.path.parent, images, diag, where)

    meta = build_metadata(first.front_matter, first.front_matter_lines, first.display, raw.slug,
                          config, diag, first_heading=first_heading,
                          dateline=_find_dateline(blocks), cover=cover, detected_lang=detected)
    lang = meta.lang
    normalise_levels(blocks, diag)
    root = build_sections(blocks, raw.location)
    report_duplicate_headings(root, diag)
    raw_chapters = split_chapters(root, config.split_level)

    # The title page: the single h1 and what a reader sees first.
    title_runs = title_runs or [Run(meta.title, lang)]
    root.heading = RawBlock("heading", raw.location, lang, title_runs, level=1)
    lines = []
    if meta.subtitle:
        lines.append(("subtitle", [Run(meta.subtitle, lang)]))
    if meta.authors and meta.authors != (meta.publisher,):
        lines.append(("authors", [Run(", ".join(meta.authors), lang)]))
    if meta.publisher:
        lines.append(("publisher", [Run(meta.publisher, lang)]))
    if meta.date is not None:        # an unknown date is left out, never made up
        lines.append(("date", [Run(long_date(meta.date, meta.lang), lang,
                                   (Mark("time", (("datetime", meta.date.isoformat()),)),))]))
    # The text before the first heading starts the body, it is not part of the title page:
    # a section of its own without a heading, where the "start of content" landmark points.
    if root.blocks:
        root.children.insert(0, RawSection(2, None, root.blocks[0].where, root.blocks))
    root.blocks = [RawBlock("titlepage_line", raw.location, lang, runs, attrs={"role": role})
                   for role, runs in lines]

    registry = NoteRegistry(footnotes)
    chapters = []
    for number, raw_section in enumerate(raw_chapters, start=1):
        cid = chapter_id(number)
        title = plain(raw_section.heading.runs) if raw_section.heading else meta.title
        slug = chapter_slug(number, "title" if number == 1 else title)
        freezer = Freezer(cid, f"{slug}.xhtml", registry)
        epub_type = "titlepage" if number == 1 else ("chapter" if raw_section.level == 2 else "")
        section = freezer.section(raw_section, lang, epub_type)
        notes = registry.notes_block(freezer, raw_section.level, lang, raw_section.where)
        chapters.append(Chapter(cid, number, slug, section, lang, notes))
    unused = set(footnotes) - set(registry.placed)
    for key in sorted(unused):
        diag.warning("footnote-unused", "footnote is never referenced; it is left out",
                     footnotes[key].where, "reference it with [^label] in the text, or delete it")
    return Publication(raw.slug, meta, tuple(chapters), images.images, raw.location)
