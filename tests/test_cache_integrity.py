"""The speech caches are checked, not trusted.

The finished-narration cache (``narrations/<key>/timeline.json`` and its MP3s) records the
size and SHA-256 of every file; a truncated MP3, a damaged or crafted ``timeline.json``, a
path or a link leading out of the entry: the entry is deleted with a notice, the narration
is made again from the clips, and the build publishes what the first build published.  A
clip whose samples no longer match their digest is spoken again, never published as noise.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from accesspub.audio.cache import ClipCache, clip_key
from accesspub.cli import main
from helpers import make_project

CONFIG = """
[project]
language = "en"
publisher = "Test Office"
detect_languages = false

[narration]
engine = "{engine}"

[engine.fake]
ms_per_char = 8

[outputs]
formats = []            # the narration's own files only: what the cache holds
"""
RELEASE = """---
title: Cache test
date: 2024-01-01
language: en
---

The first sentence is spoken here. A second one follows it.

## Second part

More words for the second track.
"""
MARKER = b"Zebra-Quartz outside the cache"


@pytest.fixture(autouse=True)
def own_cache(monkeypatch):
    """The project's speech cache is its own (.accesspub-cache), not the session's."""
    monkeypatch.delenv("ACCESSPUB_CACHE", raising=False)


def build(root: Path):
    result = CliRunner().invoke(main, ["-C", str(root), "build"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.output


def outputs(root: Path) -> dict[str, bytes]:
    """Every published audio file, and the audio inside the EPUB, by name."""
    out = root / "build" / "cache-test"
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.mp3")}
    with zipfile.ZipFile(out / "cache-test.epub") as epub:
        files.update({f"epub:{n}": epub.read(n) for n in epub.namelist() if n.endswith(".mp3")})
    return files


def entry(root: Path) -> Path:
    (found,) = (root / ".accesspub-cache" / "narrations").iterdir()
    return found


class Built:
    published = staticmethod(outputs)      # the files compared with the first build's

    def __init__(self, root: Path, first: dict[str, bytes]) -> None:
        self.root, self.first = root, first

    def rebuild(self, bad: bool = True) -> str:
        """Build again: the same files as the first build, the notice when ``bad``, and an
        entry that a further build restores silently (nothing encoded)."""
        output = build(self.root)
        assert ("notice cache-entry-bad" in output) == bad, output
        assert self.published(self.root) == self.first
        again = build(self.root)
        assert "cache-entry-bad" not in again and "encoding" not in again, again
        assert self.published(self.root) == self.first
        for path in self.root.rglob("*"):
            if path.is_file():
                assert MARKER not in path.read_bytes(), path
        return output


@pytest.fixture
def built(tmp_path) -> Built:
    root = make_project(tmp_path / "p", {"content/cache-test.md": RELEASE},
                        CONFIG.format(engine="fake"))
    build(root)
    first = outputs(root)
    assert len([n for n in first if not n.startswith("epub:")]) == 3     # full + 2 tracks
    assert any(n.startswith("epub:") for n in first)
    return Built(root, first)


def index(root: Path) -> tuple[Path, dict]:
    path = entry(root) / "timeline.json"
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_sizes_and_digests_are_recorded(built):
    path, data = index(built.root)
    names = [data["full"]] + [t["file"] for t in data["tracks"]]
    assert sorted(data["files"]) == sorted(names)
    for name in names:
        blob = (path.parent / name).read_bytes()
        assert data["files"][name] == {"size": len(blob),
                                       "sha256": hashlib.sha256(blob).hexdigest()}
    built.rebuild(bad=False)


def test_truncated_full_mp3(built):
    path, data = index(built.root)
    mp3 = path.parent / data["full"]
    mp3.write_bytes(mp3.read_bytes()[:1000])
    assert "cache-test.mp3 has the wrong size" in built.rebuild()
    assert (entry(built.root) / data["full"]).stat().st_size == data["files"][data["full"]]["size"]


def test_truncated_track(built):
    path, data = index(built.root)
    track = path.parent / data["tracks"][-1]["file"]
    track.write_bytes(track.read_bytes()[:-300])
    assert "has the wrong size" in built.rebuild()


def test_same_size_other_bytes(built):
    path, data = index(built.root)
    mp3 = path.parent / data["full"]
    blob = bytearray(mp3.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    mp3.write_bytes(bytes(blob))
    assert "has changed" in built.rebuild()


@pytest.mark.parametrize("garbage", [b"", b"not json {", b"[1, 2, 3]", b"\xff\xfe\x00",
                                     b'{"sample_rate": "x", "tracks": 5}', b"null"])
def test_garbage_timeline(built, garbage):
    path, _ = index(built.root)
    path.write_bytes(garbage)
    built.rebuild()


def test_entry_of_an_older_accesspub_without_digests(built):
    path, data = index(built.root)
    del data["files"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert "no sizes and digests recorded" in built.rebuild()


def crafted(built: Built, target: str, blob: bytes) -> str:
    """Point the entry's full MP3 at ``target``, with the size and digest of ``blob`` (what
    is there), so only the path check can refuse it."""
    path, data = index(built.root)
    data["files"][target] = {"size": len(blob), "sha256": hashlib.sha256(blob).hexdigest()}
    data["full"] = target
    path.write_text(json.dumps(data), encoding="utf-8")
    return built.rebuild()


def test_path_escaping_the_entry(built, tmp_path):
    secret = tmp_path / "secret.mp3"
    secret.write_bytes(MARKER)
    depth = len(entry(built.root).relative_to(tmp_path).parts)
    output = crafted(built, "../" * depth + "secret.mp3", MARKER)
    assert "points outside the entry" in output


def test_etc_passwd(built):
    blob = Path("/etc/passwd").read_bytes()
    output = crafted(built, "../" * 40 + "etc/passwd", blob)
    assert "points outside the entry" in output
    for path in (built.root / "build").rglob("*"):
        if path.is_file() and blob:
            assert blob not in path.read_bytes(), path


def test_absolute_path(built, tmp_path):
    secret = tmp_path / "secret.mp3"
    secret.write_bytes(MARKER)
    assert "points outside the entry" in crafted(built, str(secret), MARKER)


def test_link_inside_the_entry_leading_out(built, tmp_path):
    """A file of the entry replaced by a link to a file outside with the recorded size and
    digest: refused because it is a link, never read."""
    secret = tmp_path / "secret.mp3"
    secret.write_bytes(MARKER)
    path, data = index(built.root)
    name = data["tracks"][0]["file"]
    (path.parent / name).unlink()
    (path.parent / name).symlink_to(secret)
    data["files"][name] = {"size": len(MARKER), "sha256": hashlib.sha256(MARKER).hexdigest()}
    path.write_text(json.dumps(data), encoding="utf-8")
    assert "is missing or a link" in built.rebuild()
    assert secret.read_bytes() == MARKER, "what a link points to is never touched"


def test_folder_link_inside_the_entry(built, tmp_path):
    path, data = index(built.root)
    tracks = path.parent / "tracks"
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(tracks, elsewhere)
    shutil.rmtree(tracks)
    tracks.symlink_to(elsewhere, target_is_directory=True)
    assert "is missing or a link" in built.rebuild()
    assert sorted(p.name for p in elsewhere.iterdir()) == sorted(
        Path(t["file"]).name for t in data["tracks"]), "the link's target is left alone"


def test_entry_that_is_a_link(built, tmp_path):
    found = entry(built.root)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(found, elsewhere)
    shutil.rmtree(found)
    found.symlink_to(elsewhere, target_is_directory=True)
    assert "not a folder" in built.rebuild()
    assert (elsewhere / "timeline.json").is_file(), "the link's target is left alone"


def test_clip_with_garbage_samples_is_spoken_again(built):
    """Every clip's samples scrambled behind its valid header, and no finished narration to
    fall back on: each clip is spoken again, the audio is the first build's."""
    clips = sorted((built.root / ".accesspub-cache" / "clips").rglob("*.wav"))
    assert clips
    for path in clips:
        blob = bytearray(path.read_bytes())
        blob[-400:] = bytes((b * 7 + 13) & 0xFF for b in blob[-400:])
        path.write_bytes(bytes(blob))
    shutil.rmtree(entry(built.root))
    output = built.rebuild(bad=False)
    assert f"speech: {len(clips)} new clip(s), 0 from the cache" in output, output
    cache = ClipCache(built.root / ".accesspub-cache")
    assert all(cache.get(p.parent.name + p.stem) is not None for p in clips)


