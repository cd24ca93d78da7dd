"""The one framework of the speech rules of every language (English, German, French,
Spanish).

``LocaleRules`` is a ``LanguageRules`` driven by locale data: Babel gives the decimal and
group symbols of the language's locale, num2words every number word, and the subclass
(``en.py``, ``de.py``, ``fr.py``, ``es.py``) the few *words* that are not numbers (units,
currencies, abbreviations, what "@" is called) and the shapes that differ between
languages (dates, times, ordinals, how "1" agrees with the noun after it).

``speak`` runs the passes of ``passes()`` in order: addresses, abbreviations, the
language's own shapes (dates, times, ordinals), phone numbers, money, percentages, units,
ranges, plain numbers, dotted leftovers ("1.5" as a version), words in capitals, symbols,
and finally any digit left is read on its own, so the result holds no digit.  Before them,
``prepare`` rewrites the written shapes several languages share ("G-20", "20.I.1716",
"nº 5", ``common_forms``) where the language turns them on with its data (``shapes``,
``number_sign_word``…): a shape is written once, never copied into a language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from babel.dates import get_month_names

from accesspub.speech import common_forms as forms
from accesspub.speech import en_data
from accesspub.speech.common_forms import say_hashtags, split_vulgar_fractions
from accesspub.speech.normalize import EMAIL_RE, LanguageRules, tidy
from accesspub.languages import primary
from accesspub.speech.numbers import (MAX_CARDINAL_DIGITS, NumberFormat, NumberWords, Numeral,
                                      number_format, parse_number)

WORD = r"[^\W\d_]"


@dataclass(frozen=True)
class Ctx:
    """How numbers are written in the text being read (from Babel), and what the
    language's module-level passes need to say them."""

    fmt: NumberFormat
    num: str  # regex of one unsigned numeral in ``fmt``
    words: NumberWords | None = None
    month_first: bool = False   # "01/02/2020" is January 2 (US English)

    def numeral(self, written: str) -> Numeral:
        return parse_number(written, self.fmt)

    def say(self, written: str, *, negative: bool = False) -> str:
        return self.words.numeral(self.numeral(written), negative=negative)


def sentence_end(m: re.Match) -> str:
    """An abbreviation's full stop that also ended the text must stay a full stop."""
    return "." if m[0].endswith(".") and m.end() == len(m.string) else ""


_MONTH_DAYS = {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}


def month_stop(m: re.Match, full_name: bool) -> str:
    """The full stop after a day and month with no year ("am 3. Mai.", "le 1er mai."):
    after a month's full name it ends the sentence; after a short one ("Feb.", "janv.")
    it is the abbreviation's, kept only where the text ends too."""
    if not m[0].endswith(".") or m["y"]:
        return ""
    return "." if full_name else sentence_end(m)


def valid_date(day: int, month: int) -> bool:
    """Could ``day`` be a day of ``month`` (in some year)? "31.02." is not a date."""
    return 1 <= month <= 12 and 1 <= day <= _MONTH_DAYS.get(month, 31)


def full_year(written: str) -> int:
    """"2020" -> 2020; a two-digit year is this century below 50, else the last."""
    n = int(written)
    if len(written) == 2:
        return 2000 + n if n < 50 else 1900 + n
    return n


