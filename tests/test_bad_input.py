"""Bad input: a clear, located error or warning, a non-zero exit, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from helpers import make_project

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")
GOOD = "---\ntitle: Good\ndate: 2024-01-01\n---\n\nA good release.\n"


def build(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q", *args])


def expect_error(root: Path, where: str, code: str) -> str:
    result = build(root)
    assert result.exit_code == 1, result.output
    assert f"{where}: error {code}:" in result.output, result.output
    assert "Traceback" not in result.output
    assert "hint:" in result.output
    assert not (root / "build").exists(), "nothing may be written when the build fails"
    return result.output


def test_malformed_front_matter(tmp_path):
    root = make_project(tmp_path, {"content/a.md": "---\ntitle: A\ndate: [2024\n---\n\nText.\n"})
    expect_error(root, "content/a.md:3", "front-matter-syntax")


def test_bad_date_in_front_matter(tmp_path):
    root = make_project(tmp_path, {"content/a.md": "---\ntitle: A\ndate: yesterday\n---\n\nText.\n"})
    expect_error(root, "content/a.md:3", "front-matter-date")


def test_malformed_language_tag(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD + "\nSay [hello]{lang=en_GB} now.\n"})
    expect_error(root, "content/a.md:8", "lang-invalid")


def test_unknown_config_key_warns(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD},
                        config="[project]\nlanguage = 'en'\npublsher = 'typo'\n")
    result = build(root)
    assert result.exit_code == 0, result.output
    assert "accesspub.toml:3: warning config-unknown-key: unknown key project.publsher" in result.output
    assert build(root, "--strict").exit_code == 1


def test_config_type_error_exits_2(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD}, config="[project]\nlanguage = 5\n")
    result = build(root)
    assert result.exit_code == 2
    assert "project.language must be text" in result.output


def test_missing_image_warns_and_uses_alt(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD + "\n![A map of Baku](missing.png)\n"})
    result = build(root)
    assert result.exit_code == 0, result.output
    assert "content/a.md:8: warning image-missing: image missing.png not found" in result.output


def test_image_outside_project(tmp_path):
    (tmp_path / "secret.png").write_bytes(PNG)
    root = make_project(tmp_path / "p", {"content/a.md": GOOD + "\n![A secret](../../secret.png)\n"})
    expect_error(root, "content/a.md:8", "image-outside")


def test_image_without_alt(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD + "\n![](dot.png)\n", "content/dot.png": PNG})
    expect_error(root, "content/a.md:8", "a11y-alt-missing")


def test_decorative_image_needs_no_alt(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD + "\n![](dot.png){.decorative}\n",
                                   "content/dot.png": PNG})
    result = build(root)
    assert result.exit_code == 0, result.output


def test_file_that_is_not_an_image(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD + "\n![A dot](dot.png)\n",
                                   "content/dot.png": "not an image"})
    expect_error(root, "content/a.md:8", "image-invalid")


def test_dangerous_raw_html_is_dropped(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD + (
        '\nHello <script>alert(1)</script><b onclick="x()">bold</b> '
        '<a href="javascript:alert(2)">link</a> <iframe src="x"></iframe>end.\n\n'
        '<div onclick="y()"><style>p{}</style>Block text</div>\n')})
    result = build(root)
    assert result.exit_code == 0, result.output
    assert "warning html-unsafe" in result.output
    import zipfile
    epub = zipfile.ZipFile(root / "build" / "a" / "a.epub")
    text = b"".join(epub.read(n) for n in epub.namelist() if n.endswith(".xhtml")).decode()
    for bad in ("script", "alert", "onclick", "javascript", "iframe", "<style", "p{}"):
        assert bad not in text
    assert "<b>bold</b>" in text and "Block text" in text


def test_empty_release(tmp_path):
    root = make_project(tmp_path, {"content/a.md": "---\ntitle: Empty\n---\n\n"})
    expect_error(root, "content/a.md:1", "content-empty")


def test_non_utf8_file(tmp_path):
    root = make_project(tmp_path, {"content/a.md": b"---\ntitle: A\n---\n\nCaf\xe9 au lait.\n"})
    expect_error(root, "content/a.md:5", "content-encoding")


def test_failed_build_keeps_the_previous_build(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD})
    assert build(root).exit_code == 0
    before = (root / "build" / "a" / "a.epub").read_bytes()
    (root / "content" / "a.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    assert build(root).exit_code == 1
    assert (root / "build" / "a" / "a.epub").read_bytes() == before
    assert not list(root.glob(".build-staging*"))


def test_traceback_only_when_asked(tmp_path):
    root = make_project(tmp_path, {"content/a.md": "---\ntitle: [\n---\n"})
    plain = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio"])
    assert "Traceback" not in plain.output
    loud = CliRunner().invoke(main, ["-C", str(root), "--traceback", "build", "--no-audio"])
    assert loud.exit_code == 1 and "Traceback" in loud.output
