"""A header cell without text (the corner above row headers, a CMS's ``<th>&nbsp;</th>``)
is written as a data cell (issue 19): Ace reports an empty ``th`` (``empty-table-header``),
and a cell that names nothing is no header.  The tables keep their shape and every text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from accesspub.cli import main
from helpers import NS, Epub, make_project

HOSTILE = Path(__file__).parent / "hostile" / "table-empty-header.md"
SLUG = "table-empty-header"


@pytest.fixture(scope="module")
def epub(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("empty-th"), {})
    (root / "content").mkdir()
    shutil.copy(HOSTILE, root / "content" / HOSTILE.name)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q"])
    assert result.exit_code == 0, result.output
    return root / "build" / SLUG / f"{SLUG}.epub"


def cells(epub: Path) -> list[list[list[tuple[str, str]]]]:
    """Each table: its rows, each a list of (tag, text) for its cells."""
    book = Epub(epub)
    doc = book.xml(book.spine_docs()[-1])
    return [[[(etree.QName(c).localname, "".join(c.itertext())) for c in tr]
             for tr in table.iterfind(".//x:tr", NS)] for table in doc.iterfind(".//x:table", NS)]


def test_empty_header_cells_become_data_cells(epub):
    markdown, html, promoted = cells(epub)
    assert markdown == [[("td", ""), ("th", "2022"), ("th", "2023")],
                        [("td", "Travel"), ("td", "1 200"), ("td", "1 500")],
                        [("td", "Rent"), ("td", "9 000"), ("td", "9 100")]]
    assert html == [[("td", ""), ("th", "Q1"), ("td", ""), ("th", "Q3")],
                    [("th", "Travel"), ("td", "300"), ("td", "310"), ("td", "320")],
                    [("td", ""), ("td", "400"), ("td", "410"), ("td", "420")]]
    assert promoted == [[("td", ""), ("th", "North"), ("th", "South")],
                        [("td", "Staff"), ("td", "12"), ("td", "14")]]


def test_no_header_cell_is_empty_and_td_has_no_scope(epub):
    book = Epub(epub)
    for doc in book.spine_docs():
        root = book.xml(doc)
        assert not [th for th in root.iterfind(".//x:th", NS) if not "".join(th.itertext()).strip()]
        assert root.find(".//x:td[@scope]", NS) is None


def test_epubcheck_accepts(epub, epubcheck):
    epubcheck.assert_valid(epubcheck.one(epub))


@pytest.mark.ace
def test_ace_finds_no_violation(epub, ace, output_dir):
    result = ace(epub, output_dir / "ace" / "table-empty-header")
    assert "empty-table-header" not in result.rules()
    assert result.ok, result.summary()
