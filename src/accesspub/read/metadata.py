"""Front matter + accesspub.toml -> Metadata.  Every value that is inferred is reported."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

from accesspub.config import Config
from accesspub.errors import Diagnostics
from accesspub.ids import publication_identifier
from accesspub.languages import check_language_tag
from accesspub.model import Image, Metadata, SourceLocation

# front matter key -> canonical key; other tools' names are accepted too
ALIASES = {
    "title": "title", "subtitle": "subtitle", "date": "date",
    "language": "language", "lang": "language", "locale": "language",
    "authors": "authors", "author": "authors", "creator": "authors",
    "publisher": "publisher", "description": "description", "summary": "description",
    "excerpt": "description", "abstract": "description",
    "keywords": "subjects", "subjects": "subjects", "subject": "subjects", "tags": "subjects",
    "categories": "subjects", "identifier": "identifier", "id": "identifier",
    "rights": "rights", "copyright": "rights", "license": "rights",
    "cover": "cover", "image": "cover", "cover_image": "cover",
    "accessibility_summary": "accessibility_summary",
    "accessibility-summary": "accessibility_summary",
    "accessibilitySummary": "accessibility_summary",
    "ignore": "ignore",            # not metadata: check codes silenced for this release
}

MONTHS = ("january february march april may june july august september october november "
          "december").split()
DATELINE_PATTERNS = [
    (re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})\.?$"), "dmy"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})\.? (" + "|".join(MONTHS) + r") (\d{4})$", re.I), "d_month_y"),
    (re.compile(r"^(" + "|".join(MONTHS) + r") (\d{1,2}),? (\d{4})$", re.I), "month_d_y"),
]


def parse_date(text: str) -> dt.date | None:
    text = " ".join(text.strip().split())
    for pattern, order in DATELINE_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        try:
            if order == "dmy":
                return dt.date(int(m[3]), int(m[2]), int(m[1]))
            if order == "ymd":
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            if order == "d_month_y":
                return dt.date(int(m[3]), MONTHS.index(m[2].lower()) + 1, int(m[1]))
            return dt.date(int(m[3]), MONTHS.index(m[1].lower()) + 1, int(m[2]))
        except ValueError:
            return None
    return None


def _text_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(v.strip() for v in str(value).split(",") if v.strip())


def _kind(value: Any) -> str:
    """What a front matter value is, for a message (never the value: it may be huge)."""
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    return f"a value of YAML type {type(value).__name__}"


def _scalar_text(value: Any) -> str | None:
    """The text of a value written as text, a number or a date; None for any other type
    (a list, a table, yes/no, binary data): its Python form must never be published."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float, dt.date)):
        return " ".join(str(value).split())
    return None


def _text_items(key: str, value: Any, where: SourceLocation, diag: Diagnostics, *,
                numbers: bool) -> tuple[str, ...]:
    """``authors`` or ``keywords``: text separated by commas, or a list of texts.  An item
    of another type is left out with a warning; ``numbers`` lets "2020" be a keyword."""
    if value is None:
        return ()
    if isinstance(value, str):
        return _text_list(value)
    out = []
    for item in value if isinstance(value, list) else [value]:
        text = _scalar_text(item) if numbers or isinstance(item, str) else None
        if text is None:
            diag.warning("front-matter-type", f"{key}: {_kind(item)} is not text; it is left out",
                         where, f"write {key} as text, or a list of texts: {key}: [One, Two]")
        elif text:
            out.append(text)
    return tuple(out)


def _ignore_codes(value: Any, display: str, config: Config, diag: Diagnostics,
                  where: SourceLocation) -> None:
    """Front matter ``ignore: [code, …]``: silence those codes in this release's files
    (the file itself, or the release's folder when it is a folder of chapter files)."""
    if not isinstance(value, (list, str)) or not all(isinstance(v, str) for v in
                                                      (value if isinstance(value, list) else [value])):
        diag.error("front-matter-type", "ignore must be a list of check codes, "
                   "e.g. ignore: [style-all-caps]", where)
        return
    folder = display.rsplit("/", 1)[0] + "/" if "/" in display else ""
    content = config.content_dir.relative_to(config.root).as_posix().rstrip("/") + "/" \
        if config.content_dir.is_relative_to(config.root) else ""
    scope = folder if folder and folder != content else display
    diag.ignore_in(scope, frozenset(_text_list(value)))


def source_date_epoch() -> dt.datetime | None:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value and value.isdigit():
        return dt.datetime.fromtimestamp(int(value), dt.timezone.utc)
    return None


