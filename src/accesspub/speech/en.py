"""English: the text an engine should say, with no digit or symbol left for it to guess.

``EnglishRules`` is a ``LocaleRules`` like German, French and Spanish: the same passes in
the same order (``LocaleRules.passes``), the same shared readings of addresses,
abbreviations, hashtags, percentages, ranges, plain numbers and leftover digits.  What
English says its own way is in its hooks: ``own_passes`` (times, Roman numerals, days,
dates, ordinals, decades; ``en_context``, ``en_numbers``, ``en_amounts``), its phone
numbers and postcodes, money with "$3bn", units with "in" as a preposition, fractions,
versions and words in capitals.  Words and tables are in ``en_data``.
"""

from __future__ import annotations

import re

from accesspub.speech import en_amounts as amounts
from accesspub.speech import en_context as context
from accesspub.speech import en_data as data
from accesspub.speech import en_numbers as numbers
from accesspub.speech.locale_rules import Ctx, LocaleRules
from accesspub.speech.numbers import number_format as format_for_locale

_VOWELS = set("AEIOUY")


class EnglishRules(LocaleRules):
    primary = "en"
    words = {"image": "Image", "note": "note"}
    point_words = {",": "point", ".": "point"}
    addr_words = {".": "dot", "-": "dash", "_": "underscore", "+": "plus", "/": "slash",
                  "@": "at", ":": "colon", "~": "tilde"}
    abbreviations = data.ABBREVIATIONS
    percent = ("percent", "per mille")
    quantity_cue = data.QUANTITY_CUE
    per_words = ""               # "per m²" is read by the unit rules
    ascii_apostrophes = False    # "’" stays as written: the engine reads both alike

    def context(self, number_format_: str) -> Ctx:
        """Guess the grouping unless the project names a format; US dates month first."""
        us = number_format_.lower().replace("_", "-") == "en-us" or (
            not number_format_ and self.region == "US")
        fmt = format_for_locale(number_format_)
        return Ctx(fmt=fmt, num=fmt.pattern(), words=self.words_, month_first=us)

    def range_end(self, a: str, b: str) -> str:
        return amounts.range_end(a, b)

    # --- the English hooks of LocaleRules.passes, in the order they run ------------------

    def word_passes(self):
        return [self.say_emails, self.say_urls, self.say_hashtags, self.say_abbreviations,
                self.say_romans, self.say_days, self.say_capitals, self.say_symbols]

    def say_service_numbers(self, text: str, ctx: Ctx) -> str:
        text = context.vanity_numbers(text, ctx)
        text = context.say_service_numbers(text, ctx)
        return context.say_document_numbers(text, ctx)

    def own_passes(self):
        return [self.say_clock_forms, self.say_romans, self.say_days, self.say_decimal_commas,
                amounts.say_ordinal_ranges, numbers.say_iso_dates, numbers.say_numeric_dates,
                numbers.say_text_dates, numbers.say_times]

    def say_clock_forms(self, text: str, ctx: Ctx) -> str:
        return context.clock_forms(text)

    def say_romans(self, text: str, ctx: Ctx) -> str:
        return context.say_romans(text, ctx)

    def say_days(self, text: str, ctx: Ctx) -> str:
        return context.say_day_ranges(text)

    def say_decimal_commas(self, text: str, ctx: Ctx) -> str:
        return context.decimal_commas(text, amounts.UNITS_RE)

    def say_money(self, text: str, ctx: Ctx) -> str:
        return amounts.say_money(text, ctx)

    def say_units(self, text: str, ctx: Ctx) -> str:
        us = self.region == "US"
        text = context.say_per_units(text, ctx, data.UNITS, amounts.amount_re(ctx),
                                     amounts.say_amount, us)
        return amounts.say_units(text, ctx, us_spelling=us)

    def say_numbered_years(self, text: str, ctx: Ctx) -> str:
        """"1/2", "2019/20", "24/7", "1:2": English reads a slash pair as a fraction."""
        return amounts.say_fractions(text, ctx)

    def say_dotted(self, text: str, ctx: Ctx) -> str:
        return amounts.say_versions(text, ctx)

    # --- addresses ---------------------------------------------------------------------

    def spelled_label(self, label: str) -> bool:
        return spelled_label(label)

    def spell_address(self, text: str) -> str:
        # "FousheeCT@state.gov": initials glued to a name are said as initials.
        return super().spell_address(re.sub(r"(?<=[a-z])(?=[A-Z]{2,4}(?![\w]))", " ", text))

    def say_urls(self, text: str, ctx: Ctx) -> str:
        """Web addresses as ``LocaleRules`` reads them, and a bare ".edu": "dot E D U"."""
        text = super().say_urls(text, ctx)
        return re.sub(r"(?<![\w@./-])\.(edu|gov|com|org|net|int)\b(?![.\w-])",
                      lambda m: "dot " + (" ".join(m[1].upper()) if spelled_label(m[1])
                                          else m[1]), text)

    def say_abbreviations(self, text: str, ctx: Ctx) -> str:
        text = re.sub(r"\bCorp\.(?=\s[A-Z])", _corporal, text)
        return say_abbreviations(super().say_abbreviations(text, ctx))

    def say_phones(self, text: str, ctx: Ctx) -> str:
        """Phone numbers, then postcodes and house numbers, then the ordinals and decades
        whose digits none of them may take."""
        text = numbers.say_phones(text, ctx)
        text = numbers.say_postcodes(text, ctx)
        text = numbers.say_house_numbers(text, ctx)
        text = amounts.say_ordinals(text, ctx)
        return amounts.say_decades(text, ctx)

    def say_capitals(self, text: str, ctx: Ctx) -> str:
        return say_capitals(text)

    def say_symbols(self, text: str, ctx: Ctx) -> str:
        return say_symbols(text)


