"""Captions show a sentence exactly as written (issue 19): "<", ">" and "&" are escaped in
WebVTT cue text, "-->" never ends a payload, and a line break stays a caption line.

The VTT is read back with a strict cue parser written from the WebVTT specification
(https://www.w3.org/TR/webvtt1/#file-structure, #cue-text-parsing-rules): no markup is
accepted, only the character references the specification names.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accesspub.build import BuildOptions, prepare
from accesspub.config import load_config
from accesspub.model import Clip, Timeline, Track
from accesspub.writers.transcripts import srt, vtt
from helpers import make_project

RELEASE = (Path(__file__).parent / "hostile" / "vtt-markup.md").read_text(encoding="utf-8")
TIMING = re.compile(r"(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})")
REFERENCES = {"amp": "&", "lt": "<", "gt": ">", "lrm": "\u200e", "rlm": "\u200f",
              "nbsp": "\u00a0"}


def cue_text(line: str) -> str:
    """One payload line decoded; fails on markup or an unknown character reference."""
    out, i = [], 0
    while i < len(line):
        char = line[i]
        if char == "<":
            raise AssertionError(f"markup in cue text: {line!r}")
        if char == "&":
            m = re.match(r"&(?:([a-z]+)|#(\d+)|#[xX]([0-9a-fA-F]+));", line[i:])
            if not m or (m[1] and m[1] not in REFERENCES):
                raise AssertionError(f"unescaped & in cue text: {line!r}")
            out.append(REFERENCES[m[1]] if m[1] else chr(int(m[2])) if m[2] else chr(int(m[3], 16)))
            i += len(m[0])
            continue
        out.append(char)
        i += 1
    return "".join(out)


def parse_vtt(text: str) -> list[tuple[str, float, float, list[str]]]:
    """(identifier, start, end, decoded lines) of every cue."""
    assert text.startswith("WEBVTT\n"), "signature"
    assert "\r" not in text and "\0" not in text
    cues = []
    for block in text.split("\n\n")[1:]:
        lines = block.strip("\n").split("\n")
        if lines == [""]:
            continue
        ident, timing, payload = lines[0], lines[1], lines[2:]
        assert "-->" not in ident, ident
        m = TIMING.fullmatch(timing)
        assert m, f"timing line: {timing!r}"
        start = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + int(m[4]) / 1000
        end = int(m[5]) * 3600 + int(m[6]) * 60 + int(m[7]) + int(m[8]) / 1000
        assert start <= end
        for line in payload:
            assert line.strip(), "a blank line inside a cue"
            assert "-->" not in line, f"'-->' in cue payload: {line!r}"
        cues.append((ident, start, end, [cue_text(line) for line in payload]))
    return cues


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("vtt"), {"content/captions.md": RELEASE})
    (publication,), _, _ = prepare(load_config(root), BuildOptions(audio=False))
    sentences = list(publication.iter_sentences())
    # a timeline as narration would record it: one second a sentence
    clips = tuple(Clip(s.id, i * 22050, (i + 1) * 22050) for i, s in enumerate(sentences))
    track = Track(publication.chapters[0].id, Path("01.mp3"), clips, len(clips) * 22050, 0)
    timeline = Timeline(22050, (track,), Path("captions.mp3"), len(clips) * 22050)
    return publication, timeline, sentences


def words(text: str) -> str:
    return " ".join(text.split())


def test_vtt_cues_parse_and_show_the_text_as_written(release):
    publication, timeline, sentences = release
    cues = parse_vtt(vtt(publication, timeline))
    assert [c[0] for c in cues] == [s.id for s in sentences]
    for (_, start, end, lines), sentence in zip(cues, sentences):
        assert words(" ".join(lines)) == words(sentence.text)
    shown = {words(" ".join(c[3])) for c in cues}
    assert "Profits & losses were < 5 % > last year, said AT&T." in shown
    assert "The arrow --> points on; so does a <tag> written as text." in shown
    assert any("C &amp; D" in text and "<b>not bold</b>" in text for text in shown)


def test_a_line_break_is_a_caption_line(release):
    publication, timeline, _ = release
    by_text = {words(" ".join(c[3])): c[3] for c in parse_vtt(vtt(publication, timeline))}
    assert by_text["First line second line & more."] == ["First line", "second line & more."]
    (lines,) = [lines for text, lines in by_text.items() if text.startswith("A & B")]
    assert lines[0] == "A & B"


def test_srt_keeps_the_text(release):
    publication, timeline, sentences = release
    blocks = [b.split("\n") for b in srt(publication, timeline).strip("\n").split("\n\n")]
    assert [b[0] for b in blocks] == [str(n) for n in range(1, len(sentences) + 1)]
    for block, sentence in zip(blocks, sentences):
        assert re.fullmatch(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", block[1])
        assert all(line.strip() and "-->" not in line for line in block[2:])
        assert words(" ".join(block[2:])) == words(sentence.text.replace("-->", "→"))
