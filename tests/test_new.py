"""accesspub new DIR: a ready project that builds, checks clean and validates at once."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub import config as config_module
from accesspub.cli import main
from accesspub.commands.new import create_project
from accesspub.speech.lexicon import load_lexicon
from helpers import Epub


def accesspub(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "accesspub", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("new") / "press"
    done = accesspub("new", str(root))
    assert done.returncode == 0, done.stderr
    assert f"in {root}" in done.stdout
    return root


@pytest.fixture(scope="module")
def built(project) -> Path:
    done = accesspub("-C", str(project), "build", "--no-audio")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return project / "build" / "welcome" / "welcome.epub"


def test_files(project):
    names = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()
                   and "build" not in p.parts and ".accesspub" not in p.name)
    assert names == [".gitignore", "accesspub.toml", "content/images/harbour.png",
                     "content/lexicon.pls", "content/welcome.md"]
    ignored = (project / ".gitignore").read_text().split()
    assert "build/" in ignored and ".accesspub-cache/" in ignored


def test_check_strict_finds_only_the_placeholders(project):
    # What a new project must change before it is published (tests/test_placeholders.py).
    done = accesspub("-C", str(project), "check", "--strict")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "0 error(s), 3 warning(s)" in done.stdout
    assert done.stdout.count(" warning placeholder: ") == 3


def test_builds_a_valid_epub(built, epubcheck):
    epubcheck.assert_valid(epubcheck.one(built))


def test_sample_uses_every_feature(project, built):
    text = (project / "content" / "welcome.md").read_text()
    assert text.startswith("---\n") and "\ntitle:" in text and "\ndate:" in text
    for feature in ("\n## ", "\n- ", "\n1. ", "| ---", "![", "[^lexicon]", "{lang=fr}",
                    "](https://", "\n> "):
        assert feature in text, feature
    epub = Epub(built)
    body = b"".join(epub.read(n) for n in epub.zip.namelist() if n.endswith(".xhtml"))
    for made in (b"<table", b"<th", b"<img", b'lang="fr"', b"<blockquote", b"<ol", b"<ul",
                 b'epub:type="footnote"', b'href="https://www.w3.org/TR/WCAG22/"'):
        assert made in body, made
    assert any(n.endswith(".png") for n in epub.zip.namelist())


def test_lexicon_is_valid_pls_with_an_alias_and_a_phoneme(project):
    lexicon = load_lexicon(project / "content" / "lexicon.pls")
    assert lexicon.lang == "en"
    assert any(e.alias for e in lexicon.entries) and any(e.phoneme for e in lexicon.entries)
    done = accesspub("-C", str(project), "check", "--speech")
    assert "ee pub" in done.stdout                       # the alias is applied


def test_config_explains_every_key(project):
    text = (project / "accesspub.toml").read_text()
    tomllib.loads(text)
    keys = (list(config_module._PROJECT_KEYS) + list(config_module._NARRATION_KEYS)
            + list(config_module._PAUSE_KEYS) + list(config_module._CHECK_KEYS)
            + ["certified_by", "conformance", "summary"])
    for key in keys:
        assert f"{key} =" in text, key
    lines = text.splitlines()
    # every active setting has a comment line just above it (or above its group)
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            assert any(l.startswith("#") for l in lines[max(0, i - 3):i]), line


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["new", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path}: error new-not-empty: {tmp_path} is not empty" in result.output
    assert "hint:" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_an_existing_empty_folder_is_fine(tmp_path):
    files = create_project(tmp_path)
    assert tmp_path / "accesspub.toml" in files
    assert (tmp_path / ".gitignore").is_file()
