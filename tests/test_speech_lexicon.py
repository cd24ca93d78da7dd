"""PLS pronunciation lexicons: parsing, validation and how entries replace words."""

from __future__ import annotations

from pathlib import Path

import pytest

from accesspub.errors import ContentError
from accesspub.speech.lexicon import PLS_NS, Lexicon, load_lexicon, parse_lexicon

DATA = Path(__file__).parent / "data" / "speech"


def pls(body: str, *, lang: str = "en", extra: str = 'alphabet="ipa"') -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<lexicon version="1.0" xmlns="{PLS_NS}" {extra} xml:lang="{lang}">\n'
            f"{body}\n</lexicon>\n").encode()


def lexeme(grapheme: str, *, alias: str = "", phoneme: str = "") -> str:
    inner = f"<grapheme>{grapheme}</grapheme>"
    if alias:
        inner += f"<alias>{alias}</alias>"
    if phoneme:
        inner += f"<phoneme>{phoneme}</phoneme>"
    return f"<lexeme>{inner}</lexeme>"


def test_load_sample_file() -> None:
    lex = load_lexicon(DATA / "sample.pls")
    assert lex.lang == "en"
    assert [e.graphemes for e in lex.entries] == [("Baku",), ("Ilidza",), ("USSR",)]
    assert lex.entries[0].line == 5


def test_alias_replaces_the_word_for_every_engine() -> None:
    lex = parse_lexicon(pls(lexeme("Ilidza", alias="Ilidzha")))
    for phonemes in (True, False):
        assert lex.apply("Ilidza, Sarajevo", "en", phonemes=phonemes) == "Ilidzha, Sarajevo"


def test_phoneme_becomes_double_brackets_for_phoneme_engines() -> None:
    lex = parse_lexicon(pls(lexeme("Baku", phoneme="bɑːˈkuː")))
    assert lex.apply("attacked Baku.", "en", phonemes=True) == "attacked [[bɑːˈkuː]]."


def test_phoneme_only_entry_leaves_the_word_for_other_engines() -> None:
    lex = parse_lexicon(pls(lexeme("Baku", phoneme="bɑːˈkuː")))
    assert lex.apply("attacked Baku.", "en", phonemes=False) == "attacked Baku."


def test_alias_wins_over_phoneme() -> None:
    lex = parse_lexicon(pls(lexeme("SOCAR", alias="Socar", phoneme="ˈsoʊkɑːr")))
    assert lex.apply("SOCAR", "en", phonemes=True) == "Socar"


def test_whole_words_only() -> None:
    lex = parse_lexicon(pls(lexeme("UN", alias="United Nations")))
    assert lex.apply("UN UNESCO FUN UN-backed", "en", phonemes=False) == \
        "United Nations UNESCO FUN United Nations-backed"


def test_exact_case_first_then_any_case() -> None:
    lex = parse_lexicon(pls(lexeme("Nice", alias="Neess") + lexeme("nice", alias="nyce")))
    assert lex.apply("Nice is nice", "en", phonemes=False) == "Neess is nyce"
    assert lex.apply("NICE", "en", phonemes=False) == "Neess"   # first entry in the file


def test_case_insensitive_match() -> None:
    lex = parse_lexicon(pls(lexeme("baku", alias="Bakoo")))
    assert lex.apply("BAKU and Baku", "en", phonemes=False) == "Bakoo and Bakoo"


def test_longest_grapheme_wins() -> None:
    lex = parse_lexicon(pls(lexeme("New York", alias="the city")
                            + lexeme("New York City", alias="the big apple")))
    assert lex.apply("New York City and New York", "en", phonemes=False) == \
        "the big apple and the city"


def test_several_graphemes_in_one_lexeme() -> None:
    body = ("<lexeme><grapheme>Aliyev</grapheme><grapheme>Aliev</grapheme>"
            "<alias>Aleeyev</alias></lexeme>")
    lex = parse_lexicon(pls(body))
    assert lex.apply("Aliyev, Aliev", "en", phonemes=False) == "Aleeyev, Aleeyev"


