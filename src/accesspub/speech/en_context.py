"""English forms whose reading depends on the words around them (issue 14).

Each pass is small and runs on user text, so each pattern is linear: bounded repeats,
no nested quantifiers.  A form these passes leave alone is read by the general rules.
"""

from __future__ import annotations

import re

from accesspub.speech.locale_rules import Ctx, roman_value

# --- service numbers, PINs and codes -----------------------------------------------------

_EMERGENCY = r"(?:112|911|999|000|988|101|111|311|211|116\d{3}|0800\d{0,7})"
_DIAL = re.compile(r"\b(?:dial|dials|dialled|dialed|dialing|dialling|call|calls|ring|text|"
                   r"phone|emergency|hotline|helpline|number|or|and|on|is|contact|contacting)"
                   r"\s+$", re.I)
# A police or council reference, read as written: "crime reference 41/51394/21".
_REFERENCE = re.compile(
    r"(?P<label>\b(?:[Rr]eference|[Rr]ef\.?|[Ii]ncident|[Cc]ase|[Ll]og)(?:\s(?:number|no\.?))?)"
    r"\s(?P<n>\d{1,10}(?:(?:/|\s)\d{1,10}){0,4})(?![\d,.]\d|/)")
_CURRENCY_CODES = r"(?:USD|EUR|GBP|JPY|CHF|AZN|BAM|KM|RUB|TRY|CAD|AUD|CNY|INR)"


def _service_digits(digits: str, words) -> str:
    """"101" is "one oh one", as the number is said on air; "000" stays "zero zero zero"."""
    spoken = words.digits(digits)
    if len(digits) == 3 and digits.strip("0"):
        spoken = " ".join("oh" if w == words.digit("0") else w for w in spoken.split())
    return spoken


def say_service_numbers(text: str, ctx: Ctx) -> str:
    """"Dial 112" -> "dial one one two", "PIN 4821" -> "P I N four eight two one",
    "TX-2025-0042" -> "T X two zero two five zero zero four two": digit by digit, as said."""
    def digits(m: re.Match) -> str:
        return f"{m['label']} {ctx.words.digits(m['n'])}"
    text = re.sub(r"(?P<label>\b(?:PIN|pin|PIN code|passcode|code|Code|ext\.?|extension))"
                  r"\s?:?\s?(?P<n>\d{1,8})(?![\d,.]\d)#?", digits, text)

    def reference(m: re.Match) -> str:
        groups = re.split(r"(/|\s)", m["n"])
        said = "".join(" slash " if g == "/" else ", " if g.isspace() else ctx.words.digits(g)
                       for g in groups)
        return f"{m['label']} {said}"
    text = _REFERENCE.sub(reference, text)

    def emergency(m: re.Match) -> str:
        before = m.string[max(0, m.start() - 40):m.start()]
        if _DIAL.search(before) and re.search(r"(?i)\b(?:dial|call|ring|text|phone|emergency|"
                                              r"hotline|helpline|contact)", before):
            return _service_digits(m[0], ctx.words)
        return m[0]
    text = re.sub(rf"(?<![\d.,\w-]){_EMERGENCY}(?![\d]|[.,]\d|[-–]\d|\s\d)", emergency, text)

    def code(m: re.Match) -> str:
        parts = re.split(r"[-/]", m[0])
        return " ".join(" ".join(p) if p.isalpha() else ctx.words.digits(p) for p in parts)
    text = re.sub(r"\b[A-Z]{1,4}(?:[-/]\d{2,8}){2,4}\b", code, text)
    # "quoting IML 167131": letters and a long number are a code, not a quantity.
    return re.sub(rf"\b(?!{_CURRENCY_CODES}\b)(?P<l>[A-Z]{{2,4}})\s(?P<n>\d{{5,10}})(?![\d,.]\d)",
                  lambda m: f"{' '.join(m['l'])} {ctx.words.digits(m['n'])}", text)


# --- decimal comma in an English text ----------------------------------------------------

