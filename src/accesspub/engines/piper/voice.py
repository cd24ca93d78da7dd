"""Loading Piper voices once per process, making their output reproducible, and keeping a
long sentence's memory bounded and its synthesis fast.

What Piper does not do for us:

* **Load once.**  A voice is a 60 MB ONNX model, slow to load.  Voices are cached here by
  (model, config, threads, optimise), so every engine object in a process — and every
  clip job a process-pool worker runs — shares one loaded voice.

* **Same text, same bytes.**  Piper's VITS models draw Gaussian noise inside the ONNX graph
  (``RandomNormalLike``), so saying a sentence twice gives two different recordings, and a
  rebuilt MP3 would differ from the last one (podcast apps re-download it).  When the
  ``onnx`` package is installed we rewrite those nodes to read the noise from extra graph
  inputs, and feed them slices of one fixed table of Gaussian noise at offsets seeded by
  the phoneme ids.  The voice sounds the same (the noise has the same distribution) but is
  a pure function of the phonemes, and drawing it costs nothing per sentence.

* **Memory bounded by a few seconds of audio, not by the sentence.**  The vocoder (the
  ``/dec/`` part of the graph, most of the time) holds activations for every latent frame
  at once, so a long sentence took hundreds of MB.  We split the graph into the encoder
  (phonemes -> latent frames) and the decoder (frames -> audio) and decode long sentences
  in chunks, each with ``halo`` frames of context on both sides.  The decoder is purely
  convolutional, so with a halo as wide as its receptive field (computed from the graph)
  every chunk's middle is exactly what the whole decode gives.

* **Fast.**  The split graphs are also rewritten into layouts ONNX Runtime's CPU kernels
  run faster (``graph``: 2-D convolutions, upsampling as convolutions, blocked tensors
  kept between convolutions).  These rewrites and the split only buy speed and memory,
  so they sit behind ``[engine.piper] optimise`` (on by default); with it off the voice
  is only seeded.  Their history and figures: docs/performance.md.

The rewritten and split graphs are written once per voice file to a per-user cache
(``ACCESSPUB_VOICE_CACHE``, else ``$XDG_CACHE_HOME/accesspub/voices``), like a compiled
model: later processes load them directly, which is faster and avoids holding the model
three times while rewriting it.  Without ``onnx`` the voice is used as Piper ships it.
A voice that cannot be seeded or split is said at INFO on the "accesspub.engines.piper"
logger, once per process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from accesspub.engines.piper import graph as piper_graph
from accesspub.engines.piper.graph import NOISE_PREFIX

log = logging.getLogger("accesspub.engines.piper")

# Noise values offered per phoneme id and noise node; generous, so the retry below is rare.
FRAMES_PER_ID = 6
MAX_GROW = 4
# Bump when the rewriting or splitting (piper_graph) changes what a prepared voice contains.
PREPARED_REVISION = 4
# Bump when what is done to ONNX Runtime's optimised graphs (piper_graph.keep_blocked) changes.
OPTIMISED_REVISION = 1
# The shared noise table: 2**21 floats (8 MB), drawn once per process from a fixed seed.
NOISE_TABLE = 1 << 21
# Decode at most this many latent frames (~3.7 s of audio at 22050 Hz) in one call.
CHUNK_FRAMES = 480

_voices: dict[tuple[str, str, int, bool], "LoadedVoice"] = {}
_digests: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()
_noise: np.ndarray | None = None


def _noise_table() -> np.ndarray:
    global _noise
    with _lock:
        if _noise is None:
            _noise = np.random.default_rng(0x61636365737370).standard_normal(
                NOISE_TABLE, dtype=np.float32)
        return _noise


def _noise_slice(seed: int, k: int, size: int) -> np.ndarray:
    """``size`` Gaussian values for noise node ``k`` of the sentence ``seed``.

    A slice of the shared table when it fits, starting at an offset that depends only on
    (seed, k), so asking for more values never changes the first ones; a sentence too long
    for the table gets its own draw.
    """
    half = NOISE_TABLE // 2
    if size > half:
        return np.random.default_rng([seed, k]).standard_normal(size, dtype=np.float32)
    start = int.from_bytes(hashlib.sha256(f"{seed}/{k}".encode()).digest()[:8], "little") % half
    return _noise_table()[start:start + size]


@dataclass
class LoadedVoice:
    """A Piper voice plus what accesspub needs to drive its ONNX sessions directly.

    ``voice.session`` is the whole model, or only its encoder when ``decoder`` is set.
    """

    voice: Any                          # piper.PiperVoice
    noise_inputs: tuple[str, ...]       # empty: Piper's own (random) noise is used
    model_path: Path
    decoder: Any = None                 # onnxruntime session: latent frames -> audio
    halo: int = 0                       # frames of context a decoded chunk needs each side

    @property
    def deterministic(self) -> bool:
        return bool(self.noise_inputs)

    @property
    def sample_rate(self) -> int:
        return int(self.voice.config.sample_rate)

    def ids_to_audio(self, ids: list[int], scales: tuple[float, float, float],
                     speaker_id: int | None, seed: int = 0) -> np.ndarray:
        """Phoneme ids -> float audio in [-1, 1], exactly as Piper's model produces it.

        ``scales`` is (noise_scale, length_scale, noise_w_scale), Piper's order.  ``seed``
        (a respeak): another draw of the noise for the same ids; 0 is the usual one.
        """
        args: dict[str, np.ndarray] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array(scales, dtype=np.float32),
        }
        if speaker_id is not None:
            args["sid"] = np.array([speaker_id], dtype=np.int64)
        if not self.noise_inputs:
            return self._decode(self.voice.session.run(None, args)[0])

        basis = np.array(ids, dtype="<i8").tobytes() + repr(speaker_id).encode()
        if seed:        # seed 0 leaves the basis, and so every existing clip, as it was
            basis += f"\0respeak {seed}".encode()
        draw = int.from_bytes(hashlib.sha256(basis).digest()[:8], "little")
        slow = max(1.0, float(scales[1]))          # a larger length_scale needs more frames
        size = max(4096, int(len(ids) * FRAMES_PER_ID * 256 * slow))
        for attempt in range(MAX_GROW):
            for k, name in enumerate(self.noise_inputs):
                args[name] = _noise_slice(draw, k, size)
            try:
                out = self.voice.session.run(None, args)[0]
            except Exception as exc:    # onnxruntime's errors share no useful base class
                # The model wanted more noise than we fed (a very slow or long sentence):
                # our Reshape after the Slice fails, naming itself.  Feed more, try again.
                if NOISE_PREFIX not in str(exc) or attempt == MAX_GROW - 1:
                    raise
                size *= 4
                continue
            return self._decode(out)
        raise AssertionError("unreachable")

    def _decode(self, out: np.ndarray) -> np.ndarray:
        """The model's output as audio: decoded here, in chunks, when the graph is split."""
        if self.decoder is None:
            return out.squeeze()
        frames = out.shape[2]
        name = self.decoder.get_inputs()[0].name
        if frames <= CHUNK_FRAMES + 2 * self.halo:
            return self.decoder.run(None, {name: out})[0].reshape(-1)
        n = math.ceil(frames / CHUNK_FRAMES)
        step = math.ceil(frames / n)               # even chunks: no short last one
        pieces = []
        hop = None
        for start in range(0, frames, step):
            end = min(frames, start + step)
            lo, hi = max(0, start - self.halo), min(frames, end + self.halo)
            audio = self.decoder.run(
                None, {name: np.ascontiguousarray(out[:, :, lo:hi])})[0].reshape(-1)
            hop = hop or len(audio) // (hi - lo)       # samples per latent frame
            pieces.append(audio[(start - lo) * hop:(end - lo) * hop])
        return np.concatenate(pieces)


