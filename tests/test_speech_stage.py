"""The speech stage on a hand-built Publication: language groups, notes, images, lexicon."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from accesspub.config import Config, Narration, VoiceChoice
from accesspub.errors import Diagnostics
from accesspub.model import (Block, Chapter, Mark, Metadata, Publication, Run, Section,
                             Sentence, SourceLocation, SpokenPart)
from accesspub.speech import apply_speech, map_sentences, speech_differences
from accesspub.speech.lexicon import PLS_NS, parse_lexicon

WHERE = SourceLocation("content/release.md", 1)


def sentence(sid: str, *runs: Run, lang: str = "en", role: str = "text") -> Sentence:
    return Sentence(id=sid, runs=runs, lang=lang, location=WHERE, role=role)


def run(text: str, lang: str = "en", kind: str = "text", marks=()) -> Run:
    return Run(text=text, lang=lang, marks=marks, kind=kind)


def publication(*sentences: Sentence, notes: tuple[Sentence, ...] = ()) -> Publication:
    heading = Block("b1", "heading", "en", WHERE, sentences=(sentences[0],), level=2)
    para = Block("b2", "paragraph", "en", WHERE, sentences=sentences[1:2])
    item = Block("b4", "list_item", "en", WHERE, sentences=sentences[2:])
    lst = Block("b3", "list", "en", WHERE, children=(item,))
    child = Section("s2", 3, None, (lst,), (), WHERE)
    root = Section("s1", 2, heading, (para,), (child,), WHERE)
    note_block = Block("n1", "footnotes", "en", WHERE, sentences=notes) if notes else None
    chapter = Chapter("c01", 1, "01-press-release", root, "en", notes=note_block)
    meta = Metadata(identifier="urn:uuid:0", title="T", lang="en", date=dt.date(2020, 1, 20),
                    modified=dt.datetime(2020, 1, 20, tzinfo=dt.timezone.utc))
    return Publication("black-january-2020", meta, (chapter,), (), WHERE)


def config(**narration) -> Config:
    root = Path("/tmp/project")
    return Config(root=root, content_dir=root / "content", output_dir=root / "build",
                  cache_dir=root / ".cache", narration=Narration(**narration))


def spoken(pub: Publication) -> dict[str, tuple[SpokenPart, ...]]:
    return {s.id: s.spoken for s in pub.iter_sentences()}


def test_every_sentence_is_filled_and_the_input_is_untouched() -> None:
    pub = publication(sentence("s1", run("PRESS RELEASE")),
                      sentence("s2", run("26 000 troops attacked in 1990.")),
                      sentence("s3", run("TEL: (+387 33) 695 801")))
    out = apply_speech(pub, config(), Diagnostics())
    assert spoken(out) == {
        "s1": (SpokenPart("press release", "en"),),
        "s2": (SpokenPart("twenty-six thousand troops attacked in nineteen ninety.", "en"),),
        "s3": (SpokenPart("telephone: plus three eight seven, three three, six nine five, "
                          "eight zero one", "en"),),
    }
    assert all(s.spoken == () for s in pub.iter_sentences())
    assert out.meta is pub.meta and out.chapters[0].slug == pub.chapters[0].slug


def test_runs_are_joined_before_normalising() -> None:
    sup = (Mark("sup"),)
    pub = publication(sentence("s1", run("30", marks=(Mark("strong"),)),
                               run("th", marks=sup), run(" Anniversary")),
                      sentence("s2", run("x")), sentence("s3", run("y")))
    assert spoken(apply_speech(pub, config(), Diagnostics()))["s1"] == (
        SpokenPart("thirtieth Anniversary", "en"),)


def test_language_groups_become_spoken_parts() -> None:
    s = sentence("s1", run("May their souls rest in peace! "), run("Allah rəhmət eləsin!", "az"),
                 run(" In 1990."))
    pub = publication(s, sentence("s2", run("x")), sentence("s3", run("y")))
    diag = Diagnostics()
    out = spoken(apply_speech(pub, config(), diag))["s1"]
    assert out == (SpokenPart("May their souls rest in peace!", "en"),
                   SpokenPart("Allah rəhmət eləsin!", "az"),
                   SpokenPart("In nineteen ninety.", "en"))
    assert [d.code for d in diag.items] == ["speech-no-rules"]


def test_line_break_is_a_space() -> None:
    s = sentence("s1", run("Dzemala Bijedica 305,"), run("\n", kind="break"), run("71210, Ilidza"))
    pub = publication(s, sentence("s2", run("x")), sentence("s3", run("y")))
    assert spoken(apply_speech(pub, config(), Diagnostics()))["s1"][0].text == \
        "Dzemala Bijedica three hundred and five, seven one two one zero, Ilidza"


def test_noterefs_are_read_when_configured() -> None:
    s = sentence("s1", run("Black January"), run("1", kind="noteref"), run(" was a tragedy."))
    pub = publication(s, sentence("s2", run("x")), sentence("s3", run("y")))
    on = spoken(apply_speech(pub, config(read_noterefs=True), Diagnostics()))["s1"]
    off = spoken(apply_speech(pub, config(read_noterefs=False), Diagnostics()))["s1"]
    assert on == (SpokenPart("Black January (note one) was a tragedy.", "en"),)
    assert off == (SpokenPart("Black January was a tragedy.", "en"),)


def test_alt_text_is_announced_as_an_image() -> None:
    alt = sentence("s3", run("Map of Baku, 1990"), role="alt")
    pub = publication(sentence("s1", run("x")), sentence("s2", run("y")), alt)
    assert spoken(apply_speech(pub, config(), Diagnostics()))["s3"] == (
        SpokenPart("Image: Map of Baku, nineteen ninety", "en"),)


def test_alt_text_in_another_language_gets_a_prefix_part() -> None:
    alt = sentence("s3", run("Bakı", "az"), role="alt")
    pub = publication(sentence("s1", run("x")), sentence("s2", run("y")), alt)
    assert spoken(apply_speech(pub, config(), Diagnostics()))["s3"] == (
        SpokenPart("Image:", "en"), SpokenPart("Bakı", "az"))


def test_empty_groups_are_dropped() -> None:
    s = sentence("s1", run("Hello"), run("  ", "az"))
    pub = publication(s, sentence("s2", run("x")), sentence("s3", run("y")))
    assert spoken(apply_speech(pub, config(), Diagnostics()))["s1"] == (SpokenPart("Hello", "en"),)


LEXICON = f"""<lexicon version="1.0" xmlns="{PLS_NS}" alphabet="ipa" xml:lang="en">
  <lexeme><grapheme>Baku</grapheme><phoneme>bɑːˈkuː</phoneme></lexeme>
  <lexeme><grapheme>USSR</grapheme><alias>Soviet Union</alias></lexeme>
  <lexeme><grapheme>1990</grapheme><alias>the year nineteen-ninety</alias></lexeme>
