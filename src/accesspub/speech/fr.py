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
from accesspub.speech.locale_rules import Ctx, LocaleRules, month_stop, roman_value, valid_date

_WIDE = get_month_names("wide", locale="fr")
MONTHS = {name: n for n, name in _WIDE.items()}
MONTHS.update({name.rstrip("."): n for n, name in
               get_month_names("abbreviated", locale="fr").items()})
_MONTH = r"(?P<month>%s)" % "|".join(sorted(MONTHS, key=len, reverse=True))
_FRANC = ("franc", "francs", "centime", "centimes", False)


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
    number_sign_word = "numéro"

    def before_nfkc(self, text: str) -> str:
        # "1º" is "primo", "in-8º" (or "in-8°", a book's format) "in-octavo": the ordinal
        # indicator would otherwise become a degree sign.
        text = re.sub(r"(?<![\d.,])(?P<in>in-)?(?P<n>\d{1,2})(?:º|(?<=in-\d)°|(?<=in-\d\d)°)",
                      lambda m: (m["in"] or "") + self.latin_ordinal(int(m["n"])), text)
        # "885 636.60 € HT": a decimal point before two digits and the euro sign is the
        # cents' mark, as a French reader takes it (the locale's mark is the comma).
        return re.sub(r"(?<=\d)\.(?=\d\d\s?(?:€|euros?\b))", ",", text)

    def latin_ordinal(self, n: int) -> str:
        return data.LATIN_ORDINALS.get(n) or self.ordinal(n) + "ment"

    def own_passes(self):
        return [self.say_numeric_dates, self.say_identifiers, self.say_short_numbers,
                self.say_francs, self.say_text_dates, self.say_times, self.say_ordinals,
                self.say_romans]

    def say_identifiers(self, text: str, ctx: Ctx) -> str:
        """"décret numéro 2016-858", "article L. 1111-6": a code's parts joined by "tiret",
        never a range ("deux mille seize à huit cent cinquante-huit")."""
        def spoken(m: re.Match) -> str:
            return " tiret ".join(self.cardinal(int(p)) for p in m["code"].split("-"))
        return re.sub(rf"(?P<before>{data.IDENTIFIER_BEFORE})\s?"
                      r"(?P<code>\d{1,6}(?:-\d{1,6}){1,4})(?![\d-])",
                      lambda m: f"{m['before']} {spoken(m)}", text)

    def say_short_numbers(self, text: str, ctx: Ctx) -> str:
        """"Allô Service Public 3939", "le 3939": a four-digit short number is said in pairs."""
        def pairs(m: re.Match) -> str:
            n = m["n"]
            return f"{m['w']} {self.cardinal(int(n[:2]))} {self.cardinal(int(n[2:]))}"
        return re.sub(rf"(?P<w>{data.SHORT_NUMBER_BEFORE})\s(?P<n>3\d{{3}})\b"
                      rf"(?![.,]\d|\s?[€%$]|\s?(?:{self._unit_re})(?!\w))", pairs, text)

    def say_francs(self, text: str, ctx: Ctx) -> str:
        """"la somme de 20 000 F": francs, in texts from before the euro."""
        amount = self.amount(ctx)
        return re.sub(rf"{amount}(?P<scale>)\s?F{{1,2}}(?=$|[\s.,;:)])",
                      lambda m: self.money(m, ctx, _FRANC), text)

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
            said = self.date(day, month, int(m["y"]) if m["y"] else None)
            return said + month_stop(m, m["month"].lower() in _WIDE.values())
        text = re.sub(rf"(?<![\d.,])(?P<d>\d{{1,2}})(?:\s?er)?\s{_MONTH}\.?(?!\w)"
                      rf"(?:\s(?P<y>\d{{4}})(?!\d))?", spoken, text, flags=re.I)
        return re.sub(rf"(?<!\w){_MONTH}\.?\s(?P<y>\d{{4}})(?![\d])",
                      lambda m: f"{_WIDE[MONTHS[m['month'].lower()]]} {self.year(int(m['y']))}",
                      text, flags=re.I)

    # --- times -----------------------------------------------------------------------

    def hours(self, h: int) -> str:
        return f"{self.agree(self.cardinal(h), 'heure')} {'heures' if h >= 2 else 'heure'}"

    def say_times(self, text: str, ctx: Ctx) -> str:
        """"9h30", "9 h 30", "9:30" -> "neuf heures trente"; "14 h" -> "quatorze heures";
        "08:30 - 12:00" -> "huit heures trente à douze heures"."""
        hour = r"(?:[01]?\d|2[0-4])"

        def spoken(m: re.Match) -> str:
            return self.say_clock(m["h"], m["m"])

        def clock(tag: str) -> str:
            return rf"(?P<h{tag}>{hour})(?:\s?[hH]\s?|:(?=[0-5]\d))(?P<m{tag}>[0-5]\d)?"

        # "08:30 - 12:00", "10h-12h": a range of times, "huit heures trente à douze heures"
        text = re.sub(rf"(?<![\d.:,]){clock('a')}\s?[-–]\s?{clock('b')}(?![\w]|:\d)",
                      lambda m: f"{self.say_clock(m['ha'], m['ma'])} à "
                                f"{self.say_clock(m['hb'], m['mb'])}", text)
        # "à 20 heures 00": no minutes are said for ":00"
        text = re.sub(rf"(?<![\d.:,])(?P<h>{hour})\s(?P<w>heures?)\s(?P<m>[0-5]\d)(?![\d])",
                      lambda m: f"{m['h']} {m['w']}" + ("" if not int(m["m"]) else f" {m['m']}"),
                      text)
        # "18 H 30" (a town's minutes in capitals), "9h30", "14 h"
        text = re.sub(rf"(?<![\d.:,])(?P<h>{hour})\s?[hH]\s?(?P<m>[0-5]\d)?(?![\w])", spoken,
                      text)
        return re.sub(rf"(?<![\d.:,])(?P<h>{hour}):(?P<m>[0-5]\d)(?![\d]|:\d)", spoken, text)

    def say_clock(self, h: str, m: str | None) -> str:
        said = self.hours(int(h))
        return f"{said} {self.cardinal(int(m))}" if m and int(m) else said

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
        text = re.sub(r"(?<![\d.,])(?P<n>\d{1,6})(?P<s>ères?|eres?|ers?|res?|èmes?|emes?|es?|"
                      r"ndes?|nds?)\b", spoken, text)
        # "le 44 ème Sommet", "1ER": a spaced or capital suffix, only where it cannot be a
        # unit or a code ("3 e", "3E" are left alone).
        return re.sub(r"(?<![\d.,])(?P<n>\d{1,6})"
                      r"(?:\s(?P<s>[èÈ][mM][eE][sS]?)|(?P<s2>ER|ÈRE|ÈME))\b",
                      lambda m: self.ordinal_word(int(m["n"]), (m["s"] or m["s2"]).lower()[:3]),
                      text)

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
        # "Tome V", "Titre II": a numbered part, one Roman letter included
        text = re.sub(rf"\b(?P<name>{data.PART_WORDS})\s(?P<r>[IVX]{{1,6}})\b(?![.'’-]\w)",
                      after_name, text, flags=re.I)
        name = r"(?P<name>\b[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?)"
        return re.sub(name + r"\s(?P<r>[IVX]{2,})\b", after_name, text)
