"""Re-speaking one garbled sentence with another noise seed (issue 15): ``accesspub
respeak``, respeak.toml, and the seed's way to the engine and the clip cache.

The fast tests build with the fake engine (which honours the seed: another pitch); the slow
ones with the real Piper voice, on a release of three short sentences.  Clips are compared
as the build left them in the clip cache: after a build, speaking the release again through
``synthesize_publication`` must miss nothing, so the clips read back are the build's own.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from click.testing import CliRunner

from accesspub.cli import main
from accesspub.engines.select import EngineSet, split_seed, with_seed
from accesspub.respeak import HEADER, marked, read

RELEASE = """\
    ---
    title: River note
    date: 2024-05-01
    ---

    ## The night

    The river rose in the night.

    ## The morning

    The old bridge held. Nobody was hurt.
    """
GARBLED = "The old bridge held."


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args])


def built_files(root: Path, slug: str = "note") -> dict[str, bytes]:
    out = root / "build" / slug
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def epub_entries(data: bytes, tmp: Path) -> dict[str, bytes]:
    path = tmp / "book.epub"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def clips(root: Path) -> dict[str, np.ndarray]:
    """Each sentence's clip as the last build cached it (int16), by sentence text."""
    from accesspub.audio.narration import engine_factory
    from accesspub.audio.synthesize import synthesize_publication
    from accesspub.build import analyse
    from accesspub.config import load_config
    config = load_config(root)
    publications, diag, _ = analyse(config)
    assert not diag.errors
    out = {}
    for publication in publications:
        texts = {s.id: s.text for s in publication.iter_sentences()}
        spoken = synthesize_publication(marked(publication, config), engine_factory(config),
                                        config, jobs=1)
        assert spoken.misses == 0, "the build did not cache what it speaks"
        out.update({texts[sid]: np.array(audio.pcm) for sid, audio in spoken.items()})
    return out


def decode(mp3: bytes) -> np.ndarray:
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", "pipe:0",
                           "-f", "s16le", "-ac", "1", "pipe:1"], input=mp3,
                          capture_output=True, check=True)
    return np.frombuffer(done.stdout, dtype="<i2").astype(np.float64)


def sentence_span(root: Path, text: str) -> tuple[str, float, float]:
    """(track file, begin, end in seconds) of the sentence ``text`` in the last build."""
    import json
    from accesspub.config import load_config
    from accesspub.read import load_publications
    from accesspub.errors import Diagnostics
    config = load_config(root)
    ids = {s.text: s.id for p in load_publications(config, Diagnostics())
           for s in p.iter_sentences()}
    report = json.loads((root / "build" / "report.json").read_text(encoding="utf-8"))
    timeline = report["releases"][0]["timeline"]
    rate = timeline["sample_rate"]
    for track in timeline["tracks"]:
        for sid, begin, end in track["clips"]:
            if sid == ids[text]:
                return f"tracks/{Path(track['file']).name}", begin / rate, end / rate
    raise AssertionError(f"{text!r} is in no track")


def respoken_and_rebuilt(root: Path):
    """Re-speak GARBLED in a built project, build twice: (files and clips before, after,
    files again)."""
    before, clips_before = built_files(root), clips(root)
    result = run(root, "respeak", "old bridge")
    assert result.exit_code == 0, result.output
    assert "will be spoken with seed 1" in result.output
    assert run(root, "build", "-q").exit_code == 0
    after, clips_after = built_files(root), clips(root)
    assert run(root, "build", "-q").exit_code == 0
    return before, clips_before, after, clips_after, built_files(root)


def assert_only_the_sentence_changed(root, before, clips_before, after, clips_after, again):
    assert set(clips_before) == set(clips_after) and GARBLED in clips_before
    assert not np.array_equal(clips_before[GARBLED], clips_after[GARBLED])
    for text in clips_before:
        if text != GARBLED:
            assert np.array_equal(clips_before[text], clips_after[text]), text
    # The track without the sentence is the same file; the one with it is not, and decoded,
    # its sound changed where the sentence is (an MP3 frame or two of spread) and nowhere
    # else.
    track, begin, end = sentence_span(root, GARBLED)
    others = [n for n in before if n.startswith("tracks/") and n != track]
    assert others and all(before[n] == after[n] for n in others)
    old, new = decode(before[track]), decode(after[track])
    assert len(old) > 0 and len(new) > 0
    rate = 44100
    n = min(len(old), len(new))
    moved = np.flatnonzero(np.abs(old[:n] - new[:n]) > 300)
    print(f"changed {moved[0] / rate:.3f}-{moved[-1] / rate:.3f} s; sentence "
          f"{begin:.3f}-{end:.3f} s of {track}")
    assert moved.size > 0.2 * (end - begin) * rate            # most of the sentence
    assert moved[0] >= (begin - 0.1) * rate, (moved[0] / rate, begin)
    if len(old) == len(new):                                  # the same length: nothing after
        assert moved[-1] <= (end + 0.1) * rate, (moved[-1] / rate, end)
    # The same respeak.toml, the same bytes: every file of the release.
    assert again == after


