"""English rules for everything made of digits: dates, times, phones, money, units, numbers.

Each ``say_*`` function takes the text and a ``locale_rules.Ctx`` and returns the text with its
kind of numeral spelled out.  They run in the order of ``NUMBER_PASSES``: the most
specific shapes first (a date is also three numbers, a phone number also a range), so
that the general number rule at the end only sees plain numbers.
"""

from __future__ import annotations

import re
from babel.dates import get_month_names

from accesspub.speech import en_data as data
from accesspub.speech.locale_rules import Ctx, full_year, sentence_end


_WIDE = get_month_names("wide", locale="en")
_ABBR = get_month_names("abbreviated", locale="en")
MONTHS = {name: n for n, name in _WIDE.items()}
MONTHS.update({name: n for n, name in _ABBR.items()})
MONTHS["Sept"] = 9
# A full stop after an abbreviated month is the abbreviation's ("Jan. 5"); after a whole
# name it ends the sentence ("on 30 June.") and must stay.
_MONTH = "(?P<month>%s|(?:%s)\\.?)" % ("|".join(sorted(_WIDE.values(), key=len, reverse=True)),
                                     "|".join(sorted(set(MONTHS) - set(_WIDE.values()),
                                                     key=len, reverse=True)))


def is_year(n: int) -> bool:
    return 1000 <= n <= 2099


def _year(ctx: Ctx, digits: str) -> str:
    return ctx.words.year(int(digits))


# --- dates ---------------------------------------------------------------------------

def _date(ctx: Ctx, day: int, month: int, year: int | None, month_first: bool,
          article: bool = True) -> str:
    name = _WIDE[month]
    ordinal = ctx.words.ordinal(day)
    spoken = f"{name} {ordinal}" if month_first else f"{'the ' if article else ''}{ordinal} of {name}"
    return f"{spoken}, {ctx.words.year(year)}" if year is not None else spoken


def _valid(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def say_iso_dates(text: str, ctx: Ctx) -> str:
    """"2020-01-20" -> "the twentieth of January, twenty twenty" (or US order)."""
    def spoken(m: re.Match) -> str:
        day, month = int(m["d"]), int(m["m"])
        if not _valid(day, month):
            return m[0]
        return _date(ctx, day, month, int(m["y"]), ctx.month_first)
    pattern = (r"(?<![\d.,/-])(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
               r"(?![\d]|[-/]\d)")
    return re.sub(pattern, spoken, text)


def say_numeric_dates(text: str, ctx: Ctx) -> str:
    """"20.01.2020", "20/01/2020" -> day first unless the numbers or the locale say otherwise."""
    def spoken(m: re.Match) -> str:
        a, b, sep = int(m["a"]), int(m["b"]), m["sep"]
        year = full_year(m["y"])
        month_first = b > 12 or (a <= 12 and ctx.month_first and sep != ".")
        day, month = (b, a) if month_first else (a, b)
        if not _valid(day, month):
            return m[0]
        return _date(ctx, day, month, year, month_first)
    pattern = (r"(?<![\d.,/])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)"
               r"(?P<y>\d{4}|\d{2})(?![\d]|[./-]\d)")
    return re.sub(pattern, spoken, text)


def say_text_dates(text: str, ctx: Ctx) -> str:
    """"January 20, 1990" -> "January twentieth, nineteen ninety"; "20 January 2020" ->
    "the twentieth of January, twenty twenty"; "January 2020" -> "January twenty twenty"."""
    # "December 8,1818": the space after the comma is sometimes lost in typing.
    year = r"(?:(?:,\s*|\s+)(?P<year>\d{4})(?![\d]))?"

    def month_first(m: re.Match) -> str:
        day, month = int(m["day"]), MONTHS[m["month"].rstrip(".")]
        if not _valid(day, month):
            return m[0]
        if m["last"]:      # "Sept. 12-15": "September twelfth to fifteenth"
            if not _valid(int(m["last"]), month) or int(m["last"]) <= day:
                return m[0]
            spoken = _date(ctx, day, month, None, True)
            end = ctx.words.ordinal(int(m["last"]))
            return f"{spoken} to {end}" + (f", {ctx.words.year(int(m['year']))}"
                                           if m["year"] else "")
        return _date(ctx, day, month, int(m["year"]) if m["year"] else None, True)

    def day_first(m: re.Match) -> str:
        day, month = int(m["day"]), MONTHS[m["month"].rstrip(".")]
        if not _valid(day, month):
            return m[0]
        spoken = _date(ctx, day, month, int(m["year"]) if m["year"] else None, False,
                       article=not m["the"])
        return (m["the"] or "") + spoken

    text = re.sub(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?![\d])"
                  r"(?:\s?[-–]\s?(?P<last>\d{1,2})(?:st|nd|rd|th)?(?![\d]|[-–.:]\d))?" + year,
                  month_first, text)
    text = re.sub(r"(?<![\d.,])(?P<the>[Tt]he\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
                  + _MONTH + r"(?!\w)" + year, day_first, text)
    return re.sub(_MONTH + r"\s+(?P<year>\d{4})(?![\d])",
                  lambda m: f"{_WIDE[MONTHS[m['month'].rstrip('.')]]} {_year(ctx, m['year'])}", text)