def test_clip_cache_checks_samples(tmp_path):
    cache = ClipCache(tmp_path)
    key = clip_key("f", "v", "en", "text", 44100)
    pcm = (np.arange(4000) % 200 - 100).astype(np.int16)
    cache.put(key, pcm, 44100, "fake")
    assert cache.info(key) == (4000, "fake")
    path = cache.path(key)
    blob = bytearray(path.read_bytes())
    blob[-2] ^= 0x40                       # one sample, same size, header intact
    path.write_bytes(bytes(blob))
    assert cache.info(key) is None and not path.exists()
    cache.put(key, pcm, 44100, "fake")
    blob = bytearray(path.read_bytes())
    blob[-2] ^= 0x40
    path.write_bytes(bytes(blob))
    assert cache.get(key) is None and not path.exists()


def test_clip_without_digest_is_a_miss(tmp_path):
    """An entry written before digests were recorded is spoken again (same key)."""
    import wave
    cache = ClipCache(tmp_path)
    key = clip_key("f", "v", "en", "text", 44100)
    path = cache.path(key)
    path.parent.mkdir(parents=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        wav.writeframes(np.ones(100, np.int16).tobytes())
    assert cache.info(key) is None and not path.exists()


@pytest.mark.slow
def test_truncated_cache_with_real_speech(tmp_path):
    """Piper: the full MP3 in the narration cache cut to 1 kB (the 254 s narration that was
    published as 37 s): the rebuild publishes the first build's MP3, of the full length."""
    from mutagen.mp3 import MP3
    root = make_project(tmp_path / "p", {"content/cache-test.md": RELEASE},
                        CONFIG.format(engine="piper"))
    build(root)
    first = outputs(root)
    seconds = MP3(str(root / "build" / "cache-test" / "cache-test.mp3")).info.length
    assert seconds > 3
    path, data = index(root)
    mp3 = path.parent / data["full"]
    mp3.write_bytes(mp3.read_bytes()[:1000])
    output = build(root)
    assert "notice cache-entry-bad" in output and "has the wrong size" in output
    assert outputs(root) == first
    published = root / "build" / "cache-test" / "cache-test.mp3"
    assert abs(MP3(str(published)).info.length - seconds) < 0.05
    report = json.loads((root / "build" / "report.json").read_text(encoding="utf-8"))
    assert abs(report["releases"][0]["narration_seconds"] - seconds) < 0.2
    assert report["releases"][0]["speech"]["synthesised"] == 0


# --- the listening formats: the M4B's AAC stream is kept with the narration ---------------

FORMATS = CONFIG.split("[outputs]")[0] + '[outputs]\nformats = ["daisy", "m4b", "lpf"]\n'


def formats(root: Path) -> dict[str, bytes]:
    """Every file of the listening formats (the DAISY folder, its zip, the M4B, the LPF)."""
    out = root / "build" / "cache-test"
    assert not list(out.glob(".*")), "the AAC stream is muxed, never published"
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "daisy").rglob("*")
             if p.is_file()}
    files.update({name: (out / name).read_bytes()
                  for name in ("cache-test.m4b", "cache-test.lpf", "cache-test.daisy.zip")})
    return files


