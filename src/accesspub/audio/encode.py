"""MP3 (and the audiobook's AAC) encoding and decoding with the ffmpeg binary bundled by
imageio-ffmpeg.

Encoding: PCM is piped to ffmpeg's stdin chunk by chunk (memory stays bounded by the largest
chunk), encoded once per file with libmp3lame, mono, 44.1 kHz, CBR.  Determinism: the same
PCM gives byte-identical files because ``-fflags +bitexact -flags:a +bitexact`` drop the
encoder version string, ``-map_metadata -1`` drops inherited metadata and
``-id3v2_version 0`` writes no ID3 tag at all (mutagen writes ours afterwards).

Encoder delay (measured with ffmpeg n9.0.2 + LAME, see tests/test_audio_encode.py): LAME
delays the signal by 1105 samples at 44.1 kHz (576 encoder + 529 decoder) and pads the end
to a whole 1152-sample frame.  ffmpeg writes a Xing/"Info" frame with a LAME tag recording
that delay and padding, and decoders that honour it (ffmpeg/libavcodec, so Chrome, Firefox
via the OS, VLC, Apple's players, most podcast apps) strip both: a click at sample 10000
decodes at sample 10000 and the decoded length equals the input length exactly.  So we keep
the Info frame (``-write_xing 1``, ffmpeg's default) and need no compensation; a player that
ignores the LAME tag hears everything 25 ms late (1105/44100 s), inside the 50 ms budget
of MO-13.  With ``-write_xing 0`` the same decode is 1105 samples late and 1656 longer.

Level: in CBR mode LAME's bitrate presets scale the input by 0.95 (-0.446 dB, measured at
64k and 128k; VBR does not) to leave room for codec overshoot.  ``codec_gain_db`` measures
it for a bitrate so the loudness stage can aim that much higher and land on target.

Overshoot: the coded signal is the input plus quantisation noise, so a clip limited right at
the ceiling decodes with its true peak a little above it, by a different amount at every
peak; over a book's thousands of clips the largest of them set the file's true peak (a
90-minute novel decoded to -0.8 dBTP against a -1.5 dBTP ceiling).  ``codec_headroom_db``
is how far under the ceiling clips are limited before encoding so the *decoded* files stay
under it: measured on speech with ``benchmarks/codec_overshoot.py``.
"""

from __future__ import annotations

import functools
import math
import queue
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Iterable

import numpy as np

from accesspub.errors import ToolError


def ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg
        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise ToolError("ffmpeg is not available to encode the narration",
                        code="tool-missing", hint="pip install imageio-ffmpeg") from exc


def encode_command(path: Path, sample_rate: int, bitrate: str) -> list[str]:
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
        "-c:a", "libmp3lame", "-b:a", bitrate, "-ar", str(sample_rate), "-ac", "1",
        "-write_xing", "1", "-id3v2_version", "0", "-write_id3v1", "0",
        "-f", "mp3", str(path),
    ]


def aac_command(path: Path, sample_rate: int, bitrate: str, gain_db: float = 0.0) -> list[str]:
    """ffmpeg's own AAC-LC encoder into an MP4 file: the M4B's audio, muxed later with
    ``-c:a copy`` (``writers.m4b``).  MP4, not ADTS: only the container records the
    encoder's 1024 samples of priming (an edit list), so the audiobook decodes sample for
    sample where the PCM was; an ADTS stream decodes 1024 samples late.
    ``gain_db``: LAME's CBR level change (``codec_gain_db``), which the levelled clips are
    raised to cancel; AAC has none, so the same change is made here and the audiobook
    decodes at the loudness the MP3s do."""
    command = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"]
    if gain_db:
        command += ["-af", f"volume={gain_db:.3f}dB:precision=float"]
    return command + ["-c:a", "aac", "-b:a", bitrate, "-ar", str(sample_rate), "-ac", "1",
                      "-f", "mp4", str(path)]


def encode_mp3(chunks: Iterable[np.ndarray], path: Path, *, sample_rate: int,
               bitrate: str = "64k") -> None:
    """Encode int16 mono ``chunks`` (in order) into the MP3 file ``path``.

    Raises ToolError if ffmpeg fails; a partial file is removed.
    """
    run_encoder(encode_command(Path(path), sample_rate, bitrate), chunks, Path(path))


def run_encoder(command: list[str], chunks: Iterable[np.ndarray], path: Path) -> None:
    """Pipe int16 mono ``chunks`` (in order) to the ffmpeg ``command`` writing ``path``.

    Raises ToolError if ffmpeg fails; a partial file is removed.
    """
    path = Path(path)
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    # Read stderr concurrently so a chatty ffmpeg can never block on a full pipe.
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
    reader.start()
    broken = False
    try:
        for chunk in chunks:
            if len(chunk):
                proc.stdin.write(memoryview(np.ascontiguousarray(chunk, dtype="<i2")).cast("B"))
    except BrokenPipeError:
        broken = True                    # ffmpeg died; its message says why
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            broken = True
        code = proc.wait()
        reader.join()
    if code != 0 or broken:
        path.unlink(missing_ok=True)
        detail = b"".join(errors).decode("utf-8", "replace").strip().splitlines()
        raise ToolError(f"ffmpeg could not encode {path.name}: "
                        + (detail[-1] if detail else f"exit status {code}"),
                        code="tool-failed")


