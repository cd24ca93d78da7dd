"""accesspub check: each content check on a small fixture, its exact line, JSON, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from accesspub.check import alphabet
from helpers import make_project

# Five lines of front matter and a blank line: the body starts at line 7.
HEAD = "---\ntitle: A\ndate: 2024-01-01\nlanguage: en\n---\n\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


def check(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), "check", *args])


def lines_of(root: Path, body: str, files: dict | None = None, **kw) -> list[str]:
    """The warning and error lines (no hints, no notices) for ``content/a.md`` = HEAD + body."""
    make_project(root, {"content/a.md": HEAD + body, **(files or {})}, **kw)
    result = check(root)
    assert "Traceback" not in result.output
    return [line for line in result.output.splitlines()
            if line.startswith(("content/", "accesspub.toml")) and ": notice " not in line]


def codes_of(lines: list[str]) -> list[str]:
    return [line.split(": ", 2)[1].split()[1] for line in lines]


# --- each check: its exact line ----------------------------------------------------------

def test_link_text_that_says_nothing(tmp_path):
    lines = lines_of(tmp_path, "For the report [click here](https://example.org/report).\n")
    assert lines == ["content/a.md:7: warning a11y-link-text: link text 'click here' does not "
                     "say where the link goes"]


@pytest.mark.parametrize("text", ["here", "Read more", "link", "more…"])
def test_other_vague_link_texts(tmp_path, text):
    lines = lines_of(tmp_path, f"The report is [{text}](https://example.org/report).\n")
    assert codes_of(lines) == ["a11y-link-text"]


def test_bare_url_as_link_text(tmp_path):
    lines = lines_of(tmp_path, "Details at <https://example.org/report>.\n")
    assert lines == ["content/a.md:7: warning a11y-link-text: link text is a bare address "
                     "'https://example.org/report'; a screen reader spells it out"]


def test_good_link_text_and_mail_links_pass(tmp_path):
    lines = lines_of(tmp_path, "Read [the annual report](https://example.org/r) or write to "
                               "<mailto:press@example.org>.\n")
    assert lines == []


def test_alt_text_that_is_a_file_name(tmp_path):
    lines = lines_of(tmp_path, "Intro.\n\n![IMG_2041.jpg](dot.png)\n", {"content/dot.png": PNG})
    assert lines == ["content/a.md:9: warning a11y-alt-filename: the text alternative "
                     "'IMG_2041.jpg' is a file name, not a description"]


def test_table_without_header_cells(tmp_path):
    lines = lines_of(tmp_path, "Intro.\n\n|   |   |\n|---|---|\n| a | b |\n")
    assert lines == ["content/a.md:9: warning a11y-table-headers: the table has no header "
                     "cells: a screen reader cannot say what each column holds"]


def test_table_with_headers_passes(tmp_path):
    assert lines_of(tmp_path, "Intro.\n\n| Name | Role |\n|---|---|\n| a | b |\n") == []


def test_paragraph_in_capitals(tmp_path):
    lines = lines_of(tmp_path, "THE MINISTRY ANNOUNCES A NEW PROGRAMME TODAY.\n")
    assert lines == ["content/a.md:7: warning style-all-caps: paragraph is all in capitals: "
                     "hard to read, and some screen readers spell it letter by letter"]


def test_short_labels_in_capitals_pass(tmp_path):
    body = "FOR IMMEDIATE RELEASE\n\n## NEWS IN BRIEF\n\nThe text. The UN and NATO met.\n"
    assert lines_of(tmp_path, body) == []


def test_letters_outside_the_alphabet(tmp_path):
    lines = lines_of(tmp_path, "The Xəzər coast is long. The café is open.\n")
    assert lines == ["content/a.md:7: warning lang-unmarked: 'Xəzər' has letters outside the "
                     "English alphabet (ə): it will be read with English rules"]
    result = check(tmp_path)
    assert "hint: mark its language: [Xəzər]{lang=az}" in result.output


def test_marked_language_passes(tmp_path):
    assert lines_of(tmp_path, "The [Xəzər]{lang=az} coast is long.\n") == []


def test_foreign_word_reported_once(tmp_path):
    lines = lines_of(tmp_path, "Xəzər one.\n\nXəzər two.\n")
    assert codes_of(lines) == ["lang-unmarked"]


def test_cyrillic_word_in_an_english_release(tmp_path):
    lines = lines_of(tmp_path, "The word мир means peace.\n")
    assert codes_of(lines) == ["lang-unmarked"]
    assert "(и м р)" in lines[0]


def test_alphabet_data():
    assert "ə" in alphabet("az") and "ə" not in alphabet("en")
    assert "ж" in alphabet("sr") and "ž" in alphabet("sr")      # both scripts without a subtag
    assert "ж" not in alphabet("sr-Latn")
    assert alphabet("qaa") is None


def test_ambiguous_number(tmp_path):
    lines = lines_of(tmp_path, "About 1.500 people came.\n")
    assert lines == ["content/a.md:7: warning speech-number-ambiguous: '1.500' could be a "
                     "decimal (1.5) or a whole number (1500); it will be read as 1500"]


def test_unambiguous_numbers_pass(tmp_path):
    body = "On 20.01.2020, 1.500.000 people and 3.5 % of 250,000 voters; at 10.30.\n"
    assert lines_of(tmp_path, body) == []


def test_number_format_declared_silences_ambiguity(tmp_path):
    config = '[project]\nlanguage = "en"\npublisher = "T"\nnumber_format = "de"\n'
    assert lines_of(tmp_path, "About 1.500 people came.\n", config=config) == []


def test_long_sentence(tmp_path):
    sentence = " ".join(["word"] * 61) + "."
    lines = lines_of(tmp_path, "Short one. " + sentence + "\n")
    assert lines == ["content/a.md:7: warning style-long-sentence: sentence of 61 words "
                     "(over 60): hard to follow when heard"]
    assert lines_of(tmp_path / "b", " ".join(["word"] * 60) + ".\n") == []


def test_code_is_not_checked(tmp_path):
    body = "Run `CLICK HERE 1.500 Xəzər` now.\n\n```\nSELECT 1,500 FROM Xəzər WHERE A\n```\n"
    assert lines_of(tmp_path, body) == []


# --- silencing ----------------------------------------------------------------------------

def test_silenced_per_project(tmp_path):
    config = '[project]\nlanguage = "en"\n[check]\nignore = ["lang-unmarked", "style-all-caps"]\n'
    body = "The Xəzər coast.\n\nTHE MINISTRY ANNOUNCES A NEW PROGRAMME TODAY.\n"
    assert lines_of(tmp_path, body, config=config) == []


def test_silenced_per_release(tmp_path):
    ignoring = "---\ntitle: A\ndate: 2024-01-01\nlanguage: en\nignore: [lang-unmarked]\n---\n\n"
    make_project(tmp_path, {
        "content/a.md": ignoring + "The Xəzər coast. [Here](https://example.org).\n",
        "content/b.md": HEAD + "The Xəzər coast.\n",
    })
    result = check(tmp_path)
    assert "content/a.md:8: warning a11y-link-text" in result.output      # not silenced
    assert "content/a.md:8: warning lang-unmarked" not in result.output   # silenced here
    assert "content/b.md:7: warning lang-unmarked" in result.output       # but not there
    assert "front-matter-ignored" not in result.output


def test_silenced_per_release_covers_earlier_findings_and_chapter_files(tmp_path):
    make_project(tmp_path, {
        "content/r/01.md": ("---\ntitle: R\ndate: 2024-01-01\nlanguage: en\n"
                            "ignore: [heading-level-fixed, style-all-caps]\n---\n\n"
                            "## One\n\n#### Skips\n\nText.\n"),
        "content/r/02.md": "## Two\n\nTHE MINISTRY ANNOUNCES A NEW PROGRAMME TODAY.\n",
    })
    result = check(tmp_path)
    assert result.exit_code == 0
    assert "heading-level-fixed" not in result.output
    assert "style-all-caps" not in result.output


def test_ignore_must_be_a_list_of_codes(tmp_path):
    make_project(tmp_path, {"content/a.md": "---\ntitle: A\nignore: {a: 1}\n---\n\nText.\n"})
    result = check(tmp_path)
    assert result.exit_code == 1
    assert "content/a.md:3: error front-matter-type: ignore must be a list" in result.output


def test_errors_cannot_be_silenced(tmp_path):
    config = '[project]\nlanguage = "en"\n[check]\nignore = ["a11y-alt-missing"]\n'
    lines = lines_of(tmp_path, "Text.\n\n![](dot.png)\n", {"content/dot.png": PNG}, config=config)
    assert codes_of(lines) == ["a11y-alt-missing"]


# --- JSON and exit codes -------------------------------------------------------------------

def test_json_format(tmp_path):
    make_project(tmp_path, {"content/a.md": HEAD + "See [here](https://example.org).\n"})
    result = CliRunner(mix_stderr=False).invoke(main, ["-C", str(tmp_path), "check", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == [{
        "level": "warning", "code": "a11y-link-text",
        "message": "link text 'here' does not say where the link goes",
        "file": "content/a.md", "line": 7,
        "hint": "name the destination: [the full report (PDF)](…) instead of [click here](…)",
    }]



def test_json_with_speech_stays_one_json_array(tmp_path):
    make_project(tmp_path, {"content/a.md": HEAD + "See [here](https://example.org).\n\n"
                            "It costs £5 in 2020.\n"})
    result = CliRunner(mix_stderr=False).invoke(
        main, ["-C", str(tmp_path), "check", "--json", "--speech"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data[0]["code"] == "a11y-link-text"
    [spoken] = [d for d in data if d["code"] == "spoken-form" and "£" in d["text"]]
    assert spoken["file"] == "content/a.md" and spoken["line"] == 9
    assert spoken["text"] == "It costs £5 in 2020."
    assert spoken["spoken"] == "It costs five pounds in twenty twenty."

def test_json_strict_exit_code(tmp_path):
    make_project(tmp_path, {"content/a.md": HEAD + "See [here](https://example.org).\n"})
    assert check(tmp_path, "--json", "--strict").exit_code == 1


def test_exit_codes(tmp_path):
    clean = make_project(tmp_path / "clean", {"content/a.md": HEAD + "All good.\n"})
    result = check(clean)
    assert result.exit_code == 0 and "0 error(s), 0 warning(s)" in result.output
    assert check(clean, "--strict").exit_code == 0

    warned = make_project(tmp_path / "warned", {"content/a.md": HEAD + "See [here](https://e.org).\n"})
    assert check(warned).exit_code == 0
    assert check(warned, "--strict").exit_code == 1

    broken = make_project(tmp_path / "broken", {"content/a.md": "---\ndate: never\n---\n\nText.\n"})
    assert check(broken).exit_code == 1

    bad_config = make_project(tmp_path / "config", {"content/a.md": HEAD + "Text.\n"},
                              config="[project]\nlanguage = 5\n")
    assert check(bad_config).exit_code == 2


def test_build_reports_the_checks_too(tmp_path):
    root = make_project(tmp_path, {"content/a.md": HEAD + "See [here](https://example.org).\n"})
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q"])
    assert result.exit_code == 0, result.output
    assert "content/a.md:7: warning a11y-link-text" in result.output
    strict = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q", "--strict"])
    assert strict.exit_code == 1
