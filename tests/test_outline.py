"""Outline problems real posts have (issue 8): each fixed the same way and reported."""

from __future__ import annotations

import zipfile

from click.testing import CliRunner

from accesspub.cli import main
from helpers import make_project

HEAD = "---\ntitle: Outline\ndate: 2024-01-01\nlanguage: en\n---\n\n"     # body from line 7


def check(tmp_path, body: str, front: str = HEAD):
    root = make_project(tmp_path, {"content/a.md": front + body})
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio"])
    assert result.exit_code == 0, result.output
    epub = next((root / "build").glob("*/*.epub"))
    with zipfile.ZipFile(epub) as z:
        xhtml = "".join(z.read(n).decode() for n in sorted(z.namelist()) if n.endswith(".xhtml"))
    return result.output, xhtml


def test_empty_heading_dropped_and_merged(tmp_path):
    output, xhtml = check(tmp_path, "## One\n\nFirst.\n\n##\n\nSecond.\n\n## Two\n\nThird.\n")
    assert "content/a.md:11: warning heading-empty:" in output
    assert "-section.xhtml" not in xhtml          # no chapter without a heading
    one = xhtml.index("One")
    assert one < xhtml.index("First.") < xhtml.index("Second.") < xhtml.index("Two")


def test_heading_in_list_and_quote_is_bold_text(tmp_path):
    output, xhtml = check(tmp_path, "Intro.\n\n* ## In a list\n  text\n\n> ## In a quote\n")
    assert "content/a.md:9: warning heading-nested:" in output
    assert "content/a.md:12: warning heading-nested:" in output
    import re
    assert re.search(r"<li><p><span[^>]*><strong>In a list</strong>", xhtml), xhtml
    assert re.search(r"<blockquote><p><span[^>]*><strong>In a quote</strong>", xhtml), xhtml
    assert not re.search(r"<h\d[^>]*>[^<]*(<span[^>]*>)?In a", xhtml)


def test_duplicate_sibling_headings_reported(tmp_path):
    output, xhtml = check(tmp_path, "## Example\n\nA.\n\n## Example\n\nB.\n\n## Other\n\n### Example\n\nC.\n")
    assert "content/a.md:11: notice heading-duplicate:" in output
    assert output.count("heading-duplicate") == 1          # a child of another parent is fine


def test_empty_block_quote_reported(tmp_path):
    output, _ = check(tmp_path, "Text.\n\n>\n>\n\nMore.\n")
    assert "content/a.md:9: warning quote-empty:" in output


def test_setext_paragraph_and_rule(tmp_path):
    output, xhtml = check(tmp_path, "Intro.\n\nA sentence that goes on,\nand on to its end.\n---\n\n"
                          "Real heading\n============\n\nText.\n")
    assert "content/a.md:9: warning heading-setext:" in output
    assert "<hr" in xhtml and "and on to its end." in xhtml
    assert "Real heading</" in xhtml.replace("</span>", "")


def test_seven_hashes_is_a_deepest_heading(tmp_path):
    output, xhtml = check(tmp_path, "## A\n\n### B\n\n####### Too deep\n\nText.\n")
    assert "content/a.md:11: warning heading-too-deep:" in output
    assert "#######" not in xhtml and "Too deep" in xhtml


def test_no_title_heading_uses_front_matter(tmp_path):
    _, xhtml = check(tmp_path, "Just text.\n")
    assert "<h1" in xhtml and "Outline" in xhtml


def test_front_matter_written_for_other_tools(tmp_path):
    front = ("---\ntitle: 2019\ndate: 2019-03-05 10:00:00 +0000\nlayout: post\n"
             "permalink: /x/\nimage: https://example.org/x.png\nlang: en\n---\n\n")
    output, xhtml = check(tmp_path, "Text.\n", front)
    assert "content/a.md:3: notice front-matter-coerced: date:" in output
    assert "content/a.md:4: notice front-matter-ignored" in output
    assert "content/a.md:5: notice front-matter-ignored" in output
    assert "content/a.md:6: warning image-remote:" in output
    assert "2019" in xhtml and "March 5, 2019" in xhtml


def test_dates_in_other_formats():
    import datetime as dt
    from accesspub.read.sources import coerce_date
    for text in ("March 5, 2019", "5 March 2019", "Mar 5 2019", "2019/03/05",
                 "2019-03-05T10:00:00Z", "Tue, 05 Mar 2019 10:00:00 +0000"):
        assert coerce_date(text) == dt.date(2019, 3, 5), text
    assert coerce_date("yesterday") is None


def test_trailing_footnotes_heading_is_left_out(tmp_path):
    output, xhtml = check(tmp_path, "## Story\n\nText.[^a]\n\n### Footnotes\n\n[^a]: The note.\n")
    assert "content/a.md:11: notice heading-empty-section: heading 'Footnotes'" in output
    assert "Footnotes" not in xhtml and "The note." in xhtml and "doc-endnotes" in xhtml
