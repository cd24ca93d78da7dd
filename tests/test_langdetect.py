"""Languages nobody declared: the release's, detected; a passage in another, marked."""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.build import BuildOptions, prepare
from accesspub.cli import main
from accesspub.config import load_config
from accesspub.errors import Diagnostics
from accesspub.languages import primary
from accesspub.read import load_publications
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


# --- the languages detection may choose: the project's own list (issue 14) -------------

WELSH = ("Mae'r cyngor sir yn falch iawn o gyhoeddi bod y llyfrgell newydd ar agor i bawb "
         "bob dydd o'r wythnos.")
NAMES = ("Speakers: Gwen Evans, Rhys Llewellyn, Dafydd Jones, Eluned Morgan, Carys Powell, "
         "Ieuan Wyn.")


def _welsh_release(tmp_path, config: str):
    return make_project(tmp_path, {"content/a.md": (
        "---\ntitle: Library\ndate: 2024-05-01\nlanguage: en\n---\n\n"
        "The county council opened the new library in the town centre on Monday morning. "
        f"{WELSH} The library is open every day of the week from nine until six.\n\n"
        f"{NAMES}\n")}, config=config)


def _languages_of(root) -> dict[str, str]:
    (publication,), _, _ = prepare(load_config(root), BuildOptions(audio=False))
    return {s.text[:12]: s.lang for s in publication.iter_sentences()}


def test_a_listed_language_may_be_detected_and_names_still_are_not(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESSPUB_VOICE_CACHE", str(tmp_path / "voices"))
    root = _welsh_release(tmp_path / "p", CONFIG + 'detect_among = ["en", "cy"]\n')
    found = _languages_of(root)
    assert found[WELSH[:12]] == "cy"
    assert found[NAMES[:12]] == "en"         # a list of names is never judged
    assert load_config(root).detect_among == ("en", "cy")


def test_a_language_nobody_lists_is_never_chosen(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESSPUB_VOICE_CACHE", str(tmp_path / "voices"))
    root = _welsh_release(tmp_path / "p", CONFIG)
    found = _languages_of(root)
    assert "cy" not in found.values() and found[NAMES[:12]] == "en"


def test_the_list_is_part_of_the_cached_question(tmp_path, monkeypatch):
    """A verdict kept for the default list is not reused once the project lists Welsh."""
    monkeypatch.setenv("ACCESSPUB_VOICE_CACHE", str(tmp_path / "voices"))
    root = _welsh_release(tmp_path / "p", CONFIG)
    assert "cy" not in _languages_of(root).values()
    (root / "accesspub.toml").write_text(CONFIG + 'detect_among = ["en", "cy"]\n')
    assert _languages_of(root)[WELSH[:12]] == "cy"


def test_installed_voices_extend_the_default(tmp_path, monkeypatch):
    from accesspub.read import langdetect
    monkeypatch.setenv("ACCESSPUB_VOICE_CACHE", str(tmp_path))
    assert langdetect.default_languages() == ("de", "en", "es", "fr")
    installed = tmp_path / "installed"
    installed.mkdir()
    for name in ("cy_GB-gwryw_gogleddol-medium.onnx", "cy_GB-gwryw_gogleddol-medium.onnx.json"):
        (installed / name).write_bytes(b"{}")
    assert langdetect.default_languages() == ("cy", "de", "en", "es", "fr")


def test_the_project_list_replaces_the_default_but_not_what_is_declared(tmp_path):
    from accesspub.read.langdetect import project_languages
    root = make_project(tmp_path, {}, config=(
        '[project]\nlanguage = "en-GB"\ndetect_among = ["cy"]\n'
        '[narration.languages]\naz = { engine = "piper" }\n'))
    assert project_languages(load_config(root)) == ("az", "cy", "en")


def test_a_bad_tag_in_the_list_is_an_error_at_its_line(tmp_path):
    root = make_project(tmp_path, {"content/a.md": "# A\n\nText.\n"}, config=(
        '[project]\nlanguage = "en"\ndetect_among = ["en", "english", 7]\n'))
    result = CliRunner().invoke(main, ["-C", str(root), "check"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert ("accesspub.toml:3: error config-language: project.detect_among: 'english' is not "
            in result.output)
    assert "accesspub.toml:3: error config-language: project.detect_among: 7 is not text" \
        in result.output


# No release of the corpus gets a language it does not contain: every real post of
# tests/corpus/ and the sample release, read with detection on, and every language any of
# their sentences or runs carries checked against what the text really holds.
CORPUS = Path(__file__).resolve().parent / "corpus"
POSTS = tomllib.loads((CORPUS / "MANIFEST.toml").read_text(encoding="utf-8"))["post"]
# Beyond the manifest's language: what each text really contains.
EXPECT_LANGUAGES = {
    "de-k8s-gcr-freeze": {"de", "en"},            # its closing thanks are in English
    "en-18f-accessibility-language": {"en", "es"},  # "Sus ojos son verdes." (twice)
    # Hugo's note and whatsnext shortcodes: accesspub writes their labels ("Note:",
    # "What's next") in English, marked as such
    "fr-k8s-controller": {"fr", "en"},
    "fr-k8s-annotations": {"fr", "en"},
    "black-january-2020": {"en", "az"},          # the sample: Azerbaijani passages, marked
}


def _carried(publication) -> set[str]:
    found = {primary(publication.meta.lang)}
    for sentence in publication.iter_sentences():
        found.add(primary(sentence.lang))
        found.update(primary(r.lang) for r in sentence.runs if r.lang)
    return found


@pytest.mark.parametrize("post", POSTS, ids=[p["name"] for p in POSTS])
def test_no_corpus_release_gets_a_language_it_does_not_contain(post, tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESSPUB_VOICE_CACHE", str(tmp_path / "voices"))
    root = make_project(tmp_path / "p", {
        f"content/{post['name']}.md": (CORPUS / f"{post['name']}.md").read_bytes()},
        config='[project]\npublisher = "Test Office"\n')
    (publication,) = load_publications(load_config(root), Diagnostics())
    assert primary(publication.meta.lang) == primary(post["language"])
    assert _carried(publication) <= EXPECT_LANGUAGES.get(post["name"], {post["language"]})


def test_the_sample_gets_no_language_it_does_not_contain(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESSPUB_VOICE_CACHE", str(tmp_path / "voices"))
    monkeypatch.setenv("ACCESSPUB_CACHE", str(tmp_path / "cache"))
    sample = Path(__file__).resolve().parent.parent
    for publication in load_publications(load_config(sample), Diagnostics()):
        assert _carried(publication) <= EXPECT_LANGUAGES[publication.slug]
