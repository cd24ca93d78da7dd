"""German text normalisation for speech: what the engine is given for what is written."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accesspub.speech.normalize import normalize, phrase, rules_for

CASES = [
    # --- numbers with German grouping and decimal comma
    ("12.500 Besucher", "zwölftausendfünfhundert Besucher"),
    ("1.500.000", "eine Million fünfhunderttausend"),
    ("12 500 Besucher", "zwölftausendfünfhundert Besucher"),
    ("12\u202f500 Besucher", "zwölftausendfünfhundert Besucher"),
    ("2,25", "zwei Komma zwei fünf"),
    ("0,5", "null Komma fünf"),
    ("-4", "minus vier"),
    ("25 Millionen", "fünfundzwanzig Millionen"),
    ("1 Besucher", "ein Besucher"),
    ("1,5 Mio. Einwohner", "eins Komma fünf Millionen Einwohner"),
    ("5-10 Kinder", "fünf bis zehn Kinder"),
    ("Version 1.5", "Version eins Punkt fünf"),
    # --- years
    ("1990", "neunzehnhundertneunzig"),
    ("im Jahr 1990", "im Jahr neunzehnhundertneunzig"),
    ("1500 Besucher", "eintausendfünfhundert Besucher"),
    ("über 1990 Menschen", "über eintausendneunhundertneunzig Menschen"),
    ("1988–1989", "neunzehnhundertachtundachtzig bis neunzehnhundertneunundachtzig"),
    # --- dates
    ("1.5.", "erster Mai."),
    ("am 1.5. kam er", "am ersten Mai kam er"),
    ("der 1.5. ist ein Feiertag", "der erste Mai ist ein Feiertag"),
    ("20.01.2020", "zwanzigster Januar zweitausendzwanzig"),
    ("am 20.01.2020", "am zwanzigsten Januar zweitausendzwanzig"),
    ("am 20. Januar 2020", "am zwanzigsten Januar zweitausendzwanzig"),
    ("seit 3. Oktober 1990", "seit drittem Oktober neunzehnhundertneunzig"),
    ("vom 1. bis 3. Mai", "vom ersten bis dritten Mai"),
    ("im Januar 2020", "im Januar zweitausendzwanzig"),
    ("2020-01-20", "zwanzigster Januar zweitausendzwanzig"),
    ("29.02.2024", "neunundzwanzigster Februar zweitausendvierundzwanzig"),
    # --- times
    ("9:30 Uhr", "neun Uhr dreißig"),
    ("um 14:05", "um vierzehn Uhr fünf"),
    ("9.30 Uhr", "neun Uhr dreißig"),
    ("1 Uhr", "ein Uhr"),
    ("um 20:00 Uhr", "um zwanzig Uhr"),
    ("9–17 Uhr", "neun bis siebzehn Uhr"),
    # --- ordinals
    ("der 3. Platz", "der dritte Platz"),
    ("am 2. Tag", "am zweiten Tag"),
    ("im 20. Jahrhundert", "im zwanzigsten Jahrhundert"),
    ("Die 2. Auflage", "Die zweite Auflage"),
    ("ein 3. Versuch", "ein dritter Versuch"),
    ("Seite 12. Dort", "Seite zwölf. Dort"),
    # --- money
    ("12,50 €", "zwölf Euro fünfzig"),
    ("€ 12,50", "zwölf Euro fünfzig"),
    ("5 $", "fünf Dollar"),
    ("1 €", "ein Euro"),
    ("0,50 €", "fünfzig Cent"),
    ("1,5 Mio. €", "eins Komma fünf Millionen Euro"),
    ("1.000 EUR", "eintausend Euro"),
    # --- percentages and units
    ("3,5 %", "drei Komma fünf Prozent"),
    ("5 km", "fünf Kilometer"),
    ("1 km", "ein Kilometer"),
    ("10 kg", "zehn Kilogramm"),
    ("50 m²", "fünfzig Quadratmeter"),
    ("20 °C", "zwanzig Grad Celsius"),
    ("-1 °C", "minus ein Grad Celsius"),
    ("100 km/h", "einhundert Kilometer pro Stunde"),
    ("1 t", "eine Tonne"),
    # --- phone numbers
    ("Tel.: 030 1234567", "Telefon: null drei null, eins zwei drei, vier fünf sechs sieben"),
    ("+49 30 123456", "plus vier neun, drei null, eins zwei drei, vier fünf sechs"),
    # --- e-mail and web
    ("info@bund.de", "info at bund Punkt de"),
    ("https://www.bundesregierung.de/breg-de",
     "w w w Punkt bundesregierung Punkt de Schrägstrich breg Bindestrich de"),
    # --- abbreviations and symbols
    ("z. B. Äpfel, Birnen usw.", "zum Beispiel Äpfel, Birnen und so weiter."),
    ("z.B. hier", "zum Beispiel hier"),
    ("Nr. 5", "Nummer fünf"),
    ("Dr. Müller", "Doktor Müller"),
    ("ca. 300 Menschen", "zirka dreihundert Menschen"),
    ("d. h. nichts", "das heißt nichts"),
    ("bzw. mehr", "beziehungsweise mehr"),
    ("§ 5", "Paragraf fünf"),
    ("Müller & Söhne", "Müller und Söhne"),
    ("  viel \n Platz ", "viel Platz"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_german(written: str, spoken: str) -> None:
    assert normalize(written, "de") == spoken


def test_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("written", [c[0] for c in CASES])
def test_no_digits_in_german_output(written: str) -> None:
    assert not re.search(r"\d", normalize(written, "de"))


def test_regional_tags_use_the_german_rules() -> None:
    assert normalize("12.500 Besucher", "de-AT") == "zwölftausendfünfhundert Besucher"
    # Swiss German groups with "’" and marks decimals with ".".
    assert normalize("1’500 Franken", "de-CH") == "eintausendfünfhundert Franken"
    assert normalize("CHF 12.50", "de-CH") == "zwölf Franken fünfzig"


@pytest.mark.parametrize("group", ["\u2019", "'", "\u02bc", "\u2009", "\u202f"])
@pytest.mark.parametrize("lang", ["de-CH", "de-LI"])
def test_swiss_numbers_read_with_any_apostrophe_or_thin_space(group: str, lang: str) -> None:
    assert normalize(f"1{group}500 Franken", lang) == "eintausendfünfhundert Franken"
    assert normalize(f"CHF 12{group}000{group}000", lang) == "zwölf Millionen Franken"
    assert normalize(f"2{group}450.75 Einwohner", lang) == \
        "zweitausendvierhundertfünfzig Punkt sieben fünf Einwohner"


@pytest.mark.parametrize("babel_group", ["\u2019", "'"])
def test_swiss_numbers_do_not_depend_on_the_babel_version(babel_group, monkeypatch) -> None:
    # CLDR has written the Swiss group mark as "’" and as "'": whichever the installed
    # Babel reports, both spellings read as one number.
    import babel.numbers
    from accesspub.speech import numbers
    monkeypatch.setattr(babel.numbers, "get_group_symbol", lambda loc: babel_group)
    numbers.number_format.cache_clear()
    numbers._numeral_pattern.cache_clear()
    try:
        for written in ("1\u2019500 Franken", "1'500 Franken"):
            assert rules_for("de-CH").speak(written) == "eintausendfünfhundert Franken"
    finally:
        numbers.number_format.cache_clear()


def test_project_number_format_of_another_language_does_not_apply() -> None:
    # A German passage in an English release still writes German numbers.
    assert normalize("12.500 Besucher", "de", number_format="en") == \
        "zwölftausendfünfhundert Besucher"


def test_phrases() -> None:
    assert phrase("image", "de") == "Bild"
    assert phrase("note", "de-DE") == "Anmerkung"


def test_lexicon_phonemes_pass_through_untouched() -> None:
    assert normalize("[[ˈbɛʁlɪn]] 1990", "de") == "[[ˈbɛʁlɪn]] neunzehnhundertneunzig"


# --- properties -----------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["de", "de-AT", "de-CH"]),
       st.sampled_from(["", "de", "de-CH", "en", "nonsense"]))
def test_never_raises(text: str, lang: str, fmt: str) -> None:
    # The German rules themselves, not only normalize()'s safety net, must not raise.
    assert isinstance(rules_for(lang).speak(text, number_format=fmt), str)


TOKENS = [
    "12.500", "1.500.000", "3,5", "%", "€", "$", "Uhr", "9:30", "1.5.", "20.01.2020",
    "20.", "Januar", "Mai", "der", "am", "Platz", "km", "°C", "m²", "z. B.", "Nr.", "usw.",
    "+49 30 123456", "info@bund.de", "1990", "Besucher", ",", ".", "-", "–", "/", "(", ")",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TOKENS), st.integers(-10**7, 10**7).map(str),
                          st.from_regex(r"\d{1,5}([.,: /-]\d{1,4}){0,3}\.?", fullmatch=True)),
                max_size=12),
       st.sampled_from([" ", "", "\u00a0"]))
def test_german_never_outputs_digits(tokens: list[str], glue: str) -> None:
    spoken = rules_for("de").speak(glue.join(tokens))
    assert not re.search(r"\d", spoken), spoken
