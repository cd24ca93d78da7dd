"""Read-along EPUBs: Media Overlays wired and timed from the same Timeline as the audio,
transcripts and chapters; EPUBCheck and Ace clean with narration."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from accesspub.audio.encode import decode_mp3
from helpers import NS, Epub

pytestmark = pytest.mark.slow


def seconds(clock: str) -> float:
    h, m, s = clock.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


@pytest.fixture(scope="module", params=["sample", "handbook"])
def build(request, narrated):
    return narrated[request.param]


@pytest.fixture(scope="module")
def epub(build) -> Epub:
    return Epub(build.epub)


def overlays(epub: Epub) -> dict[str, tuple[str, object]]:
    """content document href -> (smil href, parsed smil)"""
    items = epub.manifest()
    out = {}
    for item in items.values():
        if item.get("media-overlay"):
            smil = items[item.get("media-overlay")]
            assert smil.get("media-type") == "application/smil+xml"
            out[item.get("href")] = (smil.get("href"), epub.xml("EPUB/" + smil.get("href")))
    return out


def test_epubcheck_clean_with_narration(narrated, epubcheck):
    paths = [b.epub for b in narrated.values()]
    for path, result in epubcheck(paths).items():
        assert result.errors == 0 and result.warnings == 0, (path.name, result.messages)


def test_ace_clean_with_narration(narrated, ace):
    for build in narrated.values():
        result = ace(build.epub)
        assert result.ok, result.report()


def test_package_wiring(epub):
    docs = [h for h in epub.spine_docs()]
    mos = overlays(epub)
    assert {"EPUB/" + h for h in mos} == set(docs)
    refined = {m.get("refines"): seconds(m.text)
               for m in epub.opf.iterfind("opf:metadata/opf:meta[@property='media:duration']", NS)
               if m.get("refines")}
    smil_ids = {i.get("href"): i.get("id") for i in epub.manifest().values()
                if i.get("media-type") == "application/smil+xml"}
    assert set(refined) == {f"#{i}" for i in smil_ids.values()}
    (total,) = [seconds(m.text) for m in epub.opf.iterfind(
        "opf:metadata/opf:meta[@property='media:duration']", NS) if not m.get("refines")]
    assert abs(total - sum(refined.values())) < 0.002
    assert epub.meta("media:narrator")[0].startswith("Synthetic voice (Piper")
    assert epub.meta("media:active-class") == ["-epub-media-overlay-active"]
    css = epub.read("EPUB/css/accesspub.css").decode()
    assert ".-epub-media-overlay-active" in css
    assert "synchronizedAudioText" in epub.meta("schema:accessibilityFeature")
    assert "auditory" in epub.meta("schema:accessModeSufficient")


def test_every_sentence_has_exactly_one_par(epub):
    for href, (smil_href, smil) in overlays(epub).items():
        doc = epub.xml("EPUB/" + href)
        targets = [t.get("src") for t in smil.iterfind(".//smil:par/smil:text", NS)]
        assert all(t.startswith(href + "#") for t in targets)
        fragments = [t.split("#")[1] for t in targets]
        assert len(fragments) == len(set(fragments))
        sentence_ids = {e.get("id") for e in doc.iter()
                        if e.get("id") and re.fullmatch(r"c\d\d-s\d{4}", e.get("id"))}
        assert set(fragments) == sentence_ids
        for par in smil.iterfind(".//smil:par", NS):      # text before audio (MO-3)
            assert [etree_name(c) for c in par] == ["text", "audio"]
        for seq in smil.iterfind(".//smil:seq", NS):
            ref = seq.get(f"{{{NS['epub']}}}textref").split("#")[1]
            assert doc.find(f".//*[@id='{ref}']") is not None


def etree_name(node) -> str:
    return node.tag.split("}")[1]


def test_clips_are_contiguous_and_match_decoded_audio(epub, tmp_path):
    for _, (smil_href, smil) in overlays(epub).items():
        audio = smil.findall(".//smil:par/smil:audio", NS)
        sources = {a.get("src") for a in audio}
        assert len(sources) == 1                    # one track per content document
        (source,) = sources
        path = tmp_path / Path(source).name
        path.write_bytes(epub.read("EPUB/" + source))
        pcm, rate = decode_mp3(path)
        clips = [(seconds(a.get("clipBegin")), seconds(a.get("clipEnd"))) for a in audio]
        assert clips[0][0] == 0
        for (b1, e1), (b2, e2) in zip(clips, clips[1:]):
            assert e1 == b2 and e2 > b2
        assert abs(clips[-1][1] - len(pcm) / rate) <= 0.05


def test_transcripts_and_chapters_agree_with_the_overlay(build, epub):
    chapters = json.loads((build.out / f"{build.slug}.chapters.json").read_text())
    assert chapters["version"] == "1.2.0"
    starts = [c["startTime"] for c in chapters["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0
    vtt = (build.out / f"{build.slug}.vtt").read_text()
    assert vtt.startswith("WEBVTT\n")
    cues = {}
    for block in vtt.split("\n\n")[1:]:
        lines = block.strip().splitlines()
        if not lines:
            continue
        m = re.fullmatch(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})", lines[1])
        assert m, lines
        start = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + int(m[4]) / 1000
        cues[lines[0]] = start
        assert all(len(line) <= 65 for line in lines[2:])
    overlay_docs = overlays(epub)
    for number, href in enumerate(epub.spine_docs()):
        _, smil = overlay_docs[href.removeprefix("EPUB/")]
        offset = starts[number]
        for par in smil.iterfind(".//smil:par", NS):
            sid = par.find("smil:text", NS).get("src").split("#")[1]
            begin = seconds(par.find("smil:audio", NS).get("clipBegin"))
            assert abs(cues[sid] - (offset + begin)) <= 0.002, sid
    full, rate = decode_mp3(build.mp3)
    assert max(cues.values()) < len(full) / rate
    srt = (build.out / f"{build.slug}.srt").read_text()
    assert re.search(r"^1\n00:00:00,000 --> 00:00:\d\d,\d{3}\n", srt)
