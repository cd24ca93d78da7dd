"""Every EPUB we build opens in ebooklib, an EPUB reader we did not write, with the spine,
navigation and metadata we wrote.

Our own tests read the EPUB with our own assumptions; ebooklib is what Python users open
EPUBs with, so a file it misreads (a nav it cannot find, an OPF it parses differently) is
a file someone's script will misread too.  Text-only builds: the structure is the same with
narration, and these tests must stay fast.
"""

from __future__ import annotations

import posixpath
import shutil
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from helpers import NS, REPO, Epub, make_project

ebooklib = pytest.importorskip("ebooklib")
from ebooklib import epub as ebooklib_epub  # noqa: E402

NESTED = """\
---
title: Städte und Flüsse
date: 2023-11-02
language: de
authors: [Jana Müller, "Élodie Durand"]
keywords: [Geografie]
---

# Städte und Flüsse

Ein kurzer Text über [la Seine]{lang=fr} und den Rhein.

## Der Rhein

Der Rhein fließt durch Basel.

### Basel

Basel liegt am Rhein.

## Die Seine

Die Seine fließt durch Paris.
"""

CHAPTERS = {
    "content/guide/01-start.md": """\
        ---
        title: A Guide in Chapters
        date: 2022-05-01
        authors: [Sam Lee]
        ---

        # Getting started

        The first chapter.

        ## Installing

        Install it.
        """,
    "content/guide/02-more.md": """\
        # Going further

        The second chapter.
        """,
}


def _build(project: Path) -> list[Path]:
    result = CliRunner().invoke(main, ["-C", str(project), "build", "--no-audio", "-q"])
    assert result.exit_code == 0, result.output
    return sorted((project / "build").glob("*/*.epub"))


@pytest.fixture(scope="module")
def epubs(tmp_path_factory) -> dict[str, Path]:
    """slug -> EPUB, for the sample, the handbook and two small projects of our own."""
    built: list[Path] = []
    sample = tmp_path_factory.mktemp("sample")
    shutil.copy(REPO / "accesspub.toml", sample / "accesspub.toml")
    shutil.copytree(REPO / "content", sample / "content")
    built += _build(sample)
    handbook = tmp_path_factory.mktemp("handbook") / "handbook"
    shutil.copytree(REPO / "tests" / "projects" / "handbook", handbook)
    built += _build(handbook)
    built += _build(make_project(tmp_path_factory.mktemp("nested") / "p",
                                 {"content/staedte.md": NESTED},
                                 config='[project]\nlanguage = "de"\npublisher = "Amt"\n'))
    built += _build(make_project(tmp_path_factory.mktemp("chapters") / "p", CHAPTERS))
    found = {path.stem: path for path in built}
    assert set(found) == {"black-january-2020", "handbook", "staedte", "guide"}
    return found


def _open(path: Path) -> ebooklib_epub.EpubBook:
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a file ebooklib warns about is a finding
        return ebooklib_epub.read_epub(str(path), {"ignore_ncx": True})


def _ours(path: Path) -> tuple[Epub, str, str]:
    """Our EPUB, the folder of its OPF inside the zip, and the nav document's path."""
    ours = Epub(path)
    nav = next(item for item in ours.manifest().values()
               if "nav" in (item.get("properties") or "").split())
    return ours, "EPUB", "EPUB/" + nav.get("href")


def _our_toc(ours: Epub, nav_path: str) -> list[tuple[int, str, str]]:
    """(depth, title, href relative to the OPF) of every entry of our nav's toc, in order."""
    nav_dir = posixpath.dirname(nav_path)
    toc = next(n for n in ours.xml(nav_path).iterfind(".//x:nav", NS)
               if n.get("{http://www.idpf.org/2007/ops}type") == "toc")
    entries = []

    def walk(ol, depth):
        for li in ol.iterfind("x:li", NS):
            link = li.find("x:a", NS)
            href = posixpath.relpath(posixpath.normpath(posixpath.join(nav_dir, link.get("href"))),
                                     "EPUB")
            entries.append((depth, "".join(link.itertext()), href))
            sub = li.find("x:ol", NS)
            if sub is not None:
                walk(sub, depth + 1)

    walk(toc.find("x:ol", NS), 0)
    return entries


