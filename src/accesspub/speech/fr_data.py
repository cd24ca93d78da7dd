"""Word lists for French speech: abbreviations, units, currencies, symbols.

Words only: every number comes from num2words, month names from Babel.
"""

from __future__ import annotations

_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ"

# (regex, spoken, may end a sentence); case-sensitive.
ABBREVIATIONS = [
    (r"\b[pP]\.\s?ex\.", "par exemple", False),
    (r"\b[cC]\.-à-d\.?", "c'est-à-dire", False),
    (r"\b[eE]tc\.", "et cetera", True),
    (r"\bav\.\s?J\.-C\.", "avant Jésus-Christ", True),
    (r"\bapr\.\s?J\.-C\.", "après Jésus-Christ", True),
    (r"\bapr\.(?=\s?J\.-C\.)", "après", False),       # never a sentence end before "J.-C."
    (r"\bJ\.-C\.", "Jésus-Christ", True),            # "7000 à 5300 avant J.-C."
    # "au IIIe s.", "du 19e s.": the century, never a sentence's end before "apr. J.-C."
    (r"(?:(?<=[IVXLCDM]e )|(?<=[IVXLCDM]er )|(?<=\de )|(?<=ème ))s\.", "siècle", True),
    (r"\b[eE]nv\.", "environ", False),
    (r"\bcf\.", "confer", False),
    (r"\bMM\.(?=\s)", "Messieurs", False),
    (rf"\bM\.(?=\s[{_UPPER}])", "Monsieur", False),
    (r"\bMmes\b\.?", "Mesdames", False),
    (r"\bMme\b\.?", "Madame", False),
    (r"\bMlles\b\.?", "Mesdemoiselles", False),
    (r"\bMlle\b\.?", "Mademoiselle", False),
    (r"\bDr\b\.?", "docteur", False),
    (r"\bPr\b\.?(?=\s[A-Z])", "professeur", False),
    (r"\bMe\b\.?(?=\s[A-Z])", "maître", False),
    (rf"\bSte(?=[\s-][{_UPPER}])", "Sainte", False),
    (rf"\bSt(?=[\s-][{_UPPER}])", "Saint", False),
    (r"\b[nN][°o]\s?(?=\d)", "numéro ", False),
    (r"\bbd\b\.?", "boulevard", False),
    (r"\bav\.(?=\s)", "avenue", False),
    (r"\b[tT]él\.", "téléphone", False),
    (r"\bp\.(?=\s?\d)", "page", False),
    (r"\bchap\.(?=\s?\d)", "chapitre", False),
    (r"\bart\.(?=\s?\d)", "article", False),
    (r"\bvol\.(?=\s?\d)", "volume", False),
    (r"(?<=\b1 )vol\.", "volume", True),          # "6 vol. in-8º": how many volumes
    (r"(?<=\d )vol\.", "volumes", True),
    (r"\bpp\.(?=\s?\d)", "pages", False),
    (r"\béd\.", "édition", True),
    (r"\bHT\b", "hors taxes", False),
    (r"\bTTC\b", "toutes taxes comprises", False),
    (r"\bhab\.", "habitants", True),
    (r"\bMds?\b", "milliards", False),
    (r"\bMio\b", "millions", False),
    (r"§\s?(?=\d)", "paragraphe ", False),
]

# "1º", "in-8º": the masculine ordinal indicator marks a Latin ordinal adverb ("primo") or
# a book's format ("in-octavo").
LATIN_ORDINALS = {1: "primo", 2: "secundo", 3: "tertio", 4: "quarto", 5: "quinto",
                  6: "sexto", 7: "septimo", 8: "octavo", 9: "nono", 10: "decimo"}

# Words that number what follows with a cardinal, even with one Roman letter: "Tome V".
PART_WORDS = r"Tome|Livre|Titre|Chapitre|Acte|Partie|Annexe|Volume|Section|Article|Fascicule"

# A four-digit short number (the regulator's "3BPQ" numbers, 3939, 3919) is said in two
# pairs after these words: "le trente-neuf trente-neuf".
SHORT_NUMBER_BEFORE = r"\b(?:[lL]e|[aA]u|[dD]u|[nN]uméro|[cC]omposez|[aA]ppelez|Public|Service)"

