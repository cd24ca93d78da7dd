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
