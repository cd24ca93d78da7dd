"""English: the text an engine should say, with no digit or symbol left for it to guess.

``EnglishRules.speak`` runs the rules in a fixed order (see ``_passes``): addresses that
contain dots and digits first (e-mail, web), then abbreviations, then everything made of
digits from the most specific shape to plain numbers, then capitals, then symbols.
"""

from __future__ import annotations

import re
import unicodedata

from accesspub.speech import en_amounts as amounts
from accesspub.speech import en_context as context
from accesspub.speech.common_forms import say_hashtags as hashtags, split_vulgar_fractions
from accesspub.speech import en_data as data
from accesspub.speech import en_numbers as numbers
from accesspub.speech.en_numbers import EnContext
from accesspub.speech.normalize import EMAIL_RE, LanguageRules, tidy
from accesspub.speech.numbers import NumberWords, number_format as format_for_locale

_VOWELS = set("AEIOUY")


class EnglishRules(LanguageRules):
    words = {"image": "Image", "note": "note"}

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        self.region = lang.split("-")[1].upper() if "-" in lang else ""
        self.number_words = NumberWords("en")

    def context(self, number_format_: str) -> EnContext:
        us = number_format_.lower().replace("_", "-") == "en-us" or (
            not number_format_ and self.region == "US")
        return EnContext(fmt=format_for_locale(number_format_), words=self.number_words,
                         month_first=us)

    def speak(self, text: str, *, number_format: str = "") -> str:
        ctx = self.context(number_format)
        text = _prepare(text)
        # Every rule between the abbreviations and the capitals needs a digit to match, and
        # no rule writes one: a text without digits skips them (most sentences; a third of
        # the time of a long one).
        passes = self._passes() if re.search(r"\d", text) else [
            say_emails, say_urls, say_hashtags, say_abbreviations, context.say_romans,
            lambda t, c: context.say_day_ranges(t), say_capitals, say_symbols]
        for rule in passes:
            text = rule(text, ctx)
        return tidy(text)

    def _passes(self):
        us = self.region == "US"
        return [
            say_emails, say_urls, say_hashtags, say_abbreviations, context.vanity_numbers,
            context.say_service_numbers, context.say_document_numbers,
            lambda t, c: context.clock_forms(t),
            context.say_romans, lambda t, c: context.say_day_ranges(t),
            lambda t, c: context.decimal_commas(t, amounts.UNITS_RE),
            amounts.say_ordinal_ranges,
            numbers.say_iso_dates, numbers.say_numeric_dates, numbers.say_text_dates,
            numbers.say_times, numbers.say_phones, numbers.say_postcodes,
            amounts.say_ordinals, amounts.say_decades,
            amounts.say_money, amounts.say_percentages,
            lambda t, c: context.say_per_units(t, c, data.UNITS, amounts.amount_re(c),
                                               amounts.say_amount, us),
            lambda t, c: amounts.say_units(t, c, us_spelling=us),
            amounts.say_ranges,
            amounts.say_fractions, amounts.say_versions,
            lambda t, c: amounts.split_letters_digits(t),
            amounts.say_numbers, say_capitals, say_symbols, amounts.say_leftover_digits,
        ]


def _prepare(text: str) -> str:
    """Unicode compatibility forms to plain ones (NFKC: no-break and thin spaces become
    spaces, "…" "...", "²" "2", "℃" "°C"), after saving the few NFKC would spoil."""
    text = text.replace("º", "°").replace("™", "").replace("®", "").replace("℠", "")
    text = split_vulgar_fractions(text, "and")
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2212", "-").replace("\u2010", "-").replace("\u2011", "-")
    return re.sub(r"\s+", " ", text)


# --- e-mail and web addresses ------------------------------------------------------------

_SPOKEN_PUNCT = {".": " dot ", "-": " dash ", "_": " underscore ", "+": " plus ",
                 "/": " slash ", "@": " at ", ":": " colon ", "~": " tilde "}
_TLDS = data.GENERIC_TLDS.split()
_TRAILING = ".,;:!?)]}'\""


def _spell_address(text: str, ctx: EnContext) -> str:
    """Say an address part by part: "mfa.gov.az" -> "mfa dot gov dot az"; digits one by one."""
    out = []
    for piece in re.split(r"([.\-_+/@:~])", text):
        if piece in _SPOKEN_PUNCT:
            out.append(_SPOKEN_PUNCT[piece])
        elif piece.lower() == "www":
            out.append("w w w")
        elif piece and spelled_label(piece):
            out.append(" ".join(piece.upper()))
        elif piece:
            out.append(re.sub(r"\d+", lambda m: f" {ctx.words.digits(m[0])} ", piece))
    return re.sub(r"\s+", " ", "".join(out)).strip()