_SPELLED_LABELS = {a.lower() for a in data.SPELLED} | {"edu"}


def spelled_label(label: str) -> bool:
    """"who", "nhs", "bbc": a label that is an acronym or has no vowel is said letter by
    letter ("who dot int" would be the pronoun); "example", "gov", "org" are words."""
    if not label.isalpha() or len(label) > 6:
        return False
    # Two letters are a country code ("az"): said as written, unless nothing else can be.
    return ((len(label) > 2 and label.lower() in _SPELLED_LABELS)
            or (len(label) > 1 and not re.search(r"[aeiouy]", label, re.I)))


# --- abbreviations ---------------------------------------------------------------------

def say_abbreviations(text: str) -> str:
    """After the table (``en_data.ABBREVIATIONS``): "#5" -> "number 5", "St." -> "Saint" or
    "Street", "U.S." -> "U S"; a full stop that also ended the sentence is kept."""
    text = re.sub(r"#(?=\d)", "number ", text)
    text = re.sub(r"\bSt\.", _saint_or_street, text)
    # "555 E. City Avenue", "3300 Parkway St. NW": compass points of a street address.
    text = re.sub(rf"\b(?P<p>[NSEW])\.\s(?=[A-Z][\w'’]*\s(?:{_STREETS})\b)",
                  lambda m: data.COMPASS[m["p"]] + " ", text)
    text = re.sub(rf"\b(?P<w>{_STREETS_AFTER})\s(?P<p>NW|NE|SW|SE)\b",
                  lambda m: f"{m['w']} {data.COMPASS[m['p']]}", text)
    # "§ 2.3(b)": a lettered subsection is said after its number, without brackets.
    text = re.sub(r"(?<=\d)\((?P<l>[a-z]{1,2})\)", lambda m: " " + m["l"], text)
    return re.sub(r"\b(?:[A-Z]\.){2,}",
                  lambda m: " ".join(m[0].replace(".", "")) + _sentence_stop(m), text)


