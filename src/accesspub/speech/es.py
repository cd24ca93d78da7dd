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
_ROMAN_MONTH = {r: n for n, r in enumerate(
    "I II III IV V VI VII VIII IX X XI XII".split(), start=1)}
# "20.I.1716": the day, the month in Roman numerals and the year, as biographies write them.
_ROMAN_DATE = re.compile(r"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"
                         r"\.(?P<y>\d{4})(?!\d)")
# "Ley 7 /1985": a stray space before the slash of a numbered law.
_SPACED_SLASH = re.compile(r"(?<=\d) /(?=\d)")
# "artículo 49.c)", "art. 21.1.g)": the letter of a paragraph, not a decimal.
_PARAGRAPH_LETTER = re.compile(r"(?<=\d)\.(?=[a-zñ]\))")
# "G-20", "A-6", "PAU-4", "Covid-19": a name and its number, said apart without the hyphen.
_NAME_NUMBER = re.compile(r"(?<![\w-])(?P<w>[^\W\d_]{1,6})-(?P<n>\d{1,3})(?![\d\w-]|[.,]\d)")
# "(–4,20%)", "los –70 ºC": a dash right before a number, not after one, is a minus.
_MINUS = re.compile(r"(?:^|(?<=[(\[])|(?<=[^\d\s] ))[–−](?=\d)")
# "18h00", "9h30": the French-style time some Spanish pages write.
_H_TIME = re.compile(r"(?<![\d:])(?P<h>[01]?\d|2[0-3])h(?P<m>[0-5]\d)(?!\d)")
# "4.544.700,00 euros": no cents are said when there are none ("1,00 euro" keeps them:
# "1 euros" would be said in the plural).
_NO_CENTS = re.compile(r"(?:(?<=\d\d)|(?<=[02-9])),00(?=\s?(?:euros?\b|€|EUR\b))")
# "subinspector/a", "funcionario/a", "los/as": both genders, as a person reads them out.
_DOUBLET = re.compile(r"\b(?P<w>[^\W\d_]+)/(?P<e>as?)\b")
# "20 ha abordado": "ha" before a participle is the verb; the number is left for later.
_VERB_UNIT = re.compile(r"(?<=\d)\s(?=ha\s[^\W\d_]+(?:ado|ido|to|cho|so)\b)")
# What ``say_numbered_years`` left: a number (grouped or not), a slash, two or more digits.
_NUMBER_SLASH = re.compile(r"(?<![\d.,/\w])(?P<a>\d{1,3}(?:\.\d{3})+|\d{1,6})/(?P<b>\d{2,6})"
                           r"(?![\d]|[/.,]\d)")

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
        """"n.º 5", "Nº. 4.059" -> "número"; ordinals "1.º", "2.ª", "3.er" before NFKC makes
        "º" "o"; and the written shapes below, each said as a person reads it."""
        text = re.sub(r"\b([nN])\.?\s?[º°]\.?(?=\s?\d)",
                      lambda m: "número" if m[1] == "n" else "Número", text)
        text = _ROMAN_DATE.sub(lambda m: f"{int(m['d'])} de {_WIDE[_ROMAN_MONTH[m['m']]]} de "
                               f"{m['y']}", text)
        text = _SPACED_SLASH.sub("/", text)
        text = _PARAGRAPH_LETTER.sub(" ", text)
        text = _NAME_NUMBER.sub(r"\g<w> \g<n>", text)
        text = _MINUS.sub("-", text)
        text = _H_TIME.sub(lambda m: f"{m['h']}:{m['m']} h", text)
        text = _NO_CENTS.sub("", text)
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

    def say_units(self, text: str, ctx: Ctx) -> str:
        """As ``LocaleRules`` does, except a unit that is a verb here: "el G-20 ha abordado"
        (the auxiliary "ha" before a participle is not "hectáreas")."""
        text = _VERB_UNIT.sub("\ue000", text)
        return super().say_units(text, ctx).replace("\ue000", " ")

    def say_numbered_years(self, text: str, ctx: Ctx) -> str:
        """"675/2014" as ``LocaleRules`` says it; then "Ley 30/92", "punto 6/268",
        "Nº 4.059/2022": a number and the number after its slash, "barra" between."""
        text = super().say_numbered_years(text, ctx)

        def spoken(m: re.Match) -> str:
            a = int(m["a"].replace(".", ""))
            return f"{self.cardinal(a)} {self.slash_word} {self.cardinal(int(m['b']))}"
        return _NUMBER_SLASH.sub(spoken, text)

    # --- agreement --------------------------------------------------------------------

    def agree(self, words: str, noun: str | None) -> str:
        if not noun or noun.lower() in _NOT_NOUNS:
            return words
        if self.is_feminine(noun):
            return _feminine_words(words)
        return _apocope(words)

    def is_plural(self, num) -> bool:
        return not (num.is_integer and num.whole == "1")

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
        # "Felipe V", "Juan Carlos I": one letter is a numeral only after a regnal name.
        text = re.sub(rf"(?P<w>\b(?:{data.REGNAL_NAMES}))\s(?P<r>[IVX])\b"
                      r"(?!\.\s?[A-ZÁÉÍÓÚÑ]\.)", spoken, text)
        return re.sub(r"(?P<w>\b[A-ZÁÉÍÓÚ][a-záéíóúñ]+)\s(?P<r>[IVX]{2,})\b", spoken,
                      text)