_SPELLED_LABELS = {a.lower() for a in data.SPELLED} | {"edu"}


def spelled_label(label: str) -> bool:
    """"who", "nhs", "bbc": a label that is an acronym or has no vowel is said letter by
    letter ("who dot int" would be the pronoun); "example", "gov", "org" are words."""
    if not label.isalpha() or len(label) > 6:
        return False
    # Two letters are a country code ("az"): said as written, unless nothing else can be.
    return ((len(label) > 2 and label.lower() in _SPELLED_LABELS)
            or (len(label) > 1 and not re.search(r"[aeiouy]", label, re.I)))


def say_hashtags(text: str, ctx: EnContext) -> str:
    return hashtags(text)


def say_emails(text: str, ctx: EnContext) -> str:
    """"sarajevo@mission.mfa.gov.az" -> "sarajevo at mission dot mfa dot gov dot az"."""
    def spoken(m: re.Match) -> str:
        return _spell_address(m[0], ctx)
    text = re.sub(r"\bmailto:", "", text, flags=re.I)
    return EMAIL_RE.sub(spoken, text)


def _url(address: str, ctx: EnContext) -> str:
    """Drop the scheme, query and fragment (a listener cannot use them), keep host and path."""
    address = re.sub(r"^[a-z][a-z0-9+.-]*://", "", address, flags=re.I)
    address = re.split(r"[?#]", address, maxsplit=1)[0].rstrip("/")
    return _spell_address(address, ctx)


def say_urls(text: str, ctx: EnContext) -> str:
    """"http://sarajevo.mfa.gov.az" -> "sarajevo dot mfa dot gov dot az",
    "www.example.org/path" -> "w w w dot example dot org slash path"."""
    def spoken(m: re.Match) -> str:
        address = m[0]
        trail = len(address) - len(address.rstrip(_TRAILING))
        if trail:
            address, rest = address[:-trail], address[-trail:]
        else:
            rest = ""
        return _url(address, ctx) + rest
    text = re.sub(r"\b(?:https?|ftp)://[^\s<>\"]+|\bwww\.[^\s<>\"]+", spoken, text, flags=re.I)
    tld = "|".join(_TLDS) + "|[a-z]{2}"
    text = re.sub(r"(?<![\w@./-])\.(edu|gov|com|org|net|int)\b(?![.\w-])",
                  lambda m: "dot " + (" ".join(m[1].upper()) if spelled_label(m[1]) else m[1]),
                  text)
    bare = rf"(?<![\w@.-])[A-Za-z0-9][\w-]*(?:\.[A-Za-z0-9][\w-]*)*\.(?:{tld})(?![\w-])(?:/[^\s<>\"]*)?"
    return re.sub(bare, lambda m: spoken(m) if _is_host(m[0]) else m[0], text)


def _is_host(candidate: str) -> bool:
    """A bare name is a host when its labels have letters and the first is not one letter
    (so "e.g" or "No.5" are not taken for hosts)."""
    host = candidate.split("/")[0]
    labels = host.split(".")
    return len(labels[0]) > 1 and any(c.isalpha() for c in labels[0]) and not host[0].isdigit()


# --- abbreviations ---------------------------------------------------------------------

def say_abbreviations(text: str, ctx: EnContext) -> str:
    """"e.g." -> "for example", "No. 5" -> "number 5", "St." -> "Saint" or "Street",
    "U.S." -> "U S"; a full stop that also ended the sentence is kept."""
    for pattern, spoken, can_end in data.ABBREVIATIONS:
        text = re.sub(pattern, lambda m, s=spoken, e=can_end: s + (_sentence_stop(m) if e else ""),
                      text)
    text = re.sub(r"#(?=\d)", "number ", text)
    text = re.sub(r"\bSt\.", _saint_or_street, text)
    return re.sub(r"\b(?:[A-Z]\.){2,}",
                  lambda m: " ".join(m[0].replace(".", "")) + _sentence_stop(m), text)


def _sentence_stop(m: re.Match) -> str:
    return "." if m.end() == len(m.string) else ""


_CAPITAL_NEXT = re.compile(r"\s*[A-Z]")