# --- fast: the fake engine, which honours the seed ---------------------------------------

def test_a_seed_rides_on_the_text_and_zero_changes_nothing():
    assert with_seed("Hello.", 0) == "Hello."
    assert split_seed(with_seed("Hello.", 7)) == ("Hello.", 7)
    assert split_seed("Hello.") == ("Hello.", 0)
    assert split_seed("\x1enot a seed\x1eHello.") == ("\x1enot a seed\x1eHello.", 0)


class _Plain:
    """An engine without seeds (as gTTS and espeak-ng): it must get the plain text."""

    name = "plain"

    def __init__(self) -> None:
        self.calls = []

    def synthesize(self, text, *, lang, voice=None):
        from accesspub.engines import AudioClip
        self.calls.append(text)
        return AudioClip(b"\0\0" * 100, 22050)

    def fingerprint(self):
        return "plain"

    def close(self):
        pass


def test_the_engine_set_gives_the_seed_only_to_engines_that_take_one():
    from accesspub.config import Narration
    from accesspub.engines import load_engine
    plain = _Plain()

    def loader(name, options):
        return plain if name == "plain" else load_engine(name, options)

    fake = EngineSet(Narration(engine="fake"), loader=loader)
    first, _ = fake.speak("The bridge held.", "en")
    again, _ = fake.speak(with_seed("The bridge held.", 2), "en")
    same, _ = fake.speak(with_seed("The bridge held.", 2), "en")
    assert first.pcm != again.pcm and again.pcm == same.pcm
    assert len(first.pcm) == len(again.pcm)        # the same text, said another way
    EngineSet(Narration(engine="plain"), loader=loader).speak(with_seed("Hi.", 3), "en")
    assert plain.calls == ["Hi."]


def test_respeak_changes_that_clip_alone_and_rebuilds_are_identical(fake_build, tmp_path):
    root = fake_build({"content/note.md": RELEASE})
    before, clips_before, after, clips_after, again = respoken_and_rebuilt(root)
    assert_only_the_sentence_changed(root, before, clips_before, after, clips_after, again)
    # The fake voice keeps a clip's length: every EPUB entry but that track's audio is the
    # same, the text, navigation, metadata and read-along timings included.
    old = epub_entries(before["note.epub"], tmp_path)
    new = epub_entries(after["note.epub"], tmp_path)
    changed = sorted(n for n in old if old[n] != new[n])
    assert changed == [next(n for n in old if n.startswith("EPUB/audio/") and "morning" in n)]
    text = (root / "respeak.toml").read_text(encoding="utf-8")
    assert text.startswith(HEADER) and f'text = "{GARBLED}"' in text and "seed = 1" in text


def test_respeak_targets_file_line_id_or_words(tmp_path):
    from helpers import make_project
    from accesspub.testing import FAKE_NARRATION
    root = make_project(tmp_path / "p", {"content/note.md": RELEASE}, FAKE_NARRATION)
    line = next(i for i, x in enumerate((root / "content/note.md").read_text().splitlines(), 1)
                if GARBLED in x)
    # Two sentences start on that line: the command names both by id, to copy.
    result = run(root, "respeak", f"content/note.md:{line}")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"content/note.md:{line}: error respeak-target: 2 sentences match" in result.output
    ids = [w for w in result.output.split() if w.startswith("c0")]
    assert len(ids) == 2
    assert run(root, "respeak", ids[0]).exit_code == 0
    assert run(root, "respeak", ids[0]).exit_code == 0                 # the next seed: 2
    assert [(e.text, e.seed) for e in read(_config(root)).entries] == [(GARBLED, 2)]
    # A line holding one sentence is enough; --seed chooses, --undo goes back.
    night = next(i for i, x in enumerate((root / "content/note.md").read_text().splitlines(), 1)
                 if "river rose" in x)
    assert run(root, "respeak", f"content/note.md:{night}", "--seed", "5").exit_code == 0
    assert {e.text: e.seed for e in read(_config(root)).entries} == {
        GARBLED: 2, "The river rose in the night.": 5}
    assert run(root, "respeak", "old bridge", "--undo").exit_code == 0
    assert run(root, "respeak", "river rose", "--undo").exit_code == 0
    assert not (root / "respeak.toml").exists()          # ours, and empty: removed
    for bad in ("content/note.md:999x", "c09-s0009", "no such words", "content/none.md:3"):
        result = run(root, "respeak", bad)
        assert result.exit_code == 1 and "error respeak-target" in result.output, bad
        assert "Traceback" not in result.output


