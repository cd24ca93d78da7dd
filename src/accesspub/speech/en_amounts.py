"""English rules for quantities: money, percentages, units, ordinals, ranges and numbers.

Runs after ``en_numbers`` (dates, times, phones, postcodes) so that every digit left is
part of a quantity.  ``say_numbers`` is the last rule: it reads whatever numeral remains,
and ``say_leftover_digits`` guarantees the result holds no digit at all.
"""

from __future__ import annotations

import re

from accesspub.speech import en_data as data
from accesspub.speech.en_numbers import EnContext, is_year, sentence_end
from accesspub.speech.numbers import Numeral

_UNIT_NAMES = sorted(data.UNITS, key=len, reverse=True)
_UNITS = "|".join(re.escape(u) for u in _UNIT_NAMES)
_SCALE = r"(?:\s?(?P<scale>(?i:thousand|million|billion|trillion))\b|(?P<abbr>(?i:bn|mn|tn|m|b|k))\b)"
_SYMBOLS = "".join(re.escape(s) for s in data.CURRENCY_SYMBOLS)
_CODES = "|".join(sorted(data.CURRENCY_CODES, key=len, reverse=True))


def _amount(ctx: EnContext) -> str:
    """A signed number or a range of two ("5-10", "5–10"), in named groups sign, a, b."""
    n = ctx.num
    return rf"(?P<sign>(?<![\w)\]])[-−])?(?P<a>{n})(?:(?:-|\s?–\s?)(?P<b>{n}))?"


def _range_end(a: str, b: str) -> str:
    """"1988–89": a two-digit end takes the century of the start."""
    if len(a) == 4 and a.isdigit() and len(b) == 2 and b.isdigit() and int(b) > int(a[2:]):
        return a[:2] + b
    return b


def _say_amount(m: re.Match, ctx: EnContext) -> tuple[str, bool]:
    """The spoken amount of an ``_amount`` match and whether the noun after it is plural."""
    negative = bool(m["sign"])
    spoken = ctx.say(m["a"], negative=negative)
    if m["b"]:
        return f"{spoken} to {ctx.say(_range_end(m['a'], m['b']))}", True
    num = ctx.numeral(m["a"])
    return spoken, not (num.whole == "1" and num.is_integer)


# --- money ---------------------------------------------------------------------------

def _money(m: re.Match, ctx: EnContext, names: tuple[str, str, str, str]) -> str:
    singular, plural, minor_one, minor_many = names
    scale = (m["scale"] or "").lower() or (data.SCALES[m["abbr"].lower()] if m["abbr"] else "")
    num = ctx.numeral(m["a"])
    if not scale and not m["b"] and len(num.fraction) == 2 and minor_one:
        cents = int(num.fraction)
        minor = f"{ctx.words.cardinal(cents)} {minor_one if cents == 1 else minor_many}"
        if num.whole == "0":
            return ("minus " if m["sign"] else "") + minor
        major = ctx.words.numeral(Numeral(num.whole), negative=bool(m["sign"]))
        unit = singular if num.whole == "1" else plural
        return f"{major} {unit}" + (f" and {minor}" if cents else "")
    spoken, many = _say_amount(m, ctx)
    if scale:
        return f"{spoken} {scale} {plural}"
    return f"{spoken} {plural if many else singular}"


def say_money(text: str, ctx: EnContext) -> str:
    """"$5" -> "five dollars", "€1.5 million" -> "one point five million euros",
    "5 EUR" -> "five euros", "USD 10" -> "ten US dollars", "$5.50" -> "… and fifty cents"."""
    amount = _amount(ctx)
    text = re.sub(rf"(?P<cur>[{_SYMBOLS}])\s?{amount}{_SCALE}?",
                  lambda m: _money(m, ctx, data.CURRENCY_SYMBOLS[m["cur"]]), text)
    text = re.sub(rf"\b(?P<cur>{_CODES})\s?{amount}{_SCALE}?",
                  lambda m: _money(m, ctx, data.CURRENCY_CODES[m["cur"]]), text)
    return re.sub(rf"{amount}{_SCALE}?\s?(?P<cur>[{_SYMBOLS}]|\b(?:{_CODES})\b)",
                  lambda m: _money(m, ctx, data.CURRENCY_SYMBOLS.get(m["cur"])
                                   or data.CURRENCY_CODES[m["cur"]]), text)


