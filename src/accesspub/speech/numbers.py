"""Numbers as words, in any language num2words knows, and how a locale writes them.

Two separate concerns live here because every language needs both:

* ``NumberFormat`` — which characters group thousands and which one marks decimals in the
  *written* text.  It comes from Babel's locale data when the project names a
  ``number_format``; otherwise it is the "guess" mode, where a dot or comma followed by
  exactly three digits (repeated) is taken as grouping, because a three-decimal number is
  rare in a press release and ``250.000`` people is common.
* ``NumberWords`` — the *spoken* form, from num2words: cardinals, ordinals, years and
  digit-by-digit readings.  Nothing here is a hand-written number table.

``parse_number`` turns a matched numeral into a ``Numeral`` (digits before and after the
decimal mark) so a language module decides how to say it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from num2words import num2words

# Every space a typesetter may put between digit groups.  NFKC maps them all to " ", but
# languages that skip NFKC still need to recognise them.
SPACES = " \u00a0\u2009\u202f\u2007"

# Swiss and Liechtenstein texts group with "’" or "'" (and a thin space), whichever the
# writer's keyboard gave; CLDR has switched between the two, so a locale whose group is
# either apostrophe accepts both, whatever the installed Babel says.
APOSTROPHES = "'\u2019\u02bc"

# Past this many digits nobody says the number as a quantity: read it digit by digit.
MAX_CARDINAL_DIGITS = 15


@dataclass(frozen=True, slots=True)
class Numeral:
    """A written number split at its decimal mark: ``"250.000"`` (grouped) -> ("250000", "")."""

    whole: str          # ASCII digits, no grouping, never empty
    fraction: str = ""  # ASCII digits after the decimal mark, as written ("50" in 3.50)

    @property
    def is_integer(self) -> bool:
        return not self.fraction

    @property
    def value(self) -> Decimal:
        return Decimal(f"{self.whole}.{self.fraction}" if self.fraction else self.whole)


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """How numbers are written: group characters and the decimal mark.

    ``guess`` is the English-text heuristic: both "," and "." group when followed by
    exactly three digits, and the other one (or ".") is the decimal mark.
    """

    group: str          # characters that may group thousands (spaces always do)
    decimal: str        # the decimal mark
    guess: bool = False

    def pattern(self) -> str:
        """A regex (no capture groups) matching one unsigned numeral in this format."""
        return _numeral_pattern(self)


@lru_cache(maxsize=64)
def number_format(locale: str, default_decimal: str = ".") -> NumberFormat:
    """The NumberFormat of a Babel locale such as "de" or "en-US"; "" gives the guess mode.

    An unknown locale falls back to the guess mode rather than failing the build: the
    config loader is the place to reject bad values, not the speech stage.
    """
    if not locale:
        return NumberFormat(group=",." + SPACES, decimal=default_decimal, guess=True)
    try:
        from babel import Locale
        from babel.numbers import get_decimal_symbol, get_group_symbol

        loc = Locale.parse(locale.replace("-", "_"))
        group, decimal = get_group_symbol(loc), get_decimal_symbol(loc)
    except Exception:  # babel raises several types for unknown or malformed locales
        return NumberFormat(group=",." + SPACES, decimal=default_decimal, guess=True)
    if group.isspace():
        group = ""          # spaces are added below for every locale
    elif group in APOSTROPHES:
        group = APOSTROPHES
    return NumberFormat(group=group + SPACES, decimal=decimal)


@lru_cache(maxsize=64)
def _numeral_pattern(fmt: NumberFormat) -> str:
    # At most ten groups (31 digits, beyond MAX_CARDINAL_DIGITS anyway): a numeral may
    # start after a space, so with an unbounded repeat every group of "123 123 123 …" would
    # rescan the rest of the chain, which is quadratic in its length.
    digit_groups = r"[1-9]\d{0,2}(?:%s\d{3}){1,10}"
    if fmt.guess:
        # One separator kind per numeral: "1,500.5", "1.500,5", "26 000,5" or "26 000.5".
        spaces = "[" + re.escape(SPACES) + "]"
        grouped = [
            digit_groups % "," + r"(?:\.\d+)?",
            digit_groups % r"\." + r"(?:,\d+)?",
            digit_groups % spaces + r"(?:[.,]\d+)?",
        ]
        plain = r"\d+(?:%s\d+)?" % re.escape(fmt.decimal)
    else:
        group = "[" + re.escape(fmt.group) + "]"
        dec = re.escape(fmt.decimal)
        grouped = [digit_groups % group + r"(?:%s\d+)?" % dec]
        plain = r"\d+(?:%s\d+)?" % dec
    body = "|".join(grouped + [plain])
    return r"(?<![\d.,])(?:%s)(?![\d])(?![.,]\d)" % body


def parse_number(text: str, fmt: NumberFormat) -> Numeral:
    """Split a numeral matched by ``fmt.pattern()`` into whole and fraction digits.

    The last of "," and "." is the decimal mark when both occur ("1.500,5"); a lone mark
    followed by exactly three digits groups in guess mode or when it is the locale's group
    character; spaces always group.
    """
    text = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)
    for space in SPACES + "".join(c for c in fmt.group if c not in ",."):
        text = text.replace(space, "")   # and other group marks, "’" in "1’500" (de-CH)
    marks = [c for c in text if c in ",."]
    if not marks:
        return Numeral(text)
    last = max(text.rfind(","), text.rfind("."))
    head, tail = text[:last], text[last + 1:]
    if len(set(marks)) == 1:
        # One kind of mark: repeated, it can only group; once, it groups when three digits
        # follow and the format lets it group ("250.000" guessed, "1.500" in German).
        lone_group = (len(tail) == 3 and len(head) <= 3 and not head.startswith("0")
                      and (fmt.guess or text[last] in fmt.group))
        if len(marks) > 1 or lone_group:
            return Numeral(_digits_only(text))
    return Numeral(_digits_only(head) or "0", _digits_only(tail))


def _digits_only(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


class NumberWords:
    """Numbers spoken in one language, via num2words.

    Every method returns words only: when num2words cannot say a number (too large, not
    supported) the digits are read one by one, and if even that fails an empty string is
    returned rather than raising, because a build must never stop on a strange numeral.
    """

    def __init__(self, lang: str, *, point: str = "point", drop_commas: bool = True):
        self.lang = lang
        self.drop_commas = drop_commas
        # num2words takes tens of microseconds a call: a text of a million digits or of
        # many small numbers must not take minutes, so the words are remembered.
        self._memo: dict[tuple, str] = {}
        self.point = self._point_word() or point
        self.minus = self._minus_word()

    def _say(self, number: int | Decimal, **kwargs) -> str:
        key = (type(number), number, *sorted(kwargs.items()))
        words = self._memo.get(key)
        if words is None:
            words = num2words(number, lang=self.lang, **kwargs)
            # num2words writes "one thousand, five hundred": the comma is a pause a reader
            # would not make inside one number.
            words = words.replace(",", "") if self.drop_commas else words
            if len(self._memo) >= 4096:
                self._memo.clear()
            self._memo[key] = words
        return words

    def _point_word(self) -> str:
        """The language's own word for the decimal mark, read off num2words' "1.5"."""
        try:
            whole = self._say(Decimal("1.5"))
            one, five = self._say(1), self._say(5)
        except Exception:
            return ""
        if whole.startswith(one + " ") and whole.endswith(" " + five):
            middle = whole[len(one):-len(five)].strip()
            if middle and len(middle.split()) <= 2:
                return middle
        return ""

    def cardinal(self, n: int) -> str:
        if len(str(abs(n))) > MAX_CARDINAL_DIGITS:
            return ("minus " if n < 0 else "") + self.digits(str(abs(n)))
        try:
            return self._say(n)
        except Exception:
            return self.digits(str(n))

    def ordinal(self, n: int) -> str:
        if n < 0 or len(str(n)) > MAX_CARDINAL_DIGITS:
            return self.cardinal(n)
        try:
            return self._say(n, to="ordinal")
        except Exception:
            return self.cardinal(n)

    def year(self, n: int) -> str:
        try:
            return self._say(n, to="year")
        except Exception:
            return self.cardinal(n)

    def digit(self, char: str) -> str:
        try:
            return self._say(unicodedata.digit(char))
        except Exception:
            return ""

    def digits(self, text: str) -> str:
        """Each digit of ``text`` as a word: "033" -> "zero three three"; others dropped."""
        return " ".join(w for w in (self.digit(c) for c in text if c.isdigit()) if w)

    def numeral(self, num: Numeral, *, negative: bool = False) -> str:
        """A parsed numeral: "three point five", "twenty-six thousand", "minus two"."""
        whole = int(num.whole) if len(num.whole) <= MAX_CARDINAL_DIGITS else None
        spoken = self.cardinal(whole) if whole is not None else self.digits(num.whole)
        if num.fraction:
            spoken = f"{spoken} {self.point} {self.digits(num.fraction)}"
        return f"{self.minus} {spoken}" if negative else spoken

    def _minus_word(self) -> str:
        try:
            words = self._say(-1).split()
        except Exception:
            return "minus"
        return " ".join(words[:-1]) or "minus"
