"""German: what a native speaker says for dates, times, ordinals, amounts and numbers.

Numbers follow the locale (Babel "de": "12.500" groups, "3,5" is "drei Komma fünf");
"1.5." is a date ("erster Mai", "am ersten Mai"), "der 3. Platz" an ordinal whose ending
follows the article before it, "9:30 Uhr" "neun Uhr dreißig", a lone "1990" a year
("neunzehnhundertneunzig").
"""

from __future__ import annotations

import re

from babel.dates import get_day_names, get_month_names

from accesspub.speech import de_data as data
from accesspub.speech.locale_rules import (WORD, Ctx, LocaleRules, full_year, month_stop,
                                           roman_value, sentence_end, valid_date)

_WIDE = get_month_names("wide", locale="de")
MONTHS = {name: n for n, name in _WIDE.items()}
MONTHS.update({name.rstrip("."): n
               for n, name in get_month_names("abbreviated", locale="de").items()})
MONTHS["Jänner"] = 1    # Austria
MONTHS["Sep"] = 9
_MONTH = "(?P<month>%s)" % "|".join(sorted(MONTHS, key=len, reverse=True))
_ANY_MONTH = "(?:%s)" % "|".join(sorted(MONTHS, key=len, reverse=True))
# "Mi, 16. Feb", "Mo.–Fr.": Babel's short day names ("Mo.") without their full stop.
WEEKDAYS = {get_day_names("abbreviated", locale="de")[d].rstrip("."):
            get_day_names("wide", locale="de")[d] for d in range(7)}
_WEEKDAY = "(?:%s)" % "|".join(WEEKDAYS)