def _config(root: Path):
    from accesspub.config import load_config
    return load_config(root)


def test_a_stale_entry_is_a_warning_at_its_line(tmp_path):
    from helpers import make_project
    from accesspub.testing import FAKE_NARRATION
    root = make_project(tmp_path / "p", {"content/note.md": RELEASE}, FAKE_NARRATION)
    assert run(root, "respeak", "river rose").exit_code == 0
    assert run(root, "respeak", "old bridge").exit_code == 0
    toml = (root / "respeak.toml").read_text(encoding="utf-8").splitlines()
    entry = next(i for i, x in enumerate(toml, 1) if "river rose" in x) - 2   # its [[sentence]]
    assert toml[entry - 1] == "[[sentence]]"
    source = root / "content" / "note.md"
    source.write_text(source.read_text().replace("The river rose", "The river fell"))
    result = run(root, "check")
    assert result.exit_code == 0, result.output
    assert (f"respeak.toml:{entry}: warning respeak-stale: no sentence \"The river rose in "
            f"the night.\" in content/note.md any more") in result.output
    assert run(root, "check", "--strict").exit_code == 1
    assert result.output.count("respeak-stale") == 1         # the other entry still applies


BAD = f"""{HEADER}

[[sentence]]
file = "content/note.md"
text = "The river rose in the night."
seed = "two"

[[sentence]]
file = "content/note.md"
seed = 1

[[sentence]]
file = "content/note.md"
text = "Nobody was hurt."
seed = 0
colour = "red"

[[sentence]]
file = "content/note.md"
text = "The old bridge held."
seed = true

[[sentence]]
file = "content/note.md"
text = "The old bridge held."
seed = 3

[[sentence]]
file = "content/note.md"
text = "The  old bridge
held."
seed = 4
"""


def test_bad_values_are_errors_at_their_lines(tmp_path):
    from helpers import make_project
    from accesspub.testing import FAKE_NARRATION
    root = make_project(tmp_path / "p", {"content/note.md": RELEASE}, FAKE_NARRATION)
    valid_toml = BAD.replace('text = "The  old bridge\nheld."', 'text = "The  old bridge held."')
    (root / "respeak.toml").write_text(valid_toml)
    result = run(root, "check")
    out = result.output
    assert result.exit_code == 1 and "Traceback" not in out
    lines = valid_toml.splitlines()

    def at(fragment: str, nth: int = 0) -> str:
        line = [i for i, x in enumerate(lines, 1) if x.startswith(fragment)][nth]
        return f"respeak.toml:{line}: error respeak-invalid:"

    assert f"{at('seed = ' + chr(34))} seed must be a whole number from 1 to 999" in out
    assert f"{at('[[sentence]]', 1)} [[sentence]] needs text" in out
    assert f"{at('seed = 0')} seed must be" in out
    assert f"{at('colour')} [[sentence]] has an unknown key 'colour'" in out
    assert f"{at('seed = true')} seed must be" in out
    # White space does not make another sentence: the last entry repeats the one before.
    assert f"{at('[[sentence]]', 5)} this sentence of content/note.md has an entry" in out
    assert out.count("error respeak-invalid") == 6, out
    assert run(root, "build", "-q").exit_code == 1
    assert run(root, "respeak", "old bridge").exit_code == 1       # fix the file first
    # Not TOML at all: at the line tomllib names (a string left open at its end).
    (root / "respeak.toml").write_text(BAD)
    result = run(root, "check")
    open_line = BAD.splitlines().index('text = "The  old bridge') + 1
    assert result.exit_code == 1
    assert f"respeak.toml:{open_line}: error respeak-invalid: not valid TOML" in result.output


def test_a_respeak_toml_that_is_not_ours_is_never_overwritten(tmp_path):
    from helpers import make_project
    from accesspub.testing import FAKE_NARRATION
    root = make_project(tmp_path / "p", {"content/note.md": RELEASE}, FAKE_NARRATION)
    mine = "# my own notes on re-speaking\n[[sentence]]\nwhat = 1\n"
    (root / "respeak.toml").write_text(mine)
    result = run(root, "respeak", "old bridge")
    assert result.exit_code == 1
    assert "respeak.toml:1: error respeak-not-ours" in result.output
    assert (root / "respeak.toml").read_text() == mine
    result = run(root, "check")
    assert "respeak.toml:1: warning respeak-not-ours" in result.output


