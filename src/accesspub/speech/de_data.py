"""Word lists for German speech: abbreviations, units, currencies, symbols.

Words only: every number comes from num2words, month names from Babel.
"""

from __future__ import annotations

# (regex, spoken, may end a sentence); case-sensitive.
ABBREVIATIONS = [
    (r"\b[zZ]\.\s?B\.", "zum Beispiel", False),
    (r"\b[uU]sw\.", "und so weiter", True),
    (r"\bu\.\s?a\.", "unter anderem", False),
    (r"\bu\.\s?U\.", "unter Umständen", False),
    (r"\b[dD]\.\s?h\.", "das heißt", False),
    (r"\bz\.\s?T\.", "zum Teil", False),
    (r"\bo\.\s?Ä\.", "oder Ähnliches", True),
    (r"\bv\.\s?a\.", "vor allem", False),
    (r"\bv\.\s?Chr\.", "vor Christus", True),
    (r"\bn\.\s?Chr\.", "nach Christus", True),
    (r"\be\.\s?V\.", "eingetragener Verein", True),
    (r"\b[bB]zw\.", "beziehungsweise", False),
    (r"\b[bB]zgl\.", "bezüglich", False),
    (r"\b[cC]a\.", "zirka", False),
    (r"\b[eE]vtl\.", "eventuell", False),
    (r"\b[gG]gf\.", "gegebenenfalls", False),
    (r"\b[iI]nkl\.", "inklusive", False),
    (r"\b[vV]gl\.", "vergleiche", False),
    (r"\b[eE]tc\.", "et cetera", True),
    (r"\bNr\.", "Nummer", False),
    (r"\bNrn\.", "Nummern", False),
    (r"\bDr\.", "Doktor", False),
    (r"\bProf\.", "Professor", False),
    (r"\bHr\.", "Herr", False),
    (r"\bFr\.(?=\s[A-ZÄÖÜ])", "Frau", False),
    (r"\bSt\.(?=\s?[A-ZÄÖÜ])", "Sankt ", False),
    (r"\b([A-ZÄÖÜ]\w*)str\.", r"\1straße", True),
    (r"\bStr\.", "Straße", True),
    (r"\bTel\.", "Telefon", False),
    (r"\bS\.(?=\s?\d)", "Seite", False),
    (r"\bAbs\.(?=\s?\d)", "Absatz", False),
    (r"\bKap\.(?=\s?\d)", "Kapitel", False),
    (r"\bAbb\.(?=\s?\d)", "Abbildung", False),
    (r"\bJh\.", "Jahrhundert", True),
    (r"\bBft\.?(?=\s?\d)", "Beaufort", False),
    # "144 Mio Euro" (no full stop: a town's press release) after a number only.
    (r"(?<=\b1\s)Mio(?![.\w])", "Million", False),
    (r"(?<=\d\s)Mio(?![.\w])", "Millionen", False),
    (r"(?<=\b1\s)Mrd(?![.\w])", "Milliarde", False),
    (r"(?<=\d\s)Mrd(?![.\w])", "Milliarden", False),
    (r"(?<=\b1\s)Mio\.", "Million", True),
    (r"(?<=\b1\s)Mrd\.", "Milliarde", True),
    (r"\bMio\.", "Millionen", True),
    (r"\bMrd\.", "Milliarden", True),
    (r"\bTsd\.", "Tausend", True),
    (r"§§\s?(?=\d)", "Paragrafen ", False),
    (r"§\s?(?=\d)", "Paragraf ", False),
]

# Numbers that are dialled, said digit by digit after DIAL_WORDS: the emergency numbers of
# Germany, Austria, Switzerland and Belgium, the authorities' 115 and the on-call doctors'
# 116117 ("eins eins sechs eins eins sieben").
SERVICE_NUMBERS = r"110|112|115|116117|116\d{3}|101|117|118|122|133|144"
DIAL_WORDS = r"\bwähl\w*|\banruf\w*|\bruf(?:t|en)\b|notruf|rufnummer|\btelefon|\bhotline"

PHONE_LABELS = r"(?:tel(?:efon)?|telefax|fax|mobil|handy|ruf|hotline|telefonnummer)"
# Without a label: a number with a national trunk 0 in groups, "030 1234567", "0171/1234567".
NO_CONTEXT_PHONE = r"0\d{2,5}(?:\s?/\s?|\s|-)\d{3,}(?:[\s-]\d+)*"

ADDRESS_WORDS = {".": "Punkt", "-": "Bindestrich", "_": "Unterstrich", "+": "plus",
                 "/": "Schrägstrich", "@": "at", ":": "Doppelpunkt", "~": "Tilde"}

# currency -> (singular, plural, minor singular, minor plural, feminine)
CURRENCY_SYMBOLS = {
    "€": ("Euro", "Euro", "Cent", "Cent", False),
    "$": ("Dollar", "Dollar", "Cent", "Cent", False),
    "£": ("Pfund", "Pfund", "Penny", "Pence", False),
    "¥": ("Yen", "Yen", "", "", False),
    "₽": ("Rubel", "Rubel", "Kopeke", "Kopeken", False),
}
CURRENCY_CODES = {
    "EUR": ("Euro", "Euro", "Cent", "Cent", False),
    "USD": ("US-Dollar", "US-Dollar", "Cent", "Cent", False),
    "CHF": ("Franken", "Franken", "Rappen", "Rappen", False),
    "Fr.": ("Franken", "Franken", "Rappen", "Rappen", False),
    "GBP": ("Pfund", "Pfund", "Penny", "Pence", False),
    "JPY": ("Yen", "Yen", "", "", False),
}
SCALE_WORDS = r"Tausend|Millionen|Million|Milliarden|Milliarde|Billionen|Billion"

