"""Word lists for English speech: what abbreviations, symbols and units are called.

These are words, not numbers: numbers always come from num2words.  Keep the tables small
and obvious; a user's lexicon (PLS) overrides any of them for a given release.
"""

from __future__ import annotations

# All-caps words that stand for an ordinary word, said lower-cased ("TEL:" -> "telephone").
CAPS_WORDS = {
    "TEL": "telephone", "PHONE": "phone", "FAX": "fax", "E-MAIL": "e-mail", "EMAIL": "e-mail",
    "WEBSITE": "website", "WEB": "web", "MOB": "mobile", "OK": "okay", "ATTN": "attention",
    "INFO": "info", "PS": "P S", "ID": "I D",
    "WWII": "World War two", "WWI": "World War one",
}

# Acronyms said as letters even though some look pronounceable ("OSCE", "WHO").
SPELLED = {
    "USSR", "USA", "US", "UK", "EU", "UN", "BBC", "CNN", "OSCE", "OECD", "NGO", "UNHCR",
    "ICRC", "ICTY", "ICJ", "IMF", "WHO", "WTO", "CIS", "FBI", "CIA", "KGB", "OHR", "UNDP",
    "ODIHR", "PDF", "HTML", "URL", "CEO", "CFO", "TV", "PR", "EEC", "GDP", "SOS", "HIV",
    "IT", "AI", "BH", "BIH", "AZ", "CET", "GMT", "UTC", "FAQ", "DNA", "MP", "UAE", "ICC",
    "AARP",
}

# Acronyms said as words; written with a capital only so an engine does not spell them.
WORD_ACRONYMS = {
    "NATO", "UNESCO", "NASA", "UNICEF", "OPEC", "FIFA", "UEFA", "ASEAN", "NAFTA", "AIDS",
    "COVID", "INTERPOL", "EUROPOL", "FRONTEX", "EULEX", "EUFOR", "SOCAR", "GUAM", "SWIFT",
    "LASER", "RADAR", "UNIFIL", "UNMIK", "SEEDS", "TASS", "OPCW", "PACE", "ISIS", "SARS",
    "UNIDO", "UNCTAD", "UNRWA", "IRENA", "MERCOSUR", "CERN",
}

# Short words a heading in capitals is made of; anything else of <= 3 capitals is spelled.
COMMON_SHORT_WORDS = set("""
A I AN AS AT BE BY DO GO HE IF IN IS IT ME MY NO OF ON OR SO TO UP WE
AND ARE BUT CAN DAY FOR HAS HER HIS HOW ITS MAY NEW NOT NOW OLD ONE OUR OUT SEE SHE THE
TOO TWO WAR WAS WAY WHO WHY YOU ALL ANY GET GOT HAD HIM LET MAN MEN OFF OWN PUT SAY SET
TEN TOP USE YES YET AGO AGE END LAW ACT AID ARM ART BIG BOY CUT DID FAR FEW FUN GAS GUN
HIT JOB KEY LOW MET OIL PAY RED RUN SAT SIX SUN TAX WIN WON
""".split())

# Consonant clusters English allows at the start of a word and at its end; an all-caps
# word outside them ("USSR" ends in "SSR") is an acronym said as letters.
ONSETS = set("""
B C D F G H J K L M N P Q R S T V W X Z BL BR CH CL CR DR DW FL FR GL GR KN KR PH PL PR
SC SH SK SL SM SN SP ST SW TH TR TW WH WR SCH SCR SHR SPL SPR STR THR GH GN PS
""".split()) | {""}
CODAS = set("""
B C D F G H K L M N P R S T V W X Z CK CT FT LD LF LK LL LM LP LT MB MP ND NG NK NT PT RB
RD RF RG RK RL RM RN RP RS RT SH SK SP SS ST TH CH GH WN WS XT NS DS TS KS PS MS LS GS FF
ZZ TT RR NN LTH NCH NDS NGS NKS NTS RLD RST RTH RTS RDS STS TCH GHT CHT MPS RKS LTS WNS RCH
""".split()) | {""}

