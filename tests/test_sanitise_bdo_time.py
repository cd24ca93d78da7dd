"""Raw ``<bdo>`` and ``<time>`` that EPUBCheck rejects are repaired with a located warning
(issue 19): a ``<bdo>`` without ``dir="ltr|rtl"`` goes (its text stays), a ``datetime`` that
is not an HTML date, time or duration goes (the element and its text stay), and a ``<time>``
inside a ``<time>`` keeps only its text.  Every value HTML allows and accesspub keeps passes
the real EPUBCheck."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from accesspub.read.htmltime import valid_datetime
from helpers import NS, Epub, make_project

HOSTILE = Path(__file__).parent / "hostile"
VALID = ["2020", "2020-05", "2020-05-01", "05-01", "--02-29", "2020-W53", "2015-W53", "12:30",
         "12:30:15", "12:30:15.5", "2020-05-01T12:30", "2020-05-01 12:30:00.123Z",
         "2020-05-01T12:30+04:00", "2020-05-01T12:30-0330", "PT2H", "P3D", "P1DT2H30M",
         "PT0.5S", "4H 18M 3S", "3S", "1W 2D", "12345-01-01"]
INVALID = ["", "yesterday", "2020-13-01", "2021-02-29", "2020-02-30", "0000", "0000-01-01",
           "20201", "2019-W53", "2020-W00", "24:00", "12:60", "12:30:60", "Z", "+04:00",
           "2020-05-01T12:30+24:00", "P", "PT", "P1DT", "P1Y", "PT2h", "4h 18m", "1H 2H",
           "2020-5-1", "2020-05-01T", "12:30:15.1234", "P1W", "2020-05-01T12:30 +04:00",
           "1" * 100_000 + "-01"]
VALID_RELEASE = "---\ntitle: Valid times\ndate: 2024-01-01\nlanguage: en\n---\n\n" + "\n\n".join(
    f'Item {i}: <time datetime="{value}">at this time</time>, and <bdo dir="rtl">olleh</bdo>.'
    for i, value in enumerate(VALID))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("bdo-time"), {"content/valid-times.md": VALID_RELEASE})
    for name in ("bdo-without-dir.md", "time-invalid-datetime.md"):
        shutil.copy(HOSTILE / name, root / "content" / name)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return root


@pytest.fixture(scope="module")
def epubs(project) -> dict[str, Path]:
    return {slug: project / "build" / slug / f"{slug}.epub"
            for slug in ("bdo-without-dir", "time-invalid-datetime", "valid-times")}


@pytest.fixture(scope="module")
def checked(epubs, epubcheck):
    return epubcheck.many(epubs.values())


@pytest.fixture(scope="module")
def findings(project) -> list[dict]:
    result = CliRunner().invoke(main, ["-C", str(project), "check", "--json"])
    assert result.exit_code == 0, result.output
    return [d for d in json.loads(result.output[result.output.index("["):])
            if d["code"] == "html-invalid"]


def times(doc):
    return doc.xpath(".//x:time[not(ancestor::x:p[@class='date'])]", namespaces=NS)   # not the dateline


def body(epubs, slug):
    book = Epub(epubs[slug])
    return book.xml(book.spine_docs()[-1]).find("x:body", NS)


@pytest.mark.parametrize("slug", ["bdo-without-dir", "time-invalid-datetime", "valid-times"])
def test_epubcheck_accepts(checked, epubs, epubcheck, slug):
    epubcheck.assert_valid(checked[epubs[slug]])


def test_bdo_without_direction_keeps_its_text(epubs, findings):
    doc = body(epubs, "bdo-without-dir")
    text = "".join(doc.itertext())
    for words in ("olleh", "so", "مرحبا", "kept"):
        assert text.count(words) == 1, words
    bdos = doc.findall(".//x:bdo", NS)
    assert [(b.get("dir"), b.text) for b in bdos] == [("rtl", "kept")]
    # the Arabic passage keeps its language on the element that replaced <bdo>
    (arabic,) = [e for e in doc.iter() if e.text == "مرحبا"]
    assert arabic.get("lang") == "ar"
    where = [(d["file"], d["line"], d["level"]) for d in findings if "bdo" in d["message"]]
    assert where == [("content/bdo-without-dir.md", 7, "warning")] * 2 + \
        [("content/bdo-without-dir.md", 9, "warning")]
    assert all(d["hint"] for d in findings)


def test_invalid_datetime_is_removed_and_the_time_kept(epubs, findings):
    doc = body(epubs, "time-invalid-datetime")
    assert [(t.get("datetime"), "".join(t.itertext())) for t in times(doc)] == [
        (None, "yesterday"), (None, "a day that never was"), (None, "late"),
        (None, "four hours"), (None, "Baku"), ("2020", "nested")]
    messages = [(d["line"], d["message"]) for d in findings if d["file"] == "content/time-invalid-datetime.md"]
    assert [line for line, _ in messages] == [7, 7, 9, 9, 9, 9]
    assert "'yesterday'" in messages[0][1] and "inside <time>" in messages[-1][1]


def test_valid_values_are_kept_as_written(epubs):
    doc = body(epubs, "valid-times")
    assert [t.get("datetime") for t in times(doc)] == VALID
    assert len(doc.findall(".//x:bdo[@dir='rtl']", NS)) == len(VALID)


def test_the_grammar():
    assert [v for v in VALID if not valid_datetime(v)] == []
    assert [v[:20] for v in INVALID if valid_datetime(v)] == []
