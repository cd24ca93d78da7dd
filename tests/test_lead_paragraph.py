"""The text before the first heading is the start of the body, not part of the title page:
the "start of content" landmark (bodymatter) points at it, and the narration still speaks
every sentence once, in reading order, with valid Media Overlays."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from helpers import NS, Epub, make_project

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
LEAD = "The mission opened a new office today. Visitors are welcome from Monday."
FRONT = "---\ntitle: Lead test\ndate: 2024-03-01\n---\n\n"
WITH_HEADINGS = FRONT + f"{LEAD}\n\n## First part\n\nText of the first part.\n\n" \
                        "## Second part\n\nText of the second part.\n"
FAKE_VOICE = '[project]\nlanguage = "en"\npublisher = "Test Office"\n\n' \
             '[narration]\nengine = "fake"\n\n[engine.fake]\nms_per_char = 5\n'


def _build(root: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["-C", str(root), "build", "-q", *args])
    assert result.exit_code == 0, result.output
    (epub,) = (root / "build").glob("*/*.epub")
    return epub


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Every EPUB of the module, built before EPUBCheck runs once over all of them."""
    base = tmp_path_factory.mktemp("lead")
    projects = {
        "headings": (WITH_HEADINGS, None, ("--no-audio",)),
        "lead-only": (FRONT + LEAD + "\n", None, ("--no-audio",)),
        "no-lead": (FRONT + "## Only part\n\nSome text.\n", None, ("--no-audio",)),
        "narrated": (WITH_HEADINGS, FAKE_VOICE, ()),
    }
    out = {}
    for name, (text, config, args) in projects.items():
        root = make_project(base / name, {"content/r.md": text},
                            **({"config": config} if config else {}))
        out[name] = _build(root, *args)
    return out


def _landmarks(epub: Epub) -> dict[str, str]:
    nav = epub.xml("EPUB/nav.xhtml")
    (landmarks,) = nav.iterfind(".//x:nav[@epub:type='landmarks']", NS)
    return {a.get(EPUB_TYPE): a.get("href") for a in landmarks.iterfind(".//x:a", NS)}


def _text(node) -> str:
    return " ".join("".join(node.itertext()).split())


@pytest.mark.parametrize("name", ["headings", "lead-only", "narrated"])
def test_bodymatter_landmark_points_at_the_lead(built, name):
    epub = Epub(built[name])
    marks = _landmarks(epub)
    doc_href, _, fragment = marks["bodymatter"].partition("#")
    assert doc_href == marks["titlepage"], marks     # the lead lives in the title's document
    assert fragment, "the landmark must point past the title page, at the lead"
    doc = epub.xml("EPUB/" + doc_href)
    (target,) = doc.iterfind(f".//*[@id='{fragment}']")
    assert _text(target).startswith(LEAD)
    # the title page itself holds the title and the date, not the lead
    (title_page,) = doc.iterfind(".//*[@epub:type='titlepage']", NS)
    assert "Lead test" in _text(title_page) and LEAD not in _text(title_page)
    assert target not in title_page.iter()
    assert target.get(EPUB_TYPE) == "bodymatter"


def test_without_a_lead_the_body_starts_with_the_first_chapter(built):
    epub = Epub(built["no-lead"])
    marks = _landmarks(epub)
    assert "#" not in marks["bodymatter"] and marks["bodymatter"] != marks["titlepage"]
    doc = epub.xml("EPUB/" + marks["bodymatter"])
    assert "Only part" in _text(doc.find(".//x:body", NS))


def test_every_sentence_is_narrated_once_in_reading_order(built):
    epub = Epub(built["narrated"])
    for href in epub.spine_docs():
        doc = epub.xml(href)
        spans = [s.get("id") for s in doc.iter("{http://www.w3.org/1999/xhtml}span")
                 if re.fullmatch(r"c\d+-s\d+", s.get("id") or "")]
        item = next(i for i in epub.manifest().values() if "EPUB/" + i.get("href") == href)
        smil = epub.xml("EPUB/" + epub.manifest()[item.get("media-overlay")].get("href"))
        name = href.rsplit("/", 1)[1]
        spoken = [t.get("src").partition("#")[2] for t in smil.iterfind(".//smil:text", NS)]
        assert spoken == spans, name                # each once, in the text's order
        ids = {e.get("id") for e in doc.iter() if e.get("id")}
        for seq in smil.iterfind(".//smil:seq", NS):
            target = seq.get("{http://www.idpf.org/2007/ops}textref")
            assert target.partition("#")[0] == name and target.partition("#")[2] in ids
    # the lead's sentences are spoken in the title's track, right after the title page
    title_doc = epub.xml(epub.spine_docs()[0])
    assert LEAD.split(".")[0] in _text(title_doc)


def test_epubcheck_clean(built, epubcheck):
    for path, result in epubcheck.many(built.values()).items():
        epubcheck.assert_valid(result)


@pytest.mark.ace
def test_ace_clean(built, ace):
    for name in ("headings", "narrated"):
        result = ace(built[name])
        assert result.ok, result.report()
