"""Languages nobody declared: the release's, detected; a passage in another, marked."""

from __future__ import annotations

import zipfile

from click.testing import CliRunner

from accesspub.build import BuildOptions, prepare
from accesspub.cli import main
from accesspub.config import load_config
from helpers import make_project

CONFIG = "[project]\nlanguage = \"en\"\npublisher = \"Test\"\n"


def test_release_language_is_detected(tmp_path):
    root = make_project(tmp_path, {"content/a.md": (
        "---\ntitle: Neue Öffnungszeiten\ndate: 2024-05-01\n---\n\n"
        "Die Stadtbibliothek hat ab Montag neue Öffnungszeiten. Sie ist dann von neun bis "
        "achtzehn Uhr geöffnet, am Samstag bis vierzehn Uhr. Die Leserinnen und Leser "
        "können ihre Bücher auch weiterhin online verlängern.\n")}, config=CONFIG)
    result = CliRunner().invoke(main, ["-C", str(root), "check"])
    assert "content/a.md:1: notice meta-language-detected: language detected as 'de'" in result.output
    (publication,), _, _ = prepare(load_config(root), BuildOptions(audio=False))
    assert publication.meta.lang == "de"
    assert {p.lang for s in publication.iter_sentences() for p in s.spoken} == {"de"}


def test_passage_in_another_language_is_marked_and_spoken_in_it(tmp_path):
    root = make_project(tmp_path, {"content/a.md": (
        "---\ntitle: Visit\ndate: 2024-05-01\nlanguage: en\n---\n\n"
        "The mayor welcomed the delegation from Lyon at the town hall on Monday. "
        "Nous sommes très heureux de travailler ensemble pour nos deux villes. "
        "The visit ends on Friday with a concert in the park.\n")}, config=CONFIG)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio"])
    assert result.exit_code == 0, result.output
    assert "content/a.md:7: notice lang-passage-detected: sentence detected as fr" in result.output
    with zipfile.ZipFile(root / "build" / "a" / "a.epub") as epub:
        body = "".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    assert 'lang="fr" xml:lang="fr">Nous sommes très heureux' in body
    (publication,), _, _ = prepare(load_config(root), BuildOptions(audio=False))
    spoken = {s.text[:8]: [p.lang for p in s.spoken] for s in publication.iter_sentences()}
    assert spoken["Nous som"] == ["fr"] and spoken["The mayo"] == ["en"]


def test_detection_can_be_turned_off(tmp_path):
    root = make_project(tmp_path, {"content/a.md": (
        "---\ntitle: Visit\ndate: 2024-05-01\n---\n\n"
        "Nous sommes très heureux de travailler ensemble pour nos deux villes.\n")},
        config=CONFIG + "detect_languages = false\n")
    (publication,), _, _ = prepare(load_config(root), BuildOptions(audio=False))
    assert publication.meta.lang == "en"
    assert all(s.lang == "en" for s in publication.iter_sentences())


def test_short_or_marked_text_is_left_alone(tmp_path):
    root = make_project(tmp_path, {"content/a.md": (
        "---\ntitle: Names\ndate: 2024-05-01\nlanguage: en\n---\n\n"
        "Dzemala Bijedica 305, Ilidza, Sarajevo\n\n"
        "[Nous sommes très heureux de travailler ensemble.]{lang=fr} Then we left.\n")},
        config=CONFIG)
    (publication,), diag, _ = prepare(load_config(root), BuildOptions(audio=False))
    assert not [d for d in diag.items if d.code.startswith("lang-passage")]


def _sentences(*texts: str) -> list:
    from accesspub.model import Run, Sentence, SourceLocation
    return [Sentence(f"s{i}", (Run(text, "en"),), "en", SourceLocation("a.md", i))
            for i, text in enumerate(texts, 1)]


ENGLISH = ("The delegation arrived in the capital on Monday and met the minister.",
           "The minister said that the talks had been open and useful for both sides.",
           "They agreed to meet again in the spring to sign the final agreement.")


def test_a_sentence_of_the_release_own_words_is_not_judged(monkeypatch):
    """The quick screen calls some short English sentences Dutch; one made mostly of words
    the release uses in its English sentences is not sent to the (slow) full models, while
    a sentence really in another language still is, and is found."""
    from accesspub.read import langdetect as langdetect
    judged = []
    real = langdetect._judge
    monkeypatch.setattr(langdetect, "_judge", lambda text, primary: judged.append(text)
                        or real(text, primary))
    unsure = "The Soviet invasion failed to achieve its aim."
    assert langdetect._ranked(langdetect._screen(), unsure)[0][0] != "en"   # the premise
    french = "Nous sommes très heureux de travailler ensemble pour nos deux villes."
    sentences = _sentences(*ENGLISH, "The aim of the talks was to achieve a lasting peace.",
                           unsure, french)
    found = langdetect.detect_passages(sentences, "en", langdetect.Verdicts(None))
    assert judged == [french]
    assert list(found) == [sentences[-1].id] and found[sentences[-1].id][0] == "fr"


def test_verdicts_are_kept_so_a_rebuild_loads_no_model(monkeypatch, tmp_path):
    from accesspub.read import langdetect as langdetect
    french = "Nous sommes très heureux de travailler ensemble pour nos deux villes."
    sentences = _sentences(*ENGLISH, french)
    first = langdetect.Verdicts(tmp_path / "langdetect.json")
    found = langdetect.detect_passages(sentences, "en", first)
    first.save()

    def no_models(*args):
        raise AssertionError("a language model was loaded")
    monkeypatch.setattr(langdetect, "_screen", no_models)
    monkeypatch.setattr(langdetect, "_judge_between", no_models)
    again = langdetect.detect_passages(sentences, "en",
                                       langdetect.Verdicts(tmp_path / "langdetect.json"))
    assert again == found and list(found) == ["s4"]


# --- never invent a language (issue 14) ------------------------------------------------

def test_names_code_and_addresses_get_no_language(tmp_path):
    """A list of English names screened as Welsh, XPath in code spans as Esperanto: such
    text is not judged, and nothing the project does not expect is ever marked."""
    root = make_project(tmp_path, {"content/a.md": (
        "---\ntitle: Team\ndate: 2024-05-01\nlanguage: en\n---\n\n"
        "Speakers: Gwen Evans, Rhys Llewellyn, Dafydd Jones, Eluned Morgan, Carys Powell, "
        "Ieuan Wyn.\n\n"
        "Select the nodes with `//div[@class='x']/ul/li[position() > 2]` and "
        "`//*[@id='main']//a[@href]`.\n\n"
        "Write to https://example.org/path/to/page or info@example.org for details.\n\n"
        "The mayor welcomed the delegation from Lyon at the town hall on Monday.\n")},
        config=CONFIG)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio"])
    assert result.exit_code == 0, result.output
    assert "lang-passage" not in result.output
    (publication,), _, _ = prepare(load_config(root), BuildOptions(audio=False))
    assert {s.lang for s in publication.iter_sentences()} == {"en"}


def test_real_words_leave_out_identifiers():
    from accesspub.read.langdetect import real_words
    assert real_words("Use //div[@class='x'] or getElementById() with snake_case and "
                      "http://a.b/c, then stop.") == ["Use", "or", "with", "and", "then", "stop"]


def test_detection_is_among_the_expected_languages_only():
    from accesspub.read import langdetect
    welsh_like = "Gwen Evans, Rhys Llewellyn, Dafydd Jones, Eluned Morgan a Carys Powell."
    assert langdetect._screen_tags([welsh_like], langdetect.EXPECTED)[0] in \
        langdetect.EXPECTED
