"""The sample release as a text-only EPUB: structure, metadata, determinism, EPUBCheck."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from helpers import NS, REPO, XML_LANG, Epub

SLUG = "black-january-2020"


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    shutil.copy(REPO / "accesspub.toml", root / "accesspub.toml")
    shutil.copytree(REPO / "content", root / "content")
    return root


@pytest.fixture(scope="module")
def built(sample_project) -> Epub:
    result = CliRunner().invoke(main, ["-C", str(sample_project), "build", "--no-audio", "-q"])
    assert result.exit_code == 0, result.output
    return Epub(sample_project / "build" / SLUG / f"{SLUG}.epub")


def test_container_and_mimetype(built):
    first = built.zip.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == 0 and first.extra == b""
    assert built.read("mimetype") == b"application/epub+zip"
    container = built.xml("META-INF/container.xml")
    rootfile = container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
    assert rootfile.get("full-path") == "EPUB/package.opf"


def test_every_file_is_in_the_manifest(built):
    hrefs = {"EPUB/" + i.get("href") for i in built.manifest().values()}
    names = {n for n in built.zip.namelist() if n not in ("mimetype", "EPUB/package.opf")
             and not n.startswith("META-INF/")}
    assert names == hrefs


def test_dublin_core_metadata(built):
    opf = built.opf
    assert opf.get(XML_LANG) == "en"
    identifier = built.dc("identifier")[0]
    assert identifier.startswith("urn:uuid:") and uuid.UUID(identifier[9:])
    assert built.dc("title") == ["30th Anniversary of the Black January"]
    assert built.dc("language") == ["en", "az"]
    assert built.dc("date") == ["2020-01-20"]          # inferred from the dateline
    assert "Diplomatic Mission" in built.dc("publisher")[0]
    assert built.meta("dcterms:modified") == ["2020-01-20T00:00:00Z"]
    assert "Black January" in built.dc("subject")


def test_accessibility_metadata_is_exact_and_honest(built):
    assert built.meta("schema:accessMode") == ["textual"]
    assert built.meta("schema:accessModeSufficient") == ["textual"]
    features = set(built.meta("schema:accessibilityFeature"))
    assert {"tableOfContents", "readingOrder", "structuralNavigation"} <= features
    # no narration, no images, no lexicon in a text-only build: nothing of that is claimed
    assert not features & {"synchronizedAudioText", "alternativeText", "ttsMarkup",
                           "pageNavigation", "pageBreakMarkers"}
    assert built.meta("schema:accessibilityHazard") == ["none"]
    assert len(built.meta("schema:accessibilitySummary")) == 1
    assert built.meta("dcterms:conformsTo") == []        # no evaluator configured


def _headings(built: Epub) -> list[tuple[str, int, str]]:
    out = []
    for doc in built.spine_docs():
        root = built.xml(doc)
        for h in root.iter(*(f"{{{NS['x']}}}h{n}" for n in range(1, 7))):
            out.append((doc, int(h.tag[-1]), "".join(h.itertext())))
    return out


def test_one_heading_hierarchy(built):
    headings = _headings(built)
    levels = [level for _, level, _ in headings]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    assert [(l, t) for _, l, t in headings] == [
        (1, "30th Anniversary of the Black January"),
        (2, "Diplomatic Mission of the Republic of Azerbaijan in Bosnia and Herzegovina"),
        (3, "PRESS RELEASE"),
        (4, "30th Anniversary of the Black January"),
    ]
    for doc in built.spine_docs():      # a file's first heading is its highest rank
        file_levels = [l for d, l, _ in headings if d == doc]
        assert file_levels[0] == min(file_levels)


def test_sections_are_labelled_by_their_headings(built):
    for doc in built.spine_docs():
        root = built.xml(doc)
        for section in root.iter(f"{{{NS['x']}}}section"):
            label = section.get("aria-labelledby")
            assert label, f"unlabelled section in {doc}"
            heading = root.find(f".//*[@id='{label}']")
            assert heading is not None and re.fullmatch(r"h[1-6]", etree_local(heading))
        chapter = root.find(".//x:section[@epub:type='chapter']", NS)
        if chapter is not None:
            assert chapter.get("role") == "doc-chapter"
        assert root.find(".//x:body", NS).get("role") is None


def etree_local(node) -> str:
    return node.tag.split("}")[1]


def test_language_of_every_document_and_part(built):
    for doc in built.spine_docs() + ["EPUB/nav.xhtml"]:
        root = built.xml(doc)
        assert root.get("lang") == root.get(XML_LANG) == "en"
        assert root.findtext("x:head/x:title", namespaces=NS).strip()
    last = built.xml(built.spine_docs()[-1])
    az = [e for e in last.iter() if e.get("lang") == "az"]
    assert len(az) == 1 and az[0].get(XML_LANG) == "az"
    assert "".join(az[0].itertext()) == "Allah rəhmət eləsin!"


def test_sentences_are_spans_with_stable_ids(built):
    ids, texts = [], []
    for doc in built.spine_docs():
        for span in built.xml(doc).iterfind(".//x:span[@id]", NS):
            ids.append(span.get("id"))
            texts.append("".join(span.itertext()))
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"c\d\d-s\d{4}", i) for i in ids)
    # numbers and abbreviations do not split sentences
    assert any("26 000 Soviet troops" in t and t.endswith("demanding freedom.") for t in texts)
    assert any("more than 250.000 Azerbaijanis from Armenia in 1988-1989." in t for t in texts)
    assert "20.01.2020" in texts


def test_nav_has_nested_toc_and_landmarks(built):
    nav = built.xml("EPUB/nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    assert toc.get("role") == "doc-toc"
    top = toc.findall("x:ol/x:li", NS)
    labels = [li.findtext("x:a", namespaces=NS) for li in top]
    assert labels[0] == "30th Anniversary of the Black January"
    mission = top[1]
    nested = mission.findall(".//x:li/x:a", NS)
    assert [a.text for a in nested] == ["PRESS RELEASE", "30th Anniversary of the Black January"]
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    types = [a.get(f"{{{NS['epub']}}}type") for a in landmarks.iterfind(".//x:a", NS)]
    assert "bodymatter" in types
    for a in toc.iterfind(".//x:a", NS):           # every link resolves
        doc, _, frag = a.get("href").partition("#")
        root = built.xml("EPUB/" + doc)
        assert not frag or root.find(f".//*[@id='{frag}']") is not None


def test_build_is_byte_identical(sample_project, built, tmp_path):
    first = built.path.read_bytes()
    result = CliRunner().invoke(main, ["-C", str(sample_project), "build", "--no-audio", "-q"])
    assert result.exit_code == 0, result.output
    assert built.path.read_bytes() == first


def test_epubcheck_is_clean(built, epubcheck):
    report = epubcheck([built.path])[built.path]
    assert report.errors == 0 and report.warnings == 0, report.messages
