"""English rules for quantities: money, percentages, units, ordinals, ranges and numbers.

Runs after ``en_numbers`` (dates, times, phones, postcodes) so that every digit left is
part of a quantity.  ``say_numbers`` is the last rule: it reads whatever numeral remains,
and ``say_leftover_digits`` guarantees the result holds no digit at all.
"""

from __future__ import annotations

import re

from accesspub.speech import en_data as data
from accesspub.speech.en_numbers import is_year
from accesspub.speech.locale_rules import Ctx, sentence_end
from accesspub.speech.numbers import Numeral

_UNIT_NAMES = sorted(data.UNITS, key=len, reverse=True)
_UNITS = "|".join(re.escape(u) for u in _UNIT_NAMES)
_SCALE = r"(?:\s?(?P<scale>(?i:thousand|million|billion|trillion))\b|(?P<abbr>(?i:bn|mn|tn|m|b|k))\b)"
_SYMBOLS = "".join(re.escape(s) for s in data.CURRENCY_SYMBOLS)
_CODES = "|".join(sorted(data.CURRENCY_CODES, key=len, reverse=True))


def _amount(ctx: Ctx) -> str:
    """A signed number or a range of two ("5-10", "5–10"), in named groups sign, a, b."""
    n = ctx.num
    return rf"(?P<sign>(?<![\w)\]])[-−])?(?P<a>{n})(?:(?:-|\s?–\s?)(?P<b>{n}))?"


def range_end(a: str, b: str) -> str:
    """"1988–89": a two-digit end takes the century of the start."""
    if len(a) == 4 and a.isdigit() and len(b) == 2 and b.isdigit() and int(b) > int(a[2:]):
        return a[:2] + b
    return b


def _say_amount(m: re.Match, ctx: Ctx) -> tuple[str, bool]:
    """The spoken amount of an ``_amount`` match and whether the noun after it is plural."""
    negative = bool(m["sign"])
    spoken = ctx.say(m["a"], negative=negative)
    if m["b"]:
        return f"{spoken} to {ctx.say(range_end(m['a'], m['b']))}", True
    num = ctx.numeral(m["a"])
    return spoken, not (num.whole == "1" and num.is_integer)


# --- money ---------------------------------------------------------------------------

def _money(m: re.Match, ctx: Ctx, names: tuple[str, str, str, str]) -> str:
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
    if _attributive(m):     # "a $6 million project": "a six million dollar project"
        return f"{spoken} {scale} {singular}" if scale else f"{spoken} {singular}"
    if scale:
        return f"{spoken} {scale} {plural}"
    return f"{spoken} {plural if many else singular}"


_DETERMINER = re.compile(r"(?:^|\s)(?:[Aa]n?|[Tt]he|[Tt]his|[Tt]hat|[Ii]ts|[Tt]heir|[Hh]is|"
                         r"[Hh]er|[Oo]ur)(?:\s[a-z][\w-]*){0,2}\s$")
_NOUN_NEXT = re.compile(r"\s(?P<w>[a-z][a-z-]{2,})\b")


def _attributive(m: re.Match) -> bool:
    """Is the amount a modifier of the noun after it ("the $6 million project")? Only
    after an article, and before a word that is neither a function word nor a verb."""
    if not m.string.startswith(m["cur"], m.start()):
        return False       # "5 EUR budget" is not written so
    nxt = _NOUN_NEXT.match(m.string, m.end())
    if not nxt or nxt["w"] in data.NOT_NOUNS or nxt["w"].endswith(("ed", "ly")):
        return False
    return bool(_DETERMINER.search(m.string, max(0, m.start() - 40), m.start()))


def say_money(text: str, ctx: Ctx) -> str:
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


def amount_re(ctx: Ctx) -> str:
    return _amount(ctx)


def say_amount(m: re.Match, ctx: Ctx) -> tuple[str, bool]:
    return _say_amount(m, ctx)


def say_units(text: str, ctx: Ctx, *, us_spelling: bool = False) -> str:
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

