"""Configuration values: each mistake is a located config error (``accesspub.toml:LINE``,
exit 2, no traceback), found before anything is read, spoken or written."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from accesspub.config import ConfigLines, load_config, max_jobs
from accesspub.errors import ConfigError
from helpers import make_project

HOSTILE = Path(__file__).resolve().parent / "hostile"
GOOD = "---\ntitle: Good\ndate: 2024-01-01\n---\n\nA good release.\n"
HEAD = '[project]\nlanguage = "en"\npublisher = "Test Office"\n\n'


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args])


def expect_config_error(root: Path, line: int, code: str, *commands: tuple[str, ...]) -> str:
    """Every command fails with exit 2 and ``accesspub.toml:LINE: error CODE:``."""
    output = ""
    for command in commands or (("check",), ("build", "--no-audio", "-q")):
        result = run(root, *command)
        output = result.output
        assert result.exit_code == 2, (command, output)
        assert f"accesspub.toml:{line}: error {code}:" in output, (command, output)
        assert "Traceback" not in output and "internal error" not in output, output
        assert not (root / "build").exists(), "nothing is written when the config is wrong"
    return output


# (what is written under HEAD, the line of the mistake, code, words of the message)
CASES = {
    "bitrate-abc": ('[narration]\nbitrate = "abc"\n', 6, "config-value", "not an MP3 bit rate"),
    "bitrate-not-mp3": ('[narration]\nbitrate = "100k"\n', 6, "config-value", "100k"),
    "bitrate-too-high": ('[narration]\nbitrate = "640k"\n', 6, "config-value", "640k"),
    "loudness-nan": ("[narration]\nloudness = nan\n", 6, "config-value", "-40 to -5 LUFS"),
    "loudness-huge": ("[narration]\nloudness = 1e308\n", 6, "config-value", "-40 to -5 LUFS"),
    "loudness-inf": ("[narration]\nloudness = -inf\n", 6, "config-value", "not -inf"),
    "true-peak": ("[narration]\ntrue_peak = 3\n", 6, "config-value", "-10 to 0 dBTP"),
    "pause-negative": ("[narration.pauses]\nsentence = -1\n", 6, "config-value",
                       "narration.pauses.sentence must be 0 to 10 seconds"),
    "pause-huge": ("[narration.pauses]\nparagraph = 0.5\nchapter = 1e308\n", 7, "config-value",
                   "narration.pauses.chapter"),
    "pause-inline": ("[narration]\npauses = { heading = 99 }\n", 6, "config-value",
                     "narration.pauses.heading"),
    "pause-dotted": ("[narration]\npauses.heading = nan\n", 6, "config-value",
                     "narration.pauses.heading"),
    "jobs-negative": ("[narration]\njobs = -1\n", 6, "config-value", "narration.jobs"),
    "jobs-huge": ("[narration]\njobs = 100000\n", 6, "config-value", f"to {max_jobs()}, not"),
    "ignore-not-text": ('[check]\nignore = [\n  "style-long-sentence",\n  42,\n]\n', 6,
                        "config-type", "not int 42"),
    "ignore-nested": ('[check]\nignore = [["a"]]\n', 6, "config-type", "check.ignore"),
    "split-level": ("split_level = 9\n", 5, "config-value", "2 to 6"),
    "type": ('[narration]\nengine = "piper"\njobs = "four"\n', 7, "config-type",
             "narration.jobs must be whole number"),
    "conformance": ('[accessibility]\nconformance = "WCAG"\n', 6, "config-conformance",
                    "accessibility.conformance"),
    "language": ('[narration]\n', 2, "config-language", "project.language"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_bad_value_is_a_located_config_error(tmp_path, name):
    text, line, code, words = CASES[name]
    head = HEAD.replace('"en"', '"en_GB"') if name == "language" else HEAD
    root = make_project(tmp_path, {"content/a.md": GOOD}, config=head + text)
    output = expect_config_error(root, line, code)
    assert words in output


def test_every_bad_value_is_reported_at_once(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD}, config=HEAD + (
        '[narration]\nbitrate = "abc"\nloudness = nan\njobs = 100000\n'
        '[narration.pauses]\nsentence = -1\n'))
    output = expect_config_error(root, 6, "config-value")
    for line in (7, 8, 10):
        assert f"accesspub.toml:{line}: error config-value:" in output


def test_bitrate_hint_lists_the_mp3_rates(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD},
                        config=HEAD + '[narration]\nbitrate = "abc"\n')
    output = expect_config_error(root, 6, "config-value", ("check",))
    assert 'hint: write it like "64k"' in output and "32k" in output and "320k" in output


def test_jobs_error_says_the_most_allowed(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD},
                        config=HEAD + "[narration]\njobs = 100000\n")
    output = expect_config_error(root, 6, "config-value", ("build",))
    assert f"0 (one per core) to {max_jobs()}" in output
    assert max_jobs() == min(256, 4 * (os.cpu_count() or 1))


def test_values_in_range_are_accepted(tmp_path):
    make_project(tmp_path, {}, config=HEAD + (
        f'[narration]\nbitrate = "128k"\nloudness = -16\ntrue_peak = -1\njobs = {max_jobs()}\n'
        "[narration.pauses]\nsentence = 0\nchapter = 10\n"
        '[check]\nignore = ["style-long-sentence"]\n'))
    config = load_config(tmp_path)
    assert config.narration.bitrate == "128k" and config.narration.jobs == max_jobs()
    assert config.narration.pauses.sentence == 0 and config.narration.pauses.chapter == 10
    assert config.ignore == frozenset({"style-long-sentence"})


def test_toml_syntax_error_names_the_line(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD},
                        config=HEAD + '[narration]\nbitrate = "64k\n')
    output = expect_config_error(root, 6, "config-syntax")
    assert "not valid TOML" in output and "(column" in output and "(at line" not in output


def test_toml_syntax_error_at_end_of_file(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD}, config=HEAD + "[check]\nignore = [")
    expect_config_error(root, 6, "config-syntax", ("check",))


def test_not_utf8_names_the_line(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD})
    (root / "accesspub.toml").write_bytes(HEAD.encode() + b'[podcast]\ntitle = "\xe9"\n')
    expect_config_error(root, 6, "config-encoding", ("check",))


def test_unknown_keys_are_located_warnings(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD}, config=HEAD + (
        "[narration]\nengine = 'piper'\nspeed = 2\n\n[extras]\nx = 1\n"))
    result = run(root, "check")
    assert result.exit_code == 0, result.output
    assert "accesspub.toml:7: warning config-unknown-key: unknown key narration.speed" \
        in result.output
    assert "accesspub.toml:9: warning config-unknown-key: unknown table [extras]" \
        in result.output


def test_a_section_that_is_not_a_table(tmp_path):
    make_project(tmp_path, {}, config='narration = "piper"\n' + HEAD)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value).startswith("accesspub.toml:1: error config-type: narration must "
                                        "be a table [narration]")


def test_the_error_carries_the_line_for_programs(tmp_path):
    make_project(tmp_path, {}, config=HEAD + "\n\n[narration]\nloudness = 0\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.location.path == "accesspub.toml"
    assert caught.value.location.line == 8
    assert caught.value.exit_code == 2


# -- where keys are written ---------------------------------------------------------------

LINES = """\
# a comment = not a key
title = "top"
[narration]   # a comment
engine = "piper"
pauses.sentence = 0.3
"quoted key" = 1
notes = \"\"\"
fake = 1
[not.a.table]
\"\"\"
list = [
  [1, 2],
  { jobs = 1 },
]
jobs = 2