# Abbreviations with a full stop: (regex, spoken, may end a sentence).  Regexes are
# case-sensitive; ones that are only abbreviations before a number say so with a lookahead.
# US states as written after a city ("Springfield, Ill."): AP style.
STATES = {"Ala": "Alabama", "Ariz": "Arizona", "Ark": "Arkansas", "Calif": "California",
          "Colo": "Colorado", "Conn": "Connecticut", "Del": "Delaware", "Fla": "Florida",
          "Ga": "Georgia", "Ill": "Illinois", "Ind": "Indiana", "Kan": "Kansas",
          "Ky": "Kentucky", "La": "Louisiana", "Md": "Maryland", "Mass": "Massachusetts",
          "Mich": "Michigan", "Minn": "Minnesota", "Miss": "Mississippi", "Mo": "Missouri",
          "Mont": "Montana", "Neb": "Nebraska", "Nev": "Nevada", "Okla": "Oklahoma",
          "Ore": "Oregon", "Pa": "Pennsylvania", "Tenn": "Tennessee", "Tex": "Texas",
          "Vt": "Vermont", "Va": "Virginia", "Wash": "Washington", "Wis": "Wisconsin",
          "Wyo": "Wyoming"}

ABBREVIATIONS = [
    (r"§§\s?(?=\d)", "sections ", False),
    (r"\bYoY\b", "year over year", False),
    (r"\bQoQ\b", "quarter over quarter", False),
    *((rf"(?<=, ){state}\.", name, True) for state, name in STATES.items()),
    # "Elm Dr. and" is a street: after a word, before punctuation or a lowercase word.
    (r"(?<=[a-z] )Dr\.(?=\s*(?:$|[,;:)]|\s[a-z\d]))", "Drive", True),
    (r"\b[Ee]\.\s?g\.", "for example", False),
    (r"\b[Ii]\.\s?e\.", "that is", False),
    (r"\betc\.", "et cetera", True),
    (r"\bet al\.", "et al", True),
    (r"\bapprox\.", "approximately", False),
    (r"\b[Nn]o\.(?=\s*\d)", "number", False),
    (r"\b[Nn]os\.(?=\s*\d)", "numbers", False),
    (r"\bpp\.(?=\s*\d)", "pages", False),
    (r"\bp\.(?=\s*\d)", "page", False),
    (r"\bca?\.(?=\s*\d)", "circa", False),
    (r"\b[Vv]ol\.(?=\s*\d)", "volume", False),
    (r"\b[Vv]ol\.(?=\s[IVXLC]+\b)", "Volume", False),
    (r"\b[Ff]ig\.(?=\s*\d)", "figure", False),
    (r"\b[Ee]xt\.", "extension", False),
    (r"\b(?:Tel|TEL|tel)\.", "telephone", False),
    (r"\bMr\.", "mister", False),
    (r"\bMrs\.", "missus", False),
    (r"\bMs\.", "miz", False),
    (r"\bDr\.", "doctor", False),
    (r"\bProf\.", "professor", False),
    (r"\bJr\.", "junior", True),
    (r"\bSr\.", "senior", True),
    (r"\bGen\.", "general", False),
    (r"\bCol\.(?=\s[A-Z])", "colonel", False),
    (r"\bCapt\.(?=\s[A-Z])", "captain", False),
    (r"\bLt\.(?=\s[A-Z])", "lieutenant", False),
    (r"\bSgt\.(?=\s[A-Z])", "sergeant", False),
    (r"\bGov\.", "governor", False),
    (r"\bSen\.", "senator", False),
    (r"\bRep\.", "representative", False),
    (r"\bPres\.", "president", False),
    (r"\bAmb\.", "ambassador", False),
    (r"\bMt\.", "mount", False),
    (r"\bAve\.", "avenue", True),
    (r"\bRd\.", "road", True),
    (r"\bBlvd\.", "boulevard", True),
    (r"\bDept\.", "department", True),
    (r"\bInc\.", "incorporated", True),
    (r"\bLtd\.", "limited", True),
    (r"\bCo\.", "company", True),
    (r"\bFt\.(?=\s[A-Z])", "Fort", False),
    (r"\bCorp\.", "corporation", True),
    (r"\b(?:Twp|TWP)\.", "Township", True),
    (r"§\s?(?=\d)", "section ", False),
    (r"\bvs\.", "versus", False),
    (r"\bcf\.", "compare", False),
    (r"\bincl\.", "including", False),
    (r"\besp\.", "especially", False),
    (r"\bmax\.", "maximum", False),
]

