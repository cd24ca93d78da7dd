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


# --- issue 14: shapes from the real-text corpus (tests/speech/corpus-de.toml) -----------

REAL_SHAPES = [
    # ",-" / ".-": no cents, not said
    ("etwa 7500.- Euro", "etwa siebentausendfünfhundert Euro"),
    ("50,– €", "fünfzig Euro"),
    # an area code is one run of digits; a list of numbers goes on after "und"
    ("Telefonnummer 05221-8880", "Telefonnummer null fünf zwei zwei eins, acht acht acht null"),
    ("Ruf 02641/975-358 und 975-241",
     "Ruf null zwei sechs vier eins, neun sieben fünf, drei fünf acht und neun sieben fünf, "
     "zwei vier eins"),
    ("zwischen sechs und 12-14 Jahren", "zwischen sechs und zwölf bis vierzehn Jahren"),
    # dialled numbers after any word for calling, compounds included
    ("Wählen Sie den Polizeinotruf 110!", "Wählen Sie den Polizeinotruf eins eins null!"),
    ("Der Polizeinotruf lautet 101.", "Der Polizeinotruf lautet eins null eins."),
    ("Haus Nr. 110", "Haus Nummer einhundertzehn"),
    # dates: in brackets without the last dot, short day names, the article a reader adds
    ("Samstag (21.09) parkte", "Samstag (einundzwanzigster September) parkte"),
    ("Version (1.5)", "Version (eins Punkt fünf)"),
    ("Mi, 16. Feb, 22:00", "Mittwoch, sechzehnter Februar, zweiundzwanzig Uhr"),
    ("Mo.–Fr. 8.30–16.00 Uhr", "Montag bis Freitag acht Uhr dreißig bis sechzehn Uhr"),
    ("Fr. Müller", "Frau Müller"),
    ("am Donnerstag, 18. Dezember", "am Donnerstag, dem achtzehnten Dezember"),
    ("bis Montag, 5. Januar", "bis Montag, den fünften Januar"),
    ("Freitag, 18. November 2022", "Freitag, achtzehnter November zweitausendzweiundzwanzig"),
    ("am 3. Mai.", "am dritten Mai."),
    ("am 3. Feb. kam er", "am dritten Februar kam er"),
    ("ab 1. Jänner 2023", "ab erstem Jänner zweitausenddreiundzwanzig"),
    # times: "bis" between two clock times
    ("von 8.00 bis 18.00 Uhr", "von acht bis achtzehn Uhr"),
    ("von 8.30 bis 12 Uhr", "von acht Uhr dreißig bis zwölf Uhr"),
    # a postcode after a house number, digit by digit
    ("Alleestraße 1, 66292 Riegelsberg",
     "Alleestraße eins, sechs sechs zwei neun zwei Riegelsberg"),
    ("Wilhelmstraße 24-30, 53474 Bad Neuenahr",
     "Wilhelmstraße vierundzwanzig bis dreißig, fünf drei vier sieben vier Bad Neuenahr"),
    ("Im Jahr 2020, 1500 Menschen", "Im Jahr zweitausendzwanzig, eintausendfünfhundert Menschen"),
    # scale words without their full stop, units of wind
    ("144 Mio Euro", "einhundertvierundvierzig Millionen Euro"),
    ("1 Mrd Euro", "eine Milliarde Euro"),
    ("22m/s, 44kn, Bft 9",
     "zweiundzwanzig Meter pro Sekunde, vierundvierzig Knoten, Beaufort neun"),
    # rulers: the genitive, and the sentence's full stop kept
    ("zur Zeit Ludwigs XIV.", "zur Zeit Ludwigs des Vierzehnten."),
    ("Papst Pius XII.", "Papst Pius der Zwölfte."),
    # the dash closing an aside
    ("getroffen haben -, ging es", "getroffen haben, ging es"),
]


@pytest.mark.parametrize(("written", "spoken"), REAL_SHAPES, ids=[c[0] for c in REAL_SHAPES])
def test_shapes_from_real_german_text(written: str, spoken: str) -> None:
    assert normalize(written, "de") == spoken


def test_austrian_german_says_jaenner() -> None:
    assert normalize("am 1. Januar", "de-AT") == "am ersten Jänner"
    assert normalize("am 1. Januar", "de") == "am ersten Januar"
