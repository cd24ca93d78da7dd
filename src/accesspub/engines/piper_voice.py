"""Loading Piper voices once per process, and making their output reproducible.

Two things Piper does not do for us:

* **Load once.**  A voice is a 60 MB ONNX model; loading takes about half a second.  Voices
  are cached here by (model, config, threads), so every engine object in a process — and
  every clip job a process-pool worker runs — shares one loaded voice.

* **Same text, same bytes.**  Piper's VITS models draw Gaussian noise inside the ONNX graph
  (``RandomNormalLike``), so saying a sentence twice gives two different recordings, and a
  rebuilt MP3 would differ from the last one (podcast apps re-download it).  When the
  ``onnx`` package is installed we rewrite those nodes, in memory, to read the noise from
  extra graph inputs, and feed them noise from a generator seeded by the phoneme ids.  The
  voice sounds the same (the noise has the same distribution) but is a pure function of
  the phonemes.  Without ``onnx`` we fall back to Piper's own random noise and say so in
  the fingerprint.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

NOISE_PREFIX = "accesspub_noise_"
# Noise values fed per phoneme id and latent channel; generous, so the retry below is rare.
FRAMES_PER_ID = 16
MAX_GROW = 4

_voices: dict[tuple[str, str, int], "LoadedVoice"] = {}
_digests: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()
load_count = 0               # voices loaded by this process: tests check it stays at one


@dataclass
class LoadedVoice:
    """A Piper voice plus what accesspub needs to drive its ONNX session directly."""

    voice: Any                          # piper.PiperVoice
    noise_inputs: tuple[str, ...]       # empty: Piper's own (random) noise is used
    model_path: Path

    @property
    def deterministic(self) -> bool:
        return bool(self.noise_inputs)

    @property
    def sample_rate(self) -> int:
        return int(self.voice.config.sample_rate)

    def ids_to_audio(self, ids: list[int], scales: tuple[float, float, float],
                     speaker_id: int | None) -> np.ndarray:
        """Phoneme ids -> float audio in [-1, 1], exactly as Piper's model produces it.

        ``scales`` is (noise_scale, length_scale, noise_w_scale), Piper's order.
        """
        args: dict[str, np.ndarray] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array(scales, dtype=np.float32),
        }
        if speaker_id is not None:
            args["sid"] = np.array([speaker_id], dtype=np.int64)
        if not self.noise_inputs:
            return self.voice.session.run(None, args)[0].squeeze()

        seed = int.from_bytes(hashlib.sha256(np.array(ids, dtype="<i8").tobytes()
                                             + repr(speaker_id).encode()).digest()[:8], "little")
        slow = max(1.0, float(scales[1]))          # a larger length_scale needs more frames
        size = max(4096, int(len(ids) * FRAMES_PER_ID * 256 * slow))
        for attempt in range(MAX_GROW):
            for k, name in enumerate(self.noise_inputs):
                # One stream per noise node; a longer draw starts with the same values,
                # so growing the buffer never changes the sound.
                rng = np.random.default_rng([seed, k])
                args[name] = rng.standard_normal(size, dtype=np.float32)
            try:
                return self.voice.session.run(None, args)[0].squeeze()
            except Exception as exc:    # onnxruntime's errors share no useful base class
                # The model wanted more noise than we fed (a very slow or long sentence):
                # our Reshape after the Slice fails, naming itself.  Feed more, try again.
                if NOISE_PREFIX not in str(exc) or attempt == MAX_GROW - 1:
                    raise
                size *= 4
        raise AssertionError("unreachable")


def file_sha256(path: Path) -> str:
    """sha256 of a file, computed once per (path, size, mtime) in this process."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _lock:
        if key in _digests:
            return _digests[key]
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    with _lock:
        _digests[key] = digest.hexdigest()
    return _digests[key]


def get_voice(model: Path, config: Path, threads: int = 0) -> LoadedVoice:
    """The loaded voice for ``model``; loads it on first use in this process only."""
    global load_count
    key = (str(model.resolve()), str(config.resolve()), threads)
    with _lock:
        if key not in _voices:
            _voices[key] = load_voice(model, config, threads)
            load_count += 1
        return _voices[key]


def load_voice(model: Path, config: Path, threads: int = 0) -> LoadedVoice:
    """Load a voice without the cache (``get_voice`` is what engines call)."""
    import json

    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    with config.open(encoding="utf-8") as fh:
        piper_config = PiperConfig.from_dict(json.load(fh))
    model_bytes, noise_inputs = _seeded_noise_model(model)
    options = onnxruntime.SessionOptions()
    # Errors reach the caller as exceptions; don't also print them (the noise retry above
    # would otherwise log a scary message for a case it handles).
    options.log_severity_level = 4
    threads = threads or int(os.environ.get("ACCESSPUB_ONNX_THREADS", "0") or 0)
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model_bytes or str(model), sess_options=options,
                                           providers=["CPUExecutionProvider"])
    log.debug("loaded Piper voice %s (seeded noise: %s)", model, bool(noise_inputs))
    return LoadedVoice(PiperVoice(session=session, config=piper_config),
                       tuple(noise_inputs), model)


def _seeded_noise_model(model: Path) -> tuple[bytes | None, list[str]]:
    """Rewrite every ``RandomNormalLike(x)`` to ``Reshape(Slice(noise_k, 0, Size(x)), Shape(x))``.

    Returns the serialised model and the names of the new float inputs, or ``(None, [])``
    when ``onnx`` is missing or the graph has random nodes we do not understand (then the
    model is used as it is, with Piper's random noise).
    """
    try:
        import onnx
        from onnx import TensorProto, helper
    except ImportError:
        log.info("onnx is not installed: Piper output will vary slightly between runs")
        return None, []

    graph_model = onnx.load(str(model))
    graph = graph_model.graph
    nodes: list[Any] = []
    names: list[str] = []
    for node in graph.node:
        if node.op_type in ("RandomNormal", "RandomUniform", "RandomUniformLike", "Multinomial"):
            return None, []
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("mean", 0.0) != 0.0 or attrs.get("scale", 1.0) != 1.0 \
                or attrs.get("dtype", TensorProto.FLOAT) != TensorProto.FLOAT:
            return None, []
        name = f"{NOISE_PREFIX}{len(names)}"
        names.append(name)
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [name]))
        x, p = node.input[0], f"/accesspub/{name}/"
        nodes += [
            helper.make_node("Constant", [], [p + "zero"],
                             value=helper.make_tensor(p + "zero_v", TensorProto.INT64, [1], [0])),
            helper.make_node("Constant", [], [p + "one"],
                             value=helper.make_tensor(p + "one_v", TensorProto.INT64, [1], [1])),
            helper.make_node("Shape", [x], [p + "shape"]),
            helper.make_node("Size", [x], [p + "size"]),
            helper.make_node("Reshape", [p + "size", p + "one"], [p + "end"]),
            helper.make_node("Slice", [name, p + "zero", p + "end"], [p + "flat"]),
            helper.make_node("Reshape", [p + "flat", p + "shape"], [node.output[0]],
                             name=p + "reshape"),
        ]
    if not names:
        return None, []
    del graph.node[:]
    graph.node.extend(nodes)
    return graph_model.SerializeToString(), names


def noise_mode() -> str:
    """"seeded" when voices are made reproducible (onnx installed), else "random"."""
    import importlib.util
    return "seeded" if importlib.util.find_spec("onnx") else "random"


def forget_voices() -> None:
    """Drop every cached voice (tests use this to count loads)."""
    with _lock:
        _voices.clear()
