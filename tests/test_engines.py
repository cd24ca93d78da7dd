"""Engine registry, shared PCM helpers, the fake and espeak engines, and EngineSet fallback."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from accesspub.config import Narration, VoiceChoice
from accesspub.engines import (AudioClip, Engine, Voice, check_option, engine_names,
                               load_engine, strip_phonemes)
from accesspub.engines.fake import FakeEngine
from accesspub.engines.pcm import decode_with_ffmpeg, rms_dbfs, trim_silence
from accesspub.engines.select import EngineSet, describe_voices
from accesspub.errors import ConfigError, EngineError, EngineUnavailable, ToolError


def tone(seconds: float, rate: int = 22050, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")


# -- registry -----------------------------------------------------------------------------

def test_built_in_engines_are_registered():
    assert {"piper", "gtts", "espeak", "fake"} <= set(engine_names())


def test_unknown_engine_lists_installed_ones():
    with pytest.raises(ConfigError) as caught:
        load_engine("festival")
    assert "festival" in caught.value.message
    for name in ("piper", "gtts", "espeak", "fake"):
        assert name in caught.value.hint


_WORKER = """
import pickle, sys
factory = pickle.loads(sys.stdin.buffer.read())
engine = factory().engine("fake")
print(type(engine).__name__, "importlib.metadata" in sys.modules)
"""


def test_a_worker_loads_engines_from_the_registry_its_build_read(tmp_path):
    """The engine factory carries the entry points as the build read them: a worker
    process builds its engines without reading the installed packages again."""
    import pickle
    import subprocess
    import sys
    from accesspub.config import load_config
    from accesspub.audio.narration import engine_factory
    (tmp_path / "accesspub.toml").write_text('[narration]\nengine = "fake"\n')
    factory = engine_factory(load_config(tmp_path))
    out = subprocess.run([sys.executable, "-c", _WORKER], input=pickle.dumps(factory),
                         capture_output=True, check=True).stdout.decode().split()
    assert out == ["FakeEngine", "False"]


def test_a_registry_without_the_engine_falls_back_to_the_entry_points():
    engine = load_engine("fake", registry={"piper": "accesspub.engines.piper.adapter:PiperEngine"})
    assert type(engine).__name__ == "FakeEngine"


def test_unknown_option_lists_known_ones():
    with pytest.raises(ConfigError) as caught:
        load_engine("fake", {"speed": 2})
    assert caught.value.message == "unknown option engine.fake.speed"
    assert "ms_per_char" in caught.value.hint


def test_check_option():
    as_float = check_option("x", "a", 2, float)
    assert as_float == 2.0 and isinstance(as_float, float)
    assert check_option("x", "a", None, int, optional=True) is None
    with pytest.raises(ConfigError, match="engine.x.a must be int"):
        check_option("x", "a", True, int)
    with pytest.raises(ConfigError, match="engine.x.b"):
        check_option("x", "b", "1", float)


def test_strip_phonemes():
    assert strip_phonemes("Say [[ ˈhɛloʊ ]] now.") == "Say now."
    assert strip_phonemes("Hi [[ x ]].") == "Hi."
    assert strip_phonemes("plain") == "plain"


# -- PCM helpers --------------------------------------------------------------------------

def test_trim_silence_keeps_20_ms_each_side():
    rate = 22050
    silence = np.zeros(rate // 2, dtype="<i2")
    clip = AudioClip(np.concatenate([silence, tone(0.2), silence]).tobytes(), rate)
    trimmed = trim_silence(clip)
    assert trimmed.sample_rate == rate
    assert 0.24 <= trimmed.samples / rate <= 0.26        # 0.2 s + 2 × 20 ms (+ a window)


def test_trim_silence_leaves_silence_and_tight_clips_alone():
    silent = AudioClip(bytes(4410), 22050)
    assert trim_silence(silent) is silent
    tight = AudioClip(tone(0.1).tobytes(), 22050)
    assert trim_silence(tight) is tight
    assert trim_silence(AudioClip(b"", 22050)).pcm == b""


def test_trim_silence_keeps_quiet_speech():
    rate = 16000
    quiet = tone(0.2, rate, amplitude=0.01)              # -40 dBFS: soft, but not silence
    clip = AudioClip(np.concatenate([np.zeros(rate, "<i2"), quiet]).tobytes(), rate)
    assert trim_silence(clip).samples >= len(quiet)


def test_decode_with_ffmpeg_rejects_garbage():
    with pytest.raises(ToolError, match="could not decode"):
        decode_with_ffmpeg(b"this is not audio")


# -- fake engine --------------------------------------------------------------------------

def test_fake_engine_follows_the_contract():
    engine = load_engine("fake", {"ms_per_char": 10, "sample_rate": 16000})
    assert isinstance(engine, Engine)
    clip = engine.synthesize("twelve chars", lang="en")
    assert clip.sample_rate == 16000
    assert clip.samples == 16000 * 10 * 12 // 1000
    assert clip.pcm == engine.synthesize("twelve chars", lang="en").pcm
    assert clip.pcm != engine.synthesize("twelve chars", lang="de").pcm
    assert rms_dbfs(clip) > -20
    assert trim_silence(clip) is clip                    # no padding to trim
    assert engine.fingerprint() != FakeEngine().fingerprint()


def test_fake_engine_fails_on_demand():
    engine = FakeEngine(fail_langs=["az"])
    assert not engine.speaks("az-Latn") and engine.speaks("en")
    with pytest.raises(EngineError):
        engine.synthesize("Salam", lang="az")


# -- espeak -------------------------------------------------------------------------------

def test_espeak_missing_binary_is_unavailable_with_hint():
    with pytest.raises(EngineUnavailable, match="is not installed; install the espeak-ng"):
        load_engine("espeak", {"binary": "no-such-espeak-binary"})


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_speaks():
    engine = load_engine("espeak")
    clip = engine.synthesize("Hello world. [[ x ]]", lang="en")
    assert clip.sample_rate == 22050
    assert 0.4 < clip.samples / clip.sample_rate < 2.0
    assert rms_dbfs(clip) > -30
    assert engine.speaks("az") and not engine.speaks("xx")
    assert engine.fingerprint().startswith("espeak 1.")
    with pytest.raises(EngineError):
        engine.synthesize("Hello", lang="xx")


# -- EngineSet ----------------------------------------------------------------------------

class Broken:
    """An engine that fails the way gTTS does when the network is down (or worse)."""

    name = "broken"

    def __init__(self, error: type[EngineError] = EngineUnavailable) -> None:
        self.error = error
        self.calls = 0

    def voices(self):
        return [Voice("b", "Broken", ("en",))]

    def speaks(self, lang):
        return True

    def synthesize(self, text, *, lang, voice=None):
        self.calls += 1
        raise self.error("Google Text-to-Speech could not be reached after 4 tries: refused")

    def fingerprint(self):
        return "broken"

    def close(self):
        pass


def engine_set(narration: Narration, broken: Broken) -> tuple[EngineSet, list[str]]:
    loaded: list[str] = []

    def loader(name, options):
        loaded.append(name)
        return broken if name == "broken" else load_engine(name, options)

    return EngineSet(narration, lambda name: {"ms_per_char": 5} if name == "fake" else {},
                     loader=loader), loaded


AZ_BROKEN = Narration(engine="fake", voice="tone", languages=(
    ("az", VoiceChoice("broken", voice="az-voice", fallback="fake")),
    ("de", VoiceChoice("broken")),
))


def test_fallback_speaks_when_the_chosen_engine_is_unreachable():
    broken = Broken()
    engines, loaded = engine_set(AZ_BROKEN, broken)
    clip, spoke = engines.speak("Allah rəhmət eləsin!", "az")
    assert spoke == "fake"
    assert clip.samples == 22050 * 5 * len("Allah rəhmət eləsin!") // 1000
    assert [(f.lang, f.engine, f.fallback) for f in engines.fallbacks] == [("az", "broken", "fake")]
    assert "could not be reached" in engines.fallbacks[0].reason
    # The outage is remembered: the next sentence goes straight to the fallback.
    assert engines.speak("Salam.", "az-Latn")[1] == "fake"
    assert broken.calls == 1
    assert len(engines.fallbacks) == 2
    assert loaded == ["broken", "fake"]                  # each engine loaded once
    # The fallback gets the narration voice (it is the default engine), not the az voice.
    assert engines.engine("fake").calls[-1] == ("Salam.", "az-Latn", "tone")


def test_a_plain_failure_is_tried_again_next_time():
    broken = Broken(EngineError)
    engines, _ = engine_set(AZ_BROKEN, broken)
    engines.speak("one", "az")
    engines.speak("two", "az")
    assert broken.calls == 2


def test_without_fallback_the_error_propagates():
    engines, _ = engine_set(AZ_BROKEN, Broken())
    with pytest.raises(EngineUnavailable):
        engines.speak("Hallo.", "de")
    assert engines.speak("Hello.", "en") [1] == "fake"   # other languages unaffected


def test_candidates_give_cache_lookup_order():
    engines, _ = engine_set(AZ_BROKEN, Broken())
    assert engines.candidates("az") == [("broken", "az-voice"), ("fake", "tone")]
    assert engines.candidates("en-GB") == [("fake", "tone")]


def test_engine_set_from_config(tmp_path):
    from accesspub.config import load_config
    (tmp_path / "accesspub.toml").write_text(
        '[narration]\nengine = "fake"\n[engine.fake]\nms_per_char = 20\n', encoding="utf-8")
    engines = EngineSet.from_config(load_config(tmp_path))
    clip, spoke = engines.speak("abcd", "en")
    assert spoke == "fake" and clip.samples == 22050 * 20 * 4 // 1000


def test_describe_voices_reports_every_engine():
    def loader(name, options):
        if name == "gtts":
            raise EngineUnavailable("engine 'gtts' needs the gtts package", hint="pip install gtts")
        return load_engine(name, options)

    reports = {r.name: r for r in describe_voices(loader=loader)}
    assert {"piper", "gtts", "espeak", "fake"} <= set(reports)
    assert reports["piper"].available
    assert any(v.id == "en_US-joe-medium" and v.languages == ("en-US",)
               for v in reports["piper"].voices)
    assert not reports["gtts"].available
    assert reports["gtts"].reason == "engine 'gtts' needs the gtts package (pip install gtts)"
    assert reports["espeak"].available == (shutil.which("espeak-ng") is not None)
    # The CLI prints each report as is.
    assert str(reports["gtts"]).startswith("gtts: not available: engine 'gtts' needs")
    assert "  en_US-joe-medium  " in str(reports["piper"]) and "en-US" in str(reports["piper"])


def test_fingerprint_per_language():
    engines, _ = engine_set(AZ_BROKEN, Broken())
    assert engines.fingerprint("en") == FakeEngine(ms_per_char=5).fingerprint()
    assert engines.fingerprint("az") == "broken"


def test_fingerprint_of_an_unloadable_engine_names_the_fallback():
    def loader(name, options):
        if name == "broken":
            raise EngineUnavailable("not installed")
        return load_engine(name, options)

    engines = EngineSet(AZ_BROKEN, loader=loader)
    assert engines.fingerprint("az") == "broken unavailable; fallback " + FakeEngine().fingerprint()
    with pytest.raises(EngineUnavailable):
        engines.fingerprint("de")
    assert engines.speak("Salam", "az")[1] == "fake"
