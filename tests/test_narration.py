"""Narration of the sample with the real Piper voice: tracks, full MP3, chapters, loudness,
ID3 tags, spoken form, the clip cache and determinism.  And, with the fake engine (fast),
what the narrate stage speaks ahead while the releases are read, and what it says it
spoke."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pyloudnorm
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from scipy.signal import resample_poly

from accesspub.audio.encode import decode_mp3
from accesspub.config import Pauses
from conftest import build_project
from helpers import make_project

# The Piper tests are slow through the ``narrated`` fixture (conftest marks its users);
# those at the end use the fake engine and stay in the fast tier.

TRACKS = ["01-title.mp3", "02-diplomatic-mission-of-the-republ.mp3", "03-press-release.mp3"]


@pytest.fixture(scope="module")
def sample(narrated):
    return narrated["sample"]


@pytest.fixture(scope="module")
def decoded(sample):
    full, rate = decode_mp3(sample.mp3)
    tracks = [decode_mp3(sample.out / "tracks" / name)[0] for name in TRACKS]
    return full, tracks, rate


def chapters(sample) -> list[dict]:
    return json.loads((sample.out / f"{sample.slug}.chapters.json").read_text())["chapters"]


def test_one_track_per_section_and_the_full_narration(sample, decoded):
    assert sorted(p.name for p in (sample.out / "tracks").iterdir()) == TRACKS
    full, tracks, rate = decoded
    pauses = Pauses().chapter * (len(tracks) - 1)
    assert abs(sum(len(t) for t in tracks) / rate + pauses - len(full) / rate) < 0.05
    assert len(full) / rate > 200          # the sample speaks for about four minutes


def test_mp3_format(sample):
    for path in [sample.mp3] + [sample.out / "tracks" / n for n in TRACKS]:
        info = MP3(path).info
        assert info.sample_rate == 44100 and info.channels == 1
        assert abs(info.bitrate - 64000) < 1000
        assert info.bitrate_mode == BitrateMode.CBR


def test_chapters_match_sections_and_timeline(sample, decoded):
    full, _, rate = decoded
    tags = ID3(sample.mp3)
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    json_chapters = chapters(sample)
    assert [c.sub_frames["TIT2"].text[0] for c in chaps] == [c["title"] for c in json_chapters] == [
        "30th Anniversary of the Black January",
        "Diplomatic Mission of the Republic of Azerbaijan in Bosnia and Herzegovina",
        "PRESS RELEASE"]
    assert chaps[0].start_time == 0
    for a, b in zip(chaps, chaps[1:]):
        assert a.end_time == b.start_time
    assert abs(chaps[-1].end_time - len(full) / rate * 1000) <= 50
    for chap, entry in zip(chaps, json_chapters):
        assert abs(chap.start_time - entry["startTime"] * 1000) <= 50
    (toc,) = tags.getall("CTOC")
    assert toc.flags & 3 == 3 and list(toc.child_element_ids) == [c.element_id for c in chaps]


def test_loudness_and_true_peak(decoded):
    full, _, rate = decoded
    pcm = full.astype(np.float64) / 32768
    loudness = pyloudnorm.Meter(rate).integrated_loudness(pcm)
    assert -20.0 <= loudness <= -18.0, loudness
    true_peak = 20 * np.log10(np.max(np.abs(resample_poly(pcm, 4, 1))))
    assert true_peak <= -1.0, true_peak


def test_id3_tags(sample):
    full = ID3(sample.mp3)
    assert full["TIT2"].text[0] == "30th Anniversary of the Black January"
    assert full["TALB"].text[0] == "30th Anniversary of the Black January"
    assert "Diplomatic Mission" in full["TPE1"].text[0]
    assert str(full["TDRC"].text[0]) == "2020-01-20"
    assert full["TLAN"].text[0] == "eng" and full["TCON"].text[0] == "Speech"
    track = ID3(sample.out / "tracks" / TRACKS[1])
    assert track["TRCK"].text[0] == "2/3"
    assert track["TIT2"].text[0].startswith("Diplomatic Mission")


def test_spoken_form_of_the_sample(sample):
    transcript = (sample.out / f"{sample.slug}.txt").read_text()
    for spoken in ["twenty-six thousand Soviet troops",
                   "two hundred and fifty thousand Azerbaijanis",
                   "the twentieth of January, twenty twenty",
                   "plus three eight seven, three three, six nine five, eight zero two",
                   "sarajevo at mission dot mfa dot gov dot az",
                   "thirtieth Anniversary",
                   "nineteen eighty-eight to nineteen eighty-nine",
                   "January twentieth, nineteen ninety",
                   "U S S R"]:
        assert spoken in transcript, spoken


def test_report_says_which_engine_spoke(sample):
    release = sample.report()["releases"][0]
    assert release["engines"] == {"piper": sum(release["engines"].values())}
    assert all(t["engines"] == ["piper"] for t in release["tracks"])


def test_cache_rebuild_and_one_edit(sample, tmp_path):
    """Same input: nothing synthesised and identical bytes; one sentence edited: one clip."""
    root = tmp_path / "copy"
    shutil.copytree(sample.root, root, ignore=shutil.ignore_patterns("build"))
    build_project(root)
    report = json.loads((root / "build" / "report.json").read_text())
    assert report["releases"][0]["speech"]["synthesised"] == 0
    for name in (f"{sample.slug}.epub", f"{sample.slug}.mp3", "tracks/" + TRACKS[2]):
        assert (root / "build" / sample.slug / name).read_bytes() == (sample.out / name).read_bytes(), name
    source = root / "content" / f"{sample.slug}.md"
    text = source.read_text()
    assert "The Soviet invasion failed to achieve its aim." in text
    source.write_text(text.replace("failed to achieve its aim", "failed to reach its aim"))
    build_project(root)
    report = json.loads((root / "build" / "report.json").read_text())
    assert report["releases"][0]["speech"]["synthesised"] == 1


# --- fast: speaking ahead, with the fake engine ---------------------------------------------

RIVER = """---
title: River note
date: 2024-05-01
language: en
---