def decimal_commas(text: str, units: str) -> str:
    """"3,75 m", "1,2 %", "2,4 GW": a comma followed by one, two or four or more digits and
    then a unit or a percent sign groups nothing, so it marks decimals."""
    return re.sub(rf"(?<![\d.,])(\d{{1,3}}),(\d{{1,2}}|\d{{4,6}})(?=\s?(?:[%‰]|(?:{units})"
                  rf"(?![\w/°])|[/](?:{units})))", r"\1.\2", text)


# --- units with a slash ------------------------------------------------------------------

def say_per_units(text: str, ctx: Ctx, units: dict, amount: str, say_amount,
                  us_spelling: bool) -> str:
    """"10 mg/kg" -> "ten milligrams per kilogram", "5 mL/h" -> "five millilitres per hour"."""
    names = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))

    def spoken(m: re.Match) -> str:
        if m["unit"] not in units or m["per"] not in units:
            return m[0]
        words, many = say_amount(m, ctx)
        unit = units[m["unit"]][1 if many else 0]
        per = units[m["per"]][0]
        out = f"{words} {unit} per {per}"
        if us_spelling:
            out = out.replace("metre", "meter").replace("litre", "liter")
        return out
    return re.sub(amount + rf"\s?(?P<unit>{names})/(?P<per>{names})(?![\w/])", spoken, text)


# --- Roman numerals ----------------------------------------------------------------------

# Words that number what follows them with a cardinal: "Section VI" -> "Section six".
PART_WORDS = ("Section|Article|Annex|Appendix|Part|Chapter|Title|Volume|Book|Act|Phase|"
              "Schedule|Stage|Level|Class|Category|Tier|Type|Vatican|War|Round|Grade|"
              "Division|Region|Zone|Unit|Plate|Table|Figure|Sections|Articles|Parts")
_TITLE = re.compile(r"\b(?:King|Queen|Pope|Emperor|Empress|Tsar|Czar|Pharaoh|Prince|Princess|"
                    r"Duke|Sultan|Shah|Kaiser)\s$")
_NOT_NAMES = set("""The A An And Or But In On At To Of For By With From As If So It
    This That These Those He She We They You Chapter""".split())


def say_romans(text: str, ctx: Ctx) -> str:
    """"Ferdinand III" -> "Ferdinand the third", "Pius XII" -> "Pius the twelfth",
    "Section VI" -> "Section six", "World War II" -> "World War two".  Only I, V and X
    (so "MIX", "CIVIL", "DC" stay words), at least two letters after a name ("I" is the
    pronoun), and never before a capital that could go on a list of initials."""
    def spoken(m: re.Match) -> str:
        n = roman_value(m["r"])
        if not n or n > 39:
            return m[0]
        if re.fullmatch(PART_WORDS, m["name"]):
            return f"{m['name']} {ctx.words.cardinal(n)}"
        if m["name"] in _NOT_NAMES:
            return m[0]
        # A lone "I" is the pronoun, unless a title says it is a ruler: "King Charles I".
        if len(m["r"]) < 2 and not _TITLE.search(m.string, max(0, m.start() - 12), m.start()):
            return m[0]
        # "Louis XIV. was born": the full stop of the old ordinal style is not a pause.
        return f"{m['name']} the {ctx.words.ordinal(n)}"
    text = re.sub(r"\b(?P<name>[A-Z][a-z]{1,20})\s(?P<r>[IVX]{1,6})\b(?!['’.-]\w|\s[A-Z]\.)"
                  r"(?:\.(?=\s[a-z]|[,;:]))?", spoken, text)
    # A numbered heading or list item: "II. Col. Brereton's Aunty" -> "two. …".
    return re.sub(r"^(?P<r>[IVX]{2,6})\.(?=\s)",
                  lambda m: (ctx.words.cardinal(roman_value(m["r"])) + "."
                             if 0 < roman_value(m["r"]) <= 39 else m[0]), text)


# --- days --------------------------------------------------------------------------------

_DAYS = {"Mon": "Monday", "Tue": "Tuesday", "Tues": "Tuesday", "Wed": "Wednesday",
         "Thu": "Thursday", "Thur": "Thursday", "Thurs": "Thursday", "Fri": "Friday",
         "Sat": "Saturday", "Sun": "Sunday"}
