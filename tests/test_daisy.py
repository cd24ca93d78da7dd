"""DAISY 2.02: the narrated sample and handbook pass the DP2 checks (accesspub.testing.
daisy202) and open in daisy-dtb with every clip reachable; releases without subheadings,
with footnotes and tables, and with a passage in another language give valid books too;
every format names the same sections at the same times."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from accesspub.testing.daisy202 import check_daisy202, errors
from formats_helpers import daisy_dtb, epub_starts, lpf_starts, ncc_starts, text_lang
from helpers import make_project

FAKE = """
[project]
language = "en"
publisher = "Test Office"

[narration]
engine = "fake"

[engine.fake]
ms_per_char = 5
"""
RELEASES = {
    "no-subheadings": "---\ntitle: Short notice\ndate: 2024-05-01\n---\n\n"
                      "The office is closed on Monday. It opens again on Tuesday.\n",
    "notes-tables": "---\ntitle: Figures\ndate: 2024-05-01\n---\n\n## Results\n\n"
                    "The numbers rose.[^1]\n\n| Year | Count |\n|---|---|\n| 2023 | 10 |\n"
                    "| 2024 | 12 |\n\n### Method\n\nWe counted twice.[^2]\n\n"
                    "[^1]: Counted in May.\n[^2]: By two people.\n",
    "other-language": "---\ntitle: Greetings\ndate: 2024-05-01\n---\n\n## Words\n\n"
                      "The guests said [Guten Morgen, liebe Freunde!]{lang=de} at the door.\n\n"
                      "They answered: [Bonjour à tous, merci d'être venus.]{lang=fr}\n",
}


@pytest.fixture(scope="module")
def fake_books(tmp_path_factory) -> dict[str, Path]:
    books = {}
    for slug, text in RELEASES.items():
        root = make_project(tmp_path_factory.mktemp(slug), {f"content/{slug}.md": text}, FAKE)
        result = CliRunner().invoke(main, ["-C", str(root), "build", "-q"])
        assert result.exit_code == 0, result.output
        books[slug] = root / "build" / slug
    return books


def assert_valid(folder: Path) -> None:
    found = check_daisy202(folder)
    assert not errors(found), "\n".join(map(str, found))
    assert not found, "\n".join(map(str, found))       # no warning either


@pytest.mark.parametrize("slug", sorted(RELEASES))
def test_fake_releases_give_valid_daisy(fake_books, slug):
    assert_valid(fake_books[slug] / "daisy")


def test_other_language_is_marked_in_the_content(fake_books):
    langs = text_lang(fake_books["other-language"] / "daisy")
    html = (fake_books["other-language"] / "daisy")
    text = "".join(p.read_text(encoding="utf-8") for p in html.glob("0*.html"))
    assert 'lang="de" xml:lang="de">Guten Morgen' in text
    assert 'lang="fr" xml:lang="fr">Bonjour' in text
    assert set(langs.values()) == {"en"}      # the document and its sentences stay English


def test_no_subheadings_has_one_ncc_item(fake_books):
    starts = ncc_starts(fake_books["no-subheadings"] / "daisy")
    assert [title for title, _ in starts] == ["Short notice"]


def test_zip_holds_the_folder_and_is_repeatable(fake_books, tmp_path):
    out = fake_books["notes-tables"]
    folder = out / "daisy"
    with zipfile.ZipFile(out / "notes-tables.daisy.zip") as zf:
        assert zf.namelist()[0] == "ncc.html"
        assert sorted(zf.namelist()) == sorted(p.relative_to(folder).as_posix()
                                               for p in folder.rglob("*") if p.is_file())
        for name in zf.namelist():
            assert zf.read(name) == (folder / name).read_bytes()
            assert zf.getinfo(name).date_time == (2024, 5, 1, 0, 0, 0)


def test_daisy_dtb_reaches_every_clip(fake_books):
    dtb = daisy_dtb()
    folder = fake_books["notes-tables"] / "daisy"
    for source in (dtb.FolderDtbSource(str(folder)),
                   dtb.ZipDtbSource(str(folder.parent / "notes-tables.daisy.zip"))):
        book = dtb.DaisyBook(source)
        assert book.title == "Figures"
        assert [e.text for e in book.toc_entries] == [t for t, _ in ncc_starts(folder)]
        clips = {(c.src, c.begin) for e in book.toc_entries for s in e.sections for c in s.clips}
        pars = sum(p.read_text(encoding="utf-8").count("<par ") for p in folder.glob("*.smil"))
        assert len(clips) == pars
        assert all(c.get_sound() for e in book.toc_entries for s in e.sections for c in s.clips)


def test_validator_catches_broken_books(fake_books, tmp_path):
    import shutil
    book = tmp_path / "book"
    shutil.copytree(fake_books["notes-tables"] / "daisy", book)
    smil = next(book.glob("02-*.smil"))
    text = smil.read_text(encoding="utf-8")
    smil.write_text(text.replace('endsync="last" ', "", 1).replace(
        'content="Daisy 2.02"', 'content="Daisy 3"', 1), encoding="utf-8")
    (book / "notes.json").write_text("{}", encoding="utf-8")
    messages = "\n".join(str(f) for f in errors(check_daisy202(book, audio=False)))
    assert 'needs endsync="last"' in messages
    assert 'dc:format must be "Daisy 2.02"' in messages
    assert "file type not allowed" in messages


# --- real Piper --------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", ["sample", "handbook"])
def test_narrated_daisy_is_valid_and_reads_back(narrated, name):
    build = narrated[name]
    folder = build.out / "daisy"
    assert_valid(folder)
    dtb = daisy_dtb()
    book = dtb.DaisyBook(dtb.FolderDtbSource(str(folder)))
    assert [e.text for e in book.toc_entries] == [t for t, _ in ncc_starts(folder)]
    assert all(s.clips for e in book.toc_entries for s in e.sections)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sample", "handbook"])
def test_every_format_names_the_same_sections_at_the_same_times(narrated, name):
    from mutagen.mp4 import MP4
    build = narrated[name]
    ncc = ncc_starts(build.out / "daisy")
    lpf = lpf_starts(build.out / f"{build.slug}.lpf")
    epub = epub_starts(build.epub)
    assert [t for t, _ in ncc] == [t for t, _ in lpf] == [t for t, _ in epub]
    for (_, a), (_, b), (_, c) in zip(ncc, lpf, epub):
        assert abs(a - b) <= 0.05 and abs(a - c) <= 0.05, (ncc, lpf, epub)
    # the M4B has one chapter per track: the NCC items that start a SMIL file
    chapters = [(c.title, c.start) for c in MP4(build.out / f"{build.slug}.m4b").chapters]
    firsts = [(t, s) for (t, s), link in zip(ncc, _ncc_links(build.out / "daisy"))
              if link.endswith(_first_par(build.out / "daisy", link))]
    assert [t for t, _ in chapters] == [t for t, _ in firsts]
    for (_, a), (_, b) in zip(chapters, firsts):
        assert abs(a - b) <= 0.05


def _ncc_links(folder: Path) -> list[str]:
    from helpers import parse_strict
    ncc = parse_strict((folder / "ncc.html").read_bytes())
    return [a.get("href") for a in ncc.iter("{http://www.w3.org/1999/xhtml}a")]


def _first_par(folder: Path, link: str) -> str:
    from helpers import parse_strict
    smil = parse_strict((folder / link.partition("#")[0]).read_bytes())
    return "#" + smil.xpath("//par/@id")[0]


def test_no_audio_keeps_the_listening_formats(fake_books):
    out = fake_books["no-subheadings"]
    root = out.parent.parent
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*")
              if p.is_file() and p.suffix in (".zip", ".m4b", ".lpf", ".html", ".smil", ".mp3")
              and p.name != "index.html"}
    assert any(p.parts[0] == "daisy" for p in before) and len(before) > 5
    result = CliRunner().invoke(main, ["-C", str(root), "build", "-q", "--no-audio"])
    assert result.exit_code == 0, result.output
    for name, data in before.items():
        assert (out / name).read_bytes() == data, name
    assert_valid(out / "daisy")


def test_outputs_choose_the_formats(tmp_path):
    root = make_project(tmp_path / "p", {"content/n.md": RELEASES["no-subheadings"]},
                        FAKE + '\n[outputs]\nformats = ["m4b"]\n')
    result = CliRunner().invoke(main, ["-C", str(root), "build", "-q"])
    assert result.exit_code == 0, result.output
    made = {p.name for p in (root / "build" / "n").iterdir()}
    assert "n.m4b" in made and "daisy" not in made and "n.lpf" not in made
    (root / "accesspub.toml").write_text(FAKE + '\n[outputs]\nformats = ["daisy3"]\n')
    result = CliRunner().invoke(main, ["-C", str(root), "build", "-q"])
    assert result.exit_code == 2
    assert "accesspub.toml:" in result.output and "config-value" in result.output
    assert "Traceback" not in result.output