def test_graphemes_with_punctuation_and_digits() -> None:
    lex = parse_lexicon(pls(lexeme("COVID-19", alias="covid nineteen")
                            + lexeme("C++", alias="C plus plus")))
    assert lex.apply("COVID-19 and C++.", "en", phonemes=False) == "covid nineteen and C plus plus."


def test_language_must_match_primary_subtag() -> None:
    lex = parse_lexicon(pls(lexeme("Baku", alias="Bakoo"), lang="en-GB"))
    assert lex.apply("Baku", "en-US", phonemes=False) == "Bakoo"
    assert lex.apply("Baku", "az", phonemes=False) == "Baku"
    assert lex.matches_language("en") and not lex.matches_language("de")


def test_empty_lexicon_changes_nothing() -> None:
    lex = parse_lexicon(pls(""))
    assert lex.apply("Baku 1990", "en", phonemes=True) == "Baku 1990"


# --- invalid lexicons: ContentError with the line of the problem -------------------------

def error(data: bytes) -> ContentError:
    with pytest.raises(ContentError) as info:
        parse_lexicon(data, "lexicon.pls")
    return info.value


def test_lexeme_without_grapheme() -> None:
    exc = error(pls("<lexeme>\n<alias>x</alias></lexeme>"))
    assert exc.code == "lexicon-invalid"
    assert exc.location.path == "lexicon.pls" and exc.location.line == 3
    assert "grapheme" in exc.message and exc.hint


def test_lexeme_without_alias_or_phoneme() -> None:
    exc = error(pls(lexeme("Baku") + "\n" + lexeme("Sarajevo")))
    assert exc.location.line == 3 and "'Baku'" in exc.message


def test_error_line_points_at_the_bad_lexeme() -> None:
    body = "\n".join([lexeme("a", alias="b"), lexeme("c", alias="d"), "", "<lexeme/>"])
    assert error(pls(body)).location.line == 6


def test_wrong_namespace() -> None:
    data = b'<lexicon version="1.0" xmlns="http://example.org/x" xml:lang="en"/>'
    exc = error(data)
    assert exc.code == "lexicon-invalid" and "namespace" in exc.message
    assert exc.location.line == 1


def test_no_namespace() -> None:
    assert "namespace" in error(b'<lexicon version="1.0" xml:lang="en"/>').message


def test_wrong_root() -> None:
    assert "<lexicon>" in error(f'<lexemes xmlns="{PLS_NS}"/>'.encode()).message


def test_wrong_version() -> None:
    data = f'<lexicon version="2.0" xmlns="{PLS_NS}" xml:lang="en"/>'.encode()
    assert "version" in error(data).message


def test_missing_language() -> None:
    data = f'<lexicon version="1.0" xmlns="{PLS_NS}"/>'.encode()
    assert "xml:lang" in error(data).message


def test_invalid_language_tag() -> None:
    assert "xml:lang" in error(pls("", lang="en_GB")).message


def test_not_well_formed_reports_the_line() -> None:
    exc = error(pls("<lexeme><grapheme>a</grapheme>\n<alias>b</lexeme>"))
    assert exc.code == "lexicon-invalid" and exc.location.line == 4


def test_non_ipa_alphabet_is_refused() -> None:
    exc = error(pls(lexeme("Baku", phoneme="b A k u"), extra='alphabet="x-sampa"'))
    assert "ipa" in exc.message


def test_entities_are_refused() -> None:
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE lexicon [<!ENTITY e "x">]>\n'
            + pls(lexeme("&e;", alias="y")).split(b"\n", 1)[1])
    assert error(data).code == "lexicon-invalid"


def test_external_entities_are_never_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE lexicon [<!ENTITY e SYSTEM "{secret.as_uri()}">]>\n'
            f'<lexicon version="1.0" xmlns="{PLS_NS}" xml:lang="en">'
            f"<lexeme><grapheme>a</grapheme><alias>&e;</alias></lexeme></lexicon>").encode()
    with pytest.raises(ContentError) as info:
        parse_lexicon(data)
    assert "SECRET" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as info:
        load_lexicon(tmp_path / "none.pls")
    assert info.value.code == "lexicon-missing"


def test_lexicon_is_a_value() -> None:
    assert isinstance(parse_lexicon(pls("")), Lexicon)