def build_metadata(front: dict[str, Any], lines: dict[str, int], display: str, slug: str,
                   config: Config, diag: Diagnostics, *, first_heading: str,
                   dateline: tuple[str, SourceLocation] | None,
                   cover: Image | None,
                   detected_lang: tuple[str, float] | None = None) -> Metadata:
    """Metadata for one release; ``dateline`` is the first paragraph that reads as a date."""

    def at(key: str) -> SourceLocation:
        return SourceLocation(display, lines.get(key, 1))

    values: dict[str, tuple[str, Any]] = {}
    for key, value in front.items():
        canonical = ALIASES.get(key)
        if canonical is None:
            diag.notice("front-matter-ignored", f"front matter key {key!r} is not used", at(key))
            continue
        if canonical in values:
            diag.warning("front-matter-duplicate", f"{key!r} repeats {values[canonical][0]!r}; "
                         "the first one is used", at(key))
            continue
        values[canonical] = (key, value)
    if "ignore" in values:
        _ignore_codes(values["ignore"][1], display, config, diag, at("ignore"))

    def text(canonical: str) -> str:
        if canonical not in values:
            return ""
        key, value = values[canonical]
        if isinstance(value, (dict, list)):
            diag.error("front-matter-type", f"{key} must be text, not a "
                       f"{'list' if isinstance(value, list) else 'table'}", at(key),
                       f'write it as text on one line: {key}: "…"')
            return ""
        if value is None:
            return ""
        written = _scalar_text(value)
        if written is None:
            diag.warning("front-matter-type", f"{key} must be text, not {_kind(value)}; it is "
                         "left out", at(key), f'write it as text: {key}: "…"')
            return ""
        return written

    title = text("title")
    if not title:
        title = first_heading or slug
        diag.notice("meta-title-inferred", f"title taken from {'the first heading' if first_heading else 'the file name'}: {title!r}",
                    SourceLocation(display, 1), "set 'title:' in the front matter to confirm it")

    lang = text("language")
    if lang:
        problem = check_language_tag(lang)
        if problem:
            diag.error("lang-invalid", f"language: {problem}", at(values["language"][0]),
                       'use a BCP 47 tag such as "en", "en-GB" or "az"')
            lang = config.language
    elif detected_lang is not None:
        lang = detected_lang[0]
        diag.notice("meta-language-detected", f"language detected as {lang!r} "
                    f"({detected_lang[1]:.0%} sure)", SourceLocation(display, 1),
                    "set 'language:' in the front matter to confirm it")
    else:
        lang = config.language
        diag.notice("meta-language-inferred", f"language {lang!r} taken from accesspub.toml",
                    SourceLocation(display, 1), "set 'language:' in the front matter to confirm it")

    date: dt.date | None = None
    if "date" in values:
        key, raw = values["date"]
        if isinstance(raw, dt.datetime):
            date = raw.date()
        elif isinstance(raw, dt.date):
            date = raw
        else:
            date = parse_date(str(raw))
            if date is None:
                diag.error("front-matter-date", f"date {raw!r} is not a date", at(key),
                           "write it as YYYY-MM-DD, e.g. 2020-01-20")
    if date is None and "date" not in values:
        if dateline:
            date = parse_date(dateline[0])
            diag.notice("meta-date-inferred", f"date {date.isoformat()} taken from the dateline "
                        f"{dateline[0]!r}", dateline[1], "set 'date:' in the front matter to confirm it")
        else:
            diag.warning("meta-date-missing", "no date found: the title page, the narration, "
                         "the EPUB and the feed will have none", SourceLocation(display, 1),
                         "add 'date: YYYY-MM-DD' to the front matter, or a dateline "
                         "paragraph such as 20.01.2020 near the top")
    epoch = source_date_epoch()
    # dcterms:modified is required and must not change between builds of the same input:
    # with neither a date nor SOURCE_DATE_EPOCH it is the Unix epoch ("not known").
    modified = epoch or (dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
                         if date else dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))

    authors = _text_items(values["authors"][0], values["authors"][1],
                          at(values["authors"][0]), diag, numbers=False) \
        if "authors" in values else ()
    if not authors and config.author:
        authors = (config.author,)
    publisher = text("publisher") or config.publisher
    identifier = text("identifier") or publication_identifier(publisher, slug)
    return Metadata(
        identifier=identifier,
        title=title,
        lang=lang,
        date=date,
        modified=modified.replace(microsecond=0),
        subtitle=text("subtitle"),
        authors=authors,
        publisher=publisher,
        description=text("description"),
        subjects=_text_items(values["subjects"][0], values["subjects"][1],
                             at(values["subjects"][0]), diag, numbers=True)
        if "subjects" in values else (),
        rights=text("rights") or config.rights,
        cover=cover,
        accessibility_summary=text("accessibility_summary") or config.accessibility_summary,
        certified_by=config.certified_by,
        conformance=config.conformance if config.certified_by else "",
    )