class StreamingEncoder:
    """One ffmpeg encoding ``path``, fed chunk by chunk from the caller's thread.

    ``write`` hands a chunk to a feeder thread through a small bounded queue (so memory is a
    few chunks, and several encoders fed in turn all keep working); ``close`` waits for
    the file and raises ffmpeg's error, if any.  Use as a context manager: leaving it with
    an exception stops ffmpeg and removes the partial file.
    """

    _END = None

    def __init__(self, path: Path, *, sample_rate: int, bitrate: str = "64k",
                 queue_size: int = 8, command: list[str] | None = None) -> None:
        self.path = Path(path)
        # an MP3 unless the caller gives its own encoder (``aac_command``)
        self._command = command or encode_command(self.path, sample_rate, bitrate)
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._error: BaseException | None = None
        self._closed = False
        self._ended = False                      # the feeder has taken the end marker
        self._thread = threading.Thread(target=self._run, name=f"encode {self.path.name}",
                                        daemon=True)
        self._thread.start()

    def _chunks(self):
        while True:
            chunk = self._queue.get()
            if chunk is self._END:
                self._ended = True
                return
            yield chunk

    def _run(self) -> None:
        try:
            run_encoder(self._command, self._chunks(), self.path)
        except BaseException as exc:           # reported by close(); keep draining
            self._error = exc
            while not self._ended:
                self._ended = self._queue.get() is self._END

    def write(self, chunk: np.ndarray) -> None:
        if len(chunk):
            self._queue.put(chunk)

    def close(self) -> None:
        """Finish the file; raises ToolError if ffmpeg failed."""
        if not self._closed:
            self._closed = True
            self._queue.put(self._END)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def __enter__(self) -> "StreamingEncoder":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if exc is None:
            self.close()
            return
        try:
            self.close()
        except BaseException:
            pass
        self.path.unlink(missing_ok=True)


def decode_mp3(path: Path, sample_rate: int | None = None) -> tuple[np.ndarray, int]:
    """Decode an audio file to (int16 mono samples, rate) with ffmpeg.

    The rate is the file's own unless ``sample_rate`` is given (our MP3s are 44.1 kHz).
    """
    rate = sample_rate or 44100
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path),
           "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1"]
    if sample_rate:
        cmd += ["-ar", str(sample_rate)]
    done = subprocess.run(cmd + ["pipe:1"], capture_output=True, check=False)
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ToolError(f"ffmpeg could not decode {Path(path).name}: "
                        + (detail[-1] if detail else f"exit status {done.returncode}"),
                        code="tool-failed")
    if sample_rate is None:
        rate = _file_rate(path)
    return np.frombuffer(done.stdout, dtype="<i2"), rate


def _file_rate(path: Path) -> int:
    """The sample rate ffmpeg decoded at, read from the MP3 header via mutagen."""
    try:
        from mutagen import File
        info = File(str(path))
        return int(info.info.sample_rate)
    except Exception:                    # not a format mutagen knows: assume ours
        return 44100


@functools.lru_cache(maxsize=None)
def codec_gain_db(bitrate: str, sample_rate: int = 44100) -> float:
    """Level change (dB) of an encode -> decode round trip at ``bitrate``, e.g. -0.446.

    Measured on 1 s of a 1 kHz tone at -12 dBFS (well inside every codec's passband and far
    from clipping), rounded to 0.001 dB; costs ~50 ms once per process and bitrate.
    """
    t = np.arange(sample_rate) / sample_rate
    tone = np.round(0.25 * 32767 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.mp3"
        encode_mp3([tone], path, sample_rate=sample_rate, bitrate=bitrate)
        decoded, _ = decode_mp3(path, sample_rate)
    cut = sample_rate // 10                       # ignore onset and end transients
    a = decoded[cut:-cut].astype(np.float64)
    b = tone[cut:-cut].astype(np.float64)
    return round(10 * math.log10(np.mean(a * a) / np.mean(b * b)), 3)


# (kbit/s, dB).  Largest per-clip overshoot measured on the sample's levelled Piper speech
# (benchmarks/codec_overshoot.py, 33 clips at 4-6 frame alignments): 32k 1.30, 48k 0.89,
# 64k 0.51, 96k 0.24, 128k 0.28 dB; a 90-minute book at 64k reached 0.7 dB, its many more
# clips reaching further into the tail (x1.4).  Each figure is that tail with room to spare.
# Fewer bits, more quantisation noise, larger overshoot.
_HEADROOM_DB = ((32, 1.9), (48, 1.3), (64, 1.0), (96, 0.6), (128, 0.6))


def codec_headroom_db(bitrate: str) -> float:
    """How far under the true-peak ceiling to limit before encoding at ``bitrate`` (dB,
    positive): the encoder's overshoot on speech.  A rate between two measured ones takes
    the lower one's (larger) figure."""
    kbps = int(bitrate.rstrip("kK"))
    return next((db for rate, db in reversed(_HEADROOM_DB) if rate <= kbps), _HEADROOM_DB[0][1])