## The night

The river rose in the night.

## The morning

The old bridge held. Nobody was hurt.
"""


def fake_project(root, detect: bool):
    from accesspub.testing import FAKE_NARRATION
    config = FAKE_NARRATION.replace("[narration]", f"detect_languages = {str(detect).lower()}"
                                    "\n\n[narration]")
    return make_project(root, {"content/river.md": RIVER}, config)


@pytest.mark.parametrize("detect", [True, False])
def test_speaking_ahead_speaks_the_respeak_seed_and_counts_what_it_spoke(tmp_path, detect,
                                                                          monkeypatch):
    """A first build speaks each clip once, a respeak.toml sentence with its seed only
    (not once more without it, ahead), and its progress counts them as new."""
    from click.testing import CliRunner
    from accesspub.audio.narration import engine_factory
    from accesspub.audio.synthesize import synthesize_publication
    from accesspub.build import analyse
    from accesspub.cli import main
    from accesspub.config import load_config
    from accesspub.respeak import marked
    root = fake_project(tmp_path / "p", detect)
    chosen = CliRunner().invoke(main, ["-C", str(root), "respeak", "old bridge"])
    assert chosen.exit_code == 0, chosen.output
    cache = tmp_path / "cache"
    done = subprocess.run([sys.executable, "-m", "accesspub", "-C", str(root), "build"],
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, ACCESSPUB_CACHE=str(cache)))
    assert done.returncode == 0, done.stderr
    stored = list((cache / "clips").rglob("*.wav"))

    monkeypatch.setenv("ACCESSPUB_CACHE", str(cache))
    config = load_config(root)
    (publication,), diag, _ = analyse(config)
    assert not diag.errors
    narrated = synthesize_publication(marked(publication, config), engine_factory(config),
                                      config, jobs=1)
    assert narrated.misses == 0 and narrated.hits > 5
    # Every clip in the cache is one the narration uses: none was spoken for nothing.
    assert len(stored) == narrated.hits, (len(stored), narrated.hits)
    assert f"speech: {narrated.hits} new clip(s), 0 from the cache" in done.stderr, done.stderr


@pytest.mark.parametrize("detect", [True, False])
def test_reading_hands_every_release_to_the_narrate_stage(tmp_path, detect):
    """With language detection off too, each release goes to the workers as it is read."""
    from accesspub.config import load_config
    from accesspub.errors import Diagnostics
    from accesspub.read import HeadStart, load_publications
    root = fake_project(tmp_path / "p", detect)
    (root / "content" / "second.md").write_text(RIVER.replace("River note", "Second"),
                                                encoding="utf-8")
    handed = []
    read = load_publications(load_config(root), Diagnostics(),
                             head=HeadStart(speak=lambda p: handed.append(p.slug)))
    assert handed == [p.slug for p in read] == ["river", "second"]