# Words that turn a following number into a phone number.
PHONE_LABELS = r"(?:tel(?:ephone)?|phone|fax|mob(?:ile)?|cell|call|hotline|ph|gsm)"

# Street words: a number after "Street 12," is a house number, and what follows a postcode.
STREET_WORDS = r"(?:street|st|road|rd|avenue|ave|boulevard|blvd|lane|square|ulica|strasse|straße)"

# Top-level domains recognised in bare host names such as "sarajevo.mfa.gov.az".
GENERIC_TLDS = ("com org net gov edu int mil info biz eu io museum aero coop name pro "
                "app dev news online")

# (singular, plural) after a number; keys are written forms, longest tried first.
UNITS = {
    "km/h": ("kilometre per hour", "kilometres per hour"),
    "kph": ("kilometre per hour", "kilometres per hour"),
    "mph": ("mile per hour", "miles per hour"), "MPH": ("mile per hour", "miles per hour"),
    "m/s": ("metre per second", "metres per second"),
    "km2": ("square kilometre", "square kilometres"),
    "sq km": ("square kilometre", "square kilometres"),
    "m2": ("square metre", "square metres"),
    "sq m": ("square metre", "square metres"),
    "m3": ("cubic metre", "cubic metres"),
    "km": ("kilometre", "kilometres"), "cm": ("centimetre", "centimetres"),
    "mm": ("millimetre", "millimetres"), "m": ("metre", "metres"),
    "mi": ("mile", "miles"), "ft": ("foot", "feet"), "in": ("inch", "inches"),
    "kg": ("kilogram", "kilograms"), "mg": ("milligram", "milligrams"),
    "g": ("gram", "grams"), "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"),
    "ha": ("hectare", "hectares"), "ml": ("millilitre", "millilitres"),
    "mL": ("millilitre", "millilitres"), "sq ft": ("square foot", "square feet"),
    "SF": ("square foot", "square feet"), "µg": ("microgram", "micrograms"),
    "l": ("litre", "litres"), "L": ("litre", "litres"),
    "kWh": ("kilowatt hour", "kilowatt hours"), "MWh": ("megawatt hour", "megawatt hours"),
    "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"),
    "GW": ("gigawatt", "gigawatts"), "W": ("watt", "watts"), "V": ("volt", "volts"),
    "GB": ("gigabyte", "gigabytes"), "MB": ("megabyte", "megabytes"),
    "TB": ("terabyte", "terabytes"), "kB": ("kilobyte", "kilobytes"),
    "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"), "MHz": ("megahertz", "megahertz"),
    "°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "° C": ("degree Celsius", "degrees Celsius"), "° F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
    "h": ("hour", "hours"), "hrs": ("hour", "hours"), "min": ("minute", "minutes"),
    "sec": ("second", "seconds"), "s": ("second", "seconds"), "ms": ("millisecond", "milliseconds"),
    "bbl": ("barrel", "barrels"),
}