def say_ordinal_ranges(text: str, ctx: Ctx) -> str:
    """"5th-10th" -> "fifth to tenth" (before dates, so "5th-10th of May" stays whole)."""
    def spoken(m: re.Match) -> str:
        return f"{ctx.words.ordinal(int(m['a']))} to {ctx.words.ordinal(int(m['b']))}"
    return re.sub(r"(?<![\d.,])(?P<a>\d+)(?:st|nd|rd|th)\s?[-–]\s?(?P<b>\d+)(?:st|nd|rd|th)\b",
                  spoken, text, flags=re.I)


def say_ordinals(text: str, ctx: Ctx) -> str:
    """"30th" -> "thirtieth", "1st" -> "first", "22nd" -> "twenty-second"."""
    def spoken(m: re.Match) -> str:
        return ctx.words.ordinal(int(m["n"].replace(",", "")))
    return re.sub(r"(?<![\d.,])(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th)\b", spoken, text,
                  flags=re.I)


def _plural(words: str) -> str:
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def say_decades(text: str, ctx: Ctx) -> str:
    """"1990s" -> "nineteen nineties", "the '80s" -> "the eighties"."""
    def spoken(m: re.Match) -> str:
        d = m["d"]
        if len(d) == 3:
            return _plural(ctx.words.year(int(d) * 10))
        return _plural(ctx.words.cardinal(int(d) * 10))
    return re.sub(r"(?<![\w'’])['’]?(?P<d>(?:1\d|20)\d|[1-9])0['’]?s\b", spoken, text)


def _fraction(a: int, b: int, ctx: Ctx) -> str:
    names = data.FRACTION_NAMES.get(b)
    if names:
        name = names[0] if a == 1 else names[1]
    else:
        name = ctx.words.ordinal(b) + ("" if a == 1 else "s")
    return f"{ctx.words.cardinal(a)} {name}"


def say_fractions(text: str, ctx: Ctx) -> str:
    """"1/2" -> "one half", "3/4" -> "three quarters", "2019/20" -> a year range,
    "24/7" -> "twenty-four seven"; other pairs are "a slash b"."""
    def spoken(m: re.Match) -> str:
        a_text, b_text = m["a"], m["b"]
        a, b = int(a_text), int(range_end(a_text, b_text))
        if (a, b) == (24, 7):
            return "twenty-four seven"
        if len(a_text) == 4 and is_year(a) and b == a + 1:
            return f"{ctx.words.year(a)} to {ctx.words.year(b)}"
        if 2 <= b <= 10 and 0 < a < 100 and len(b_text) == 1:
            return _fraction(a, b, ctx)
        return f"{ctx.words.cardinal(a)} slash {ctx.words.cardinal(int(b_text))}"
    # "394/100,000": a rate per a (grouped) power of ten.
    text = re.sub(r"(?<![\d/.,])(?P<a>\d{1,6}(?:\.\d{1,3})?)/(?P<b>(?:1|10|100)(?:,000){1,2})"
                  r"(?![\d]|[/.,]\d)",
                  lambda m: f"{ctx.say(m['a'])} per {ctx.say(m['b'])}", text)
    text = re.sub(r"(?<![\d/.,])(?P<a>\d{1,6})[/⁄](?P<b>\d{1,6})(?![\d]|[/⁄]\d)", spoken, text)
    # What the time rule left of "a:b" is a ratio or a score: "1:2" -> "one to two".
    return re.sub(r"(?<![\d:.,])(\d{1,6}):(\d{1,6})(?![\d]|:\d)",
                  lambda m: f"{ctx.words.cardinal(int(m[1]))} to {ctx.words.cardinal(int(m[2]))}",
                  text)


# --- plain numbers -----------------------------------------------------------------------

def say_versions(text: str, ctx: Ctx) -> str:
    """"1.2.3" -> "one point two point three" (not "1.500.000", which groups)."""
    def spoken(m: re.Match) -> str:
        parts = m[0].split(".")
        if all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3 and parts[0][0] != "0":
            return m[0]
        return " point ".join(ctx.words.cardinal(int(p)) for p in parts)
    return re.sub(r"(?<![\d.,])\d{1,6}(?:\.\d{1,6}){2,}(?![\d]|\.\d)", spoken, text)
