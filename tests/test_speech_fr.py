"""French text normalisation for speech: what the engine is given for what is written."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accesspub.speech.normalize import normalize, phrase, rules_for

CASES = [
    # --- numbers grouped with spaces (plain, no-break, narrow no-break) and decimal comma
    ("12 345 habitants", "douze mille trois cent quarante-cinq habitants"),
    ("12\u00a0345 habitants", "douze mille trois cent quarante-cinq habitants"),
    ("12\u202f345 habitants", "douze mille trois cent quarante-cinq habitants"),
    ("12\u2009345 habitants", "douze mille trois cent quarante-cinq habitants"),
    ("1 500 000", "un million cinq cent mille"),
    ("12.500 visiteurs", "douze mille cinq cents visiteurs"),
    ("3,25", "trois virgule vingt-cinq"),
    ("0,05", "zéro virgule zéro cinq"),
    ("-4", "moins quatre"),
    ("25 millions", "vingt-cinq millions"),
    ("1 personne", "une personne"),
    ("21 personnes", "vingt et une personnes"),
    ("5-10 enfants", "cinq à dix enfants"),
    # --- years and dates
    ("en 1990", "en mille neuf cent quatre-vingt-dix"),
    ("1988-1989", "mille neuf cent quatre-vingt-huit à mille neuf cent quatre-vingt-neuf"),
    ("le 1er mai 2024", "le premier mai deux mille vingt-quatre"),
    ("le 1ᵉʳ mai", "le premier mai"),
    ("le 20 janvier 2020", "le vingt janvier deux mille vingt"),
    ("20/01/2020", "vingt janvier deux mille vingt"),
    ("le 14.07.1789", "le quatorze juillet mille sept cent quatre-vingt-neuf"),
    ("en mai 2024", "en mai deux mille vingt-quatre"),
    # --- times
    ("9h30", "neuf heures trente"),
    ("9 h 30", "neuf heures trente"),
    ("à 14 h", "à quatorze heures"),
    ("1h15", "une heure quinze"),
    ("à 9:30", "à neuf heures trente"),
    ("21h05", "vingt et une heures cinq"),
    # --- ordinals and Roman numerals
    ("1er", "premier"),
    ("la 1re place", "la première place"),
    ("le 2e jour", "le deuxième jour"),
    ("le 2ème jour", "le deuxième jour"),
    ("les 3es places", "les troisièmes places"),
    ("XXe siècle", "vingtième siècle"),
    ("au XXIe siècle", "au vingt et unième siècle"),
    ("François Ier", "François premier"),
    ("Louis XIV", "Louis quatorze"),
    ("la Ve République", "la cinquième République"),
    ("Le matin, Ce jour, De plus", "Le matin, Ce jour, De plus"),   # not Roman 50e, 100e, 500e
    # --- money
    ("12,50 €", "douze euros cinquante"),
    ("€ 12,50", "douze euros cinquante"),
    ("5 $", "cinq dollars"),
    ("1 €", "un euro"),
    ("0,50 €", "cinquante centimes"),
    ("2 millions €", "deux millions d'euros"),
    ("10 CHF", "dix francs suisses"),
    # --- percentages and units
    ("3,5 %", "trois virgule cinq pour cent"),
    ("de 5 à 10 %", "de cinq à dix pour cent"),
    ("5 km", "cinq kilomètres"),
    ("1,5 km", "un virgule cinq kilomètre"),
    ("10 kg", "dix kilogrammes"),
    ("50 m²", "cinquante mètres carrés"),
    ("20 °C", "vingt degrés Celsius"),
    ("-1 °C", "moins un degré Celsius"),
    ("1 t", "une tonne"),
    # --- phone numbers, said in pairs
    ("Tél. : 01 23 45 67 89",
     "téléphone: zéro un, vingt-trois, quarante-cinq, soixante-sept, quatre-vingt-neuf"),
    ("01.23.45.67.89", "zéro un, vingt-trois, quarante-cinq, soixante-sept, quatre-vingt-neuf"),
    ("+33 1 23 45 67 89",
     "plus trente-trois, un, vingt-trois, quarante-cinq, soixante-sept, quatre-vingt-neuf"),
    # --- e-mail and web
    ("contact@service-public.fr", "contact arobase service tiret public point fr"),
    ("https://www.service-public.fr/particuliers",
     "w w w point service tiret public point fr barre oblique particuliers"),
    # --- abbreviations and symbols
    ("M. Dupont et Mme Martin", "Monsieur Dupont et Madame Martin"),
    ("n° 5", "numéro cinq"),
    ("nº 5", "numéro cinq"),
    ("des pommes, etc.", "des pommes, et cetera."),
    ("p. ex. ceci", "par exemple ceci"),
    ("Dr Martin", "docteur Martin"),
    ("St-Denis", "Saint-Denis"),
    ("Tom & Jerry", "Tom et Jerry"),
    ("l’an 2000", "l'an deux mille"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_french(written: str, spoken: str) -> None:
    assert normalize(written, "fr") == spoken


def test_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("written", [c[0] for c in CASES])
def test_no_digits_in_french_output(written: str) -> None:
    assert not re.search(r"\d", normalize(written, "fr"))


def test_regional_tags_use_the_french_rules() -> None:
    assert normalize("12 345 habitants", "fr-CA") == \
        "douze mille trois cent quarante-cinq habitants"
    assert normalize("9h30", "fr-BE") == "neuf heures trente"


@pytest.mark.parametrize("group", ["\u2019", "'", "\u202f"])
def test_swiss_french_numbers_read_with_any_apostrophe(group: str) -> None:
    assert normalize(f"1{group}500 francs", "fr-CH") == "mille cinq cents francs"


def test_phrases() -> None:
    assert phrase("image", "fr") == "Image"
    assert phrase("note", "fr-FR") == "note"


# --- properties -----------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["fr", "fr-CA", "fr-CH"]),
       st.sampled_from(["", "fr", "de", "en", "nonsense"]))
def test_never_raises(text: str, lang: str, fmt: str) -> None:
    # The French rules themselves, not only normalize()'s safety net, must not raise.
    assert isinstance(rules_for(lang).speak(text, number_format=fmt), str)


TOKENS = [
    "12 345", "12\u202f345", "1 500 000", "3,5", "%", "€", "$", "9h30", "9 h 30", "1er",
    "2e", "XXe", "siècle", "le", "mai", "janvier", "20/01/2020", "km", "°C", "m²", "n°",
    "M.", "Mme", "01 23 45 67 89", "contact@service-public.fr", "1990", "habitants", ",",
    ".", "-", "–", "/", "(", ")",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TOKENS), st.integers(-10**7, 10**7).map(str),
                          st.from_regex(r"\d{1,5}([.,: /h-]\d{1,4}){0,3}(er|e)?", fullmatch=True)),
                max_size=12),
       st.sampled_from([" ", "", "\u00a0", "\u202f"]))
def test_french_never_outputs_digits(tokens: list[str], glue: str) -> None:
    spoken = rules_for("fr").speak(glue.join(tokens))
    assert not re.search(r"\d", spoken), spoken


# --- issue 14: shapes from the real-text corpus (tests/speech/corpus-fr.toml) -----------

REAL_SHAPES = [
    # the masculine ordinal indicator: a Latin ordinal, or a book's format
    ("1º", "primo"),
    ("2º", "secundo"),
    ("6 vol. in-8º", "six volumes in-octavo"),
    ("in-4°", "in-quarto"),
    ("in-12", "in-douze"),
    # a full stop after a month's full name ends the sentence
    ("Le 1er mai.", "Le premier mai."),
    ("Le 3 janv.", "Le trois janvier."),
    ("le 3 janv. il part", "le trois janvier il part"),
    # "s’" is an elided pronoun, not seconds
    ("la réunion du 12 s’est tenue", "la réunion du douze s'est tenue"),
    ("la réunion du 12 s'est tenue", "la réunion du douze s'est tenue"),
    ("en 9,58 s", "en neuf virgule cinquante-huit secondes"),
    # codes of decrees and legal articles are not ranges
    ("Vu le décret n° 2016-858",
     "Vu le décret numéro deux mille seize tiret huit cent cinquante-huit"),
    ("l'article L. 1111-6", "l'article L. mille cent onze tiret six"),
    ("articles 4-7", "articles quatre à sept"),
    # emergency numbers said as numbers, and a date that starts like one
    ("Appelez le 15", "Appelez le quinze"),
    ("15/12/2015", "quinze décembre deux mille quinze"),
    # four-digit short numbers in pairs
    ("le 3939", "le trente-neuf trente-neuf"),
    ("3939 euros", "trois mille neuf cent trente-neuf euros"),
    # times: capitals, "heures 00", ranges
    ("à 18 H 30", "à dix-huit heures trente"),
    ("à 20 heures 00", "à vingt heures"),
    ("08:30 - 12:00", "huit heures trente à douze heures"),
    ("10h-12h", "dix heures à douze heures"),
    # ordinals with a space or in capitals
    ("le 44 ème Sommet", "le quarante-quatrième Sommet"),
    ("du 1ER juillet", "du premier juillet"),
    ("SEANCE DU 1 ER OCTOBRE 2013", "SEANCE DU premier octobre deux mille treize"),
    # money: a decimal point before the euro sign, "HT", francs
    ("885 636.60 € HT", "huit cent quatre-vingt-cinq mille six cent trente-six euros soixante "
                        "hors taxes"),
    ("la somme de 20 000 F.", "la somme de vingt mille francs."),
    ("un F3 de 60 m²", "un F trois de soixante mètres carrés"),
    # numbered parts, pages, centuries
    ("Tome V", "Tome cinq"),
    ("pp. 313-333", "pages trois cent treize à trois cent trente-trois"),
    ("du Ier s. apr. J.-C. on", "du premier siècle après Jésus-Christ on"),
    ("le 19e s. fut", "le dix-neuvième siècle fut"),
    ("5300 avant J.-C.", "cinq mille trois cents avant Jésus-Christ."),
]


@pytest.mark.parametrize(("written", "spoken"), REAL_SHAPES, ids=[c[0] for c in REAL_SHAPES])
def test_shapes_from_real_french_text(written: str, spoken: str) -> None:
    assert normalize(written, "fr") == spoken
