"""M4B: chapters read back both ways players read them (Nero chpl through mutagen, the
QuickTime chapter track through our atom walker) match the Timeline within 50 ms; the
loudness stays at the target; the audio is encoded from the levelled PCM, not from the
MP3s; the same narration gives the same bytes, and a warm rebuild restores it."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from mutagen.mp4 import MP4

import audio_helpers as h
from accesspub.audio.encode import aac_command, codec_gain_db, decode_mp3, run_encoder
from accesspub.audio.stitch import chapter_plan, stitch_publication
from accesspub.audio.synthesize import SAMPLE_RATE, SentenceAudio
from accesspub.model import Timeline
from accesspub.testing.mp4chapters import atom_types, quicktime_chapters
from accesspub.writers.m4b import write_m4b


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
def test_warm_rebuild_gives_the_same_formats(narrated, tmp_path):
    """A copy of the narrated sample built again: nothing spoken or encoded (the narration
    and the M4B's AAC come from the cache) and every listening format byte for byte."""
    from conftest import build_project
    sample = narrated["sample"]
    root = tmp_path / "copy"
    shutil.copytree(sample.root, root, ignore=shutil.ignore_patterns("build"))
    build_project(root)
    out = root / "build" / sample.slug
    report = json.loads((root / "build" / "report.json").read_text(encoding="utf-8"))
    assert report["releases"][0]["speech"]["synthesised"] == 0
    names = [f"{sample.slug}.{ext}" for ext in ("m4b", "lpf", "daisy.zip", "epub", "mp3")]
    for name in names + [p.relative_to(sample.out).as_posix()
                         for p in (sample.out / "daisy").iterdir()]:
        assert (out / name).read_bytes() == (sample.out / name).read_bytes(), name
    assert not list(out.glob(".*.m4a")), "the AAC stream is muxed, not published"


# --- the AAC stream comes from the levelled PCM ------------------------------------

def speechlike(n: int, seed: int) -> np.ndarray:
    """Noise with a voice's spectrum (falling 6 dB/octave above 500 Hz, nothing above
    11 kHz, as Piper's 22.05 kHz speech) and a syllable-rate envelope: every codec loses
    something of it, so each generation of coding shows."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freq = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spectrum *= np.where(freq < 11000, 1 / np.maximum(freq, 500), 0)
    wave = np.fft.irfft(spectrum, n)
    wave *= 0.5 + 0.5 * np.sin(2 * np.pi * 4 * np.arange(n) / SAMPLE_RATE) ** 2
    return np.round(wave / np.sqrt(np.mean(wave * wave)) * 0.1 * 32767).astype(np.int16)


@pytest.fixture(scope="module")
def stitched(tmp_path_factory):
    """The small publication stitched from speech-like clips, with the audiobook stream,
    and the PCM every encoder was given, laid out from the plan as stitching lays it."""
    tmp = tmp_path_factory.mktemp("m4b-stitch")
    pub = h.small_publication()
    cfg = h.config(tmp)
    clips = {s.id: SentenceAudio(s.id, speechlike(30000 + 997 * i, i), ("noise",))
             for i, s in enumerate(pub.iter_sentences())}
    pcm = []
    for chapter in pub.chapters:
        for sid, pause in chapter_plan(chapter, clips, cfg.narration.pauses, SAMPLE_RATE):
            pcm += [clips[sid].pcm, np.zeros(pause, dtype=np.int16)]
    results = []
    for run in ("a", "b"):
        out = tmp / run
        timeline = stitch_publication(pub, clips, cfg, out, audiobook=out / "book.m4a")
        results.append((timeline, out, write_m4b(pub, timeline, out, out / "book.m4a")))
    return pub, cfg, np.concatenate(pcm), results


def _error_db(decoded: np.ndarray, reference: np.ndarray) -> float:
    """Energy of the difference relative to the reference's, in dB."""
    diff = decoded - reference
    return float(10 * np.log10(np.mean(diff * diff) / np.mean(reference * reference)))


def test_audiobook_is_encoded_from_the_levelled_pcm_not_the_mp3(stitched, tmp_path):
    """Each lossy generation adds its own noise.  An M4B encoded from the PCM carries the
    AAC's noise only, so it is nearer that PCM than the decoded MP3s (which carry the
    MP3's noise on top); one transcoded from the MP3s is nearer the MP3s than the PCM.
    The control transcodes the MP3s with the same encoder and must come out the other
    way round, or this test could not tell the two apart."""
    _, cfg, pcm, [(timeline, _, m4b), _] = stitched
    # LAME's CBR level change, which the AAC encoder is given too (aac_command)
    reference = pcm * 10 ** (codec_gain_db(cfg.narration.bitrate) / 20)
    mp3 = np.concatenate([decode_mp3(t.path, SAMPLE_RATE)[0][:t.samples]
                          for t in timeline.tracks]).astype(np.float64)
    book = decode_mp3(m4b, SAMPLE_RATE)[0].astype(np.float64)
    assert len(book) == len(pcm) == len(mp3)            # sample for sample, no priming
    run_encoder(aac_command(tmp_path / "t.m4a", SAMPLE_RATE, "64k"),
                [mp3.astype(np.int16)], tmp_path / "t.m4a")
    transcoded = decode_mp3(tmp_path / "t.m4a", SAMPLE_RATE)[0].astype(np.float64)
    assert _error_db(book, reference) < _error_db(book, mp3) - 1.0
    assert _error_db(transcoded, mp3) < _error_db(transcoded, reference) - 1.0


def test_same_pcm_same_bytes(stitched):
    """Two stitchings of the same clips: the same AAC stream and the same M4B."""
    *_, [(_, a, m4b_a), (_, b, m4b_b)] = stitched
    assert (a / "book.m4a").read_bytes() == (b / "book.m4a").read_bytes()
    assert m4b_a.read_bytes() == m4b_b.read_bytes()
    assert MP4(m4b_a).info.codec.startswith("mp4a") and MP4(m4b_a).info.channels == 1


def test_cover_rides_along(tmp_path):
    """A release with a cover: the M4B has it as covr, the W3C audiobook as rel=cover."""
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