def _corporal(m: re.Match) -> str:
    """"Corp. John F. Miller" is a rank; "Acme Corp. Chief …" a company: a capital word
    right before it names the company."""
    before = numbers.near_before(m, 30).rstrip()
    previous = before.split(" ")[-1] if before else ""
    return m[0] if previous[:1].isupper() else "Corporal"


def _sentence_stop(m: re.Match) -> str:
    return "." if m.end() == len(m.string) else ""


_CAPITAL_NEXT = re.compile(r"\s*[A-Z]")
_STREETS = ("(?i:avenue|ave|street|st|road|rd|drive|dr|boulevard|blvd|lane|ln|place|pl|way|"
            "court|ct|parkway|pkwy|square|sq|terrace|church|cathedral|hospital|school|"
            "college|parish|park)")
# "12 St. James Ave.": the name after "St." is followed by a street word of its own.
_SAINT_STREET = re.compile(rf"\s*[A-Z][\w'’]*(?:\s[A-Z][\w'’]*)?\s{_STREETS}\b")
_STREETS_AFTER = "Street|Avenue|Road|Drive|Boulevard|Parkway|avenue|road|boulevard"


def _saint_or_street(m: re.Match) -> str:
    """"St. Petersburg" is a saint; "Main St." and "12 Baker St. London" are streets."""
    if _SAINT_STREET.match(m.string, m.end()):
        return "Saint"
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


# "DOVER, DE (AP) –", "ST. LOUIS —", "CANTON Township –": the place that opens a news
# story, in capitals by convention; said as a name, never spelled.
_DATELINE = re.compile(r"^(?P<place>[A-Z][A-Z'.-]*(?:\s[A-Z][A-Za-z'.-]*){0,3}?)"
                       r"(?P<state>,\s[A-Z][A-Za-z.]{1,14})?(?=\s(?:\([A-Z]{2,6}\)\s)?[—–-]\s)")


def _say_dateline(m: re.Match) -> str:
    words = []
    for word in m["place"].split(" "):
        if word == "ST.":
            words.append("Saint")
        elif (word.isupper() and word.upper() not in data.SPELLED and len(word) > 2
              and re.search(r"[AEIOUY]", word)):     # "NHS —" is still spelled
            words.append("-".join(part.capitalize() for part in word.split("-")))
        else:
            words.append(word)
    state = m["state"]
    if state:
        state = ", " + data.POSTAL_STATES.get(state[2:], state[2:])
    return " ".join(words) + (state or "")


def _shouting(text: str) -> bool:
    """Is the text written in capitals (a heading, a letterhead), not just using acronyms?"""
    if len(re.findall(r"\b[A-Z]{2,}\b", text)) < 2:
        return False
    # map() with str methods: a Python loop over the characters costs a second a megabyte
    letters = sum(map(str.isalpha, text))
    upper = sum(map(str.isupper, text))
    return upper >= 0.8 * letters


def say_capitals(text: str) -> str:
    """"USSR" -> "U S S R", "NATO" -> "Nato", "PRESS RELEASE" -> "press release",
    "TEL" -> "telephone", "E-MAIL" -> "e-mail", "NGOs" -> "N G O's"."""
    text = _DATELINE.sub(_say_dateline, text)
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


def say_symbols(text: str) -> str:
    """"&" -> "and", "his/her" -> "his or her", dashes -> a comma pause, "…" -> "..."."""
    text = re.sub(r"\band/or\b", "and or", text)
    text = re.sub(r"(?<=[^\W\d_])\s*/\s*(?=[^\W\d_])", " or ", text)
    text = re.sub(r"\s+/\s+|/", ", ", text)
    text = re.sub(r"\s*[–—―]+\s*|\s+-+\s+|--+", ", ", text)
    text = re.sub(r"\.{4,}", "...", text)
    return text.translate(_SYMBOL_TABLE)