[narration.languages]
az = { engine = "pipr", voice = "x" }
'fr' = "gtts"

[ engine . piper ]
model = "m"
[[podcast.people]]
name = "n"
"""


@pytest.mark.parametrize("key, line", [
    ("title", 2), ("narration", 3), ("narration.engine", 4), ("narration.pauses.sentence", 5),
    ("narration.pauses.chapter", 5), ("narration.quoted key", 6), ("narration.notes", 7),
    ("narration.list", 11), ("narration.jobs", 15), ("narration.voice", 3),
    ("narration.languages.az.voice", 18), ("narration.languages.fr", 19),
    ("narration.languages.de", 17), ("engine.piper.model", 22), ("engine.piper.speaker", 21),
    ("podcast.people.name", 24), ("project.output", None), ("fake", None), ("not", None),
])
def test_config_lines_find_keys_in_their_table(key, line):
    tomllib.loads(LINES)                    # the locator only ever sees valid TOML
    assert ConfigLines(LINES).line(key) == line


# -- the hostile configuration files --------------------------------------------------------

MANIFEST = tomllib.loads((HOSTILE / "MANIFEST.toml").read_text(encoding="utf-8"))
CONFIG_CASES = {case["file"]: case for case in MANIFEST["case"]
                if case["file"].startswith("config-")}


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_hostile_config(tmp_path, name):
    case = CONFIG_CASES[name]
    root = make_project(tmp_path, {"content/a.md": GOOD})
    (root / "accesspub.toml").write_bytes((HOSTILE / name).read_bytes())
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    result = run(root, *case["command"].split())
    assert result.exit_code == case["exit"], result.output
    assert f"accesspub.toml:{case['line']}: error {case['code']}:" in result.output, \
        result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    after = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert [p for p in after if p not in before and "accesspub.lock" not in p] == []


def test_config_location_for_errors_found_after_loading(tmp_path):
    from accesspub.config import config_location
    make_project(tmp_path, {}, config=HEAD + '[podcast]\ntitle = "T"\nimage = "x.png"\n')
    assert str(config_location(tmp_path, "podcast.image")) == "accesspub.toml:7"
    assert str(config_location(tmp_path / "none", "podcast.image")) == "accesspub.toml"
