"""Word lists for Spanish speech: abbreviations, units, currencies, symbols.

Words only: every number comes from num2words, month names from Babel.
"""

from __future__ import annotations

# (regex, spoken, may end a sentence); case-sensitive.
ABBREVIATIONS = [
    (r"\b[pP]\.\s?ej\.", "por ejemplo", False),
    (r"\b[eE]tc\.", "etcétera", True),
    (r"\bEE\.\s?UU\.", "Estados Unidos", True),
    (r"\bEE\s?UU\b", "Estados Unidos", False),
    (r"\ba\.\s?[Cc]\.", "antes de Cristo", True),
    (r"\bd\.\s?[Cc]\.", "después de Cristo", True),
    (r"\bS\.\s?A\.", "sociedad anónima", True),
    (r"\bSrta\.", "señorita", False),
    (r"\bSra\.", "señora", False),
    (r"\bSres\.", "señores", False),
    (r"\bSr\.", "señor", False),
    (r"\bDña\.", "doña", False),
    (r"\bD\.(?=\s[A-ZÁÉÍÓÚÑ][a-záéíóúñ])", "don", False),
    (r"\bExcmos\.", "excelentísimos", False),
    (r"\bExcmo\.", "excelentísimo", False),
    (r"\bExcma\.", "excelentísima", False),
    (r"\bIlmo\.", "ilustrísimo", False),
    (r"\bIlma\.", "ilustrísima", False),
    (r"\bExpte\.", "Expediente", False),
    (r"\bexpte\.", "expediente", False),
    (r"\bDra\.", "doctora", False),
    (r"\bDr\.", "doctor", False),
    (r"\bProf\.", "profesor", False),
    (r"\bUds\.", "ustedes", False),
    (r"\bUd\.", "usted", False),
    (r"\b[nN]úm\.", "número", False),
    (r"\b[aA]prox\.", "aproximadamente", False),
    (r"\b[pP]ág\.", "página", False),
    (r"\b[pP]ágs\.", "páginas", False),
    (r"\b[tT]el\.", "teléfono", False),
    (r"\b[tT]fno\.", "teléfono", False),
    (r"\bAvda\.", "avenida", False),
    (r"\bAv\.", "avenida", False),
    (r"\bc/(?=\s?[A-ZÁÉÍÓÚÑ])", "calle ", False),
    (r"\bSta\.", "santa", False),
    (r"\bSto\.", "santo", False),
    (r"\bvs\.", "versus", False),
    (r"\bmáx\.", "máximo", False),
    (r"\bmín\.", "mínimo", False),
    (r"\bart\.(?=\s?\d)", "artículo", False),
    (r"§\s?(?=\d)", "párrafo ", False),
]

PHONE_LABELS = r"(?:tel(?:[ée]fono)?|tfno|fax|m[óo]vil|celular|whatsapp|llame al|llamar al)"
# Without a label: Spanish landlines in groups, "91 123 45 67".
NO_CONTEXT_PHONE = r"[89]\d\s\d{3}\s\d{2}\s\d{2}"

ADDRESS_WORDS = {".": "punto", "-": "guion", "_": "guion bajo", "+": "más",
                 "/": "barra", "@": "arroba", ":": "dos puntos", "~": "virgulilla"}

# currency -> (singular, plural, minor singular, minor plural, feminine)
CURRENCY_SYMBOLS = {
    "€": ("euro", "euros", "céntimo", "céntimos", False),
    "$": ("dólar", "dólares", "centavo", "centavos", False),
    "£": ("libra", "libras", "penique", "peniques", True),
    "¥": ("yen", "yenes", "", "", False),
}
# "$" where it is the peso sign.
PESO = ("peso", "pesos", "centavo", "centavos", False)
PESO_REGIONS = frozenset("MX AR CL CO UY DO CU PH".split())
CURRENCY_CODES = {
    "EUR": ("euro", "euros", "céntimo", "céntimos", False),
    "USD": ("dólar estadounidense", "dólares estadounidenses", "centavo", "centavos", False),
    "MXN": ("peso mexicano", "pesos mexicanos", "centavo", "centavos", False),
    "ARS": ("peso argentino", "pesos argentinos", "centavo", "centavos", False),
    "GBP": ("libra esterlina", "libras esterlinas", "penique", "peniques", True),
}
SCALE_WORDS = r"mil millones|millones|millón|billones|billón"