class GermanRules(LocaleRules):
    primary = "de"
    and_word = "und"
    fraction_names = {"1/2": "ein halb", "1/4": "ein Viertel", "3/4": "drei Viertel",
                      "1/3": "ein Drittel", "2/3": "zwei Drittel", "1/8": "ein Achtel"}
    slash_word = "Schrägstrich"
    hashtag_word = "Hashtag"
    # "eins eins zwei" is how the emergency numbers are said and dialled.
    dial_words = data.DIAL_WORDS
    words = {"image": "Bild", "note": "Anmerkung"}
    point_words = {",": "Komma", ".": "Punkt"}
    dot_word = "Punkt"
    fraction_as_number = False
    range_word = "bis"
    addr_words = data.ADDRESS_WORDS
    abbreviations = data.ABBREVIATIONS
    phone_labels = data.PHONE_LABELS
    no_context_phone = data.NO_CONTEXT_PHONE
    currency_symbols = data.CURRENCY_SYMBOLS
    currency_codes = data.CURRENCY_CODES
    scale_words = data.SCALE_WORDS
    units = data.UNITS
    percent = ("Prozent", "Promille")
    symbols = data.SYMBOLS
    feminine = data.FEMININE
    quantity_cue = data.QUANTITY_CUE
    service_numbers = data.SERVICE_NUMBERS
    aside_dash = True            # "getroffen haben -, ging es"

    def own_passes(self):
        return [self.say_weekdays, self.say_postcodes, self.say_iso_dates,
                self.say_numeric_dates, self.say_bracket_dates, self.say_text_dates,
                self.say_times, self.say_romans, self.say_ordinals]

    def before_nfkc(self, text: str) -> str:
        # "7500.- Euro", "50,– €": the dash stands for no cents and is not said.
        return re.sub(r"(?<=\d)[.,](?:--|[-–])(?![\d-])", "", text)

    def say_phones(self, text: str, ctx: Ctx) -> str:
        """Phone numbers, and the one after "und"/"oder" that continues a list of them
        ("Ruf 02641/975-358 und 975-241"), which has no label of its own."""
        text = super().say_phones(text, ctx)
        digit_words = "|".join(self.digits(str(d)) for d in range(10))

        def more(m: re.Match) -> str:
            groups = re.findall(r"\d+", m["p"])
            return f"{m['w']} {m['c']} " + ", ".join(self.phone_group(g) for g in groups)
        # after two digits said one by one (a phone number, not "sechs und 12-14 Jahre")
        return re.sub(rf"(?P<w>\b(?:{digit_words}) (?:{digit_words})) (?P<c>und|oder) "
                      rf"(?P<p>\d{{3,}}(?:[-/]\d+)+)(?![\d])", more, text)

    def phone_group(self, digits: str) -> str:
        """"05221": an area code (its trunk 0 first) is one run of digits, not "null fünf
        zwei, zwei eins"."""
        if digits.startswith("0") and len(digits) <= 6:
            return self.digits(digits)
        return super().phone_group(digits)

    def say_weekdays(self, text: str, ctx: Ctx) -> str:
        """"Mi, 16. Feb" -> "Mittwoch, 16. Feb", "Mo.–Fr." -> "Montag bis Freitag": a short
        day name only before a date or in a range of days ("Fr." alone is also "Frau")."""
        def name(m: re.Match) -> str:
            return WEEKDAYS[m["d"]]
        text = re.sub(rf"\b(?P<a>{_WEEKDAY})\.?\s?[-–]\s?(?P<b>{_WEEKDAY})\b\.?",
                      lambda m: f"{WEEKDAYS[m['a']]} bis {WEEKDAYS[m['b']]}", text)
        return re.sub(rf"\b(?P<d>{_WEEKDAY})\.?(?=,?\s\d{{1,2}}\.\s?{_ANY_MONTH}\b"
                      rf"|,\s\d{{1,2}}\.\d{{1,2}}\.)", name, text)

    def say_postcodes(self, text: str, ctx: Ctx) -> str:
        """"Alleestraße 1, 66292 Riegelsberg": a postcode after a house number is read
        digit by digit, as it is dialled into a form."""
        return re.sub(r"(?<=[^\W\d_] )(?P<h>\d{1,3}[a-z]?(?:[-–]\d{1,3}[a-z]?)?, )"
                      r"(?P<p>\d{4,5})(?= [A-ZÄÖÜ][a-zäöüß])",
                      lambda m: m["h"] + self.digits(m["p"]), text)

    def say_bracket_dates(self, text: str, ctx: Ctx) -> str:
        """"(21.09)": a day and a two-digit month in brackets, the last full stop left out
        (a police report's "Samstag (21.09)"), is a date."""
        def spoken(m: re.Match) -> str:
            day, month = int(m["d"]), int(m["m"])
            return f"({self.date(m, day, month, None)})" if valid_date(day, month) else m[0]
        return re.sub(r"\((?P<d>\d{1,2})\.(?P<m>\d{2})\)", spoken, text)

    def say_romans(self, text: str, ctx: Ctx | None = None) -> str:
        """"Karl V. regierte" -> "Karl der Fünfte regierte", "Benedikt XVI." -> "Benedikt
        der Sechzehnte": a ruler's number is written with the ordinal's dot.  Numbered
        parts ("Anlage IV", "Teil II") are cardinals; the pronoun-free I, V, X only."""
        def regnal(m: re.Match) -> str:
            n = roman_value(m["r"])
            name = m["name"]
            if not n or n > 39 or name in data.PART_WORDS:
                return m[0]
            ordinal = self.ordinal(n).capitalize()
            # at the end of the text the full stop is also the sentence's: it stays
            end = "." if m.end() == len(m.string) else ""
            if name.endswith("s") and name[:-1] in data.REGNAL_NAMES:
                return f"{name} des {ordinal}n{end}"     # "zur Zeit Ludwigs XIV."
            return f"{name} der {ordinal}{end}"

        def part(m: re.Match) -> str:
            n = roman_value(m["r"])
            return f"{m['name']} {self.cardinal(n)}" if n and n <= 39 else m[0]
        parts = "|".join(sorted(data.PART_WORDS))
        text = re.sub(rf"\b(?P<name>{parts})\s(?P<r>[IVX]{{1,6}})\b(?!\.\s?[a-zäöüß])", part,
                      text)
        return re.sub(r"\b(?P<name>[A-ZÄÖÜ][a-zäöüß]{1,20})\s(?P<r>[IVX]{1,6})\."
                      r"(?=\s[a-zäöüß,]|[,;:)]|$)", regnal, text)

    # --- agreement --------------------------------------------------------------------

    def agree(self, words: str, noun: str | None) -> str:
        """"eins" before a noun is "ein" ("ein Kilometer") or "eine" ("eine Stunde")."""
        if noun and noun[:1].isupper() and words.endswith("eins"):
            return words[:-1] + ("e" if self.is_feminine(noun) else "")
        return words

    # --- ordinals and dates -------------------------------------------------------------

    def ending(self, before: str, default: str) -> str:
        """The ending an ordinal takes ("erste" + it) after the text ``before`` it."""
        words = re.findall(r"\w+", before[-30:])
        if not words:
            return default
        previous = words[-1].lower()
        if previous in data.ENDING_N:
            return "n"
        if previous in data.ENDING_E:
            return ""
        if previous in data.ENDING_R:
            return "r"
        if previous in data.ENDING_M:
            return "m"
        return default

    def ordinal_word(self, n: int, ending: str) -> str:
        word = self.ordinal(n)
        return word + ending if word.endswith("e") else word

    def month_name(self, month: int, written: str = "") -> str:
        """The month's name; January is "Jänner" where it is written so, and in Austria."""
        if month == 1 and (written == "Jänner" or self.region == "AT"):
            return "Jänner"
        return _WIDE[month]

    def date(self, m: re.Match, day: int, month: int, year: int | None) -> str:
        before = m.string[max(0, m.start() - 30):m.start()]
        written = m.groupdict().get("month") or ""
        # "am Donnerstag, 18. Dezember": a reader says the article the apposition leaves
        # out, "am Donnerstag, dem achtzehnten Dezember".
        apposition = re.search(rf"\b(?P<p>{data.DATIVE_BEFORE_DAY}|{data.ACCUSATIVE_BEFORE_DAY})"
                               rf"\s(?:{'|'.join(WEEKDAYS.values())}),\s$", before)
        if apposition:
            article = "dem" if re.fullmatch(data.DATIVE_BEFORE_DAY, apposition["p"]) else "den"
            day_word = f"{article} {self.ordinal_word(day, 'n')}"
        else:
            day_word = self.ordinal_word(day, self.ending(before, "r"))
        spoken = f"{day_word} {self.month_name(month, written)}"
        return f"{spoken} {self.year(year)}" if year is not None else spoken

    def say_iso_dates(self, text: str, ctx: Ctx) -> str:
        def spoken(m: re.Match) -> str:
            day, month = int(m["d"]), int(m["m"])
            return self.date(m, day, month, int(m["y"])) if valid_date(day, month) else m[0]
        return re.sub(r"(?<![\d.,/-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d]|-\d)",
                      spoken, text)

    def say_numeric_dates(self, text: str, ctx: Ctx) -> str:
        """"20.01.2020", "1.5.2024", "1.5." (day and month, the last dot required)."""
        def spoken(m: re.Match) -> str:
            day, month = int(m["d"]), int(m["m"])
            if not valid_date(day, month):
                return m[0]
            year = full_year(m["y"]) if m["y"] else None
            return self.date(m, day, month, year) + (sentence_end(m) if not m["y"] else "")
        text = re.sub(r"(?<![\d.,/])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})"
                      r"(?![\d]|[.,]\d)", spoken, text)
        text = re.sub(r"(?<![\d.,/])(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?![\d])",
                      spoken, text)
        return re.sub(r"(?<![\d.,/])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>)(?![\d])", spoken, text)

    def say_text_dates(self, text: str, ctx: Ctx) -> str:
        """"20. Januar 2020", "am 1. Mai", "Januar 2020"."""
        def day_first(m: re.Match) -> str:
            day, month = int(m["d"]), MONTHS[m["month"]]
            if not valid_date(day, month):
                return m[0]
            said = self.date(m, day, month, int(m["y"]) if m["y"] else None)
            return said + month_stop(m, m["month"] in _WIDE.values() or m["month"] == "Jänner")
        text = re.sub(rf"(?<![\d.,])(?P<d>\d{{1,2}})\.\s?{_MONTH}\.?(?!\w)"
                      rf"(?:\s(?P<y>\d{{4}})(?!\d))?", day_first, text)
        return re.sub(rf"(?<!\w){_MONTH}\.?\s(?P<y>\d{{4}})(?![\d])",
                      lambda m: f"{self.month_name(MONTHS[m['month']], m['month'])} "
                                f"{self.year(int(m['y']))}", text)

    def say_ordinals(self, text: str, ctx: Ctx) -> str:
        """"der 3. Platz" -> "der dritte Platz", "am 2. Tag" -> "am zweiten Tag"; after a
        noun ("Seite 12. Dort") the dot ends a sentence and the number stays a number."""
        def spoken(m: re.Match) -> str:
            before = m.string[max(0, m.start() - 30):m.start()]
            words = re.findall(r"[^\W\d_][\w]*", before)
            previous = words[-1] if words and before.rstrip()[-1:].isalpha() else ""
            known = previous.lower() in (data.ENDING_N | data.ENDING_E | data.ENDING_R
                                         | data.ENDING_M)
            if previous[:1].isupper() and not known:
                return m[0]
            return self.ordinal_word(int(m["n"]), self.ending(before, ""))
        return re.sub(rf"(?<![\d.,])(?P<n>\d{{1,3}})\.(?=\s+{WORD})", spoken, text)

    # --- times ---------------------------------------------------------------------------

    def hour(self, h: int) -> str:
        words = self.cardinal(h)
        return words[:-1] if words.endswith("eins") else words    # "ein Uhr"

    def clock(self, h: str, minute: str | None) -> str:
        spoken = f"{self.hour(int(h))} Uhr"
        if minute and int(minute):
            spoken += " " + self.cardinal(int(minute))
        return spoken

    def say_times(self, text: str, ctx: Ctx) -> str:
        """"9:30 Uhr" -> "neun Uhr dreißig", "9 Uhr" -> "neun Uhr", "9–17 Uhr" -> "neun bis
        siebzehn Uhr", "um 14:05" -> "um vierzehn Uhr fünf"."""
        hour = r"(?:[01]?\d|2[0-4])"

        def with_uhr(m: re.Match) -> str:
            end = self.clock(m["h"], m["m"])
            if m["h0"]:
                # "8.00 bis 18.00 Uhr": "acht bis achtzehn Uhr", one "Uhr" for whole hours
                whole = not (m["m0"] and int(m["m0"])) and not (m["m"] and int(m["m"]))
                start = self.hour(int(m["h0"])) if whole else self.clock(m["h0"], m["m0"])
                return f"{start} bis {end}"
            return end
        text = re.sub(rf"(?<![\d.:,])(?:(?P<h0>{hour})(?:[:.](?P<m0>[0-5]\d))?"
                      rf"(?:\s?[-–]\s?|\sbis\s))?"
                      rf"(?P<h>{hour})(?:[:.](?P<m>[0-5]\d))?\s?(?:Uhr|h)\b", with_uhr, text)
        return re.sub(rf"(?<![\d.:,])(?P<h>{hour}):(?P<m>[0-5]\d)(?![\d]|:\d)",
                      lambda m: self.clock(m["h"], m["m"]), text)

    # --- years -----------------------------------------------------------------------------

    def is_year(self, n: int) -> bool:
        return 1100 <= n <= 2099

    def read_as_year(self, m: re.Match) -> bool:
        """A lone 1100-2099 is a year unless a noun follows and nothing before it names a
        year ("1500 Besucher" is a quantity, "im Jahr 1990 Wahlen" a year)."""
        if not super().read_as_year(m):
            return False
        if m["next"] and m["next"].strip()[:1].isupper():
            words = re.findall(r"\w+", m.string[max(0, m.start() - 20):m.start()])
            return bool(words) and words[-1].lower() in data.YEAR_CUES
        return True
