"""PCM helpers shared by the engine adapters: silence trimming, WAV and MP3 decoding.

Every engine returns an ``AudioClip`` of signed 16-bit little-endian mono PCM.  These helpers
convert what the libraries give us into that, and nothing more: resampling and loudness are
the audio stage's job.
"""

from __future__ import annotations

import io
import subprocess
import wave

import numpy as np

# __init__ imports this module only after AudioClip is defined, so this is not circular.
from accesspub.engines import AudioClip
from accesspub.errors import EngineError, ToolError

# A window whose peak stays below this is "near silence": -50 dBFS is far below speech
# (typically -30..-3 dBFS) yet above the hiss and dither some engines leave around speech.
SILENCE_PEAK = int(32767 * 10 ** (-50 / 20))
WINDOW_MS = 5
KEEP_MS = 20


def trim_silence(clip: AudioClip, keep_ms: int = KEEP_MS,
                 threshold: int = SILENCE_PEAK) -> AudioClip:
    """Cut near-silence from both ends of ``clip``, keeping ``keep_ms`` before and after.

    Engines pad their output with silence of their own choosing; the audio stage adds the
    pauses we want (sentence, paragraph, heading), so padding would make them uneven.  The
    trim is conservative: it works on 5 ms windows, cuts only where a whole window is below
    -50 dBFS, and keeps 20 ms so soft onsets and breathy endings are never clipped.
    A clip that is silent throughout is returned unchanged (it may be an intentional pause).
    """
    samples = np.frombuffer(clip.pcm, dtype="<i2")
    window = max(1, clip.sample_rate * WINDOW_MS // 1000)
    n_windows = len(samples) // window + (1 if len(samples) % window else 0)
    if n_windows == 0:
        return clip
    padded = np.zeros(n_windows * window, dtype=np.int32)
    padded[: len(samples)] = np.abs(samples.astype(np.int32))
    loud = np.flatnonzero(padded.reshape(n_windows, window).max(axis=1) > threshold)
    if loud.size == 0:
        return clip
    keep = clip.sample_rate * keep_ms // 1000
    start = max(0, loud[0] * window - keep)
    end = min(len(samples), (loud[-1] + 1) * window + keep)
    if start == 0 and end == len(samples):
        return clip
    return AudioClip(samples[start:end].tobytes(), clip.sample_rate)


def float_to_pcm16(audio: np.ndarray) -> bytes:
    """[-1, 1] float samples -> 16-bit PCM bytes, clipped the way Piper does it."""
    scaled = np.clip(np.asarray(audio, dtype=np.float32) * 32767.0, -32767.0, 32767.0)
    return scaled.astype("<i2").tobytes()


def wav_to_clip(data: bytes) -> AudioClip:
    """A 16-bit WAV file (mono or stereo) -> mono AudioClip at the file's own rate."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise EngineError(f"the engine returned audio that is not a WAV file: {exc}") from exc
    if width != 2:
        raise EngineError(f"the engine returned {8 * width}-bit audio; 16-bit is expected")
    if channels > 1:
        stereo = np.frombuffer(frames, dtype="<i2").reshape(-1, channels).astype(np.int32)
        frames = stereo.mean(axis=1).astype("<i2").tobytes()
    return AudioClip(frames, rate)


def decode_with_ffmpeg(data: bytes, sample_rate: int = 24000,
                       timeout: float = 60.0) -> AudioClip:
    """Any audio ffmpeg reads (MP3 from gTTS) -> mono 16-bit PCM at ``sample_rate``.

    Uses the ffmpeg binary bundled by imageio-ffmpeg, fed through stdin and read from
    stdout, so no temporary files are written (there is no ffprobe; none is needed).
    """
    try:
        import imageio_ffmpeg
        ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise ToolError("ffmpeg is not available to decode speech audio",
                        code="tool-missing", hint="pip install imageio-ffmpeg") from exc
    cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-i", "pipe:0",
           "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "-ar", str(sample_rate), "-"]
    try:
        done = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"ffmpeg took more than {timeout:g} s to decode speech audio",
                        code="tool-failed") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ToolError("ffmpeg could not decode the speech audio: "
                        + (detail[-1] if detail else f"exit status {done.returncode}"),
                        code="tool-failed")
    return AudioClip(done.stdout, sample_rate)


def rms_dbfs(clip: AudioClip) -> float:
    """Loudness of the clip as RMS in dBFS (-inf for digital silence); used by checks."""
    samples = np.frombuffer(clip.pcm, dtype="<i2").astype(np.float64)
    if samples.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(samples ** 2)))
    return 20 * np.log10(rms / 32767) if rms > 0 else float("-inf")