# unit -> (singular, plural, feminine)
UNITS = {
    "km²": ("kilómetro cuadrado", "kilómetros cuadrados", False),
    "km2": ("kilómetro cuadrado", "kilómetros cuadrados", False),
    "m²": ("metro cuadrado", "metros cuadrados", False),
    "m2": ("metro cuadrado", "metros cuadrados", False),
    "m³": ("metro cúbico", "metros cúbicos", False),
    "m3": ("metro cúbico", "metros cúbicos", False),
    "km/h": ("kilómetro por hora", "kilómetros por hora", False),
    "km": ("kilómetro", "kilómetros", False),
    "cm": ("centímetro", "centímetros", False),
    "mm": ("milímetro", "milímetros", False),
    "m": ("metro", "metros", False),
    "kg": ("kilogramo", "kilogramos", False),
    "g": ("gramo", "gramos", False),
    "t": ("tonelada", "toneladas", True),
    "l": ("litro", "litros", False),
    "ha": ("hectárea", "hectáreas", True),
    "°C": ("grado Celsius", "grados Celsius", False),
    "° C": ("grado Celsius", "grados Celsius", False),
    "°": ("grado", "grados", False),
    "kWh": ("kilovatio hora", "kilovatios hora", False),
    "MW": ("megavatio", "megavatios", False),
    "kW": ("kilovatio", "kilovatios", False),
    "GB": ("gigabyte", "gigabytes", False),
    "MB": ("megabyte", "megabytes", False),
    "min": ("minuto", "minutos", False),
    "h": ("hora", "horas", True),
}

SYMBOLS = {
    "&": " y ", "+": " más ", "=": " igual a ", "@": " arroba ", "§": " párrafo ",
    "©": " copyright ", "×": " por ", "±": " más o menos ", "%": " por ciento ",
    "‰": " por mil ", "°": " grados ", "#": " ", "*": " ", "_": " ", "|": ", ",
    "~": " aproximadamente ", "<": " menor que ", ">": " mayor que ", "^": " ", "\\": " ",
    "{": " ", "}": " ", "`": "", "«": "", "»": "", "¿": "¿", "¡": "¡",
    "€": " euros ", "$": " dólares ",
}

# Feminine nouns a number may count ("una persona", "doscientas personas").
FEMININE = frozenset("""
persona personas hora horas semana semanas vez veces mujer mujeres niña niñas página páginas
vivienda viviendas empresa empresas tonelada toneladas hectárea hectáreas casa casas
víctima víctimas plaza plazas ciudad ciudades escuela escuelas familia familias libra libras
oficina oficinas provincia provincias autonomía autonomías
""".split())

QUANTITY_CUE = r"\b(?:más de|menos de|unos|unas|cerca de|casi|alrededor de|aproximadamente)"

# Names a single Roman letter follows as a regnal number ("Felipe V", "Juan Carlos I",
# "Pío X"); after any other word "V" or "I" is a letter.
REGNAL_NAMES = "|".join("""
Felipe Carlos Fernando Alfonso Isabel Enrique Juan Pedro Jaime Sancho Ramiro Ordoño Bermudo
García Amadeo Luis Pío León Gregorio Benedicto Clemente Urbano Inocencio Pablo Francisco
Eduardo Jorge Guillermo Enrique Ricardo Federico Napoleón Leopoldo Alejandro Nicolás Pedro
Manuel Miguel José María Ana Victoria Catalina Margarita Cristina Leonor Sofía
""".split())
