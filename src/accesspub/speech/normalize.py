"""``normalize(text, lang)``: the words a speech engine should say for one piece of text.

Rules are kept per language in a registry keyed by the primary language subtag ("en" for
"en-GB").  A language without rules gets only safe cleanup (whitespace), so an engine
still receives the author's text rather than nothing, and the build never fails here.

Adding a language: write a module with a ``locale_rules.LocaleRules`` subclass (as
``en.py``, ``de.py``, ``fr.py`` and ``es.py`` are): it inherits the passes every language
shares and overrides the hooks where the language differs; numbers come from
``speech.numbers.NumberWords`` (num2words) and month names from Babel.  Add it to the
registry at the bottom of this file.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from accesspub.languages import primary as primary_of

# Phoneme spans from a lexicon, "[[ˈbɑːku]]": passed through untouched (see protect()).
PHONEME_SPAN = re.compile(r"\[\[[^\[\]]*\]\]")
# Private-use code points stand in for protected spans: no rule matches them, and they
# carry no digits, letters or spaces that a rule could change.
_PLACEHOLDER_BASE = 0xF0000
_PLACEHOLDER = re.compile("[\U000F0000-\U000FFFFD]")

# Every pattern here and in the language modules runs on untrusted text, so each must be
# linear in its length (tests/test_regex_linear.py): a match may start only where a run of
# its characters starts (a look-behind), and repeats that could rescan a long run are
# bounded.  An e-mail address starts where a run of address characters starts: without
# the look-behind every later start inside a 100 000-character token is tried again.
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]*\w@\w[\w-]*(?:\.[\w-]*\w)+")


def tidy(text: str) -> str:
    """Spaces and pauses left by the rules: " ," -> ",", ", ," -> ",", ", ." -> "."."""
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*,)+", r"\1", text)
    text = re.sub(r",\s*([.;:!?])", r"\1", text)
    text = re.sub(r"^\s*,\s*", "", text)
    text = re.sub(r"\(\s*,?\s*", "(", text)
    text = re.sub(r"\s*,?\s*\)", ")", text)
    return text.strip()


class LanguageRules:
    """How one language turns written text into spoken text.

    Subclasses override ``speak``; they receive text that has been cleaned up and whose
    phoneme spans are hidden behind placeholders, and must return plain words.
    ``words`` holds the few words the speech stage says itself (see ``phrase``).
    """

    words: dict[str, str] = {"image": "Image", "note": "note"}

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def speak(self, text: str, *, number_format: str = "") -> str:
        return text


_REGISTRY: dict[str, "Callable[[str], LanguageRules] | str"] = {}   # or "module:class"


def register(primary: str, factory: Callable[[str], LanguageRules]) -> None:
    """Use ``factory(lang)`` for every tag whose primary subtag is ``primary``."""
    _REGISTRY[primary.lower()] = factory


def rules_for(lang: str) -> LanguageRules:
    """The rules for a BCP 47 tag; plain ``LanguageRules`` when the language has none."""
    primary = primary_of(lang)
    factory = _REGISTRY.get(primary)
    if isinstance(factory, str):
        import importlib
        module, name = factory.split(":")
        factory = _REGISTRY[primary] = getattr(importlib.import_module(module), name)
    return _rules_for(lang or "", factory)


@lru_cache(maxsize=128)
def _rules_for(lang: str, factory: Callable[[str], LanguageRules] | None) -> LanguageRules:
    # Cached: rules are stateless once built, and building them asks num2words for words.
    return factory(lang) if factory else LanguageRules(lang)


def has_rules(lang: str) -> bool:
    return primary_of(lang) in _REGISTRY


def phrase(key: str, lang: str) -> str:
    """A word the speech stage adds itself ("image", "note"), in the language of ``lang``."""
    return rules_for(lang).words.get(key, LanguageRules.words[key])


# White space and the characters of categories Cc, Zl and Zp (control, line and paragraph
# separators), as one class: a character-by-character loop costs a second a megabyte.
_BLANKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def clean_whitespace(text: str) -> str:
    """Safe for any language: control characters out, runs of spaces to one, ends trimmed."""
    return _BLANKS.sub(" ", text).strip()


def protect(text: str) -> tuple[str, list[str]]:
    """Hide phoneme spans behind placeholders so no rule rewrites the IPA inside them."""
    saved: list[str] = []

    def hide(match: re.Match) -> str:
        saved.append(match.group(0))
        return chr(_PLACEHOLDER_BASE + len(saved) - 1)

    # Placeholders from the text itself (private-use characters) would be mistaken for
    # ours: drop them, they cannot be spoken anyway.
    text = _PLACEHOLDER.sub("", text)
    return PHONEME_SPAN.sub(hide, text), saved


def restore(text: str, saved: list[str]) -> str:
    def show(match: re.Match) -> str:
        index = ord(match.group(0)) - _PLACEHOLDER_BASE
        return saved[index] if index < len(saved) else ""

    return _PLACEHOLDER.sub(show, text)


def normalize(text: str, lang: str, *, number_format: str = "") -> str:
    """The spoken form of ``text`` written in language ``lang`` (a BCP 47 tag).

    ``number_format`` is the locale whose digit grouping the text uses ("de": ``1.500`` is
    1500 and ``1,5`` one point five); empty lets the language guess.  Never raises for
    any text: a rule that fails leaves the text as cleaned up so far.
    """
    cleaned = clean_whitespace(text)
    if not cleaned:
        return ""
    hidden, saved = protect(cleaned)
    return clean_whitespace(restore(_speak(rules_for(lang), hidden, number_format), saved))


@lru_cache(maxsize=1 << 16)
def _speak(rules: LanguageRules, text: str, number_format: str) -> str:
    # Cached: a build speaks its release twice, ahead of language detection and after it
    # (build._speak_ahead), and most sentences come out of detection unchanged.
    try:
        return rules.speak(text, number_format=number_format)
    except Exception:  # a rule bug must not stop a build: say the text as written
        return text


# Built-in rules are imported on first use: each loads num2words and Babel data, a tenth of
# a second that a release in one language should not pay for the others.
for _primary, _where in (("en", "accesspub.speech.en:EnglishRules"),
                         ("de", "accesspub.speech.de:GermanRules"),
                         ("fr", "accesspub.speech.fr:FrenchRules"),
                         ("es", "accesspub.speech.es:SpanishRules")):
    _REGISTRY[_primary] = _where