# Codes that number legal articles and decrees: "article L. 1111-6", "décret n° 2016-858".
IDENTIFIER_BEFORE = r"\b(?:numéro|articles?\s[LRDA]\.?)"

PHONE_LABELS = r"(?:t[ée]l(?:[ée]phone)?|fax|t[ée]l[ée]copie|portable|mobile|standard)"
# Without a label: ten digits in pairs, "01 23 45 67 89", "01.23.45.67.89".
NO_CONTEXT_PHONE = r"0\d(?:[\s.-]?\d\d){4}"

ADDRESS_WORDS = {".": "point", "-": "tiret", "_": "tiret bas", "+": "plus",
                 "/": "barre oblique", "@": "arobase", ":": "deux-points", "~": "tilde"}

# currency -> (singular, plural, minor singular, minor plural, feminine)
CURRENCY_SYMBOLS = {
    "€": ("euro", "euros", "centime", "centimes", False),
    "$": ("dollar", "dollars", "cent", "cents", False),
    "£": ("livre", "livres", "penny", "pence", True),
    "¥": ("yen", "yens", "", "", False),
}
CURRENCY_CODES = {
    "EUR": ("euro", "euros", "centime", "centimes", False),
    "USD": ("dollar américain", "dollars américains", "cent", "cents", False),
    "CHF": ("franc suisse", "francs suisses", "centime", "centimes", False),
    "CAD": ("dollar canadien", "dollars canadiens", "cent", "cents", False),
    "FCFA": ("franc CFA", "francs CFA", "", "", False),
    "GBP": ("livre sterling", "livres sterling", "penny", "pence", True),
}
SCALE_WORDS = r"milliers|millions|million|milliards|milliard|billions|billion"

# unit -> (singular, plural, feminine)
UNITS = {
    "km²": ("kilomètre carré", "kilomètres carrés", False),
    "km2": ("kilomètre carré", "kilomètres carrés", False),
    "m²": ("mètre carré", "mètres carrés", False),
    "m2": ("mètre carré", "mètres carrés", False),
    "m³": ("mètre cube", "mètres cubes", False),
    "m3": ("mètre cube", "mètres cubes", False),
    "km/h": ("kilomètre à l'heure", "kilomètres à l'heure", False),
    "km": ("kilomètre", "kilomètres", False),
    "cm": ("centimètre", "centimètres", False),
    "mm": ("millimètre", "millimètres", False),
    "m": ("mètre", "mètres", False),
    "kg": ("kilogramme", "kilogrammes", False),
    "g": ("gramme", "grammes", False),
    "t": ("tonne", "tonnes", True),
    "l": ("litre", "litres", False),
    "L": ("litre", "litres", False),
    "ha": ("hectare", "hectares", False),
    "°C": ("degré Celsius", "degrés Celsius", False),
    "° C": ("degré Celsius", "degrés Celsius", False),
    "°": ("degré", "degrés", False),
    "kWh": ("kilowattheure", "kilowattheures", False),
    "MW": ("mégawatt", "mégawatts", False),
    "kW": ("kilowatt", "kilowatts", False),
    "Go": ("gigaoctet", "gigaoctets", False),
    "Mo": ("mégaoctet", "mégaoctets", False),
    "min": ("minute", "minutes", True),
    "s": ("seconde", "secondes", True),
}

SYMBOLS = {
    "&": " et ", "+": " plus ", "=": " égale ", "@": " arobase ", "§": " paragraphe ",
    "©": " copyright ", "×": " fois ", "±": " plus ou moins ", "%": " pour cent ",
    "‰": " pour mille ", "°": " degrés ", "#": " ", "*": " ", "_": " ", "|": ", ",
    "~": " environ ", "<": " inférieur à ", ">": " supérieur à ", "^": " ", "\\": " ",
    "{": " ", "}": " ", "`": "", "«": "", "»": "", "€": " euros ", "$": " dollars ",
}

# Feminine nouns a number may count ("une personne"); units and currencies say their own.
FEMININE = frozenset("""
personne personnes heure heures minute minutes seconde secondes semaine semaines fois
année années journée journées femme femmes voix entreprise entreprises commune communes
page pages tonne tonnes place places classe classes ville villes école écoles région
régions famille familles victime victimes
""".split())

QUANTITY_CUE = r"\b(?:plus de|moins de|environ|près de|quelque|quelques|sur|presque|au moins)"