def _saint_or_street(m: re.Match) -> str:
    """"St. Petersburg" is a saint; "Main St." and "12 Baker St. London" are streets."""
    before = numbers.near_before(m, 80).rstrip()
    previous = before.split(" ")[-1] if before else ""
    # A street name or house number right before it (no punctuation between) is a street.
    names_street = previous[:1].isupper() or previous[:1].isdigit()
    # "Downtown St. Louis", "in North St. Louis": a capital word on either side but no
    # house number before it is a place named after a saint.
    if (names_street and not previous[:1].isdigit() and _CAPITAL_NEXT.match(m.string, m.end())
            and not re.search(r"\d", before[-25:])):
        names_street = False
    if (names_street and previous[-1] not in ",;:(") or not _CAPITAL_NEXT.match(m.string, m.end()):
        return "Street" + _sentence_stop(m)
    return "Saint"


# --- capitals ------------------------------------------------------------------------

def _pronounceable(word: str) -> bool:
    """Could ``word`` (capitals) be read as an English word? Needs a vowel, an onset and a
    coda English allows, and no long consonant run: "PRESS" yes, "USSR" no."""
    if not any(c in _VOWELS for c in word[1:] + (word[0] if word[0] != "Y" else "")):
        return False
    runs = re.findall(r"[^AEIOUY]+", word)
    onset = re.match(r"[^AEIOU]*", word)[0]
    coda = re.search(r"[^AEIOUY]*$", word)[0]
    return (onset in data.ONSETS and coda in data.CODAS
            and all(len(r) <= 3 for r in runs) and not re.search(r"[AEIOU]{3}", word))


def _say_capital_word(word: str, shouting: bool) -> str:
    key = word.upper()
    if key in data.CAPS_WORDS:
        return data.CAPS_WORDS[key]
    if "-" in key:
        return "-".join(_say_capital_word(part, shouting) for part in key.split("-"))
    if shouting and (key in data.COMMON_SHORT_WORDS or (len(key) > 3 and _pronounceable(key))):
        return word.lower()
    if key in data.SPELLED:
        return " ".join(key)
    if key in data.WORD_ACRONYMS:
        return key.capitalize()
    # A long capital word with a vowel is a word or a name ("SCHWARZMANN"), never spelled
    # because English would not begin or end it so.
    if len(key) >= 6 and key not in data.SPELLED and re.search(r"[AEIOU]", key):
        return word.lower()
    if len(key) > 3 and _pronounceable(key):
        return word.lower()
    return " ".join(key)


def _shouting(text: str) -> bool:
    """Is the text written in capitals (a heading, a letterhead), not just using acronyms?"""
    if len(re.findall(r"\b[A-Z]{2,}\b", text)) < 2:
        return False
    # map() with str methods: a Python loop over the characters costs a second a megabyte
    letters = sum(map(str.isalpha, text))
    upper = sum(map(str.isupper, text))
    return upper >= 0.8 * letters


def say_capitals(text: str, ctx: EnContext) -> str:
    """"USSR" -> "U S S R", "NATO" -> "Nato", "PRESS RELEASE" -> "press release",
    "TEL" -> "telephone", "E-MAIL" -> "e-mail", "NGOs" -> "N G O's"."""
    shouting = _shouting(text)

    def spoken(m: re.Match) -> str:
        word, plural = m["w"], m["s"]
        said = _say_capital_word(word, shouting)
        if plural:
            return said + ("'s" if said.endswith(tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) else "s")
        return said
    return re.sub(r"(?<![\w-])(?P<w>[A-Z]{2,}(?:-[A-Z]+)*|[A-Z](?:-[A-Z]+)+)(?P<s>s?)(?![\w])",
                  spoken, text)


# --- symbols and tidying ---------------------------------------------------------------

_SYMBOL_TABLE = str.maketrans(data.SYMBOLS)


def say_symbols(text: str, ctx: EnContext) -> str:
    """"&" -> "and", "his/her" -> "his or her", dashes -> a comma pause, "…" -> "..."."""
    text = re.sub(r"\band/or\b", "and or", text)
    text = re.sub(r"(?<=[^\W\d_])\s*/\s*(?=[^\W\d_])", " or ", text)
    text = re.sub(r"\s+/\s+|/", ", ", text)
    text = re.sub(r"\s*[–—―]+\s*|\s+-+\s+|--+", ", ", text)
    text = re.sub(r"\.{4,}", "...", text)
    return text.translate(_SYMBOL_TABLE)