def file_sha256(path: Path) -> str:
    """sha256 of a file, computed once per (path, size, mtime): kept in this process and in
    the voice cache, because hashing a 60 MB voice is a noticeable part of a worker's start
    (docs/performance.md)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _lock:
        if key in _digests:
            return _digests[key]
    kept = voice_cache_dir() / "digests" / hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    try:
        digest = kept.read_text(encoding="ascii").strip()
    except OSError:
        digest = ""
    if len(digest) != 64:
        hasher = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                hasher.update(block)
        digest = hasher.hexdigest()
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            temp = kept.with_name(f".{kept.name}.{os.getpid()}.{threading.get_ident()}")
            temp.write_text(digest, encoding="ascii")
            os.replace(temp, kept)
        except OSError:
            pass                        # a read-only cache only costs time
    with _lock:
        _digests[key] = digest
    return digest


def get_voice(model: Path, config: Path, threads: int = 0,
              optimise: bool = True) -> LoadedVoice:
    """The loaded voice for ``model``; loads it on first use in this process only."""
    key = (str(model.resolve()), str(config.resolve()), threads, optimise)
    with _lock:
        if key in _voices:
            return _voices[key]
    loaded = load_voice(model, config, threads, optimise)   # outside the lock: it is slow
    with _lock:
        return _voices.setdefault(key, loaded)


def load_voice(model: Path, config: Path, threads: int = 0,
               optimise: bool = True) -> LoadedVoice:
    """Load a voice without the process cache (``get_voice`` is what engines call).

    ``optimise``: split the graph and rewrite it for speed (see the module's docstring);
    off, the voice is only seeded, and run by ONNX Runtime as it optimises it in memory.
    """
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    with config.open(encoding="utf-8") as fh:
        piper_config = PiperConfig.from_dict(json.load(fh))
    prepared = prepare(model, optimise)
    # Set by the worker pool (audio.synthesize): its processes share the cores one each.
    threads = threads or int(os.environ.get("ACCESSPUB_ONNX_THREADS", "0") or 0)

    def session(source: Path | bytes, decoder: bool = False) -> Any:
        if isinstance(source, Path) and prepared is not None and optimise:
            return _optimised_session(source, threads, decoder)
        return onnxruntime.InferenceSession(
            source if isinstance(source, bytes) else str(source),
            sess_options=_session_options(threads), providers=["CPUExecutionProvider"])

    if prepared is None:
        log.info("Piper voice %s cannot be seeded: its speech will vary slightly from one "
                 "build to the next, and the MP3 files with it", model.name)
        return LoadedVoice(PiperVoice(session=session(model), config=piper_config), (), model)
    if optimise and prepared.decoder is None:
        log.info("Piper voice %s cannot be split into encoder and vocoder: a long sentence "
                 "takes memory in proportion to its length, and synthesis runs unoptimised",
                 model.name)
    decoder = session(prepared.decoder, True) if prepared.decoder is not None else None
    log.debug("loaded Piper voice %s (seeded noise, split: %s)", model, decoder is not None)
    return LoadedVoice(PiperVoice(session=session(prepared.encoder), config=piper_config),
                       prepared.noise_inputs, model, decoder, prepared.halo)


def _session_options(threads: int, ort_optimise: bool = True, save: Path | None = None) -> Any:
    import onnxruntime
    options = onnxruntime.SessionOptions()
    # Errors reach the caller as exceptions; don't also print them (the noise retry above
    # would otherwise log a scary message for a case it handles).
    options.log_severity_level = 4
    # Memory patterns are planned per input shape, and every sentence has another shape:
    # with them a worker holds much more memory for no gain in speed (docs/performance.md).
    options.enable_mem_pattern = False
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    if not ort_optimise:  # the graph was saved already optimised
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    if save is not None:
        options.optimized_model_filepath = str(save)
    return options


@functools.lru_cache(maxsize=None)
def machine_key() -> str:
    """ONNX Runtime's version and this CPU (and our rewriting of its output): what an
    optimised graph is only valid for."""
    import platform
    import onnxruntime
    # platform.processor() runs `uname -p` in a subprocess on Linux: /proc/cpuinfo says more.
    cpu = platform.machine() if os.path.exists("/proc/cpuinfo") else \
        f"{platform.machine()} {platform.processor()}"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu += "".join(sorted({line for line in fh
                                   if line.startswith(("model name", "flags", "Features"))}))
    except OSError:
        pass
    key = f"{onnxruntime.__version__}\0{cpu}\0{OPTIMISED_REVISION}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _optimised_session(source: Path, threads: int, decoder: bool = False) -> Any:
    """A session for the prepared graph ``source``, from ONNX Runtime's optimised form of it.

    ONNX Runtime optimising the encoder's graph (some 2,000 nodes) was a large part of
    every worker's start, so the optimised graph is kept beside the prepared one, once per
    runtime version and CPU (it is laid out for this CPU's vector width), and loaded as
    is, with the same output.  The decoder's is improved further first
    (``_blocked_session``).  Figures: docs/performance.md.
    """
    import onnxruntime
    saved = source.parent / f"ort-{machine_key()}" / source.name
    if saved.is_file():
        try:
            return onnxruntime.InferenceSession(
                str(saved), sess_options=_session_options(threads, ort_optimise=False),
                providers=["CPUExecutionProvider"])
        except Exception as exc:     # damaged or foreign: optimise again below
            log.debug("optimised graph %s not used: %s", saved, exc)
    temp = saved.with_name(f".{saved.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        saved.parent.mkdir(parents=True, exist_ok=True)
        made = onnxruntime.InferenceSession(
            str(source), sess_options=_session_options(threads, save=temp),
            providers=["CPUExecutionProvider"])
        if decoder:
            made = _blocked_session(temp, made, threads)
        os.replace(temp, saved)
        return made
    except OSError as exc:           # read-only cache: optimise in memory every time
        log.debug("optimised graph %s not written: %s", saved, exc)
        temp.unlink(missing_ok=True)
        return onnxruntime.InferenceSession(str(source), sess_options=_session_options(threads),
                                            providers=["CPUExecutionProvider"])


def _blocked_session(optimised: Path, made: Any, threads: int) -> Any:
    """The session to use for the decoder ONNX Runtime optimised into ``optimised`` (and
    ``made``): the graph rewritten by ``piper_graph.keep_blocked`` (and saved so) when it
    decodes a probe to the same samples bit for bit, else ``made`` as it is: the rewrite
    only buys speed (docs/performance.md), so it must never change the sound.
    """
    import onnx
    import onnxruntime
    feed = made.get_inputs()[0]
    if not isinstance(feed.shape[1], int):
        return made
    try:
        graph = onnx.load(str(optimised))
        if not piper_graph.keep_blocked(graph):
            return made
        data = graph.SerializeToString()
        blocked = onnxruntime.InferenceSession(
            data, sess_options=_session_options(threads, ort_optimise=False),
            providers=["CPUExecutionProvider"])
        probe = {feed.name: np.random.default_rng(0).standard_normal(
            (1, feed.shape[1], 48), dtype=np.float32)}
        if not np.array_equal(blocked.run(None, probe)[0], made.run(None, probe)[0]):
            log.debug("blocked decoder not used: it decodes differently")
            return made
    except Exception as exc:        # onnxruntime's errors share no useful base class
        log.debug("blocked decoder not used: %s", exc)
        return made
    optimised.write_bytes(data)
    return blocked


# -- preparing a voice: rewrite the noise, split encoder and decoder ------------------------

@dataclass(frozen=True)
class Prepared:
    encoder: Path | bytes                # the model, or its encoder when split
    decoder: Path | bytes | None
    noise_inputs: tuple[str, ...]
    halo: int


def voice_cache_dir() -> Path:
    env = os.environ.get("ACCESSPUB_VOICE_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "accesspub" / "voices"


def prepare(model: Path, optimise: bool = True) -> Prepared | None:
    """The voice rewritten for seeded noise (and, with ``optimise``, split and rewritten
    for speed), from the voice cache (made on first use); None when ``onnx`` is missing or
    the graph's noise is not one we understand."""
    import importlib.util
    if importlib.util.find_spec("onnx") is None:
        log.info("onnx is not installed: Piper output will vary slightly between runs")
        return None
    entry = voice_cache_dir() / (f"{file_sha256(model)[:32]}-r{PREPARED_REVISION}"
                                 + ("" if optimise else "-seeded"))
    found = _read_prepared(entry)
    if found is not None:
        return found
    made = _prepare_graphs(model, optimise)
    if made is None:
        return None
    encoder, decoder, noise, halo = made
    meta = {"model": model.name, "noise_inputs": noise, "halo": halo,
            "split": decoder is not None}
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=entry.parent))
        try:
            (temp / "encoder.onnx").write_bytes(encoder)
            if decoder is not None:
                (temp / "decoder.onnx").write_bytes(decoder)
            (temp / "prepared.json").write_text(json.dumps(meta), encoding="utf-8")
            os.replace(temp, entry)
        finally:
            shutil.rmtree(temp, ignore_errors=True)
    except OSError as exc:              # read-only home, or another process was first
        log.debug("voice cache %s not written: %s", entry, exc)
    return _read_prepared(entry) or Prepared(encoder, decoder, tuple(noise), halo)


