"""Which full stops after an abbreviation do not end a sentence, per language.

The sentence splitter asks this module, so the abbreviations a sentence may not end on
are the same ones the speech rules read out (the ``ABBREVIATIONS`` tables of each
language), plus the few that only matter for boundaries (street and state abbreviations,
months) and, for every language, the closed-class words a new sentence typically begins
with: after "Jr." a capital word is a name ("the Robert Smith Jr. Library") unless it is
one of these ("… Acme Inc. The shares rose").
"""

from __future__ import annotations

import re
from functools import lru_cache

# Abbreviations the speech tables do not hold because nothing is said differently, but
# pysbd would end a sentence on: (word without its full stop, may end a sentence).
_EXTRA = {
    "en": ["St", "Ft", "Ill", "Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla",
           "Ga", "Ind", "Kan", "Ky", "La", "Md", "Mass", "Mich", "Minn", "Miss", "Mo",
           "Mont", "Neb", "Nev", "Okla", "Ore", "Pa", "Tenn", "Tex", "Vt", "Va", "Wash",
           "Wis", "Wyo", "Jan", "Feb", "Mar", "Apr", "Aug", "Sept", "Sep", "Oct", "Nov",
           "Dec", "Capt", "Col", "Lt", "Sgt", "Rev", "Hon", "Gov", "Nos", "No", "ca",
           "approx", "vs", "est", "Pl", "Sq", "Ln", "Hwy", "Pkwy", "Bros"],
    "de": ["Nr", "Mio", "Mrd", "Tsd", "bzw", "ca", "vgl", "ggf", "evtl", "inkl", "zzgl",
           "Bd", "Hrsg", "Jh", "Abs", "Art", "Ziff", "lt", "gem", "sog", "St", "Std",
           "Min", "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So", "Jan", "Feb", "Apr", "Aug",
           "Sept", "Okt", "Nov", "Dez"],
    "fr": ["p", "pp", "env", "av", "bd", "chap", "art", "vol", "éd", "fig", "hab", "Mme",
           "Mlle", "MM", "Pr", "Dr", "St", "Ste", "janv", "févr", "avr", "juil", "sept",
           "oct", "nov", "déc", "n"],
    "es": ["Sr", "Sra", "Sres", "Srta", "Dña", "Dr", "Dra", "núm", "pág", "págs", "art",
           "aprox", "Avda", "Av", "Ud", "Uds", "vol", "cap", "ene", "feb", "abr", "ago",
           "sept", "oct", "nov", "dic", "n", "Excmo", "Excma", "Ilmo", "Ilma", "Sto", "Sta",
           "Nº", "nº", "arts", "p", "Expte", "expte", "Excmos"],
}

# Of those, the ones written only before what they qualify ("Nr. 5", "bzw. morgen").
_NEVER_END = {"Nr", "bzw", "ca", "vgl", "ggf", "evtl", "inkl", "zzgl", "Bd", "Abs", "Art",
              "Ziff", "lt", "gem", "sog", "Capt", "Col", "Lt", "Sgt", "Rev", "Hon", "Gov",
              "approx", "vs", "Nos", "Mme", "Mlle", "MM", "Pr", "Sr", "Sra", "Sres", "Srta",
              "Dña", "Dr", "Dra", "núm", "pág", "págs", "Excmo", "Excma", "Ilmo", "Ilma",
              "Nº", "nº", "arts", "Excmos"}

# Words a sentence usually starts with: after an abbreviation, one of these begins a new
# sentence, any other capitalised word is taken for a name.
_STARTERS = {
    "en": """The A An This That These Those It Its He She We They I You There Here In On
        At But And Or So Then However Also His Her Their Our My Your What When Where Why
        How Who Which If As For After Before While Since Although Meanwhile Today Now Some
        Many Most All No Not One Each Every Both Further Finally Moreover Yet Thus To By
        From With Without During Under Over Officials Police""",
    "de": """Der Die Das Den Dem Des Ein Eine Einen Einem Einer Er Sie Es Wir Ihr Ich Man
        Dann Danach Aber Und Oder Doch Auch Im In Am An Auf Bei Mit Nach Von Vor Zu Zum
        Zur Für Seit Als Wenn Wie Was Wer Wo Dies Diese Dieser Dieses Heute Gestern So
        Hier Dort Da Damit Deshalb Jedoch Außerdem Nun Alle Viele Kein Keine""",
    "fr": """Le La Les L Un Une Des Il Elle Ils Elles On Nous Vous Je Ce Cette Ces Cet
        Mais Et Ou Puis Ensuite Alors Donc Dans En Au Aux Du De Sur Pour Par Avec Selon
        Depuis Si Quand Comme Aujourd Hier Demain C Cela Ceci Toutefois Cependant""",
    "es": """El La Los Las Lo Un Una Unos Unas Él Ella Ellos Ellas Nosotros Yo Se Este
        Esta Estos Estas Ese Esa Pero Y O Luego Después Entonces En Con Por Para Desde
        Según Si Cuando Como Hoy Ayer Al Del No Sin También Además Sin Embargo""",
}


def starters(lang: str) -> frozenset[str]:
    return frozenset(_STARTERS.get(lang, _STARTERS["en"]).split())


@lru_cache(maxsize=None)
def abbreviation_patterns(lang: str) -> tuple[re.Pattern, re.Pattern]:
    """(abbreviations that never end a sentence, those that may), for ``lang``'s primary
    tag; each matches the abbreviation with its final full stop."""
    from accesspub.speech import de_data, en_data, es_data, fr_data
    table = {"en": en_data, "de": de_data, "fr": fr_data, "es": es_data}.get(lang, en_data)
    never, may = [], []
    for pattern, _spoken, can_end in table.ABBREVIATIONS:
        # Only the ones written with a full stop at their end can be taken for one.
        if pattern.endswith(r"\.") or re.search(r"\\\.\(\?=[^)]*\)$", pattern):
            (may if can_end else never).append(pattern)
    for word in _EXTRA.get(lang, []):
        # A whole word only: "Mo." is Monday, the end of "Demo." is not.
        (never if word in _NEVER_END else may).append(
            r"(?<![^\W\d_])" + re.escape(word) + r"\.")
    if lang == "fr":
        never.append(r"\bp\.\s?ex\.")
    return (re.compile("|".join(never) or "$^"), re.compile("|".join(may) or "$^"))
