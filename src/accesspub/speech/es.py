"""Spanish: dates, times, ordinals, amounts and numbers as a native speaker says them.

Numbers follow the locale (Babel "es": "1.500.000" groups, "3,5" is "tres coma cinco";
"es-MX" writes "1,500.5"); "1 de mayo de 2024" is "uno de mayo de dos mil veinticuatro"
("primero de mayo" in the Americas), "las 9:30" "las nueve y media", "1.º" "primero",
"2.ª" "segunda", "siglo XX" "siglo veinte"; "1" and "21" agree with the noun after them
("un kilómetro", "una hora", "veintiún años").
"""

from __future__ import annotations

import re

from babel.dates import get_month_names

from accesspub.speech import es_data as data
from accesspub.speech.locale_rules import Ctx, LocaleRules, roman_value, valid_date

_WIDE = get_month_names("wide", locale="es")
MONTHS = {name: n for n, name in _WIDE.items()}
MONTHS["setiembre"] = 9
_MONTH = r"(?P<month>%s)" % "|".join(sorted(MONTHS, key=len, reverse=True))
# Words after a number that are not the noun it counts.
_NOT_NOUNS = frozenset("de del al y o a e u ni en por para con que la el los las".split())
# "subinspector/a", "funcionario/a", "los/as": both genders, as a person reads them out.
_DOUBLET = re.compile(r"\b(?P<w>[^\W\d_]+)/(?P<e>as?)\b")

# The word after an ordinal, matched in place: a copy of the rest of the text for every
# ordinal would be quadratic in the text's length.
_NEXT_WORD = re.compile(r"\s+(\w+)")


def _feminine_words(words: str) -> str:
    """"veintiuno" -> "veintiuna", "doscientos" -> "doscientas" (not before "millones")."""
    head, sep, tail = words.rpartition(" millones ") if " millones " in words else (
        words.rpartition(" millón "))
    tail = re.sub(r"ientos\b", "ientas", tail)
    tail = re.sub(r"\b(veinti)?uno\b", lambda m: (m[1] or "") + "una", tail)
    tail = re.sub(r"\bun\b(?= mil\b)", "una", tail)
    tail = re.sub(r"\bveintiún\b", "veintiuna", tail)
    return head + sep + tail


def _doublet(m: re.Match) -> str:
    """"subinspector/a" -> "subinspector o subinspectora", "los/as" -> "los y las"."""
    word, ending = m["w"], m["e"]
    if ending == "as":
        if not word.endswith("os"):
            return m[0]
        return f"{word} y {word[:-2]}as"
    feminine = word[:-1] + "a" if word.endswith("o") else word + "a"
    if not (word.endswith("o") or word[-1:] in "rnlsz"):
        return m[0]
    return f"{word} o {feminine}"


def _apocope(words: str) -> str:
    """Before a masculine noun: "uno" -> "un", "veintiuno" -> "veintiún"."""
    if words.endswith("veintiuno"):
        return words[:-len("veintiuno")] + "veintiún"
    if re.search(r"\buno$", words):
        return words[:-1]
    return words