</lexicon>""".encode()


@pytest.mark.parametrize(("engine", "expected"), [
    ("piper", "The Soviet Union attacked [[bɑːˈkuː]] in the year nineteen-ninety."),
    ("gtts", "The Soviet Union attacked Baku in the year nineteen-ninety."),
])
def test_lexicon_is_applied_before_normalisation(engine: str, expected: str) -> None:
    s = sentence("s1", run("The USSR attacked Baku in 1990."))
    pub = publication(s, sentence("s2", run("x")), sentence("s3", run("y")))
    out = apply_speech(pub, config(engine=engine), Diagnostics(), parse_lexicon(LEXICON))
    assert spoken(out)["s1"] == (SpokenPart(expected, "en"),)


def test_phonemes_follow_the_engine_chosen_for_the_language() -> None:
    s = sentence("s1", run("Baku"))
    pub = publication(s, sentence("s2", run("x")), sentence("s3", run("y")))
    cfg = config(engine="piper", languages=(("en", VoiceChoice("gtts")),))
    out = apply_speech(pub, cfg, Diagnostics(), parse_lexicon(LEXICON))
    assert spoken(out)["s1"] == (SpokenPart("Baku", "en"),)


def test_lexicon_of_an_unused_language_is_reported() -> None:
    # Asked of the whole project (lint.lint_project), not of each release.
    from accesspub.speech.lexicon import unused_lexicons
    lex = parse_lexicon(LEXICON.replace(b'xml:lang="en"', b'xml:lang="de"'))
    pub = publication(sentence("s1", run("x")), sentence("s2", run("y")), sentence("s3", run("z")))
    assert unused_lexicons(lex, [pub]) == [lex]
    assert unused_lexicons(parse_lexicon(LEXICON), [pub]) == []


def test_footnotes_are_spoken_too() -> None:
    note = sentence("n1-s1", run("See page 5."))
    pub = publication(sentence("s1", run("x")), sentence("s2", run("y")), sentence("s3", run("z")),
                      notes=(note,))
    out = apply_speech(pub, config(), Diagnostics())
    assert out.chapters[0].notes.sentences[0].spoken == (SpokenPart("See page five.", "en"),)


def test_number_format_comes_from_the_config() -> None:
    s = sentence("s1", run("1.500 and 1,5"))
    pub = publication(s, sentence("s2", run("x")), sentence("s3", run("y")))
    cfg = dataclasses.replace(config(), number_format="de")
    assert spoken(apply_speech(pub, cfg, Diagnostics()))["s1"][0].text == \
        "one thousand five hundred and one point five"


def test_map_sentences_shares_what_it_does_not_change() -> None:
    pub = publication(sentence("s1", run("x")), sentence("s2", run("y")), sentence("s3", run("z")))
    assert map_sentences(pub, lambda s: s) is pub
    out = map_sentences(pub, lambda s: dataclasses.replace(s, id=s.id.upper()))
    assert [s.id for s in out.iter_sentences()] == ["S1", "S2", "S3"]
    assert out.meta is pub.meta


def test_speech_differences_lists_what_a_person_should_proofread() -> None:
    pub = publication(sentence("s1", run("Black January")), sentence("s2", run("In 1990.")),
                      sentence("s3", run("The USSR")))
    diffs = speech_differences(apply_speech(pub, config(), Diagnostics()))
    assert [(s.id, text) for s, text in diffs] == [
        ("s2", "In nineteen ninety."), ("s3", "The U S S R")]


def test_table_cells_are_read_with_their_column_header():
    from accesspub.build import BuildOptions, prepare
    from accesspub.config import load_config
    from helpers import REPO
    (publication,), _, _ = prepare(load_config(REPO / "tests" / "projects" / "handbook"),
                                   BuildOptions(audio=False))
    spoken = {s.text: s.spoken_text for s in publication.iter_sentences()}
    assert spoken["yes"] == "Machine readable: yes"
    assert spoken["Best for tables."] == "Notes: Best for tables."
    assert spoken["Format"] == "Format"          # header cells are read as they are