# --- times ---------------------------------------------------------------------------

def _meridiem(m: re.Match) -> str:
    return f" {m['ap'].lower()} m" if m["ap"] else ""


def say_times(text: str, ctx: Ctx) -> str:
    """"9:30" -> "nine thirty", "14:05" -> "fourteen oh five", "9:00" -> "nine o'clock",
    "9:30 am" -> "nine thirty a m", "9 a.m." -> "nine a m"."""
    ap = r"(?:\s?(?P<ap>[AaPp])\.?\s?[Mm]\b\.?)"

    def clock(m: re.Match) -> str:
        hour, minute = int(m["h"]), int(m["m"])
        spoken = ctx.words.cardinal(hour)
        if minute == 0:
            spoken += "" if m["ap"] else (" hundred" if hour > 12 or m["h"].startswith("0")
                                          else " o'clock")
        elif minute < 10:
            spoken += " oh " + ctx.words.cardinal(minute)
        else:
            spoken += " " + ctx.words.cardinal(minute)
        if m["s"]:
            spoken += " and " + ctx.words.cardinal(int(m["s"])) + " seconds"
        return spoken + _meridiem(m) + sentence_end(m)

    text = re.sub(r"(?<![\d.:])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?"
                  + ap + r"?(?![\d]|:\d)", clock, text)
    return re.sub(r"(?<![\d.:,])(?P<h>1[0-2]|0?[1-9])" + ap,
                  lambda m: ctx.words.cardinal(int(m["h"])) + _meridiem(m) + sentence_end(m),
                  text)


def near_before(m: re.Match, size: int) -> str:
    """The text just before a match, at most ``size`` characters and from a word start: a
    rule that looked at all of it would make its pass quadratic in the text's length."""
    start = max(0, m.start() - size)
    text = m.string[start:m.start()]
    if start and not m.string[start - 1].isspace():
        text = text.split(" ", 1)[1] if " " in text else ""
    return text


# --- phone numbers and postcodes -------------------------------------------------------

_PHONE = re.compile(r"""
    (?<![\w+.,/])
    (?P<phone>(?:\(\s*)?(?:\+\s*)?\(?\d+\)?
    (?:(?:\s+|\s*[-./–]\s*|\s*\)\s*|\s*\(\s*)\d+\)?)+)
""", re.X)
_PHONE_LABEL = re.compile(data.PHONE_LABELS + r"\.?(?:\s*(?:number|no\.?))?\s*[:.]?"
                          r"(?:\s+(?:at|on))?\s*$",
                          re.I)
_NO_CONTEXT_PHONE = re.compile(
    r"\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}"          # North American 555-123-4567
    r"|0\d{1,4}[-/ ]\d{2,4}(?:[- ]\d{2,4})+"   # with a national trunk 0: 033 695 801
    r"|0\d{7,}"                                # 0336958010 written without spaces
    r"|0\d{2,4} \d{5,8}"                        # British: 01934 641574
    r"|\d+(?:-\d+){3,}"                         # identifiers: ISBN 978-3-16-148410-0
)


def _phone_like(phone: str, before: str) -> bool:
    digits = sum(c.isdigit() for c in phone)
    if digits < 6:
        return False
    if phone.lstrip("( ").startswith("+") or phone.startswith("00"):
        return True
    if _PHONE_LABEL.search(before[-40:]):
        return True
    return bool(_NO_CONTEXT_PHONE.fullmatch(phone))