class FormatsBuilt(Built):
    published = staticmethod(formats)


@pytest.fixture
def with_formats(tmp_path) -> FormatsBuilt:
    root = make_project(tmp_path / "p", {"content/cache-test.md": RELEASE},
                        FORMATS.format(engine="fake"))
    build(root)
    return FormatsBuilt(root, formats(root))


def test_warm_rebuild_restores_the_audiobook_stream(with_formats):
    path, data = index(with_formats.root)
    stream = data["audiobook"]
    blob = (path.parent / stream).read_bytes()
    assert data["files"][stream] == {"size": len(blob),
                                     "sha256": hashlib.sha256(blob).hexdigest()}
    assert blob[4:8] == b"ftyp"                       # an MP4 file, muxed by each build
    assert with_formats.rebuild(bad=False).count("encoding") == 0


def test_audiobook_stream_with_other_bytes(with_formats):
    path, data = index(with_formats.root)
    stream = path.parent / data["audiobook"]
    blob = bytearray(stream.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    stream.write_bytes(bytes(blob))
    assert f"{data['audiobook']} has changed" in with_formats.rebuild()


def test_truncated_audiobook_stream(with_formats):
    path, data = index(with_formats.root)
    stream = path.parent / data["audiobook"]
    stream.write_bytes(stream.read_bytes()[:-500])
    assert "has the wrong size" in with_formats.rebuild()


def test_entry_without_the_audiobook_stream(with_formats):
    """An entry stored without the stream (as with ``formats = []``) while the M4B is
    wanted is not used: the M4B would have no audio to mux."""
    path, data = index(with_formats.root)
    (path.parent / data.pop("audiobook")).unlink()
    path.write_text(json.dumps(data), encoding="utf-8")
    assert "it has no audiobook stream" in with_formats.rebuild()


def test_audiobook_stream_outside_the_entry(with_formats, tmp_path):
    secret = tmp_path / "secret.m4a"
    secret.write_bytes(MARKER)
    path, data = index(with_formats.root)
    depth = len(path.parent.relative_to(tmp_path).parts)
    data["audiobook"] = "../" * depth + "secret.m4a"
    data["files"][data["audiobook"]] = {"size": len(MARKER),
                                        "sha256": hashlib.sha256(MARKER).hexdigest()}
    path.write_text(json.dumps(data), encoding="utf-8")
    assert "points outside the entry" in with_formats.rebuild()
    for found in (with_formats.root / "build").rglob("*"):
        if found.is_file():
            assert MARKER not in found.read_bytes(), found


def test_new_description_reaches_the_m4b_without_encoding(with_formats):
    """The description is in the M4B's tags but not in the MP3s' (nor the cache key): a
    rebuild restores the narration and muxes the new tags; nothing is encoded again."""
    from mutagen.mp4 import MP4
    source = with_formats.root / "content" / "cache-test.md"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "language: en\n", "language: en\ndescription: A new summary; with = signs.\n"),
        encoding="utf-8")
    output = build(with_formats.root)
    assert "encoding" not in output and "cache-entry-bad" not in output, output
    m4b = with_formats.root / "build" / "cache-test" / "cache-test.m4b"
    assert MP4(m4b).tags["©cmt"] == ["A new summary; with = signs."]
    after = formats(with_formats.root)
    assert after["cache-test.lpf"] == with_formats.first["cache-test.lpf"]
    assert after["cache-test.m4b"] != with_formats.first["cache-test.m4b"]
