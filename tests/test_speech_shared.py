"""Issue 14: the written shapes several languages share are read by the one framework
(``LocaleRules`` with ``common_forms``), each language giving only its data.

The readings themselves are pinned per language in tests/test_speech_{de,es,fr}.py and the
corpus; here: that the languages no longer carry their own copies, that a shape is turned
on by data alone, and the readings the move fixed."""

from __future__ import annotations

import pytest

from accesspub.speech.de import GermanRules
from accesspub.speech.es import SpanishRules
from accesspub.speech.fr import FrenchRules
from accesspub.speech.locale_rules import LocaleRules
from accesspub.speech.normalize import normalize

pytestmark = pytest.mark.fast


@pytest.mark.parametrize("cls, method", [
    (GermanRules, "say_service_numbers"), (GermanRules, "say_symbols"),
    (SpanishRules, "say_units"), (SpanishRules, "say_numbered_years")])
def test_the_shared_rule_is_not_copied_into_a_language(cls, method) -> None:
    assert getattr(cls, method) is getattr(LocaleRules, method)


class _FrenchWithSpanishShapes(FrenchRules):
    """A language that turns the Spanish shapes on by data alone."""
    shapes = SpanishRules.shapes
    roman_month_date = "{day} {month} {year}"
    zero_cents = r"euros?\b|€"
    slash_numbers = True
    not_units = r"ha\b(?= de\b)"


@pytest.mark.parametrize("text, spoken", [
    ("le G-20 à Rome", "le G vingt à Rome"),
    ("né le 20.I.1716", "né le vingt janvier mille sept cent seize"),
    ("la loi 30/92", "la loi trente barre quatre-vingt-douze"),
    ("(–4 %)", "(moins quatre pour cent)"),
    ("4 500,00 euros", "quatre mille cinq cents euros"),
])
def test_a_shape_is_turned_on_by_data(text: str, spoken: str) -> None:
    rules = _FrenchWithSpanishShapes("fr")
    assert rules.speak(text) == spoken
    assert FrenchRules("fr").speak(text) != spoken     # French itself leaves them off


def test_a_word_that_is_no_unit_stays_a_word() -> None:
    assert normalize("el G-20 ha abordado", "es") == "el G veinte ha abordado"
    assert normalize("tiene 20 ha de bosque", "es") == "tiene veinte hectáreas de bosque"


@pytest.mark.parametrize("text, lang, spoken", [
    # the number sign is one rule with each language's word: French read "n.º" as "n.
    # degrés", Spanish glued "n°2018" into "númerodos mil dieciocho"
    ("El n.º 5 está aquí.", "fr", "El numéro cinq está aquí."),
    ("Nº. 4", "fr", "Numéro quatre"),
    ("le décret n°2018", "es", "le décret número dos mil dieciocho"),
])
def test_number_sign_read_alike(text: str, lang: str, spoken: str) -> None:
    assert normalize(text, lang) == spoken


@pytest.mark.parametrize("text, spoken", [
    ("am 3. Mai.", "am dritten Mai."),
    ("am 3. Feb. kam er", "am dritten Februar kam er"),
])
def test_month_stop_german(text: str, spoken: str) -> None:
    assert normalize(text, "de") == spoken


@pytest.mark.parametrize("text, spoken", [
    ("le 1er mai.", "le premier mai."),
    ("le 3 janv. il vint", "le trois janvier il vint"),
])
def test_month_stop_french(text: str, spoken: str) -> None:
    assert normalize(text, "fr") == spoken