def _chunks(group: str) -> list[str]:
    """Long digit runs are read in threes, a lone last digit joining the previous three;
    a British area code ("01780") is one group, as it is said."""
    if len(group) <= 4 or (len(group) == 5 and group.startswith("0")):
        return [group]
    parts = [group[i:i + 3] for i in range(0, len(group), 3)]
    if len(parts[-1]) == 1:
        parts[-2:] = [parts[-2] + parts[-1]]
    return parts


_CHAIN_REVERSED = re.compile(r"\s*\d+(?:\s*/\s*\d+)+")


def say_phone(phone: str, ctx: Ctx) -> str:
    """"(+387 33) 695 802/803" -> "plus three eight seven, three three, six nine five,
    eight zero two or eight zero three": groups as written, "/" an alternative ending."""
    slots: list[list[str]] = []
    plus = "+" in phone
    # Only slashes in the final chain ("802/803/804") give alternative endings; a slash
    # earlier ("033/695-801") just separates groups.
    # Matched on the reversed text: a search for the chain at the end would try every
    # start and scan to the end from each.
    chain = _CHAIN_REVERSED.match(phone[::-1])
    alternatives_from = len(phone) - chain.end() if chain else len(phone)
    for m in re.finditer(r"(/?)\s*(\d+)", phone):
        alternative, digits = m[1] and m.start() > alternatives_from, m[2]
        spoken = ", ".join(ctx.words.digits(c) for c in _chunks(digits))
        if alternative and slots:
            slots[-1].append(spoken)
        else:
            slots.append([spoken])
    said = []
    for options in slots:
        said.append(options[0] if len(options) == 1
                    else ", ".join(options[:-1]) + " or " + options[-1])
    return ("plus " if plus else "") + ", ".join(said)


def say_phones(text: str, ctx: Ctx) -> str:
    def spoken(m: re.Match) -> str:
        phone = m["phone"]
        if not _phone_like(phone, m.string[max(0, m.start() - 40):m.start()]):
            return phone
        return say_phone(phone, ctx)
    return _PHONE.sub(spoken, text)


# What ends an address line before a postcode: a street word or "Name 305" (house number).
_STREET = re.compile(r"(?:\b(?i:" + data.STREET_WORDS + r")\.?|\b[A-Z][\w.'-]*\s+\d+[a-zA-Z]?)\s*$")


def say_postcodes(text: str, ctx: Ctx) -> str:
    """"Dzemala Bijedica 305, 71210, Ilidza" -> "…, seven one two one zero, Ilidza": a 4-5
    digit number after an address line's comma, before a comma or a place name."""
    def spoken(m: re.Match) -> str:
        before = near_before(m, 120).rstrip().rstrip(",")
        if not _STREET.search(before):
            return m[0]
        return m["lead"] + ctx.words.digits(m["code"])
    return re.sub(r"(?P<lead>,\s*)(?P<code>\d{4,5})(?=\s*,|\s+[A-Z]|\s*$)", spoken, text)


_HOUSE_STREET = ("(?:Street|Avenue|Road|Drive|Boulevard|Lane|Place|Way|Court|Parkway|"
                 "Terrace|Square|Highway|avenue|road|boulevard|drive)")


def say_house_numbers(text: str, ctx: Ctx) -> str:
    """"189 Alfred Street" -> "one eighty-nine Alfred Street", "3300 Parkway Street" ->
    "thirty-three hundred …": a house number of three or four digits is said in pairs."""
    def spoken(m: re.Match) -> str:
        n = m["n"]
        if len(n) == 4:
            return ctx.words.year(int(n))
        head, tail = ctx.words.cardinal(int(n[0])), int(n[1:])
        if tail == 0:
            return f"{head} hundred"
        if n[1] == "0":
            return f"{head} oh {ctx.words.cardinal(tail)}"
        return f"{head} {ctx.words.cardinal(tail)}"
    return re.sub(rf"(?<![\w.,$£€/-])(?P<n>[1-9]\d{{2,3}})(?=\s(?:[A-Z][\w'’]*\s){{1,3}}"
                  rf"{_HOUSE_STREET}\b)", spoken, text)