def test_an_engine_without_seeds_is_warned_once_and_speaks_as_before(tmp_path):
    from helpers import make_project
    from accesspub.config import load_config
    from accesspub.build import analyse
    config_text = ('[project]\nlanguage = "en"\npublisher = "Test"\n'
                   '[narration]\nengine = "espeak"\n')
    root = make_project(tmp_path / "p", {"content/note.md": RELEASE}, config_text)
    (root / "respeak.toml").write_text(
        f'{HEADER}\n\n[[sentence]]\nfile = "content/note.md"\ntext = "{GARBLED}"\nseed = 1\n\n'
        '[[sentence]]\nfile = "content/note.md"\ntext = "Nobody was hurt."\nseed = 2\n')
    result = run(root, "check")
    assert result.output.count("warning respeak-ignored: engine espeak") == 1, result.output
    assert "respeak.toml:3: warning respeak-ignored" in result.output
    config = load_config(root)
    publications, _, _ = analyse(config)
    spoken = [p.text for s in marked(publications[0], config).iter_sentences() for p in s.spoken]
    assert not any(split_seed(t)[1] for t in spoken)       # the cache keys stay as they were


def test_the_listen_hint_prints_the_respeak_command():
    from accesspub.errors import Diagnostics
    from accesspub.listen.report import Heard, ReleaseListen, diagnose
    result = ReleaseListen("note", "en", 10.0, [
        Heard("c01-s0001", "content/note.md:7", "en", "the river rose in the night",
              "a liver froze", 4, 6, "mismatch"),
        Heard("c02-s0002", "content/note.md:11", "en", "the old bridge held", "bold fridge",
              4, 4, "mismatch"),
        Heard("c02-s0003", "content/note.md:11", "en", "nobody was hurt", "nobody was hurt",
              0, 3, "ok")])
    diag = Diagnostics()
    diagnose(result, diag)
    hints = [d.hint for d in diag.items if d.code == "listen-mismatch"]
    assert "accesspub respeak content/note.md:7;" in hints[0]
    assert "accesspub respeak note/c02-s0002;" in hints[1]      # line 11 holds two sentences


# --- slow: the real Piper voice ------------------------------------------------------------

@pytest.mark.slow
def test_piper_speaks_another_recording_with_another_seed_and_the_same_with_the_same():
    from accesspub.engines.piper.adapter import PiperEngine
    engine = PiperEngine()
    first = engine.synthesize(GARBLED, lang="en")
    assert engine.synthesize(GARBLED, lang="en", seed=0).pcm == first.pcm
    other = engine.synthesize(GARBLED, lang="en", seed=1)
    assert other.pcm != first.pcm
    assert engine.synthesize(GARBLED, lang="en", seed=1).pcm == other.pcm
    # Another recording of the same words, not noise: about as long, about as loud.
    a, b = (np.frombuffer(c.pcm, "<i2").astype(float) for c in (first, other))
    assert 0.7 < len(b) / len(a) < 1.4
    assert 0.5 < np.sqrt(np.mean(b ** 2)) / np.sqrt(np.mean(a ** 2)) < 2.0


@pytest.mark.slow
def test_piper_respeak_changes_that_clip_alone_and_rebuilds_are_identical(tmp_path,
                                                                          speech_cache):
    from conftest import build_project
    from helpers import make_project
    root = make_project(tmp_path / "p", {"content/note.md": RELEASE},
                        "[project]\nlanguage = \"en\"\npublisher = \"Test\"\n"
                        "[narration]\njobs = 1\n[outputs]\nformats = []\n")
    build_project(root)
    before, clips_before, after, clips_after, again = respoken_and_rebuilt(root)
    assert_only_the_sentence_changed(root, before, clips_before, after, clips_after, again)
    # Another recording may be longer or shorter, so the read-along timings of its track
    # and the book's duration may change; the text and the other track cannot.
    old = epub_entries(before["note.epub"], tmp_path)
    new = epub_entries(after["note.epub"], tmp_path)
    unchanged = [n for n in old if n.endswith(".xhtml") or n.endswith(".css")
                 or ("night" in n and not n.endswith(".opf"))]
    assert unchanged and all(old[n] == new[n] for n in unchanged)
