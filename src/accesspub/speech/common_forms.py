"""Written forms every language reads the same way, apart from one word: vulgar
fractions ("2¼"), hashtags ("#CivicTech"), and the shapes some languages' texts write
("G-20", "20.I.1716", "nº 5", "18h00"), which ``LocaleRules`` turns on per language."""

from __future__ import annotations

import re
import unicodedata

# --- vulgar fractions (before NFKC, which turns "2¼" into "21⁄4") --------------------------

_VULGAR = "¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"


def fraction_text(char: str) -> str:
    """"¾" -> "3/4", from the character's own decomposition."""
    return unicodedata.normalize("NFKC", char).replace("\u2044", "/")


def split_vulgar_fractions(text: str, and_word: str, names: dict[str, str] | None = None) -> str:
    """"2¼" -> "2 and 1/4", "¾" -> "3/4": the fraction rules then say each part; a
    language that names its fractions ("ein Viertel") gives ``names`` instead."""
    if not any(c in text for c in _VULGAR):
        return text
    names = names or {}

    def said(char: str) -> str:
        written = fraction_text(char)
        return names.get(written, written)
    # "2¼" and "1 ¼ cup": a whole number and a fraction, however typed.
    text = re.sub(rf"(\d) ?([{_VULGAR}])", lambda m: f"{m[1]} {and_word} {said(m[2])}", text)
    return re.sub(rf"[{_VULGAR}]", lambda m: f" {said(m[0])} ", text)


# --- hashtags ----------------------------------------------------------------------------

def camel_words(word: str) -> str:
    """"CivicTech" -> "Civic Tech", "COVID19Facts" -> "COVID 19 Facts"."""
    word = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", word)
    return re.sub(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])", " ", word).replace("_", " ")


def say_hashtags(text: str, word: str = "hashtag") -> str:
    """"#CivicTech" -> "hashtag Civic Tech" (not "#5", a number)."""
    return re.sub(r"(?<![\w&#])#([^\W\d_]\w{0,60})",
                  lambda m: f"{word} {camel_words(m[1])}", text)


# --- written shapes, rewritten before NFKC where a language's texts use them -------------
# Each is the same idea in every language that writes it; ``LocaleRules.shapes`` names the
# ones a language turns on, and its data (month names, currencies) fills them in.

# "G-20", "A-6", "PAU-4", "Covid-19": a name and its number, said apart without the hyphen.
_NAME_NUMBER = re.compile(r"(?<![\w-])(?P<w>[^\W\d_]{1,6})-(?P<n>\d{1,3})(?![\d\w-]|[.,]\d)")
# "(–4,20%)", "los –70 ºC": a dash right before a number, not after one, is a minus.
_DASH_MINUS = re.compile(r"(?:^|(?<=[(\[])|(?<=[^\d\s] ))[–−](?=\d)")
# "Ley 7 /1985": a stray space before the slash of a numbered law.
_SPACED_SLASH = re.compile(r"(?<=\d) /(?=\d)")
# "artículo 49.c)", "art. 21.1.g)": the letter of a paragraph, not a decimal.
_PARAGRAPH_LETTER = re.compile(r"(?<=\d)\.(?=[a-zñ]\))")
# "18h00", "9h30": a time written with "h" for the colon.
_H_TIME = re.compile(r"(?<![\d:])(?P<h>[01]?\d|2[0-3])h(?P<m>[0-5]\d)(?!\d)")
_ROMAN_MONTHS = {r: n for n, r in enumerate("I II III IV V VI VII VIII IX X XI XII".split(), 1)}
# "20.I.1716": the day, the month in Roman numerals and the year, as biographies write them.
_ROMAN_DATE = re.compile(r"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"
                         r"\.(?P<y>\d{4})(?!\d)")
# "nº 5", "n.º 5", "N° 4": the number sign, said as the language's word for "number".
_NUMBER_SIGN = re.compile(r"\b([nN])\.?\s?[º°]\.?\s?(?=\d)")


def split_name_numbers(text: str) -> str:
    return _NAME_NUMBER.sub(r"\g<w> \g<n>", text)


def dash_minus(text: str) -> str:
    return _DASH_MINUS.sub("-", text)


def close_spaced_slashes(text: str) -> str:
    return _SPACED_SLASH.sub("/", text)


def paragraph_letters(text: str) -> str:
    return _PARAGRAPH_LETTER.sub(" ", text)


def h_times(text: str) -> str:
    """"18h00" -> "18:00 h", which the language's time rule then reads."""
    return _H_TIME.sub(lambda m: f"{m['h']}:{m['m']} h", text)


def roman_month_dates(text: str, template: str, months: dict[int, str]) -> str:
    """"20.I.1716" -> the date as the language writes it with the month's name
    (``template`` with {day}, {month}, {year})."""
    return _ROMAN_DATE.sub(lambda m: template.format(day=int(m["d"]), year=m["y"],
                                                     month=months[_ROMAN_MONTHS[m["m"]]]), text)


def drop_zero_cents(text: str, currencies: str) -> str:
    """"4.544.700,00 euros": no cents are said when there are none; ``currencies`` is the
    regex of what may follow.  "1,00 euro" keeps them ("1 euros" would be said in the
    plural)."""
    return re.sub(rf"(?:(?<=\d\d)|(?<=[02-9])),00(?=\s?(?:{currencies}))", "", text)


def number_sign(text: str, word: str) -> str:
    """"nº 5" -> "número 5" (before NFKC turns "º" into "o"); a capital N, a capital word."""
    return _NUMBER_SIGN.sub(lambda m: (word if m[1] == "n" else word.capitalize()) + " ", text)


# The order matters: the date's dots and the number sign go before the dash and the
# decimal rules could take them.
SHAPES = ("roman month dates", "spaced slash", "paragraph letter", "name-number",
          "dash minus", "h time")
