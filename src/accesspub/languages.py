"""BCP 47 language tags: validation and the names people know them by."""

from __future__ import annotations


def check_language_tag(tag: str) -> str | None:
    """None when ``tag`` is a well-formed, known BCP 47 tag; else what is wrong with it."""
    if not tag or not isinstance(tag, str):
        return "empty language tag"
    import langcodes            # on first use: most commands never check a tag
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
    import langcodes
    try:
        return langcodes.Language.get(tag).display_name("en")
    except (ValueError, langcodes.tag_parser.LanguageTagError):
        return tag


def primary(tag: str | None) -> str:
    """The primary language subtag, lower case: "de-CH" -> "de" ("de_CH" too)."""
    return (tag or "").replace("_", "-").split("-")[0].lower()


def long_date(date, tag: str) -> str:
    """The date written out in the language of ``tag`` ("20 January 2020", "20. Januar
    2020"); English where Babel does not know the language."""
    from babel.core import Locale, UnknownLocaleError
    from babel.dates import format_date
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    return format_date(date, "long", locale=locale)