def _ebooklib_toc(book: ebooklib_epub.EpubBook) -> list[tuple[int, str, str]]:
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, tuple):              # (Section, children)
                section, children = item
                entries.append((depth, section.title, section.href))
                walk(children, depth + 1)
            else:
                entries.append((depth, item.title, item.href))

    walk(book.toc, 0)
    return entries


def test_spine_order_is_ours(epubs):
    for slug, path in epubs.items():
        book = _open(path)
        ours, _, _ = _ours(path)
        theirs = ["EPUB/" + book.get_item_with_id(idref).file_name for idref, _ in book.spine]
        assert theirs == ours.spine_docs(), slug
        assert all(linear == "yes" for _, linear in book.spine), slug


def test_navigation_titles_and_hrefs_are_ours(epubs):
    for slug, path in epubs.items():
        ours, _, nav_path = _ours(path)
        theirs = _ebooklib_toc(_open(path))
        assert theirs == _our_toc(ours, nav_path), slug
        assert theirs, slug
        for _, _, href in theirs:             # every entry lands on a document of the book
            assert ("EPUB/" + href.split("#")[0]) in ours.zip.namelist(), (slug, href)


def test_nested_headings_nest_in_ebooklib(epubs):
    """The title opens the list; sections nest by heading level (h3 under its h2)."""
    toc = _ebooklib_toc(_open(epubs["staedte"]))
    assert [(depth, title) for depth, title, _ in toc] == [
        (0, "Städte und Flüsse"), (0, "Der Rhein"), (1, "Basel"), (0, "Die Seine")]
    assert all("#" in href or href.endswith(".xhtml") for _, _, href in toc)


def _dc(book: ebooklib_epub.EpubBook, name: str) -> list[str]:
    return [value for value, _ in book.get_metadata("DC", name)]


def test_metadata_is_ours(epubs):
    for slug, path in epubs.items():
        book = _open(path)
        ours, _, _ = _ours(path)
        for name in ("title", "language", "identifier", "creator", "date", "publisher",
                     "subject", "rights", "description"):
            assert _dc(book, name) == ours.dc(name), (slug, name)
        metas = book.get_metadata("OPF", "meta")
        for prop in ("dcterms:modified", "schema:accessMode", "schema:accessModeSufficient",
                     "schema:accessibilityFeature", "schema:accessibilitySummary"):
            theirs = [value for value, attrs in metas if attrs.get("property") == prop]
            assert theirs == ours.meta(prop), (slug, prop)
        assert ours.meta("dcterms:modified") and ours.meta("schema:accessMode"), slug


def test_metadata_says_what_the_front_matter_says(epubs):
    book = _open(epubs["staedte"])
    assert _dc(book, "title") == ["Städte und Flüsse"]
    assert _dc(book, "language")[0] == "de" and "fr" in _dc(book, "language")
    assert _dc(book, "creator") == ["Jana Müller", "Élodie Durand"]
    assert _dc(book, "date") == ["2023-11-02"]
    assert _dc(book, "identifier")[0].startswith("urn:uuid:")
    assert book.get_metadata("DC", "identifier")[0][1].get("id") == book.IDENTIFIER_ID

    guide = _open(epubs["guide"])
    assert _dc(guide, "title") == ["A Guide in Chapters"]
    assert _dc(guide, "creator") == ["Sam Lee"]
    assert _dc(guide, "date") == ["2022-05-01"]
    assert [(depth, title) for depth, title, _ in _ebooklib_toc(guide)] == [
        (0, "A Guide in Chapters"), (0, "Getting started"), (1, "Installing"),
        (0, "Going further")]

    handbook = _open(epubs["handbook"])
    assert _dc(handbook, "title") == ["The Open Data Handbook"]
    assert _dc(handbook, "creator") == ["Ana Novak", "Omar Haddad"]
    assert _dc(handbook, "rights") == ["CC BY 4.0"]


def test_every_document_opens_as_html(epubs):
    """ebooklib hands each spine document to readers as HTML; each has our body text."""
    for slug, path in epubs.items():
        book = _open(path)
        for idref, _ in book.spine:
            item = book.get_item_with_id(idref)
            assert item.get_type() == ebooklib.ITEM_DOCUMENT, (slug, item.file_name)
            assert b"<body" in item.get_content(), (slug, item.file_name)
