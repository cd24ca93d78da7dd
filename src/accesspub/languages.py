"""BCP 47 language tags: validation and the names people know them by."""

from __future__ import annotations

import langcodes


def check_language_tag(tag: str) -> str | None:
    """None when ``tag`` is a well-formed, known BCP 47 tag; else what is wrong with it."""
    if not tag or not isinstance(tag, str):
        return "empty language tag"
    if "_" in tag:
        return f"{tag!r} is not a BCP 47 tag (use '-' not '_': {tag.replace('_', '-')!r})"
    try:
        parsed = langcodes.Language.get(tag, normalize=False)
    except (ValueError, langcodes.tag_parser.LanguageTagError):
        return f"{tag!r} is not a well-formed BCP 47 language tag"
    if not langcodes.tag_is_valid(tag) or not parsed.is_valid():
        return f"{tag!r} is not a registered language tag"
    return None


def language_name(tag: str) -> str:
    try:
        return langcodes.Language.get(tag).display_name("en")
    except (ValueError, langcodes.tag_parser.LanguageTagError):
        return tag


def primary(tag: str) -> str:
    return tag.split("-")[0].lower()