def _read_prepared(entry: Path) -> Prepared | None:
    try:
        meta = json.loads((entry / "prepared.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    decoder = entry / "decoder.onnx" if meta.get("split") else None
    if not (entry / "encoder.onnx").is_file() or (decoder and not decoder.is_file()):
        return None
    return Prepared(entry / "encoder.onnx", decoder, tuple(meta["noise_inputs"]),
                    int(meta["halo"]))


def _prepare_graphs(model: Path, optimise: bool = True
                    ) -> tuple[bytes, bytes | None, list[str], int] | None:
    """(encoder or whole model, decoder or None, noise input names, halo) as ONNX bytes."""
    import onnx

    graph_model = onnx.load(str(model))
    noise = piper_graph.seed_noise(graph_model)
    if not noise:
        return None
    split = piper_graph.split_decoder(graph_model) if optimise else None
    if split is None:
        return graph_model.SerializeToString(), None, noise, 0
    encoder, decoder, halo = split
    piper_graph.convs_as_2d(encoder)
    if piper_graph.decoder_as_2d(decoder):
        piper_graph.upsampling_as_convs(decoder)
    else:
        piper_graph.convs_as_2d(decoder)
    return encoder.SerializeToString(), decoder.SerializeToString(), noise, halo


def noise_mode() -> str:
    """"seeded" when voices are made reproducible (onnx installed), else "random"."""
    import importlib.util
    return "seeded" if importlib.util.find_spec("onnx") else "random"

