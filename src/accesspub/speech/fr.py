"""French: dates, times, ordinals, amounts and numbers as a native speaker says them.

Numbers follow the locale (Babel "fr": groups with a narrow no-break space, which NFKC
and ``SPACES`` make a space; decimal comma, "trois virgule cinq"); "le 1er mai 2024" is
"le premier mai deux mille vingt-quatre", "9h30" "neuf heures trente", "XXe siècle"
"vingtième siècle", and phone numbers are said in pairs ("zéro un, vingt-trois, …").
"""

from __future__ import annotations

import re

from babel.dates import get_month_names

from accesspub.speech import fr_data as data
from accesspub.speech.locale_rules import Ctx, LocaleRules, roman_value, valid_date

_WIDE = get_month_names("wide", locale="fr")
MONTHS = {name: n for n, name in _WIDE.items()}
MONTHS.update({name.rstrip("."): n for n, name in
               get_month_names("abbreviated", locale="fr").items()})
_MONTH = r"(?P<month>%s)" % "|".join(sorted(MONTHS, key=len, reverse=True))




class FrenchRules(LocaleRules):
    primary = "fr"
    and_word = "et"
    fraction_names = {"1/2": "un demi", "1/4": "un quart", "3/4": "trois quarts",
                      "1/3": "un tiers", "2/3": "deux tiers", "1/8": "un huitième"}
    slash_word = "barre"
    hashtag_word = "hashtag"
    # No dial_words: in France "le 112", "le 15" are said as numbers ("le cent douze").
    words = {"image": "Image", "note": "note"}
    extra_group = "."
    point_words = {",": "virgule", ".": "point"}
    dot_word = "point"
    fraction_as_number = True
    range_word = "à"
    addr_words = data.ADDRESS_WORDS
    abbreviations = data.ABBREVIATIONS
    phone_labels = data.PHONE_LABELS
    no_context_phone = data.NO_CONTEXT_PHONE
    currency_symbols = data.CURRENCY_SYMBOLS
    currency_codes = data.CURRENCY_CODES
    scale_words = data.SCALE_WORDS
    scale_of = "d'"
    units = data.UNITS
    percent = ("pour cent", "pour mille")
    symbols = data.SYMBOLS
    feminine = data.FEMININE
    quantity_cue = data.QUANTITY_CUE

    def before_nfkc(self, text: str) -> str:
        # "n°" / "nº" before NFKC turns "º" into "o".
        return re.sub(r"\b([nN])[°º]\s?(?=\d)",
                      lambda m: "numéro " if m[1] == "n" else "Numéro ", text)

    def own_passes(self):
        return [self.say_numeric_dates, self.say_text_dates, self.say_times, self.say_ordinals,
                self.say_romans]

    # --- agreement ------------------------------------------------------------------

    def agree(self, words: str, noun: str | None) -> str:
        """"un" before a feminine noun is "une": "une heure", "vingt et une personnes"."""
        if self.is_feminine(noun) and re.search(r"\bun$", words):
            return words + "e"
        return words

    def is_plural(self, num) -> bool:
        return num.value >= 2     # "1,5 kilomètre", "deux kilomètres"

    def ordinal(self, n: int) -> str:
        # num2words writes "quatre-vingtsième", "deux centsième": the "s" goes.
        return re.sub(r"(vingt|cent)sième", r"\1ième", super().ordinal(n))

    def money_text(self, major: str, unit: str, cents: str, minor: str) -> str:
        return f"{major} {unit} {cents}"     # "douze euros cinquante"

    # --- phone numbers: pairs ------------------------------------------------------------

    def phone_group(self, digits: str) -> str:
        """"01" -> "zéro un", "23" -> "vingt-trois"; other groups digit by digit."""
        if len(digits) == 2:
            if digits[0] == "0":
                return f"{self.cardinal(0)} {self.cardinal(int(digits[1]))}"
            return self.cardinal(int(digits))
        if len(digits) == 10 and digits[0] == "0":
            return ", ".join(self.phone_group(digits[i:i + 2]) for i in range(0, 10, 2))
        return super().phone_group(digits)

    # --- dates -----------------------------------------------------------------------

    def day(self, n: int) -> str:
        return self.ordinal(1) if n == 1 else self.cardinal(n)

    def date(self, day: int, month: int, year: int | None) -> str:
        spoken = f"{self.day(day)} {_WIDE[month]}"
        return f"{spoken} {self.year(year)}" if year is not None else spoken

    def say_text_dates(self, text: str, ctx: Ctx) -> str:
        """"le 1er mai 2024" -> "le premier mai deux mille vingt-quatre", "mai 2024"."""
        def spoken(m: re.Match) -> str:
            day, month = int(m["d"]), MONTHS[m["month"].lower()]
            if not valid_date(day, month):
                return m[0]
            return self.date(day, month, int(m["y"]) if m["y"] else None)
        text = re.sub(rf"(?<![\d.,])(?P<d>\d{{1,2}})(?:er)?\s{_MONTH}\.?(?!\w)"
                      rf"(?:\s(?P<y>\d{{4}})(?!\d))?", spoken, text, flags=re.I)
        return re.sub(rf"(?<!\w){_MONTH}\.?\s(?P<y>\d{{4}})(?![\d])",
                      lambda m: f"{_WIDE[MONTHS[m['month'].lower()]]} {self.year(int(m['y']))}",
                      text, flags=re.I)

    # --- times -----------------------------------------------------------------------

    def hours(self, h: int) -> str:
        return f"{self.agree(self.cardinal(h), 'heure')} {'heures' if h >= 2 else 'heure'}"

    def say_times(self, text: str, ctx: Ctx) -> str:
        """"9h30", "9 h 30", "9:30" -> "neuf heures trente"; "14 h" -> "quatorze heures"."""
        hour = r"(?:[01]?\d|2[0-4])"

        def spoken(m: re.Match) -> str:
            said = self.hours(int(m["h"]))
            if m["m"] and int(m["m"]):
                said += " " + self.cardinal(int(m["m"]))
            return said
        text = re.sub(rf"(?<![\d.:,])(?P<h>{hour})\s?h\s?(?P<m>[0-5]\d)?(?![\w])", spoken, text)
        return re.sub(rf"(?<![\d.:,])(?P<h>{hour}):(?P<m>[0-5]\d)(?![\d]|:\d)", spoken, text)

    # --- ordinals ----------------------------------------------------------------------

    def ordinal_word(self, n: int, suffix: str) -> str:
        suffix = suffix.lower()
        if n == 1:
            return "première" if suffix in ("re", "ère", "ere") else "premier"
        if n == 2 and suffix in ("nd", "nde"):
            return "seconde" if suffix == "nde" else "second"
        return self.ordinal(n)

    def say_ordinals(self, text: str, ctx: Ctx) -> str:
        """"1er" -> "premier", "1re" -> "première", "2e", "2ème" -> "deuxième"."""
        def spoken(m: re.Match) -> str:
            suffix = m["s"]
            plural = suffix.endswith("s")
            return self.ordinal_word(int(m["n"]), suffix[:-1] if plural else suffix) + (
                "s" if plural else "")
        return re.sub(r"(?<![\d.,])(?P<n>\d{1,6})(?P<s>ères?|eres?|ers?|res?|èmes?|emes?|es?|"
                      r"ndes?|nds?)\b", spoken, text)

    def say_romans(self, text: str, ctx: Ctx) -> str:
        """"XXe siècle" -> "vingtième siècle", "François Ier" -> "François premier",
        "Louis XIV" -> "Louis quatorze"."""
        def with_suffix(m: re.Match) -> str:
            n = roman_value(m["r"])
            return self.ordinal_word(n, m["s"]) if n else m[0]

        def after_name(m: re.Match) -> str:
            n = roman_value(m["r"])
            return f"{m['name']} {self.cardinal(n)}" if n else m[0]
        # Single letters only as I, V, X: "Le", "Ce", "De", "Me" are words, not 50e, 100e...
        text = re.sub(r"\b(?P<r>[IVXLCDM]{2,}|[IVX])(?P<s>ère|re|er|ème|e)\b", with_suffix, text)
        name = r"(?P<name>\b[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?)"
        return re.sub(name + r"\s(?P<r>[IVX]{2,})\b", after_name, text)