class SpanishRules(LocaleRules):
    primary = "es"
    and_word = "y"
    fraction_names = {"1/2": "medio", "1/4": "un cuarto", "3/4": "tres cuartos",
                      "1/3": "un tercio", "2/3": "dos tercios", "1/8": "un octavo"}
    slash_word = "barra"
    hashtag_word = "hashtag"
    dial_words = (r"\b(?:llame|llamar|llama|marque|marcar|marca|teléfono|telefónic[oa]s?"
                  r"|emergencias?|urgencias?)\b")
    words = {"image": "Imagen", "note": "nota"}
    point_words = {",": "coma", ".": "punto"}
    dot_word = "punto"
    fraction_as_number = True
    range_word = "a"
    addr_words = data.ADDRESS_WORDS
    abbreviations = data.ABBREVIATIONS
    phone_labels = data.PHONE_LABELS
    no_context_phone = data.NO_CONTEXT_PHONE
    currency_symbols = data.CURRENCY_SYMBOLS
    currency_codes = data.CURRENCY_CODES
    scale_words = data.SCALE_WORDS
    scale_of = "de "
    units = data.UNITS
    percent = ("por ciento", "por mil")
    symbols = data.SYMBOLS
    feminine = data.FEMININE
    quantity_cue = data.QUANTITY_CUE
    # "18h00" is the French-style time some Spanish pages write.
    shapes = frozenset({"roman month dates", "spaced slash", "paragraph letter", "name-number",
                        "dash minus", "h time"})
    number_sign_word = "número"
    roman_month_date = "{day} de {month} de {year}"
    zero_cents = r"euros?\b|€|EUR\b"
    regnal_names = data.REGNAL_NAMES
    slash_numbers = True         # "Ley 30/92", "punto 6/268", "Nº 4.059/2022"
    # "el G-20 ha abordado": the auxiliary "ha" before a participle is not "hectáreas".
    not_units = r"ha\s[^\W\d_]+(?:ado|ido|to|cho|so)\b"

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        if self.region in data.PESO_REGIONS:
            self.currency_symbols = {**data.CURRENCY_SYMBOLS, "$": data.PESO}
        # Spain says "uno de mayo"; the Americas "primero de mayo".
        self.first_of_month = "uno" if self.region in ("", "ES") else "primero"

    def cardinal(self, n: int) -> str:
        # num2words writes "veintiuno mil", "treinta y uno millones": before "mil" and
        # "millones" the numeral is shortened as before any masculine noun.
        words = super().cardinal(n)
        words = re.sub(r"\bveintiuno(?= mil)", "veintiún", words)
        return re.sub(r"\buno(?= mil)", "un", words)

    def ordinal(self, n: int) -> str:
        return super().ordinal(n).replace("décimoprimero", "undécimo").replace(
            "décimosegundo", "duodécimo")

    def before_nfkc(self, text: str) -> str:
        """After the shared shapes (``shapes``): "subinspector/a", and the ordinals "1.º",
        "2.ª", "3.er" before NFKC makes "º" "o"."""
        text = _DOUBLET.sub(_doublet, text)

        def ordinal(m: re.Match) -> str:
            if m["s"] == "°" and not m["dot"]:
                return m[0]      # "45°" is an angle; "1.°" an ordinal
            word = self.ordinal(int(m["n"]))
            if m["s"] in ("ª", "a"):
                return " ".join(w[:-1] + "a" if w.endswith("o") else w for w in word.split())
            following = _NEXT_WORD.match(m.string, m.end())
            if m["s"] in ("er",) or (following and following[1][:1].isalpha()
                                     and following[1].lower() not in _NOT_NOUNS):
                word = re.sub(r"(primer|tercer)o$", r"\1", word)
            return word
        return re.sub(r"(?<![\d.,])(?P<n>\d{1,4})(?P<dot>\.?)\s?(?P<s>[ºª]|°(?!\s?[CF])|er\b)",
                      ordinal, text)

    def own_passes(self):
        return [self.say_numeric_dates, self.say_text_dates, self.say_times, self.say_romans]

    def spelled_label(self, label: str) -> bool:
        """"rtve.es", "dgt.es": a label without a vowel is spelled; Spanish reads
        any other as a word, as it reads "BOE" or "OTAN"."""
        return (label.isalpha() and len(label) > 1
                and not re.search(r"[aeiouáéíóúy]", label, re.I))

    # --- agreement --------------------------------------------------------------------

    def agree(self, words: str, noun: str | None) -> str:
        if not noun or noun.lower() in _NOT_NOUNS:
            return words
        if self.is_feminine(noun):
            return _feminine_words(words)
        return _apocope(words)

    def money_text(self, major: str, unit: str, cents: str, minor: str) -> str:
        return f"{major} {unit} con {cents} {minor}"   # "doce euros con cincuenta céntimos"

    # --- dates --------------------------------------------------------------------------

    def day(self, n: int) -> str:
        return self.first_of_month if n == 1 else self.cardinal(n)

    def date(self, day: int, month: int, year: int | None) -> str:
        spoken = f"{self.day(day)} de {_WIDE[month]}"
        return f"{spoken} de {self.year(year)}" if year is not None else spoken

    def say_text_dates(self, text: str, ctx: Ctx) -> str:
        """"1 de mayo de 2024", "20 de enero", "enero de 2020"."""
        def spoken(m: re.Match) -> str:
            day, month = int(m["d"]), MONTHS[m["month"].lower()]
            if not valid_date(day, month):
                return m[0]
            said = self.date(day, month, None)
            return f"{said} {m['de']} {self.year(int(m['y']))}" if m["y"] else said
        text = re.sub(rf"(?<![\d.,])(?P<d>\d{{1,2}})\sde\s{_MONTH}(?!\w)"
                      rf"(?:\s(?P<de>del?)\s(?P<y>\d{{4}})(?!\d))?", spoken, text, flags=re.I)
        return re.sub(rf"(?<!\w){_MONTH}\s(?P<de>de(?:l)?\s)?(?P<y>\d{{4}})(?![\d])",
                      lambda m: f"{m['month']} {m['de'] or ''}{self.year(int(m['y']))}", text,
                      flags=re.I)

    # --- times ----------------------------------------------------------------------------

    def clock(self, h: int, minute: int) -> str:
        hour = _feminine_words(self.cardinal(h))       # "la una", "las veintiuna"
        if minute == 0:
            return hour
        if h <= 12 and minute in (15, 30):
            return f"{hour} y {'cuarto' if minute == 15 else 'media'}"
        if h <= 12:
            return f"{hour} y {self.cardinal(minute)}"
        return f"{hour} {self.cardinal(minute)}"

    def say_times(self, text: str, ctx: Ctx) -> str:
        """"las 9:30" -> "las nueve y media", "a la 1:15" -> "a la una y cuarto",
        "18:45 h" -> "dieciocho cuarenta y cinco horas"."""
        hour = r"(?:[01]?\d|2[0-4])"

        def spoken(m: re.Match) -> str:
            said = self.clock(int(m["h"]), int(m["m"]))
            return said + (" horas" if m["hs"] else "")
        text = re.sub(rf"(?<![\d.:,])(?P<h>{hour}):(?P<m>[0-5]\d)(?![\d]|:\d)(?P<hs>\s?h\b\.?)?",
                      spoken, text)
        return re.sub(rf"(?<=\blas\s)(?P<h>{hour})(?![\d.,:])(?:\s?h\b)?",
                      lambda m: _feminine_words(self.cardinal(int(m["h"]))), text, flags=re.I)

    # --- Roman numerals ------------------------------------------------------------------

    def say_romans(self, text: str, ctx: Ctx) -> str:
        """"siglo XX" -> "siglo veinte", "siglo V" -> "siglo quinto", "Felipe VI" -> "Felipe
        sexto", "Alfonso XIII" -> "Alfonso trece": ordinals up to ten, then cardinals."""
        def say(n: int) -> str:
            return self.ordinal(n) if n <= 10 else self.cardinal(n)

        def spoken(m: re.Match) -> str:
            n = roman_value(m["r"])
            return f"{m['w']} {say(n)}" if n else m[0]
        text = re.sub(r"(?P<w>\b[sS]iglos?)\s(?P<r>[IVXLC]+)\b", spoken, text)
        text = self.say_regnal_letters(text, spoken)
        return re.sub(r"(?P<w>\b[A-ZÁÉÍÓÚ][a-záéíóúñ]+)\s(?P<r>[IVX]{2,})\b", spoken,
                      text)