# --- percentages and units -------------------------------------------------------------

UNITS_RE = _UNITS


def amount_re(ctx: EnContext) -> str:
    return _amount(ctx)


def say_amount(m: re.Match, ctx: EnContext) -> tuple[str, bool]:
    return _say_amount(m, ctx)


def say_percentages(text: str, ctx: EnContext) -> str:
    """"12%" -> "twelve percent", "12.5 %" -> "twelve point five percent"."""
    def spoken(m: re.Match) -> str:
        word = "percent" if m["pc"] == "%" else "per mille"
        return f"{_say_amount(m, ctx)[0]} {word}"
    return re.sub(_amount(ctx) + r"\s?(?P<pc>[%‰])", spoken, text)


def say_units(text: str, ctx: EnContext, *, us_spelling: bool = False) -> str:
    """"5 km" -> "five kilometres", "100 km/h" -> "one hundred kilometres per hour",
    "20 °C" -> "twenty degrees Celsius"; the unit agrees with the number."""
    def spoken(m: re.Match) -> str:
        if m["unit"] == "in" and re.match(r"\s+[^\W\d_]", m.string[m.end():m.end() + 2]):
            return m[0]     # "Dial 112 in Europe", "7–2 in favour": the preposition
        amount, many = _say_amount(m, ctx)
        singular, plural = data.UNITS[m["unit"]]
        unit = plural if many else singular
        if us_spelling:
            unit = unit.replace("metre", "meter").replace("litre", "liter")
        return f"{amount} {unit}" + sentence_end(m)
    return re.sub(_amount(ctx) + rf"\s?(?P<unit>{_UNITS})(?![\w/°])", spoken, text)


# --- ordinals, decades, ranges, fractions ------------------------------------------------

def say_ordinal_ranges(text: str, ctx: EnContext) -> str:
    """"5th-10th" -> "fifth to tenth" (before dates, so "5th-10th of May" stays whole)."""
    def spoken(m: re.Match) -> str:
        return f"{ctx.words.ordinal(int(m['a']))} to {ctx.words.ordinal(int(m['b']))}"
    return re.sub(r"(?<![\d.,])(?P<a>\d+)(?:st|nd|rd|th)\s?[-–]\s?(?P<b>\d+)(?:st|nd|rd|th)\b",
                  spoken, text, flags=re.I)


def say_ordinals(text: str, ctx: EnContext) -> str:
    """"30th" -> "thirtieth", "1st" -> "first", "22nd" -> "twenty-second"."""
    def spoken(m: re.Match) -> str:
        return ctx.words.ordinal(int(m["n"].replace(",", "")))
    return re.sub(r"(?<![\d.,])(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th)\b", spoken, text,
                  flags=re.I)


def _plural(words: str) -> str:
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def say_decades(text: str, ctx: EnContext) -> str:
    """"1990s" -> "nineteen nineties", "the '80s" -> "the eighties"."""
    def spoken(m: re.Match) -> str:
        d = m["d"]
        if len(d) == 3:
            return _plural(ctx.words.year(int(d) * 10))
        return _plural(ctx.words.cardinal(int(d) * 10))
    return re.sub(r"(?<![\w'’])['’]?(?P<d>(?:1\d|20)\d|[1-9])0s\b", spoken, text)


def say_ranges(text: str, ctx: EnContext) -> str:
    """"1988-1989", "1988–89" -> "nineteen eighty-eight to nineteen eighty-nine";
    "5-10" -> "five to ten"."""
    n = ctx.num

    def spoken(m: re.Match) -> str:
        a, b = m["a"], _range_end(m["a"], m["b"])
        if a.isdigit() and b.isdigit() and is_year(int(a)) and is_year(int(b)) and int(b) > int(a):
            return f"{ctx.words.year(int(a))} to {ctx.words.year(int(b))}"
        return f"{ctx.say(a, negative=bool(m['sign']))} to {ctx.say(b)}"
    # Not part of a longer chain such as "978-3-16": those are identifiers, not ranges.
    pattern = (rf"(?<!\d[-–])(?P<sign>(?<![\w)\]])[-−])?(?P<a>{n})(?:-|\s?–\s?)(?P<b>{n})"
               r"(?!\s?[-–]\d)")
    return re.sub(pattern, spoken, text)


