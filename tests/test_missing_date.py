"""A release without a date: no date is made up (no 1970-01-01, no SOURCE_DATE_EPOCH as the
publication date) on the title page, in the narration, the EPUB, the site or the feed;
the build warns at the release's first line and stays reproducible."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from mutagen.id3 import ID3

from accesspub.cli import main
from helpers import NS, Epub, make_project

UNDATED = "---\ntitle: Undated notice\n---\n\nThe office is open. Come and see us.\n\n" \
          "## Details\n\nThe reading room has new books.\n"
CONFIG = """
[project]
language = "en"
publisher = "Test Office"
base_url = "https://example.org/press/"

[narration]
engine = "fake"

[engine.fake]
ms_per_char = 5

[podcast]
title = "Test Office releases"
description = "Releases of the Test Office."
owner_email = "press@example.org"
"""
EPOCH = "1700000000"            # 2023-11-14T22:13:20Z


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args])


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("undated"), {"content/undated.md": UNDATED},
                        config=CONFIG)
    result = run(root, "build")
    assert result.exit_code == 0, result.output
    return root


def _files(out: Path) -> dict[str, bytes]:
    """Every text output of the release, EPUB entries included."""
    files = {}
    for path in sorted(out.rglob("*")):
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as z:
                files.update({f"{path.name}!{n}": z.read(n) for n in z.namelist()})
        elif path.is_file() and path.suffix not in (".mp3", ".png", ".jpg"):
            files[str(path.relative_to(out))] = path.read_bytes()
    return files


def test_warning_located_with_hint(project):
    for args in (["check"], ["build", "--no-audio"]):
        result = run(project, *args)
        assert result.exit_code == 0, result.output
        assert "content/undated.md:1: warning meta-date-missing:" in result.output, result.output
        assert "hint: add 'date: YYYY-MM-DD'" in result.output and "dateline" in result.output
        assert "Traceback" not in result.output
    assert run(project, "check", "--strict").exit_code == 1


def test_no_date_is_made_up_anywhere(project):
    assert run(project, "build").exit_code == 0
    build = project / "build"
    files = _files(build)
    assert any(name.endswith("01-title.xhtml") for name in files)
    for name, data in files.items():
        text = data.decode("utf-8", "replace")
        if name.endswith("package.opf"):
            # dcterms:modified is required: with no date and no SOURCE_DATE_EPOCH it is the
            # Unix epoch; it is the only place the year 1970 may appear.
            text = text.replace('<meta property="dcterms:modified">1970-01-01T00:00:00Z</meta>', "")
        assert "1970" not in text and "January 1, 1970" not in text, name
    epub = Epub(build / "undated" / "undated.epub")
    assert epub.dc("date") == []
    title = epub.xml("EPUB/01-title.xhtml")
    assert title.find(".//x:time", NS) is None
    assert title.find(".//x:p[@class='date']", NS) is None
    # the narration: the title's track speaks no date, the MP3s carry no recording date
    transcript = (build / "undated" / "undated.txt").read_text(encoding="utf-8")
    assert "1970" not in transcript and "The office is open." in transcript
    for mp3 in (build / "undated").rglob("*.mp3"):
        assert not ID3(mp3).getall("TDRC"), mp3.name
    # the feed: the episode is there, without a made-up pubDate
    feed = etree.fromstring((build / "feed.xml").read_bytes())
    (item,) = feed.iterfind("channel/item")
    assert item.find("pubDate") is None and item.findtext("title") == "Undated notice"
    site = etree.HTML((build / "index.html").read_bytes())
    assert not site.xpath("//time") and site.xpath("//a[text()='Undated notice']")


def test_source_date_epoch_sets_modified_not_the_date(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert run(project, "build", "--no-audio").exit_code == 0
    epub_path = project / "build" / "undated" / "undated.epub"
    first = epub_path.read_bytes()
    epub = Epub(epub_path)
    assert epub.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]
    assert epub.dc("date") == []
    assert "2023" not in epub.read("EPUB/01-title.xhtml").decode()
    assert run(project, "build", "--no-audio").exit_code == 0
    assert epub_path.read_bytes() == first            # the same input gives the same bytes


def test_undated_epub_passes_epubcheck(project, epubcheck):
    assert run(project, "build", "--no-audio").exit_code == 0
    epubcheck.assert_valid(epubcheck.one(project / "build" / "undated" / "undated.epub"))
