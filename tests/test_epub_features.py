"""A multi-chapter release with every construct: nested headings, lists, a table, an image,
code, footnotes and a foreign-language span, as a text-only EPUB."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from helpers import NS, REPO, XML_LANG, Epub

EPUB_TYPE = f"{{{NS['epub']}}}type"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Epub:
    root = tmp_path_factory.mktemp("handbook")
    shutil.copytree(REPO / "tests" / "projects" / "handbook", root, dirs_exist_ok=True)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio"])
    assert result.exit_code == 0, result.output
    return Epub(root / "build" / "handbook" / "handbook.epub")


def all_docs(built: Epub):
    return [(doc, built.xml(doc)) for doc in built.spine_docs()]


def test_chapters_follow_the_outline(built):
    titles = [(doc.split("/")[-1], root.findtext("x:head/x:title", namespaces=NS))
              for doc, root in all_docs(built)]
    assert [t.split(" – ")[0] for _, t in titles] == [
        "The Open Data Handbook", "Introduction", "Why it matters", "In practice", "Formats",
        "Checklist"]
    levels = []
    for _, root in all_docs(built):
        levels += [int(h.tag[-1]) for h in root.iter(*(f"{{{NS['x']}}}h{n}" for n in range(1, 7)))]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


def test_table_has_header_cells_with_scope(built):
    tables = [t for _, root in all_docs(built) for t in root.iterfind(".//x:table", NS)]
    assert len(tables) == 1
    headers = tables[0].findall("x:thead/x:tr/x:th", NS)
    assert [h.get("scope") for h in headers] == ["col"] * 3
    assert len(tables[0].findall("x:tbody/x:tr", NS)) == 2


def test_figure_with_alt_text_and_caption(built):
    figures = [f for _, root in all_docs(built) for f in root.iterfind(".//x:figure", NS)]
    assert len(figures) == 1
    img = figures[0].find("x:img", NS)
    assert img.get("alt").startswith("A bar chart of downloads")
    assert img.get("src").startswith("images/") and built.read("EPUB/" + img.get("src"))[:4] == b"\x89PNG"
    assert "".join(figures[0].find("x:figcaption", NS).itertext()) == "Downloads per format in 2023"
    assert "image/png" in {i.get("media-type") for i in built.manifest().values()}
    assert "alternativeText" in built.meta("schema:accessibilityFeature")
    assert built.meta("schema:accessMode") == ["textual", "visual"]
    assert "textual,visual" in built.meta("schema:accessModeSufficient")


def test_footnotes_link_both_ways(built):
    refs = [(doc, a) for doc, root in all_docs(built)
            for a in root.iterfind(".//x:a[@role='doc-noteref']", NS)]
    assert len(refs) == 2 and [a.text for _, a in refs] == ["1", "2"]
    for doc, ref in refs:
        assert ref.get(EPUB_TYPE) == "noteref"
        target_doc, _, fragment = ref.get("href").partition("#")
        note = built.xml("EPUB/" + target_doc).find(f".//*[@id='{fragment}']")
        assert note.get("role") == "doc-footnote" and note.get(EPUB_TYPE) == "footnote"
        back = note.find(".//x:a[@role='doc-backlink']", NS)
        assert back.get("href") == "#" + ref.get("id")
        section = note.getparent()
        assert section.get("role") == "doc-endnotes"


def test_nested_lists_and_quote(built):
    intro = dict(all_docs(built))[built.spine_docs()[2]]
    outer = intro.find(".//x:ul", NS)
    assert len(outer.findall("x:li", NS)) == 3
    assert outer.find("x:li/x:ol", NS) is not None
    assert intro.find(".//x:blockquote/x:p", NS) is not None


def test_foreign_span_and_languages(built):
    spans = [e for _, root in all_docs(built) for e in root.iter() if e.get("lang") == "fr"]
    assert len(spans) == 1 and spans[0].get(XML_LANG) == "fr"
    assert built.dc("language") == ["en", "fr"]


def test_code_block_is_preformatted(built):
    pre = [p for _, root in all_docs(built) for p in root.iterfind(".//x:pre/x:code", NS)]
    assert len(pre) == 1 and "csv,120" in "".join(pre[0].itertext())


def test_metadata_from_front_matter(built):
    assert built.dc("creator") == ["Ana Novak", "Omar Haddad"]
    assert built.dc("date") == ["2024-03-15"]
    assert built.dc("rights") == ["CC BY 4.0"]


def test_epubcheck_is_clean(built, epubcheck):
    result = epubcheck([built.path])[built.path]
    assert result.errors == 0 and result.warnings == 0, result.messages