_DAY = "|".join(sorted(_DAYS, key=len, reverse=True))


def say_day_ranges(text: str) -> str:
    """"Mon–Fri" -> "Monday to Friday", "Sat, Sun" after one -> "Saturday, Sunday": a day
    abbreviation is read as a day only next to another or to a time."""
    text = re.sub(rf"\b(?P<a>{_DAY})\.?\s?[-–]\s?(?P<b>{_DAY})\b\.?",
                  lambda m: f"{_DAYS[m['a']]} to {_DAYS[m['b']]}", text)
    after = r"(?:(?<=day )|(?<=\d )|(?<=, )|(?<=day and )|(?<=\d and ))"
    return re.sub(rf"{after}(?P<a>{_DAY})\b(?!\w)", lambda m: _DAYS[m["a"]], text)


# --- times ---------------------------------------------------------------------------------

_CLOCK = r"(?:[01]?\d|2[0-4])[:.][0-5]\d"
_MERIDIEM_TIME = r"(?:1[0-2]|0?[1-9])(?:[:.][0-5]\d)?\s?[AaPp]\.?[Mm]\b\.?"


def clock_forms(text: str) -> str:
    """"8:30–16:00" -> "8:30 to 16:00", "10.00–14.00" -> "10:00 to 14:00", "7.45pm" ->
    "7:45pm": a dotted pair is a time when it is one end of a range of times or has am/pm."""
    def colon(t: str) -> str:
        return t.replace(".", ":")
    # "7 a.m. – 3:30 p.m.", "10am - 7pm", "11-noon": a dash between two times is "to".
    text = re.sub(rf"(?<![\d.:,])(?P<a>{_MERIDIEM_TIME})\s?[-–—]\s?"
                  rf"(?P<b>{_MERIDIEM_TIME}|noon\b|midnight\b)",
                  lambda m: f"{m['a'].rstrip()} to {m['b']}", text)
    text = re.sub(r"(?<![\d.:,])(?P<a>(?:1[0-2]|0?[1-9])(?::[0-5]\d)?)\s?[-–]\s?"
                  r"(?P<b>noon|midnight)\b", lambda m: f"{m['a']} to {m['b']}", text)
    text = re.sub(rf"(?<![\d.:,])(?P<a>{_CLOCK})\s?[-–]\s?(?P<b>{_CLOCK})(?![\d]|[.:]\d)",
                  lambda m: f"{colon(m['a'])} to {colon(m['b'])}", text)
    text = re.sub(r"(?<![\d.:,])(?P<t>(?:1[0-2]|0?[1-9])\.[0-5]\d)(?=\s?[ap]\.?m\b)",
                  lambda m: colon(m["t"]), text, flags=re.I)
    # "at 8.30 a whistle sounded": after "at", and before a word that cannot follow an
    # amount ("at 3.50 euros" stays a price), a dotted pair is a time.
    return re.sub(r"(?P<w>\b[Aa]t\s)(?P<t>(?:[01]?\d|2[0-3])\.[0-5]\d)"
                  r"(?=\s(?:a|an|the|he|she|we|they|it|sharp|precisely)\b)",
                  lambda m: m["w"] + colon(m["t"]), text)


def vanity_numbers(text: str, ctx: Ctx) -> str:
    """"1-800-FLOWERS" -> "one eight hundred flowers": the word is what callers dial."""
    return re.sub(r"\b(?P<a>1)-(?P<b>8\d\d)-(?P<w>[A-Z]{3,10})\b",
                  lambda m: f"{ctx.words.cardinal(1)} {ctx.words.cardinal(int(m['b']))} "
                            f"{m['w'].lower()}", text)


def say_document_numbers(text: str, ctx: Ctx) -> str:
    """"House Bill 3020" -> "House Bill thirty twenty", "HB 3020", "Form 1040": a
    four-digit bill or form number is said in pairs, like a year."""
    return re.sub(r"\b(?P<label>Bill|HB|SB|Form|Forms|Bills)\s(?P<n>[1-9]\d{3})\b(?![\d,.]\d)",
                  lambda m: f"{m['label']} {ctx.words.year(int(m['n']))}", text)
