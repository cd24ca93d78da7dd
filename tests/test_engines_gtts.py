"""gTTS adapter, tested at the HTTP boundary with ``responses``: no test touches the network."""

from __future__ import annotations

import base64
import json
import subprocess
from urllib.parse import parse_qs

import pytest
import requests

from accesspub.engines import load_engine
from accesspub.engines.gtts import GttsEngine
from accesspub.errors import ConfigError, EngineError, EngineUnavailable

responses = pytest.importorskip("responses")
from responses.registries import OrderedRegistry  # noqa: E402

URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


@pytest.fixture(scope="module")
def mp3() -> bytes:
    """A real 0.3 s MP3, made by the same ffmpeg the adapter decodes with."""
    import imageio_ffmpeg
    return subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", "sine=frequency=440:duration=0.3", "-ar", "24000", "-ac", "1", "-b:a", "32k",
         "-f", "mp3", "-"], capture_output=True, check=True).stdout


def google_body(mp3: bytes) -> str:
    """What batchexecute answers: the MP3 as base64 inside JSON inside JSON."""
    b64 = base64.b64encode(mp3).decode("ascii")
    return (")]}'\n\n123\n"
            '[["wrb.fr","jQ1olc","[\\"' + b64 + '\\"]",null,null,null,"generic"]]\n')


def sent_language(call) -> str:
    """The language a recorded request asked Google for."""
    form = parse_qs(call.request.body if isinstance(call.request.body, str)
                    else call.request.body.decode())
    rpc = json.loads(form["f.req"][0])
    return json.loads(rpc[0][0][1])[1]


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def engine(sleeps) -> GttsEngine:
    return GttsEngine(sleep=sleeps.append)


@responses.activate
def test_speaks_mp3_as_pcm(engine, mp3):
    responses.post(URL, body=google_body(mp3))
    clip = engine.synthesize("Hello world.", lang="en-GB")
    assert clip.sample_rate == 24000
    assert 0.2 < clip.samples / clip.sample_rate < 0.5      # 0.3 s tone + MP3 padding
    assert len(responses.calls) == 1
    assert sent_language(responses.calls[0]) == "en"
    assert responses.calls[0].request.req_kwargs["timeout"] == 15.0


@responses.activate(registry=OrderedRegistry)
def test_retries_after_429_then_succeeds(engine, mp3, sleeps):
    responses.post(URL, status=429, headers={"Retry-After": "3"})
    responses.post(URL, body=google_body(mp3))
    clip = engine.synthesize("Hello.", lang="en")
    assert clip.samples > 0
    assert len(responses.calls) == 2
    assert sleeps == [3.0]                       # Retry-After beats the 1 s backoff


@responses.activate(registry=OrderedRegistry)
def test_retries_server_errors_with_exponential_backoff(engine, mp3, sleeps):
    for _ in range(3):
        responses.post(URL, status=503)
    responses.post(URL, body=google_body(mp3))
    assert engine.synthesize("Hello.", lang="en").samples > 0
    assert sleeps == [1.0, 2.0, 4.0]


@responses.activate
def test_unreachable_after_all_tries_is_a_clean_error(engine, sleeps):
    responses.post(URL, body=requests.exceptions.ConnectionError("Connection refused"))
    with pytest.raises(EngineUnavailable) as caught:
        engine.synthesize("Hello.", lang="en")
    message = caught.value.message
    assert message.startswith("Google Text-to-Speech could not be reached after 4 tries: ")
    assert "check the internet connection or set a fallback engine" in message
    assert isinstance(caught.value, EngineError)
    assert len(responses.calls) == 4
    assert sleeps == [1.0, 2.0, 4.0]


@responses.activate
def test_timeouts_are_retried(sleeps, mp3):
    responses.post(URL, body=requests.exceptions.ReadTimeout("read timed out"))
    engine = GttsEngine(retries=2, backoff=0.5, timeout=2.5, sleep=sleeps.append)
    with pytest.raises(EngineUnavailable, match="after 2 tries"):
        engine.synthesize("Hello.", lang="en")
    assert responses.calls[0].request.req_kwargs["timeout"] == 2.5
    assert sleeps == [0.5]


@responses.activate
def test_a_refusal_is_not_retried(engine, sleeps):
    responses.post(URL, status=403)
    with pytest.raises(EngineError) as caught:
        engine.synthesize("Hello.", lang="en")
    assert not isinstance(caught.value, EngineUnavailable)
    assert "403" in caught.value.message
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_azerbaijani_is_read_as_turkish(engine, mp3):
    responses.post(URL, body=google_body(mp3))
    engine.synthesize("Allah rəhmət eləsin!", lang="az")
    assert sent_language(responses.calls[0]) == "tr"


@responses.activate
def test_raw_phonemes_are_not_sent_to_google(engine, mp3):
    responses.post(URL, body=google_body(mp3))
    engine.synthesize("Say [[ ˈhɛloʊ ]] now.", lang="en")
    form = parse_qs(responses.calls[0].request.body)
    assert json.loads(json.loads(form["f.req"][0])[0][0][1])[0] == "Say now."


def test_languages():
    engine = GttsEngine(lang_map={"az": "tr", "pt": "pt-PT"})
    assert engine.google_lang("az-Latn") == "tr"
    assert engine.google_lang("pt-BR") == "pt-PT"           # the map wins
    assert engine.google_lang("zh-tw") == "zh-TW"
    assert engine.google_lang("en-GB") == "en"
    assert engine.speaks("az") and not engine.speaks("xx")
    assert "tr" in engine.voices()[0].languages
    with pytest.raises(EngineError, match="no language 'xx'"):
        engine.synthesize("Hello.", lang="xx")


def test_fingerprint_follows_settings():
    base = GttsEngine().fingerprint()
    assert base == GttsEngine().fingerprint() and base.startswith("gtts ")
    assert GttsEngine(tld="co.uk").fingerprint() != base
    assert GttsEngine(lang_map={}).fingerprint() != base


@pytest.mark.parametrize("options, key", [
    ({"lang_map": {"az": "klingon"}}, "engine.gtts.lang_map.az"),
    ({"retries": 0}, "engine.gtts.retries"),
    ({"timeout": "soon"}, "engine.gtts.timeout"),
    ({"slow": 1}, "engine.gtts.slow"),
])
def test_bad_options_name_their_key(options, key):
    with pytest.raises(ConfigError) as caught:
        load_engine("gtts", options)
    assert key in caught.value.message