def roman_value(text: str) -> int:
    """"XIV" -> 14; 0 when ``text`` is not a well-formed Roman numeral."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    if not text or any(c not in values for c in text):
        return 0
    total = 0
    for i, c in enumerate(text):
        v = values[c]
        total += -v if i + 1 < len(text) and values[text[i + 1]] > v else v
    return total if 0 < total < 4000 and to_roman(total) == text else 0


def to_roman(n: int) -> str:
    out = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


class LocaleRules(LanguageRules):
    """Speech rules for a language written with a Babel locale's number symbols."""

    primary = ""                 # "de", "fr", "es": num2words and Babel language
    extra_group = ""             # group characters Babel does not list but texts use
    point_words: dict[str, str] = {",": "comma", ".": "point"}
    dot_word = "point"           # "1.2.3", a version, not a decimal
    fraction_as_number = False   # "3,25": "trois virgule vingt-cinq" (True) or digit by digit
    range_word = "to"
    slash_word = "slash"         # "Real Decreto 675/2014": the number and its year
    addr_words: dict[str, str] = {}
    www = "w w w"
    abbreviations: list[tuple[str, str, bool]] = []
    phone_labels = r"(?:tel)"
    no_context_phone = r"$^"
    # currency written form -> (singular, plural, minor singular, minor plural, feminine)
    currency_symbols: dict[str, tuple[str, str, str, str, bool]] = {}
    currency_codes: dict[str, tuple[str, str, str, str, bool]] = {}
    scale_words = ""             # regex of scale words written after a number ("Millionen")
    scale_of = ""                # "d'" / "de " between a scale word and the currency
    units: dict[str, tuple[str, str, bool]] = {}   # unit -> (singular, plural, feminine)
    percent = ("percent", "per mille")
    symbols: dict[str, str] = {}
    feminine: frozenset[str] = frozenset()
    quantity_cue = r"$^"
    and_word = "and"             # "2¼": "2 and 1/4"
    fraction_names: dict[str, str] = {}   # "1/4": the language's word for a quarter
    hashtag_word = "hashtag"
    # Words before a number that is dialled ("call 112"); "(?!)" never matches ("$^"
    # would match the empty text before a number that opens a sentence).
    dial_words = r"(?!)"
    per_words = r"le|la|par|au|el|la|por|pro|je"   # "le m²": a unit alone after these
    ascii_apostrophes = True     # "’" -> "'" (kept where a corpus expects it as written)
    # "Notruf 112": numbers dialled digit by digit after one of ``dial_words``.
    service_numbers = r"112|110|118|15|17|18|19|911|999|116\d{3}|061"
    # Written shapes read before NFKC (``common_forms``), where the language's texts use
    # them: the shared ones it turns on (of ``common_forms.SHAPES``), and the data of the
    # others ("" leaves them off).
    shapes: frozenset[str] = frozenset()
    number_sign_word = ""        # "nº 5": "número", "numéro"
    roman_month_date = ""        # "20.I.1716": "{day} de {month} de {year}"
    zero_cents = ""              # regex of currencies after which ",00" is not said
    # "Felipe V": regex of the names after which one Roman letter is a regnal number.
    regnal_names = ""
    slash_numbers = False        # "Ley 30/92": any number, the slash word, any number
    # "20 ha abordado": regex of what a unit is not when it stands so (Spanish's verb "ha").
    not_units = ""
    aside_dash = False           # "haben -, ging": a dash closing an aside before a comma

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        parts = lang.replace("_", "-").split("-")
        self.region = parts[1].upper() if len(parts) > 1 and len(parts[1]) in (2, 3) else ""
        self.words_ = NumberWords(self.primary)
        self._unit_re = "|".join(re.escape(u) for u in sorted(self.units, key=len, reverse=True))
        self._symbol_re = "".join(re.escape(s) for s in self.currency_symbols)
        self._code_re = "|".join(sorted(self.currency_codes, key=len, reverse=True))

    # --- numbers ----------------------------------------------------------------------

    def context(self, number_format_: str) -> Ctx:
        """The text's number format: the project's when it is for this language, else the
        language's own locale (a German passage writes German numbers)."""
        wanted = number_format_.replace("_", "-")
        fmt = None
        if wanted and primary(wanted) == self.primary:
            fmt = number_format(wanted)
        if fmt is None or fmt.guess:
            fmt = number_format(self.lang.replace("_", "-"))
        if fmt.guess:
            fmt = number_format(self.primary)
        if self.extra_group and fmt.decimal not in self.extra_group:
            fmt = NumberFormat(group=fmt.group + self.extra_group, decimal=fmt.decimal)
        return Ctx(fmt=fmt, num=fmt.pattern(), words=self.words_)

    def cardinal(self, n: int) -> str:
        return self.words_.cardinal(n)

    def ordinal(self, n: int) -> str:
        return self.words_.ordinal(n)

    def year(self, n: int) -> str:
        return self.words_.year(n)

    def digits(self, text: str) -> str:
        return self.words_.digits(text)

    def fraction(self, digits: str) -> str:
        """The part after the decimal mark."""
        if not self.fraction_as_number or len(digits) > 3:
            return self.digits(digits)
        zeros = len(digits) - len(digits.lstrip("0"))
        rest = digits.lstrip("0")
        spoken = [self.cardinal(0)] * zeros + ([self.cardinal(int(rest))] if rest else [])
        return " ".join(spoken)

    def numeral(self, ctx: Ctx, num: Numeral, *, negative: bool = False) -> str:
        if len(num.whole) <= MAX_CARDINAL_DIGITS:
            spoken = self.cardinal(int(num.whole))
        else:
            spoken = self.digits(num.whole)
        if num.fraction:
            point = self.point_words.get(ctx.fmt.decimal, ctx.fmt.decimal)
            spoken = f"{spoken} {point} {self.fraction(num.fraction)}"
        return f"{self.words_.minus} {spoken}" if negative else spoken

    def agree(self, words: str, noun: str | None) -> str:
        """A cardinal before ``noun`` (None: said alone): "ein Kilometer", "une heure"."""
        return words

    def count(self, ctx: Ctx, written: str, noun: str | None, *, negative: bool = False) -> str:
        """A written amount said before ``noun``, agreeing with it when it is whole."""
        num = ctx.numeral(written)
        spoken = self.numeral(ctx, num, negative=negative)
        return self.agree(spoken, noun) if num.is_integer else spoken

    def is_plural(self, num: Numeral) -> bool:
        return not (num.is_integer and num.whole == "1")

    # --- entry point -------------------------------------------------------------------

    def speak(self, text: str, *, number_format: str = "") -> str:
        ctx = self.context(number_format)
        text = self.prepare(text)
        for rule in self.passes() if re.search(r"\d", text) else self.word_passes():
            text = rule(text, ctx)
        return tidy(text)

    def prepare(self, text: str) -> str:
        """Compatibility forms to plain ones (NFKC: no-break and thin spaces become spaces,
        "²" "2", "ᵉʳ" "er"), after the language has saved what NFKC would spoil."""
        # "44ºC": the ordinal indicator typed for the degree sign (Spanish keyboards).
        text = re.sub(r"[º˚](?=\s?[CF]\b)", "°", text)
        text = self.written_shapes(text)
        text = self.before_nfkc(text)
        text = split_vulgar_fractions(text, self.and_word, self.fraction_names)
        text = text.replace("º", "°").replace("™", "").replace("®", "").replace("℠", "")
        text = unicodedata.normalize("NFKC", text)
        text = text.replace("\u2212", "-").replace("\u2010", "-").replace("\u2011", "-")
        if self.ascii_apostrophes:   # "1’500" (de-CH) keeps its group mark
            text = re.sub(r"’(?!\d)|(?<!\d)’", "'", text)
        return re.sub(r"\s+", " ", text)

    def written_shapes(self, text: str) -> str:
        """The shared written shapes the language turns on, in ``common_forms``' order."""
        if self.number_sign_word:
            text = forms.number_sign(text, self.number_sign_word)
        shapes = self.shapes
        if "roman month dates" in shapes:
            months = get_month_names("wide", locale=self.primary)
            text = forms.roman_month_dates(text, self.roman_month_date, months)
        if "spaced slash" in shapes:
            text = forms.close_spaced_slashes(text)
        if "paragraph letter" in shapes:
            text = forms.paragraph_letters(text)
        if "name-number" in shapes:
            text = forms.split_name_numbers(text)
        if "dash minus" in shapes:
            text = forms.dash_minus(text)
        if "h time" in shapes:
            text = forms.h_times(text)
        if self.zero_cents:
            text = forms.drop_zero_cents(text, self.zero_cents)
        return text

    def before_nfkc(self, text: str) -> str:
        return text

    def passes(self):
        return [self.say_emails, self.say_urls, self.say_hashtags, self.say_abbreviations,
                self.say_service_numbers, *self.own_passes(),
                self.say_phones, self.say_money, self.say_percentages, self.say_units,
                self.say_units_alone, self.say_ranges, self.say_numbered_years,
                self.split_letters_digits, self.say_numbers, self.say_dotted,
                self.say_capitals, self.say_symbols, self.say_leftover_digits]

    def say_hashtags(self, text: str, ctx: Ctx) -> str:
        return say_hashtags(text, self.hashtag_word)

    def split_letters_digits(self, text: str, ctx: Ctx) -> str:
        """"3M", "G7", "B2B", "Web3": the digits and the letters are said apart, as in
        every language ("dreiM" is no word)."""
        return re.sub(r"(?<=[^\W\d_\u02bc])(?=\d)|(?<=\d)(?=[^\W\d_\u02bc])", " ", text)

    def say_service_numbers(self, text: str, ctx: Ctx) -> str:
        """"Appelez le 112", "Notruf 112": an emergency number is dialled digit by digit."""
        def spoken(m: re.Match) -> str:
            before = m.string[max(0, m.start() - 30):m.start()]
            return self.digits(m[0]) if re.search(self.dial_words, before, re.I) else m[0]
        return re.sub(rf"(?<![\d.,\w-])(?:{self.service_numbers})(?![\d]|[.,]\d|[-–]\d)",
                      spoken, text)

    def own_passes(self):
        """The language's dates, times and ordinals (each needs a digit to match, except
        ``say_romans``: see ``word_passes``)."""
        return []

    def word_passes(self):
        """The passes that can change a text without digits: no rule writes a digit, so
        every other pass would leave such a text as it is."""
        romans = getattr(self, "say_romans", None)
        return [self.say_emails, self.say_urls, self.say_hashtags, self.say_abbreviations,
                *([romans] if romans else []), self.say_capitals, self.say_symbols]

    def say_capitals(self, text: str, ctx: Ctx) -> str:
        """Words in capitals: acronyms spelled, shouted words read (English has rules)."""
        return text

    # --- addresses -----------------------------------------------------------------------

    def spell_address(self, text: str) -> str:
        out = []
        for piece in re.split(r"([.\-_+/@:~])", text):
            if piece in self.addr_words:
                out.append(f" {self.addr_words[piece]} ")
            elif piece.lower() == "www":
                out.append(f" {self.www} ")
            elif piece and self.spelled_label(piece):
                out.append(" ".join(piece.upper()))
            elif piece:
                out.append(re.sub(r"\d+", lambda m: f" {self.digits(m[0])} ", piece))
        return re.sub(r"\s+", " ", "".join(out)).strip()

    def spelled_label(self, label: str) -> bool:
        """Is this part of an address said letter by letter ("who" in who.int)?"""
        return False

    def say_numeric_dates(self, text: str, ctx: Ctx) -> str:
        """Day-first numeric dates "20/01/2020", "20.01.2020", "20-01-2020" and ISO
        "2020-01-20", read with the language's own ``date``."""
        def spoken(m: re.Match) -> str:
            day, month = int(m["d"]), int(m["m"])
            if _numbered(m):        # an identifier: its groups, as written
                return ", ".join(self.digits(g) if g.startswith("0") else self.cardinal(int(g))
                                 for g in re.findall(r"\d+", m[0]))
            if not valid_date(day, month):
                return m[0]
            return self.date(day, month, full_year(m["y"]))
        text = re.sub(r"(?<![\d.,/-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d]|-\d)",
                      spoken, text)
        return re.sub(r"(?<![\d.,/])(?P<d>\d{1,2})(?P<sep>[./-])(?P<m>\d{1,2})(?P=sep)"
                      r"(?P<y>\d{4}|\d{2})(?![\d]|[./-]\d)", spoken, text)

    def say_emails(self, text: str, ctx: Ctx) -> str:
        text = re.sub(r"\bmailto:", "", text, flags=re.I)
        return EMAIL_RE.sub(lambda m: self.spell_address(m[0]), text)

    def _url(self, address: str) -> str:
        address = re.sub(r"^[a-z][a-z0-9+.-]*://", "", address, flags=re.I)
        address = re.split(r"[?#]", address, maxsplit=1)[0].rstrip("/")
        return self.spell_address(address)

    def say_urls(self, text: str, ctx: Ctx) -> str:
        trailing = ".,;:!?)]}'\""

        def spoken(m: re.Match) -> str:
            address = m[0]
            cut = len(address) - len(address.rstrip(trailing))
            rest = address[len(address) - cut:] if cut else ""
            return self._url(address[:len(address) - cut]) + rest
        text = re.sub(r"\b(?:https?|ftp)://[^\s<>\"]+|\bwww\.[^\s<>\"]+", spoken, text,
                      flags=re.I)
        tld = "|".join(en_data.GENERIC_TLDS.split()) + "|[a-z]{2}"
        bare = (rf"(?<![\w@.-])[A-Za-z0-9][\w-]*(?:\.[A-Za-z0-9][\w-]*)*\.(?:{tld})(?![\w-])"
                r"(?:/[^\s<>\"]*)?")
        return re.sub(bare, lambda m: spoken(m) if _is_host(m[0]) else m[0], text)

    # --- abbreviations -----------------------------------------------------------------

    def say_abbreviations(self, text: str, ctx: Ctx) -> str:
        for pattern, spoken, can_end in self.abbreviations:
            text = re.sub(pattern,
                          lambda m, s=spoken, e=can_end: s + (sentence_end(m) if e else ""), text)
        return text

    # --- phones ------------------------------------------------------------------------

    _PHONE = re.compile(r"""
        (?<![\w+.,/])
        (?P<phone>(?:\(\s*)?(?:\+\s*)?\(?\d+\)?
        (?:(?:\s+|\s*[-./–]\s*|\s*\)\s*|\s*\(\s*)\d+\)?)+)
    """, re.X)

    def phone_group(self, digits: str) -> str:
        """One group of a phone number, digit by digit (French says pairs as numbers)."""
        if len(digits) <= 4:
            return self.digits(digits)
        parts = [digits[i:i + 3] for i in range(0, len(digits), 3)]
        if len(parts[-1]) == 1:
            parts[-2:] = [parts[-2] + parts[-1]]
        return ", ".join(self.digits(p) for p in parts)

    def say_phones(self, text: str, ctx: Ctx) -> str:
        label = re.compile(self.phone_labels + r"\.?\s*[:.]?\s*$", re.I)

        def spoken(m: re.Match) -> str:
            phone = m["phone"]
            before = m.string[max(0, m.start() - 40):m.start()]
            if sum(c.isdigit() for c in phone) < 6:
                return phone
            if not (phone.lstrip("( ").startswith("+") or phone.startswith("00")
                    or label.search(before)
                    or re.fullmatch(self.no_context_phone, phone)):
                return phone
            plus = self.addr_words.get("+", "plus") + " " if "+" in phone else ""
            groups = re.findall(r"\d+", phone)
            return plus + ", ".join(self.phone_group(g) for g in groups)
        return self._PHONE.sub(spoken, text)

    # --- money, percentages, units -----------------------------------------------------

    def amount(self, ctx: Ctx) -> str:
        n = ctx.num
        return rf"(?P<sign>(?<![\w)\]])[-−])?(?P<a>{n})(?:(?:-|\s?–\s?)(?P<b>{n}))?"

    def range_end(self, a: str, b: str) -> str:
        """The written end of a range as a whole number ("1988–89": English says 1989)."""
        return b

    def say_amount(self, m: re.Match, ctx: Ctx, noun: str | None) -> str:
        if m["b"]:
            first = self.count(ctx, m["a"], noun, negative=bool(m["sign"]))
            end = self.range_end(m["a"], m["b"])
            return f"{first} {self.range_word} {self.count(ctx, end, noun)}"
        return self.count(ctx, m["a"], noun, negative=bool(m["sign"]))

    def money_text(self, major: str, unit: str, cents: str, minor: str) -> str:
        return f"{major} {unit} {cents}"

    def money(self, m: re.Match, ctx: Ctx, names: tuple[str, str, str, str, bool]) -> str:
        singular, plural, minor_one, minor_many, fem = names
        num = ctx.numeral(m["a"])
        scale = m["scale"]
        if not scale and not m["b"] and len(num.fraction) == 2 and minor_one:
            cents = int(num.fraction)
            minor = minor_one if cents == 1 else minor_many
            cents_words = self.agree(self.cardinal(cents), minor)
            if num.whole == "0":
                return (self.words_.minus + " " if m["sign"] else "") + f"{cents_words} {minor}"
            whole = Numeral(num.whole)
            unit = plural if self.is_plural(whole) else singular
            major = self.agree(self.numeral(ctx, whole, negative=bool(m["sign"])), unit)
            if not cents:
                return f"{major} {unit}"
            return self.money_text(major, unit, cents_words, minor)
        if scale:
            amount = self.say_amount(m, ctx, scale)
            return f"{amount} {scale} {self.scale_of}{plural}".replace("' ", "'")
        unit = plural if (m["b"] or self.is_plural(num)) else singular
        return f"{self.say_amount(m, ctx, unit)} {unit}"

    def say_money(self, text: str, ctx: Ctx) -> str:
        if not (self._symbol_re or self._code_re):
            return text
        amount = self.amount(ctx)
        scale = rf"(?:\s(?P<scale>{self.scale_words}))?" if self.scale_words else "(?P<scale>)"
        cur = rf"[{self._symbol_re}]|\b(?:{self._code_re})\b"

        def names(c: str):
            return self.currency_symbols.get(c) or self.currency_codes[c]
        text = re.sub(rf"{amount}{scale}\s?(?P<cur>{cur})",
                      lambda m: self.money(m, ctx, names(m["cur"])), text)
        return re.sub(rf"(?P<cur>[{self._symbol_re}]|\b(?:{self._code_re}))\s?{amount}{scale}"
                      r"(?![\d])", lambda m: self.money(m, ctx, names(m["cur"])), text)

    def say_percentages(self, text: str, ctx: Ctx) -> str:
        def spoken(m: re.Match) -> str:
            word = self.percent[0] if m["pc"] == "%" else self.percent[1]
            return f"{self.say_amount(m, ctx, word)} {word}"
        return re.sub(self.amount(ctx) + r"\s?(?P<pc>[%‰])", spoken, text)

    def say_units(self, text: str, ctx: Ctx) -> str:
        if not self._unit_re:
            return text

        def spoken(m: re.Match) -> str:
            singular, plural, _ = self.units[m["unit"]]
            num = ctx.numeral(m["a"])
            unit = plural if (m["b"] or self.is_plural(num)) else singular
            return f"{self.say_amount(m, ctx, unit)} {unit}" + sentence_end(m)
        not_unit = rf"(?!{self.not_units})" if self.not_units else ""
        return re.sub(self.amount(ctx) + rf"\s?{not_unit}(?P<unit>{self._unit_re})"
                      r"(?![\w/°²³'’])", spoken, text)

    def say_units_alone(self, text: str, ctx: Ctx) -> str:
        """"230 € le m²", "por m²", "pro m²": a unit after "per" is said in the singular."""
        long_units = "|".join(re.escape(u) for u in sorted(self.units, key=len, reverse=True)
                              if len(u) > 1 and not u.isalpha())
        if not long_units or not self.per_words:
            return text
        return re.sub(rf"\b(?P<w>{self.per_words})\s(?P<u>{long_units})"
                      rf"(?![\w/°²³'’])", lambda m: f"{m['w']} {self.units[m['u']][0]}", text)

    def is_feminine(self, noun: str | None) -> bool:
        if not noun:
            return False
        if noun in self.feminine or noun.lower() in self.feminine:
            return True
        for unit in self.units.values():
            if noun in unit[:2]:
                return unit[2]
        for cur in (*self.currency_symbols.values(), *self.currency_codes.values()):
            if noun in cur[:2]:
                return cur[4]
        return False

    # --- ranges, numbers, leftovers ------------------------------------------------------

    def is_year(self, n: int) -> bool:
        return 1000 <= n <= 2099

    def say_ranges(self, text: str, ctx: Ctx) -> str:
        n = ctx.num

        def spoken(m: re.Match) -> str:
            a, b = m["a"], self.range_end(m["a"], m["b"])
            if (a.isdigit() and b.isdigit() and len(a) == 4 and len(b) == 4
                    and self.is_year(int(a)) and self.is_year(int(b)) and int(b) > int(a)):
                return f"{self.year(int(a))} {self.range_word} {self.year(int(b))}"
            noun = m["next"].strip() if m["next"] else None
            return (f"{self.count(ctx, a, noun, negative=bool(m['sign']))} {self.range_word} "
                    f"{self.count(ctx, b, noun)}")
        pattern = (rf"(?<!\d[-–])(?P<sign>(?<![\w)\]])[-−])?(?P<a>{n})(?:-|\s?–\s?)(?P<b>{n})"
                   rf"(?!\s?[-–]\d)(?=(?P<next>\s{WORD}[\w-]*)?)")
        return re.sub(pattern, spoken, text)

    def say_numbered_years(self, text: str, ctx: Ctx) -> str:
        """"2020/21" -> a range of years; "675/2014" (a decree and its year) -> "675
        slash 2014" with the language's word for the slash."""
        def spoken(m: re.Match) -> str:
            a, b = int(m["a"]), int(m["b"])
            full = full_year(m["b"]) if len(m["b"]) == 2 else b
            if len(m["a"]) == 4 and self.is_year(a) and full == a + 1:
                return f"{self.year(a)} {self.range_word} {self.year(a + 1)}"
            if len(m["b"]) == 4 and self.is_year(b):
                return f"{self.cardinal(a)} {self.slash_word} {self.year(b)}"
            return m[0]
        text = re.sub(r"(?<![\d.,/])(?P<a>\d{1,5})/(?P<b>\d{4}|\d{2})(?![\d]|[/.,]\d)", spoken,
                      text)
        if not self.slash_numbers:
            return text

        def numbered(m: re.Match) -> str:
            a = int(m["a"].replace(".", ""))
            return f"{self.cardinal(a)} {self.slash_word} {self.cardinal(int(m['b']))}"
        return _NUMBER_SLASH.sub(numbered, text)

    def read_as_year(self, m: re.Match) -> bool:
        written = m["n"]
        return (not m["sign"] and written.isdigit() and len(written) == 4
                and self.is_year(int(written))
                and not re.search(self.quantity_cue + r"\s+$",
                                  m.string[max(0, m.start() - 25):m.start()], re.I))

    def say_numbers(self, text: str, ctx: Ctx) -> str:
        def spoken(m: re.Match) -> str:
            if self.read_as_year(m):
                return self.year(int(m["n"]))
            noun = m["next"].strip() if m["next"] else None
            return self.count(ctx, m["n"], noun, negative=bool(m["sign"]))
        return re.sub(rf"(?P<sign>(?<![\w)\]])[-−])?(?P<n>{ctx.num})"
                      rf"(?=(?P<next>\s{WORD}[\w-]*)?)", spoken, text)

    def say_dotted(self, text: str, ctx: Ctx) -> str:
        """What is left of "1.5" or "2.0.1" is a version: "eins Punkt fünf"."""
        return re.sub(r"(?<![\d.,])\d{1,6}(?:[.,]\d{1,6})+(?![\d])",
                      lambda m: f" {self.dot_word} ".join(
                          self.cardinal(int(p)) for p in re.split(r"[.,]", m[0])), text)

    def say_regnal_letters(self, text: str, spoken) -> str:
        """"Felipe V", "Juan Carlos I": one Roman letter is a numeral only after a regnal
        name (``regnal_names``); ``spoken`` reads the match (groups ``w`` and ``r``)."""
        if not self.regnal_names:
            return text
        return re.sub(rf"(?P<w>\b(?:{self.regnal_names}))\s(?P<r>[IVX])\b"
                      r"(?!\.\s?[A-ZÁÉÍÓÚÑ]\.)", spoken, text)

    def say_symbols(self, text: str, ctx: Ctx) -> str:
        if self.aside_dash:
            # no pause of its own: the comma after it makes one
            text = re.sub(r"\s+[-–—]+(?=[,;:.!?])", "", text)
        text = re.sub(r"\s+/\s+", ", ", text)
        text = re.sub(r"\s*[–—―]+\s*|\s+-+\s+|--+", ", ", text)
        text = re.sub(r"\.{4,}", "...", text)
        return text.translate(str.maketrans(self.symbols)) if self.symbols else text

    def say_leftover_digits(self, text: str, ctx: Ctx) -> str:
        return re.sub(r"\d+", lambda m: " " + self.digits(m[0]) + " ", text)


# What ``say_numbered_years`` left: a number (grouped or not), a slash, two or more digits.
_NUMBER_SLASH = re.compile(r"(?<![\d.,/\w])(?P<a>\d{1,3}(?:\.\d{3})+|\d{1,6})/(?P<b>\d{2,6})"
                           r"(?![\d]|[/.,]\d)")


def _numbered(m: re.Match) -> bool:
    """"N° 2018-03-02": after a number sign the shape of a date is an identifier."""
    before = m.string[max(0, m.start() - 12):m.start()]
    return bool(re.search(r"(?i)(?:\bn[°ºo]\.?|\bnr\.|\bnúm\.|numéro|nummer|número)\s*$",
                          before))


def _is_host(candidate: str) -> bool:
    host = candidate.split("/")[0]
    labels = host.split(".")
    return len(labels[0]) > 1 and any(c.isalpha() for c in labels[0]) and not host[0].isdigit()
