"""Raw HTML as content management systems write it (issue 8): sanitised with nh3 and turned
into accessible structure, valid for EPUBCheck and Ace."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from helpers import NS, Epub, make_project

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")
HEAD = "---\ntitle: CMS page\ndate: 2024-01-01\nlanguage: en\n---\n\n"

TABLE = """\
Budget by year.

<table style="width:100%" class="wp-table" border="1">
<tbody>
<tr style="background:#eee">
<th scope="col" style="text-align:left">Year</th>
<th scope="col">Spent&nbsp;(€)</th>
<th scope="col">Notes</th>
</tr>
<tr>
<th scope="row">2022</th>
<td style="color:red">1&nbsp;200</td>

<td>First line<br>second line</td>
</tr>
<tr>
<th scope="row">2023</th>
<td>1&nbsp;500</td>
<td><span style="font-weight:bold">Up</span> &amp; rising</td>
</tr>
</tbody>
</table>
<caption>Spending per year</caption>

After the table.
"""

BOLD_TABLE = """\
<table>
<tr><td><strong>Name</strong></td><td><strong>Role</strong></td><td><b>Office</b></td></tr>
<tr><td>Ana</td><td>Editor</td><td>Baku</td></tr>
<tr><td>Omar</td><td>Writer</td><td>Ganja</td></tr>
</table>
"""

DETAILS = """\
<details>
<summary>How we counted</summary>
<p>We counted every <em>visit</em>.</p>
<ul><li>Once</li><li>Twice</li></ul>
</details>
"""

FIGURE = """\
<figure class="wp-block-image"><img src="dot.png" alt="A red dot" width="100" style="border:0"><figcaption>The dot, <em>enlarged</em></figcaption></figure>

<h2 style="color:blue">A real heading</h2>

<p>Text under it.<script>alert(1)</script></p>
<style>.x { color: red }</style>
<div onclick="go()"><p>Kept&#8217;s text</p><iframe src="https://example.org"></iframe></div>
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("cms")
    make_project(root, {"content/table.md": HEAD + TABLE, "content/bold.md": HEAD + BOLD_TABLE,
                        "content/details.md": HEAD + DETAILS, "content/figure.md": HEAD + FIGURE,
                        "content/dot.png": PNG})
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio"])
    assert result.exit_code == 0, result.output
    books = {name: Epub(root / "build" / name / f"{name}.epub")
             for name in ("table", "bold", "details", "figure")}
    return result.output, books


@pytest.fixture(scope="module")
def checked(built, epubcheck):
    return epubcheck.many([b.path for b in built[1].values()])


def docs(book: Epub):
    return [book.xml(d) for d in book.spine_docs()]


def text_of(book: Epub) -> str:
    return "".join(book.read(d).decode() for d in book.spine_docs())


def test_table_is_accessible(built):
    book = built[1]["table"]
    tables = [t for root in docs(book) for t in root.iterfind(".//x:table", NS)]
    assert len(tables) == 1
    table = tables[0]
    assert "".join(table.find("x:caption", NS).itertext()) == "Spending per year"
    heads = table.findall("x:thead/x:tr/x:th", NS)
    assert [h.get("scope") for h in heads] == ["col"] * 3
    assert "".join(heads[1].itertext()) == "Spent\u00a0(€)"
    rows = table.findall("x:tbody/x:tr", NS)
    assert [r.find("x:th", NS).get("scope") for r in rows] == ["row", "row"]
    assert rows[0].find(".//x:br", NS) is not None              # <br> in a cell is kept
    assert "Up & rising" in "".join(rows[1].itertext())
    raw = text_of(book)
    assert "style=" not in raw and "wp-table" not in raw and "border=" not in raw
    assert "After the table." in raw


def test_bold_first_row_becomes_header(built):
    output, books = built
    table = next(t for root in docs(books["bold"]) for t in root.iterfind(".//x:table", NS))
    assert ["".join(th.itertext()) for th in table.findall("x:thead/x:tr/x:th", NS)] == [
        "Name", "Role", "Office"]
    assert "notice table-header-promoted" in output or "table-header-promoted" in output


def test_details_summary_shown(built):
    raw = text_of(built[1]["details"])
    assert "<details" not in raw and "How we counted" in raw
    root = docs(built[1]["details"])[0]
    label = [p for p in root.iterfind(".//x:p", NS) if "How we counted" in "".join(p.itertext())]
    assert label and label[0].find(".//x:strong", NS) is not None
    assert len(root.findall(".//x:ul/x:li", NS)) == 2 and "visit" in raw


def test_figure_heading_and_dropped_scripts(built):
    output, books = built
    book = books["figure"]
    raw = text_of(book)
    for bad in ("script", "alert", "<style", "color", "onclick", "iframe", "example.org"):
        assert bad not in raw, bad
    figure = next(f for root in docs(book) for f in root.iterfind(".//x:figure", NS))
    assert figure.find("x:img", NS).get("alt") == "A red dot"
    assert "".join(figure.find("x:figcaption", NS).itertext()) == "The dot, enlarged"
    titles = [d.findtext("x:head/x:title", namespaces=NS) for d in docs(book)]
    assert any(t.startswith("A real heading") for t in titles)       # a chapter of the outline
    assert "Kept’s text" in raw and "Text under it." in raw
    assert "warning html-unsafe" in output


def test_epubcheck_clean(built, checked, epubcheck):
    for book in built[1].values():
        epubcheck.assert_valid(checked[book.path])


@pytest.mark.ace
def test_ace_clean(built, ace, output_dir):
    for name, book in built[1].items():
        result = ace(book.path, output_dir / "cms-html-ace" / name)
        assert result.ok, f"{name}: " + "\n".join(str(v) for v in result.violations)