# Currencies: written form -> (singular, plural, minor singular, minor plural).
CURRENCY_SYMBOLS = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "¥": ("yen", "yen", "", ""),
    "₼": ("manat", "manat", "qapik", "qapik"),
    "₽": ("rouble", "roubles", "kopek", "kopeks"),
    "₺": ("lira", "lira", "kurus", "kurus"),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "₩": ("won", "won", "", ""),
}
CURRENCY_CODES = {
    "USD": ("US dollar", "US dollars", "cent", "cents"),
    "EUR": ("euro", "euros", "cent", "cents"),
    "GBP": ("pound sterling", "pounds sterling", "penny", "pence"),
    "JPY": ("yen", "yen", "", ""),
    "CHF": ("Swiss franc", "Swiss francs", "centime", "centimes"),
    "AZN": ("manat", "manat", "qapik", "qapik"),
    "BAM": ("convertible mark", "convertible marks", "fening", "fenings"),
    "KM": ("convertible mark", "convertible marks", "fening", "fenings"),
    "RUB": ("rouble", "roubles", "kopek", "kopeks"),
    "TRY": ("Turkish lira", "Turkish lira", "kurus", "kurus"),
    "CAD": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "AUD": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "CNY": ("yuan", "yuan", "", ""),
    "INR": ("rupee", "rupees", "paisa", "paise"),
}
# Scale words after an amount: "€1.5 million", "$3bn".
SCALES = {
    "thousand": "thousand", "million": "million", "billion": "billion",
    "trillion": "trillion", "k": "thousand", "m": "million", "mn": "million",
    "bn": "billion", "b": "billion", "tn": "trillion",
}

# Fractions with a name ("1/2" -> "one half"); other denominators use ordinals.
FRACTION_NAMES = {2: ("half", "halves"), 4: ("quarter", "quarters")}

# Symbols left after every other rule: what a reader would say, or "" to drop them.
SYMBOLS = {
    "&": " and ", "+": " plus ", "=": " equals ", "@": " at ", "§": " section ",
    "©": " copyright ", "×": " times ", "±": " plus or minus ", "%": " percent ",
    "‰": " per mille ", "°": " degrees ", "#": " ", "*": " ", "_": " ", "|": ", ",
    "~": " about ", "<": " less than ", ">": " more than ", "^": " ", "\\": " ",
    "{": " ", "}": " ", "`": "",
}

# Words after which a four-digit number is a quantity, not a year ("more than 2000").
QUANTITY_CUE = (r"\b(?:than|about|around|nearly|almost|approximately|some|least|only|just|"
                r"over|under|total of|all)")

# Compass points of a street address ("555 E. City Avenue", "Parkway St. NW").
COMPASS = {"N": "North", "S": "South", "E": "East", "W": "West", "NW": "Northwest",
           "NE": "Northeast", "SW": "Southwest", "SE": "Southeast"}

# Postal codes of the US states, said in full after the place of a dateline ("DOVER, DE").
POSTAL_STATES = dict(pair.replace("_", " ").split(":") for pair in """AL:Alabama AK:Alaska AZ:Arizona
    AR:Arkansas CA:California CO:Colorado CT:Connecticut DE:Delaware FL:Florida GA:Georgia
    HI:Hawaii ID:Idaho IL:Illinois IN:Indiana IA:Iowa KS:Kansas KY:Kentucky LA:Louisiana
    ME:Maine MD:Maryland MA:Massachusetts MI:Michigan MN:Minnesota MS:Mississippi
    MO:Missouri MT:Montana NE:Nebraska NV:Nevada NH:New_Hampshire NJ:New_Jersey
    NM:New_Mexico NY:New_York NC:North_Carolina ND:North_Dakota OH:Ohio OK:Oklahoma
    OR:Oregon PA:Pennsylvania RI:Rhode_Island SC:South_Carolina SD:South_Dakota
    TN:Tennessee TX:Texas UT:Utah VT:Vermont VA:Virginia WA:Washington WV:West_Virginia
    WI:Wisconsin WY:Wyoming DC:D_C""".split())

# Words after an amount that show it is not a modifier ("$5 million in grants").
NOT_NOUNS = frozenset("""in on at for to of from by with and or but than as after before
    during over under per each the is was were are be been will would could can may might
    has have had that which who this these those since until up about into through between
    among against while when where if so not now also only just more less some said says
    according a an its their his her our each every annually yearly apiece""".split())
