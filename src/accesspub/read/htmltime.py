"""Is a ``<time datetime>`` value one HTML and EPUBCheck both accept?

HTML's "valid date string with optional time" family (WHATWG, common microsyntaxes):
year, month, date, yearless date, week, time, local or global date and time, duration —
with the field ranges the grammar implies (no 31 April, no week 53 in a 52-week year).
EPUBCheck's schema accepts less in three places, and a value must pass both: a year alone
has exactly four digits, a time-zone offset alone is refused, and the letters of a
duration ("4H 18M") are upper case, separated by spaces only.

Every pattern is anchored and has no nested repetition: linear on any input.
"""

from __future__ import annotations

import re

_YEAR = r"(?P<y>\d{4,})"
_MONTH = r"(?P<m>\d\d)"
_DAY = r"(?P<d>\d\d)"
_TIME = r"(?P<H>\d\d):(?P<M>\d\d)(?::(?P<S>\d\d)(?:\.\d{1,3})?)?"
_OFFSET = r"(?:Z|[+-](?P<oh>\d\d):?(?P<om>\d\d))"
FORMS = [
    re.compile(r"(?P<y>\d{4})"),
    re.compile(f"{_YEAR}-{_MONTH}"),
    re.compile(f"{_YEAR}-{_MONTH}-{_DAY}"),
    re.compile(f"(?:--)?{_MONTH}-{_DAY}"),
    re.compile(f"{_YEAR}-W(?P<w>\\d\\d)"),
    re.compile(_TIME),
    re.compile(f"{_YEAR}-{_MONTH}-{_DAY}[T ]{_TIME}{_OFFSET}?"),
]
_ISO_DURATION = re.compile(r"P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{1,3})?S)?)?")
_COMPONENT = re.compile(r" *(?:\d+ *[WDHM]|\d+(?:\.\d{1,3})? *S) *")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _weeks(year: int) -> int:
    """52 or 53: a year has 53 ISO weeks when it starts on a Thursday, or on a Wednesday
    in a leap year (weekday arithmetic that holds for years beyond 9999 too)."""
    def jan1(y: int) -> int:                 # 0 = Monday
        y -= 1
        return (1 + 5 * (y % 4) + 4 * (y % 100) + 6 * (y % 400)) % 7 - 1
    start = jan1(year) % 7
    return 53 if start == 3 or (start == 2 and _leap(year)) else 52


def _fields_ok(m: re.Match) -> bool:
    g = m.groupdict()
    num = {k: int(v) for k, v in g.items() if v is not None}
    if "y" in num and num["y"] == 0:
        return False
    if "m" in num and not 1 <= num["m"] <= 12:
        return False
    if "d" in num:
        days = _DAYS[num["m"] - 1]
        if num["m"] == 2 and "y" in num and not _leap(num["y"]):
            days = 28
        if not 1 <= num["d"] <= days:
            return False
    if "w" in num and not 1 <= num["w"] <= _weeks(num["y"]):
        return False
    if num.get("H", 0) > 23 or num.get("M", 0) > 59 or num.get("S", 0) > 59:
        return False
    return num.get("oh", 0) <= 23 and num.get("om", 0) <= 59


def _duration(value: str) -> bool:
    if value.startswith("P"):
        return bool(_ISO_DURATION.fullmatch(value)) and value not in ("P", "PT") \
            and not value.endswith("T")
    units, at = set(), 0
    while at < len(value):
        m = _COMPONENT.match(value, at)
        if not m:
            return False
        unit = m[0].strip()[-1]
        if unit in units:
            return False
        units.add(unit)
        at = m.end()
    return bool(units)


def valid_datetime(value: str) -> bool:
    """True when ``value`` may stand in ``<time datetime="…">`` (see the module docstring)."""
    if len(value) > 64:
        return False
    for form in FORMS:
        m = form.fullmatch(value)
        if m:
            return _fields_ok(m)
    return _duration(value)
