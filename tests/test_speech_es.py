"""Spanish text normalisation for speech: what the engine is given for what is written."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accesspub.speech.normalize import normalize, phrase, rules_for

CASES = [
    # --- numbers with Spanish grouping and decimal comma
    ("25 millones", "veinticinco millones"),
    ("25 millones de euros", "veinticinco millones de euros"),
    ("1.500.000", "un millón quinientos mil"),
    ("12.500 visitantes", "doce mil quinientos visitantes"),
    ("12 500 visitantes", "doce mil quinientos visitantes"),
    ("3,25", "tres coma veinticinco"),
    ("-4", "menos cuatro"),
    ("21 años", "veintiún años"),
    ("21 personas", "veintiuna personas"),
    ("1 persona", "una persona"),
    ("200 toneladas", "doscientas toneladas"),
    ("31.000 habitantes", "treinta y un mil habitantes"),
    ("5-10 niños", "cinco a diez niños"),
    # --- years and dates
    ("en 1990", "en mil novecientos noventa"),
    ("1988-1989", "mil novecientos ochenta y ocho a mil novecientos ochenta y nueve"),
    ("1 de mayo de 2024", "uno de mayo de dos mil veinticuatro"),
    ("el 20 de enero de 2020", "el veinte de enero de dos mil veinte"),
    ("20/01/2020", "veinte de enero de dos mil veinte"),
    ("en enero de 2020", "en enero de dos mil veinte"),
    ("2020-01-20", "veinte de enero de dos mil veinte"),
    # --- times
    ("las 9:30", "las nueve y media"),
    ("a la 1:15", "a la una y cuarto"),
    ("a las 10:20", "a las diez y veinte"),
    ("a las 18:45 h", "a las dieciocho cuarenta y cinco horas"),
    ("desde las 9", "desde las nueve"),
    # --- ordinals and Roman numerals
    ("1.º", "primero"),
    ("el 1.º de mayo", "el primero de mayo"),
    ("1.º piso", "primer piso"),
    ("2.ª", "segunda"),
    ("la 3.ª edición", "la tercera edición"),
    ("3.er lugar", "tercer lugar"),
    ("el 5º aniversario", "el quinto aniversario"),
    ("siglo XX", "siglo veinte"),
    ("siglo V", "siglo quinto"),
    ("Felipe VI", "Felipe sexto"),
    ("Alfonso XIII", "Alfonso trece"),
    # --- money
    ("12,50 €", "doce euros con cincuenta céntimos"),
    ("€ 12,50", "doce euros con cincuenta céntimos"),
    ("5 $", "cinco dólares"),
    ("1 €", "un euro"),
    ("0,50 €", "cincuenta céntimos"),
    ("2 millones €", "dos millones de euros"),
    # --- percentages and units
    ("3,5 %", "tres coma cinco por ciento"),
    ("5 km", "cinco kilómetros"),
    ("1 km", "un kilómetro"),
    ("10 kg", "diez kilogramos"),
    ("1 t", "una tonelada"),
    ("50 m²", "cincuenta metros cuadrados"),
    ("20 °C", "veinte grados Celsius"),
    ("-1 °C", "menos un grado Celsius"),
    ("100 km/h", "cien kilómetros por hora"),
    ("un ángulo de 45°", "un ángulo de cuarenta y cinco grados"),
    # --- phone numbers
    ("Tel.: 912 345 678", "teléfono: nueve uno dos, tres cuatro cinco, seis siete ocho"),
    ("+34 912 345 678", "más tres cuatro, nueve uno dos, tres cuatro cinco, seis siete ocho"),
    ("91 123 45 67", "nueve uno, uno dos tres, cuatro cinco, seis siete"),
    # --- e-mail and web
    ("contacto@gobierno.es", "contacto arroba gobierno punto es"),
    ("https://www.boe.es/diario", "w w w punto boe punto es barra diario"),
    # --- abbreviations and symbols
    ("Sr. García y Sra. López", "señor García y señora López"),
    ("p. ej. esto", "por ejemplo esto"),
    ("núm. 5", "número cinco"),
    ("n.º 5", "número cinco"),
    ("manzanas, peras, etc.", "manzanas, peras, etcétera."),
    ("Dr. Pérez", "doctor Pérez"),
    ("EE. UU.", "Estados Unidos."),
    ("Tom & Jerry", "Tom y Jerry"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_spanish(written: str, spoken: str) -> None:
    assert normalize(written, "es") == spoken


def test_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("written", [c[0] for c in CASES])
def test_no_digits_in_spanish_output(written: str) -> None:
    assert not re.search(r"\d", normalize(written, "es"))


def test_the_americas() -> None:
    # Mexico writes "1,500.5", "$" is the peso, and the first of the month is "primero".
    assert normalize("1,500.5", "es-MX") == "mil quinientos punto cinco"
    assert normalize("$5", "es-MX") == "cinco pesos"
    assert normalize("el 1 de mayo", "es-MX") == "el primero de mayo"
    assert normalize("el 1 de mayo", "es-ES") == "el uno de mayo"


def test_phrases() -> None:
    assert phrase("image", "es") == "Imagen"
    assert phrase("note", "es-ES") == "nota"


# --- properties -----------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["es", "es-MX", "es-419"]),
       st.sampled_from(["", "es", "es-MX", "en", "nonsense"]))
def test_never_raises(text: str, lang: str, fmt: str) -> None:
    # The Spanish rules themselves, not only normalize()'s safety net, must not raise.
    assert isinstance(rules_for(lang).speak(text, number_format=fmt), str)


TOKENS = [
    "25", "millones", "1.500.000", "3,5", "%", "€", "$", "las", "9:30", "1.º", "2.ª",
    "3.er", "de", "mayo", "enero", "siglo", "XX", "20/01/2020", "km", "°C", "m²", "núm.",
    "n.º", "Sr.", "+34 912 345 678", "contacto@gobierno.es", "1990", "personas", ",", ".",
    "-", "–", "/", "(", ")",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TOKENS), st.integers(-10**7, 10**7).map(str),
                          st.from_regex(r"\d{1,5}([.,: /-]\d{1,4}){0,3}(\.?[ºª°])?",
                                        fullmatch=True)),
                max_size=12),
       st.sampled_from([" ", "", "\u00a0"]))
def test_spanish_never_outputs_digits(tokens: list[str], glue: str) -> None:
    spoken = rules_for("es").speak(glue.join(tokens))
    assert not re.search(r"\d", spoken), spoken


# --- issue 14: shapes found on real Spanish pages (tests/speech/corpus-es.toml) ---------

REAL_SHAPES = [
    # a name and its number: no hyphen, no glued word, and "ha" before a participle is "has"
    ("La Cumbre del G-20 ha abordado", "La Cumbre del G veinte ha abordado"),
    ("20 ha de cultivo", "veinte hectáreas de cultivo"),
    ("la A-6 y la Covid-19", "la A seis y la Covid diecinueve"),
    # numbers with a slash, the number sign with a dot, a paragraph's letter
    ("Ley 30/92", "Ley treinta barra noventa y dos"),
    ("Ley 7 /1985", "Ley siete barra mil novecientos ochenta y cinco"),
    ("Nº. 4.059/2022", "Número cuatro mil cincuenta y nueve barra dos mil veintidós"),
    ("nº 131", "número ciento treinta y uno"),
    ("artículo 49.c)", "artículo cuarenta y nueve c)"),
    # regnal numbers: one letter only after a regnal name
    ("Felipe V y Juan Carlos I", "Felipe quinto y Juan Carlos primero"),
    ("la vitamina C y el grupo D", "la vitamina C y el grupo D"),
    ("Luis XIV de Francia", "Luis catorce de Francia"),
    # dates: "del 2014" keeps its "del"; a Roman month
    ("el 19 de junio del 2014", "el diecinueve de junio del dos mil catorce"),
    ("20.I.1716", "veinte de enero de mil setecientos dieciséis"),
    # a minus is a dash before a number, not a range's dash after one
    ("(–4,20%)", "(menos cuatro coma veinte por ciento)"),
    ("los –70 ºC", "los menos setenta grados Celsius"),
    ("entre 1914 – 1918", "entre mil novecientos catorce a mil novecientos dieciocho"),
    # times, money without cents, both genders, agreement, emergency numbers
    ("a las 18h00", "a las dieciocho horas"),
    ("4.544.700,00 euros", "cuatro millones quinientos cuarenta y cuatro mil setecientos euros"),
    ("el subinspector/a y los/as auxiliares",
     "el subinspector o subinspectora y los y las auxiliares"),
    ("Del 21 al 25 de abril", "Del veintiuno al veinticinco de abril"),
    ("21 Oficinas", "veintiuna Oficinas"),
    ("el número telefónico 112", "el número telefónico uno uno dos"),
    ("el artículo 112", "el artículo ciento doce"),
    ("El Excmo. Ayuntamiento. Expte.: 12/2020.",
     "El excelentísimo Ayuntamiento. Expediente: doce barra dos mil veinte."),
]


@pytest.mark.parametrize(("written", "spoken"), REAL_SHAPES, ids=[c[0] for c in REAL_SHAPES])
def test_real_shapes(written: str, spoken: str) -> None:
    assert normalize(written, "es") == spoken