def _fraction(a: int, b: int, ctx: EnContext) -> str:
    names = data.FRACTION_NAMES.get(b)
    if names:
        name = names[0] if a == 1 else names[1]
    else:
        name = ctx.words.ordinal(b) + ("" if a == 1 else "s")
    return f"{ctx.words.cardinal(a)} {name}"


def say_fractions(text: str, ctx: EnContext) -> str:
    """"1/2" -> "one half", "3/4" -> "three quarters", "2019/20" -> a year range,
    "24/7" -> "twenty-four seven"; other pairs are "a slash b"."""
    def spoken(m: re.Match) -> str:
        a_text, b_text = m["a"], m["b"]
        a, b = int(a_text), int(_range_end(a_text, b_text))
        if (a, b) == (24, 7):
            return "twenty-four seven"
        if len(a_text) == 4 and is_year(a) and b == a + 1:
            return f"{ctx.words.year(a)} to {ctx.words.year(b)}"
        if 2 <= b <= 10 and 0 < a < 100 and len(b_text) == 1:
            return _fraction(a, b, ctx)
        return f"{ctx.words.cardinal(a)} slash {ctx.words.cardinal(int(b_text))}"
    text = re.sub(r"(?<![\d/.,])(?P<a>\d{1,6})[/⁄](?P<b>\d{1,6})(?![\d]|[/⁄]\d)", spoken, text)
    # What the time rule left of "a:b" is a ratio or a score: "1:2" -> "one to two".
    return re.sub(r"(?<![\d:.,])(\d{1,6}):(\d{1,6})(?![\d]|:\d)",
                  lambda m: f"{ctx.words.cardinal(int(m[1]))} to {ctx.words.cardinal(int(m[2]))}",
                  text)


# --- plain numbers -----------------------------------------------------------------------

_QUANTITY_CUE = re.compile(
    r"\b(?:than|about|around|nearly|almost|approximately|some|least|only|just|over|"
    r"under|total of|all)\s+$", re.I)


def say_versions(text: str, ctx: EnContext) -> str:
    """"1.2.3" -> "one point two point three" (not "1.500.000", which groups)."""
    def spoken(m: re.Match) -> str:
        parts = m[0].split(".")
        if all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3 and parts[0][0] != "0":
            return m[0]
        return " point ".join(ctx.words.cardinal(int(p)) for p in parts)
    return re.sub(r"(?<![\d.,])\d{1,6}(?:\.\d{1,6}){2,}(?![\d]|\.\d)", spoken, text)


def split_letters_digits(text: str) -> str:
    """"G20" -> "G 20", "MP3" -> "MP 3": digits glued to letters are read apart."""
    return re.sub(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])", " ", text)


def say_numbers(text: str, ctx: EnContext) -> str:
    """Every remaining numeral: "26 000" -> "twenty-six thousand", "3.5" -> "three point
    five", "-4" -> "minus four"; a lone 1000-2099 is a year ("1990" -> "nineteen ninety")
    unless a word before it makes it a quantity ("more than 2000")."""
    def spoken(m: re.Match) -> str:
        written = m["n"]
        if (not m["sign"] and written.isdigit() and len(written) == 4
                and is_year(int(written))
                and not _QUANTITY_CUE.search(m.string[max(0, m.start() - 20):m.start()])):
            return ctx.words.year(int(written))
        return ctx.say(written, negative=bool(m["sign"]))
    return re.sub(rf"(?P<sign>(?<![\w)\]])[-−])?(?P<n>{ctx.num})", spoken, text)


def say_leftover_digits(text: str, ctx: EnContext) -> str:
    """Any digit no rule understood is read on its own, so no digit reaches an engine."""
    return re.sub(r"\d+", lambda m: " " + ctx.words.digits(m[0]) + " ", text)