# unit -> (singular, plural, feminine)
UNITS = {
    "km²": ("Quadratkilometer", "Quadratkilometer", False),
    "km2": ("Quadratkilometer", "Quadratkilometer", False),
    "m²": ("Quadratmeter", "Quadratmeter", False),
    "m2": ("Quadratmeter", "Quadratmeter", False),
    "m³": ("Kubikmeter", "Kubikmeter", False),
    "m3": ("Kubikmeter", "Kubikmeter", False),
    "km/h": ("Kilometer pro Stunde", "Kilometer pro Stunde", False),
    "km": ("Kilometer", "Kilometer", False),
    "m/s": ("Meter pro Sekunde", "Meter pro Sekunde", False),
    "kn": ("Knoten", "Knoten", False),
    "cm": ("Zentimeter", "Zentimeter", False),
    "mm": ("Millimeter", "Millimeter", False),
    "m": ("Meter", "Meter", False),
    "kg": ("Kilogramm", "Kilogramm", False),
    "g": ("Gramm", "Gramm", False),
    "t": ("Tonne", "Tonnen", True),
    "l": ("Liter", "Liter", False),
    "ha": ("Hektar", "Hektar", False),
    "°C": ("Grad Celsius", "Grad Celsius", False),
    "° C": ("Grad Celsius", "Grad Celsius", False),
    "°": ("Grad", "Grad", False),
    "kWh": ("Kilowattstunde", "Kilowattstunden", True),
    "MW": ("Megawatt", "Megawatt", False),
    "kW": ("Kilowatt", "Kilowatt", False),
    "GB": ("Gigabyte", "Gigabyte", False),
    "MB": ("Megabyte", "Megabyte", False),
    "Std.": ("Stunde", "Stunden", True),
    "Min.": ("Minute", "Minuten", True),
    "min": ("Minute", "Minuten", True),
    "Sek.": ("Sekunde", "Sekunden", True),
    "h": ("Stunde", "Stunden", True),
}

SYMBOLS = {
    "&": " und ", "+": " plus ", "=": " gleich ", "@": " at ", "§": " Paragraf ",
    "©": " Copyright ", "×": " mal ", "±": " plus minus ", "%": " Prozent ",
    "‰": " Promille ", "°": " Grad ", "#": " ", "*": " ", "_": " ", "|": ", ",
    "~": " etwa ", "<": " kleiner als ", ">": " größer als ", "^": " ", "\\": " ",
    "{": " ", "}": " ", "`": "", "€": " Euro ", "$": " Dollar ",
}

# Feminine nouns a number may count ("eine Person"); units and currencies say their own.
FEMININE = frozenset("""
Person Frau Stunde Minute Sekunde Woche Million Milliarde Billion Tonne Seite Stimme
Schule Stadt Gemeinde Familie Firma Stelle Prozent
""".split()) - {"Prozent"}

# A word before a number that makes it a quantity, not a year ("über 1500 Besucher").
QUANTITY_CUE = (r"\b(?:über|mehr als|weniger als|rund|etwa|zirka|fast|knapp|insgesamt|bis zu"
                r"|nur|je)")
# A word before a four-digit number that makes it a year even before a noun.
YEAR_CUES = frozenset("""im jahr jahre jahres seit bis von ab um vor nach in anfang ende mitte
sommer herbst winter frühjahr frühling anno""".split())

# Which ending an ordinal takes after the word before it: "am ersten", "der erste".
ENDING_N = frozenset("""am im vom zum beim dem den des einem einen seinem seinen ihrem ihren
diesem diesen jedem jeden unserem unseren bis""".split())
ENDING_E = frozenset("der die das dieser diese dieses jeder jede jedes eine seine ihre".split())
ENDING_R = frozenset(["ein"])
# "am Montag, 5. Januar": the preposition before a day's name decides the article a reader
# adds before the date ("dem fünften Januar", "bis Montag, den fünften Januar").
DATIVE_BEFORE_DAY = r"am|an|ab|seit|vom|von|zum|bis zum"
ACCUSATIVE_BEFORE_DAY = r"für|bis|auf|über"
ENDING_M = frozenset("ab seit vor nach von mit zu aus".split())

# Words that number what follows with a cardinal: "Anlage IV" -> "Anlage vier".
PART_WORDS = frozenset("""Anlage Anhang Teil Kapitel Band Abschnitt Artikel Titel Buch Stufe
    Phase Klasse Kategorie Gruppe Zone""".split())

# Rulers whose name takes a genitive "s": "zur Zeit Ludwigs XIV." is "Ludwigs des
# Vierzehnten" (but "Pius XII." is a nominative that ends in "s").
REGNAL_NAMES = frozenset("""Adolf Albrecht Alexander August Balduin Benedikt Berthold
    Bonifatius Christian Eberhard Eduard Ernst Eugen Ferdinand Franz Friedrich Georg Gregor
    Gustav Heinrich Hermann Innozenz Iwan Jakob Johann Josef Joseph Karl Kasimir Konrad Leo
    Leopold Lothar Ludwig Maximilian Nikolaus Otto Paul Peter Philipp Pippin Richard Rudolf
    Sigismund Stanislaus Ulrich Urban Wenzel Wilhelm""".split())
