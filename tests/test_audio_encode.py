"""MP3 encoding: format, byte-identical output, no timing shift (encoder delay handled)."""

import numpy as np
import pytest
from mutagen.mp3 import MP3, BitrateMode

from accesspub.audio.encode import decode_mp3, encode_mp3
from accesspub.errors import ToolError


def clicks(n=2 * 44100):
    x = np.zeros(n, np.int16)
    x[10000] = 20000
    x[50000:50010] = -20000
    return x


def test_format_is_mono_44k_cbr(tmp_path):
    path = tmp_path / "a.mp3"
    encode_mp3([clicks()], path, sample_rate=44100, bitrate="64k")
    info = MP3(path).info
    assert (info.sample_rate, info.channels) == (44100, 1)
    assert abs(info.bitrate - 64000) < 200       # mutagen derives it from size / duration
    assert info.bitrate_mode == BitrateMode.CBR
    assert path.read_bytes()[:3] != b"ID3"          # ffmpeg writes no tag; mutagen does


def test_same_input_same_bytes_and_chunking_does_not_matter(tmp_path):
    x = clicks()
    encode_mp3([x], tmp_path / "a.mp3", sample_rate=44100)
    encode_mp3([x], tmp_path / "b.mp3", sample_rate=44100)
    encode_mp3([x[:777], x[777:60000], x[60000:]], tmp_path / "c.mp3", sample_rate=44100)
    a = (tmp_path / "a.mp3").read_bytes()
    assert a == (tmp_path / "b.mp3").read_bytes() == (tmp_path / "c.mp3").read_bytes()


def test_decoded_audio_is_not_shifted_or_lengthened(tmp_path):
    """LAME's 1105-sample delay and end padding are recorded in the Info/LAME frame and
    removed by ffmpeg's decoder: decoded length and click positions match the input."""
    x = clicks()
    path = tmp_path / "a.mp3"
    encode_mp3([x], path, sample_rate=44100)
    y, rate = decode_mp3(path)
    assert rate == 44100
    assert len(y) == len(x)
    assert abs(int(np.argmax(np.abs(y[:30000]))) - 10000) <= 2
    assert abs(int(np.argmax(np.abs(y[30000:]))) + 30000 - 50005) <= 8


def test_ffmpeg_failure_is_a_tool_error(tmp_path):
    with pytest.raises(ToolError):
        encode_mp3([clicks()], tmp_path / "a.mp3", sample_rate=44100, bitrate="nonsense")
    assert not (tmp_path / "a.mp3").exists()


def test_codec_gain_is_lames_cbr_scale():
    from accesspub.audio.encode import codec_gain_db
    # LAME's CBR presets scale input by 0.95 = -0.446 dB; the loudness stage compensates.
    assert abs(codec_gain_db("64k") - 20 * np.log10(0.95)) < 0.05


def speechlike_clips(count=12, seconds=2.5):
    """Voiced syllables with breath noise, each clip different: what the limiter and the
    encoder meet in narration, without synthesis."""
    rng = np.random.default_rng(11)
    t = np.arange(int(seconds * 44100)) / 44100
    for k in range(count):
        f0 = 95 + 9 * k
        syllables = np.clip(np.sin(2 * np.pi * (2.1 + 0.2 * k) * t), 0, None) ** 0.5
        voice = sum(np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 6)) / h for h in range(1, 30))
        x = syllables * (voice + 0.3 * rng.standard_normal(len(t)))
        x /= np.max(np.abs(x))
        # Plosives: short bursts (under 5 kHz, as in speech) over the voice, the peaks the
        # limiter must hold.
        for at in rng.integers(0, len(t) - 400, 6):
            burst = np.convolve(rng.standard_normal(400), np.hanning(9), "same")
            x[at:at + 400] += 1.5 * np.hanning(400) * burst
        yield np.round(x / np.max(np.abs(x)) * 32000).astype(np.int16)


@pytest.mark.parametrize("bitrate", ["64k", "128k"])
def test_levelled_speech_decodes_under_the_ceiling(tmp_path, bitrate):
    """The codec overshoots a clip limited right at the ceiling; ``Levelling`` leaves it
    ``codec_headroom_db`` so the decoded file (libebur128's true peak) stays under the
    configured ceiling, and the loudness still lands on target."""
    import math

    import audio_helpers as h
    import pyebur128
    from accesspub.audio.encode import codec_gain_db, codec_headroom_db
    from accesspub.audio.synthesize import Levelling
    cfg = h.config(tmp_path, bitrate=bitrate)
    levelling = Levelling.from_config(cfg)
    expected = (cfg.narration.true_peak - codec_gain_db(bitrate) - codec_headroom_db(bitrate))
    assert levelling.ceiling_dbtp == round(expected, 4) < cfg.narration.true_peak
    pause = np.zeros(22050, np.int16)
    parts = [p for clip in speechlike_clips() for p in (levelling.apply(clip, 44100), pause)]
    encode_mp3(parts, tmp_path / "a.mp3", sample_rate=44100, bitrate=bitrate)
    decoded, _ = decode_mp3(tmp_path / "a.mp3")
    mode = pyebur128.MeasurementMode.MODE_I | pyebur128.MeasurementMode.MODE_TRUE_PEAK
    state = pyebur128.R128State(1, 44100, mode)
    state.add_frames(decoded, len(decoded))
    assert 20 * math.log10(pyebur128.get_true_peak(state, 0)) <= cfg.narration.true_peak
    assert abs(pyebur128.get_loudness_global(state) - cfg.narration.loudness) <= 0.5
