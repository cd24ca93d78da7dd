"""M4B: chapters read back both ways players read them (Nero chpl through mutagen, the
QuickTime chapter track through our atom walker) match the Timeline within 50 ms; the
loudness stays at the target; the same narration gives the same bytes."""

from __future__ import annotations

import numpy as np
import pytest
from mutagen.mp4 import MP4

from accesspub.audio.encode import decode_mp3
from accesspub.model import Timeline
from accesspub.testing.mp4chapters import atom_types, quicktime_chapters


def timeline_starts(build) -> list[float]:
    entry = build.report()["releases"][0]
    timeline = Timeline.from_json(entry["timeline"], build.out)
    starts, at = [], 0
    for track in timeline.tracks:
        starts.append(at / timeline.sample_rate)
        at += track.samples
    return starts


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sample", "handbook"])
def test_chapters_both_ways_match_the_timeline(narrated, name):
    build = narrated[name]
    path = build.out / f"{build.slug}.m4b"
    expected = timeline_starts(build)
    m4b = MP4(path)
    nero = [(c.start, c.title) for c in m4b.chapters]
    quicktime = quicktime_chapters(path)
    assert quicktime is not None and "chpl" in atom_types(path)
    assert [t for _, t in nero] == [t for _, t in quicktime]
    assert len(nero) == len(expected)
    for (a, _), (b, _), c in zip(nero, quicktime, expected):
        assert abs(a - c) <= 0.05 and abs(b - c) <= 0.05
    assert m4b.info.channels == 1 and m4b.info.codec.startswith("mp4a")
    assert m4b.tags["©nam"] == [build.report()["releases"][0]["title"]]
    assert m4b.tags["©gen"] == ["Audiobook"]
    assert bytes(path.read_bytes()[4:12]) == b"ftypM4B "


@pytest.mark.slow
def test_loudness_stays_on_target(narrated):
    import pyloudnorm
    build = narrated["sample"]
    pcm, rate = decode_mp3(build.out / f"{build.slug}.m4b")
    lufs = pyloudnorm.Meter(rate).integrated_loudness(pcm.astype(np.float64) / 32768.0)
    assert -20.0 <= lufs <= -18.0, lufs


@pytest.mark.slow
def test_same_narration_same_bytes(narrated, tmp_path):
    from accesspub.config import load_config
    from accesspub.build import analyse
    from accesspub.writers.m4b import write_m4b
    build = narrated["sample"]
    publication = analyse(load_config(build.root))[0][0]
    timeline = Timeline.from_json(build.report()["releases"][0]["timeline"], build.out)
    again = write_m4b(publication, timeline, tmp_path)
    assert again.read_bytes() == (build.out / f"{build.slug}.m4b").read_bytes()


def test_cover_rides_along(tmp_path):
    """A release with a cover: the M4B has it as covr, the W3C audiobook as rel=cover."""
    import json
    import zipfile
    from click.testing import CliRunner
    from accesspub.cli import main
    from helpers import REPO, make_project
    cover = (REPO / "assets" / "podcast-cover.png").read_bytes()
    root = make_project(tmp_path / "p", {
        "content/c.md": "---\ntitle: With a cover\ndate: 2024-05-01\ncover: cover.png\n---\n\n"
                        "A short text. It has two sentences.\n",
        "content/cover.png": cover},
        '[project]\nlanguage = "en"\npublisher = "Test Office"\n\n[narration]\n'
        'engine = "fake"\n\n[engine.fake]\nms_per_char = 5\n')
    result = CliRunner().invoke(main, ["-C", str(root), "build", "-q"])
    assert result.exit_code == 0, result.output
    out = root / "build" / "c"
    assert bytes(MP4(out / "c.m4b").tags["covr"][0]) == cover
    with zipfile.ZipFile(out / "c.lpf") as zf:
        manifest = json.loads(zf.read("publication.json"))
        cover_entry = [r for r in manifest["resources"] if r.get("rel") == "cover"][0]
        assert zf.read(cover_entry["url"]) == cover
