"""Ace by DAISY, the reference accessibility checker, finds nothing to report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from helpers import REPO

pytestmark = pytest.mark.ace


def build_text_only(root: Path, source: Path) -> Path:
    shutil.copytree(source, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("build"))
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q"])
    assert result.exit_code == 0, result.output
    return next((root / "build").glob("*/*.epub"))


@pytest.fixture(scope="module")
def sample_epub(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ace-sample")
    shutil.copy(REPO / "accesspub.toml", root / "accesspub.toml")
    shutil.copytree(REPO / "content", root / "content")
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q"])
    assert result.exit_code == 0, result.output
    return root / "build" / "black-january-2020" / "black-january-2020.epub"


@pytest.fixture(scope="module")
def handbook_epub(tmp_path_factory) -> Path:
    return build_text_only(tmp_path_factory.mktemp("ace-handbook"),
                           REPO / "tests" / "projects" / "handbook")


def test_sample_has_no_ace_violations(sample_epub, ace):
    result = ace(sample_epub)
    assert result.ok, result.report()


def test_handbook_has_no_ace_violations(handbook_epub, ace):
    result = ace(handbook_epub)
    assert result.ok, result.report()
