"""Language checks that must hold in multilingual projects: the alphabet of a language CLDR
lists no letters for (Latin), and a lexicon judged by the whole project, not one release."""

from __future__ import annotations

import json

from click.testing import CliRunner

from accesspub.cli import main
from accesspub.check import alphabet
from helpers import make_project

CONFIG = '[project]\nlanguage = "en"\npublisher = "Test Office"\ndetect_languages = false\n'
LEXICON = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="{lang}">
  <lexeme><grapheme>Bahnhof</grapheme><alias>Baanhoof</alias></lexeme>
</lexicon>
"""


def release(lang: str, body: str) -> str:
    return f"---\ntitle: T\ndate: 2024-01-01\nlanguage: {lang}\n---\n\n{body}\n"


def check(root, *args: str) -> list[dict]:
    result = CliRunner(mix_stderr=False).invoke(main, ["-C", str(root), "check", "--json", *args])
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def codes(items: list[dict], code: str) -> list[dict]:
    return [d for d in items if d["code"] == code]


# --- alphabets ------------------------------------------------------------------------

def test_latin_is_written_in_the_latin_alphabet():
    letters = alphabet("la")
    assert letters is not None and set("abcdefghijklmnopqrstuvwxyzæœāēīōū") <= letters
    assert "α" not in letters and "д" not in letters
    assert alphabet("la-Latn") == letters


def test_languages_without_cldr_letters_use_their_scripts_letters():
    assert set("acehnese") <= alphabet("ace")          # Acehnese: Latin script
    assert alphabet("xx") is None                      # not a language: nothing checked
    assert alphabet("qaa") is None                     # private use: nothing known
    assert alphabet("und") is None
    assert "ə" in alphabet("az") and "ə" not in alphabet("en")   # CLDR data still first


def test_an_all_latin_passage_is_not_flagged(tmp_path):
    root = make_project(tmp_path, {"content/a.md": release(
        "en", "Caesar wrote [Gallia est omnis divisa in partes tres, quarum unam incolunt "
              "Belgae, aliam Aquitani, tertiam qui ipsorum lingua Celtae]{lang=la}.")}, CONFIG)
    assert codes(check(root), "lang-unmarked") == []


def test_a_greek_word_in_a_latin_passage_still_is(tmp_path):
    root = make_project(tmp_path, {"content/a.md": release(
        "en", "He said [et tu, τέκνον]{lang=la}.")}, CONFIG)
    found = codes(check(root), "lang-unmarked")
    assert [(d["file"], d["line"]) for d in found] == [("content/a.md", 7)]
    assert "'τέκνον' has letters outside the Latin alphabet" in found[0]["message"]


# --- the lexicon, judged by every release -----------------------------------------------

def bilingual(tmp_path, lexicon_lang: str = "de", german: bool = True):
    files = {"content/a-en.md": release("en", "An English release."),
             "content/b-en.md": release("en", "Another English release."),
             "content/lexicon.pls": LEXICON.format(lang=lexicon_lang)}
    if german:
        files["content/c-de.md"] = release("de", "Der Zug hält am Bahnhof.")
    return make_project(tmp_path, files, CONFIG)


def test_a_lexicon_of_the_other_language_is_not_unused(tmp_path):
    root = bilingual(tmp_path)
    assert codes(check(root), "lexicon-unused") == []
    # Checking only the English releases says nothing about the German lexicon either.
    assert codes(check(root, "a-en", "content/b-en.md"), "lexicon-unused") == []
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q"])
    assert result.exit_code == 0, result.output
    assert "lexicon-unused" not in result.output


def test_a_lexicon_no_release_speaks_is_reported_once_at_the_lexicon(tmp_path):
    root = bilingual(tmp_path, german=False)
    found = codes(check(root), "lexicon-unused")
    # Line 3: where the <lexicon> start tag, with its xml:lang, ends.
    assert [(d["file"], d["line"], d["level"]) for d in found] == [
        ("content/lexicon.pls", 3, "warning")]
    assert "'de' is not used by any release" in found[0]["message"]


def test_a_passage_in_the_lexicons_language_is_a_use(tmp_path):
    root = bilingual(tmp_path, german=False)
    (root / "content" / "a-en.md").write_text(
        release("en", "The sign said [Bahnhof]{lang=de}."), encoding="utf-8")
    assert codes(check(root), "lexicon-unused") == []
