"""Written forms every language reads the same way, apart from one word: vulgar
fractions ("2¼") and hashtags ("#CivicTech")."""

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
