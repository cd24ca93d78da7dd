"""Rewriting a Piper voice's ONNX graph: seeded noise, the encoder/decoder split, and the
layouts that make ONNX Runtime's CPU kernels fast.  ``voice`` decides when (the layouts
and the split only with ``[engine.piper] optimise``); this module only rewrites graphs
(``onnx`` ModelProtos, in place).  Each rewrite is proven on a tiny VITS-like graph in
tests/test_piper_graph.py and on the bundled voice in tests/test_piper_voice.py.

Every rewrite here keeps the voice's output: the noise rewrite and the split give the
same numbers as the model as shipped (tested with the noise at zero), the 2-D layouts the
same to ~1e-7, and ``keep_blocked`` bit for bit (checked every time it is applied).
"""

from __future__ import annotations

import math
from typing import Any

NOISE_PREFIX = "accesspub_noise_"
NCHWC = "com.microsoft.nchwc"        # ONNX Runtime's blocked-channel ops

# Ops that work sample by sample: they add no context, and keep their input's time scale.
POINTWISE = {"LeakyRelu", "Relu", "Tanh", "Sigmoid", "Add", "Sub", "Mul", "Div",
             "Identity", "Cast", "Constant"}
# Elementwise ops that give the same numbers whatever the memory layout of their inputs.
_LAYOUT_FREE = {"LeakyRelu", "Relu", "Tanh", "Sigmoid", "Add", "Sub", "Mul", "Div"}


def seed_noise(graph_model: Any) -> list[str]:
    """Rewrite every ``RandomNormalLike(x)`` to ``Reshape(Slice(noise_k, 0, Size(x)), Shape(x))``
    in place; the names of the new float inputs, or [] when the graph has random nodes we
    do not understand (then it is left for Piper's random noise)."""
    from onnx import TensorProto, helper

    graph = graph_model.graph
    nodes: list[Any] = []
    names: list[str] = []
    for node in graph.node:
        if node.op_type in ("RandomNormal", "RandomUniform", "RandomUniformLike", "Multinomial"):
            return []
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        attrs = _attributes(node)
        if attrs.get("mean", 0.0) != 0.0 or attrs.get("scale", 1.0) != 1.0 \
                or attrs.get("dtype", TensorProto.FLOAT) != TensorProto.FLOAT:
            return []
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
    if names:
        del graph.node[:]
        graph.node.extend(nodes)
    return names


def split_decoder(graph_model: Any) -> tuple[Any, Any, int] | None:
    """(encoder, decoder, halo frames) when the graph ends in a VITS vocoder we can chunk:
    the ``/dec/`` nodes, fed by one tensor of latent frames, made only of convolutions
    and pointwise ops, ending in the graph's output (at most through an Unsqueeze)."""
    from onnx import TensorProto, helper

    graph = graph_model.graph
    dec = [n for n in graph.node if n.name.startswith("/dec/")]
    if not dec or len(graph.output) != 1:
        return None
    made = {o for n in dec for o in n.output}
    weights = {i.name for i in graph.initializer}
    feeds = {i for n in dec for i in n.input if i and i not in made and i not in weights}
    rest = [n for n in graph.node if not n.name.startswith("/dec/")]
    tail = [n for n in rest if any(i in made for i in n.input)]
    if len(feeds) != 1 or len(tail) != 1 or tail[0].op_type not in ("Unsqueeze", "Identity") \
            or tail[0].output[0] != graph.output[0].name:
        return None
    z, audio = feeds.pop(), tail[0].input[0]
    halo = receptive_halo(dec, z)
    if halo is None:
        return None

    def model(nodes: list[Any], inputs: list[Any], outputs: list[Any], name: str) -> Any:
        used = {i for n in nodes for i in n.input}
        body = helper.make_graph(nodes, name, inputs, outputs,
                                 [w for w in graph.initializer if w.name in used])
        return helper.make_model(body, opset_imports=graph_model.opset_import,
                                 ir_version=graph_model.ir_version)

    first = [n for n in dec if n.op_type == "Conv" and n.input[0] == z and n.input[1] in weights]
    channels = None       # known channels let the decoder be probed (voice._blocked_session)
    if first:
        width = next(w for w in graph.initializer if w.name == first[0].input[1]).dims[1]
        channels = width * _attributes(first[0]).get("group", 1)
    frames = helper.make_tensor_value_info(z, TensorProto.FLOAT, [1, channels, "frames"])
    encoder = model([n for n in rest if n is not tail[0]], list(graph.input), [frames],
                    "accesspub-encoder")
    decoder = model(dec, [frames],
                    [helper.make_tensor_value_info(audio, TensorProto.FLOAT, [1, 1, "samples"])],
                    "accesspub-decoder")
    return encoder, decoder, halo


def receptive_halo(nodes: list[Any], source: str) -> int | None:
    """Frames of context each side that decoding a chunk needs, from the convolutions on
    the longest path (None for an op we cannot account for).  In samples per frame
    (``rate``) each Conv adds half its dilated kernel; a ConvTranspose ``ceil(k/stride)``."""
    rate: dict[str, float] = {source: 1.0}     # samples per latent frame, by tensor
    halo: dict[str, float] = {source: 0.0}     # context needed so far, in frames
    for node in nodes:
        timed = [i for i in node.input if i in rate]
        if not timed:
            continue                             # constants, weights
        r = rate[timed[0]]
        h = max(halo[i] for i in timed)
        attrs = _attributes(node)
        if node.op_type == "Conv":
            k = attrs.get("kernel_shape", [1])[-1]
            d = attrs.get("dilations", [1])[-1]
            pads = attrs.get("pads", [0, 0])
            h += max(max(pads), ((k - 1) * d + 1) // 2) / r
            r /= attrs.get("strides", [1])[-1]
        elif node.op_type == "ConvTranspose":
            s = attrs.get("strides", [1])[-1]
            h += math.ceil(attrs.get("kernel_shape", [1])[-1] / s) / r
            r *= s
        elif node.op_type not in POINTWISE:
            return None
        for out in node.output:
            rate[out], halo[out] = r, h
    return math.ceil(max(halo.values())) + 2


def convs_as_2d(graph_model: Any) -> None:
    """Rewrite every 1-D ``Conv`` as a 2-D one of height 1, in place.

    ONNX Runtime's CPU kernels for 2-D convolutions (blocked NCHWc layout) can be faster
    than its 1-D path (docs/performance.md; the audio differs by ~1e-7).  Each convolution
    gets an Unsqueeze before and a Squeeze after, which cost nothing (no copy).  Used for
    the encoder, and for a decoder ``decoder_as_2d`` cannot lift.
    """
    from onnx import helper

    graph = graph_model.graph
    weights = {w.name: w for w in graph.initializer}
    axes = "/accesspub/2d/axes"
    nodes = [_axes_constant(axes)]
    flat: set[str] = set()                 # weights already given their extra axis
    for n, node in enumerate(graph.node):
        weight = weights.get(node.input[1]) if node.op_type == "Conv" else None
        if weight is None or _attributes(node).get("auto_pad", b"NOTSET") != b"NOTSET" or \
                (len(weight.dims) != 3 and weight.name not in flat):
            nodes.append(node)
            continue
        _weight_2d(weight, flat)
        p = f"/accesspub/2d/{n}/"
        nodes += [
            helper.make_node("Unsqueeze", [node.input[0], axes], [p + "x"]),
            _conv_2d(node, weight, [p + "x", *node.input[1:]], [p + "y"]),
            helper.make_node("Squeeze", [p + "y", axes], [node.output[0]]),
        ]
    del graph.node[:]
    graph.node.extend(nodes)


def decoder_as_2d(graph_model: Any) -> bool:
    """Make the whole decoder 2-D (height 1), in place, when it is only convolutions and
    pointwise ops on its one input: one Unsqueeze at the input, one Squeeze at the
    output, every tensor in between 4-D.  False (and the graph untouched) otherwise.

    Same numbers as ``convs_as_2d``; what it buys is that ONNX Runtime's blocked tensors
    can flow from one convolution to the next (``keep_blocked``) instead of being
    converted back and forth around each one.
    """
    from onnx import helper, numpy_helper

    graph = graph_model.graph
    weights = {w.name: w for w in graph.initializer}
    if len(graph.input) != 1 or len(graph.output) != 1:
        return False
    for node in graph.node:
        if node.op_type in ("Conv", "ConvTranspose"):
            weight = weights.get(node.input[1])
            if weight is None or len(weight.dims) != 3 or \
                    _attributes(node).get("auto_pad", b"NOTSET") != b"NOTSET":
                return False
        elif node.op_type == "Constant":
            if numpy_helper.to_array(node.attribute[0].t).size != 1:
                return False           # a per-channel constant would broadcast wrongly
        elif node.op_type not in POINTWISE or any(
                i in weights and math.prod(weights[i].dims) != 1 for i in node.input):
            return False
    source, audio = graph.input[0].name, graph.output[0].name
    axes = "/accesspub/4d/axes"
    renamed = {source: source + "/4d", audio: audio + "/4d"}
    nodes = [_axes_constant(axes), helper.make_node("Unsqueeze", [source, axes], [source + "/4d"])]
    flat: set[str] = set()
    for node in graph.node:
        inputs = [renamed.get(i, i) for i in node.input]
        outputs = [renamed.get(o, o) for o in node.output]
        if node.op_type in ("Conv", "ConvTranspose"):
            weight = weights[node.input[1]]
            _weight_2d(weight, flat)
            nodes.append(_conv_2d(node, weight, inputs, outputs))
            continue
        del node.input[:], node.output[:]
        node.input.extend(inputs)
        node.output.extend(outputs)
        nodes.append(node)
    nodes.append(helper.make_node("Squeeze", [audio + "/4d", axes], [audio]))
    del graph.node[:]
    graph.node.extend(nodes)
    return True


def upsampling_as_convs(graph_model: Any) -> int:
    """Rewrite each 2-D (height 1) ``ConvTranspose`` that upsamples by its stride ``s``
    (kernel a multiple of ``s``, output exactly ``s`` times longer) as convolutions, in
    place; how many were rewritten.

    Output sample ``t*s + q`` of such a layer (its phase ``q``) only ever sums input
    samples times the kernel taps ``k = q + pad (mod s)``: ``K/s`` taps.  So the phases
    whose taps line up are one ordinary convolution with ``K/s`` taps and one output
    channel per (phase, channel); those convolutions' outputs are concatenated in phase
    order and interleaved (Reshape, Transpose, Reshape) into the upsampled signal.
    ONNX Runtime's transposed convolution (a matrix product, then scattering the columns)
    is slower than its direct convolutions (docs/performance.md); the samples move by
    ~1e-7.
    """
    from onnx import helper, numpy_helper
    import numpy as np

    graph = graph_model.graph
    weights = {w.name: w for w in graph.initializer}
    nodes: list[Any] = []
    rewritten = 0
    for node in graph.node:
        plan = _phase_plan(node, weights)
        if plan is None:
            nodes.append(node)
            continue
        stride, pad, groups = plan
        w = numpy_helper.to_array(weights[node.input[1]])        # (in, out, 1, K)
        channels, taps = w.shape[1], w.shape[-1] // stride
        bias = numpy_helper.to_array(weights[node.input[2]]) \
            if len(node.input) > 2 and node.input[2] else None
        p = f"{node.name or node.output[0]}/phases/"
        parts = []
        for lead, phases in groups:
            kernel = np.zeros((len(phases) * channels, w.shape[0], 1, taps), np.float32)
            for n, q in enumerate(phases):
                first = (q + pad) % stride
                for j in range(taps):            # input sample t + lead - j, tap first + j*s
                    kernel[n * channels:(n + 1) * channels, :, 0, taps - 1 - j] = \
                        w[:, :, 0, first + j * stride].T
            inputs = [node.input[0], f"{p}w{lead}"]
            graph.initializer.append(numpy_helper.from_array(kernel, inputs[1]))
            if bias is not None:
                inputs.append(f"{p}b{lead}")
                graph.initializer.append(numpy_helper.from_array(
                    np.tile(bias, len(phases)).astype(np.float32), inputs[2]))
            nodes.append(helper.make_node("Conv", inputs, [f"{p}y{lead}"], name=f"{p}conv{lead}",
                                          kernel_shape=[1, taps],
                                          pads=[0, taps - 1 - lead, 0, lead]))
            parts.append(f"{p}y{lead}")
        graph.initializer.extend([
            numpy_helper.from_array(np.array([1, stride, channels, -1], np.int64), p + "split"),
            numpy_helper.from_array(np.array([1, channels, 1, -1], np.int64), p + "merge")])
        nodes += [
            helper.make_node("Concat", parts, [p + "all"], axis=1),
            helper.make_node("Reshape", [p + "all", p + "split"], [p + "by_phase"]),
            helper.make_node("Transpose", [p + "by_phase"], [p + "by_time"], perm=[0, 2, 3, 1]),
            helper.make_node("Reshape", [p + "by_time", p + "merge"], [node.output[0]]),
        ]
        rewritten += 1
    if rewritten:
        del graph.node[:]
        graph.node.extend(nodes)
    return rewritten


def _phase_plan(node: Any, weights: dict[str, Any]
                ) -> tuple[int, int, list[tuple[int, list[int]]]] | None:
    """(stride, left pad, [(input lead, phases)]) for a ConvTranspose that
    ``upsampling_as_convs`` can rewrite, else None."""
    if node.op_type != "ConvTranspose" or node.input[1] not in weights:
        return None
    attrs = _attributes(node)
    weight = weights[node.input[1]]
    if len(weight.dims) != 4 or weight.dims[2] != 1 or attrs.get("group", 1) != 1 or \
            attrs.get("auto_pad", b"NOTSET") != b"NOTSET" or \
            any(d != 1 for d in attrs.get("dilations", [1, 1])) or \
            any(attrs.get("output_padding", [0, 0])) or len(attrs.get("pads", [])) != 4:
        return None
    stride, kernel = attrs.get("strides", [1, 1])[-1], weight.dims[-1]
    _, pad, _, end = attrs["pads"]
    if attrs.get("strides", [1, 1])[0] != 1 or kernel % stride or kernel - pad - end != stride:
        return None
    groups: dict[int, list[int]] = {}
    for q in range(stride):
        groups.setdefault((q + pad) // stride, []).append(q)
    if any(lead > kernel // stride - 1 for lead in groups):
        return None
    return stride, pad, sorted(groups.items())


def keep_blocked(graph_model: Any, multiple: int = 16) -> bool:
    """Let ONNX Runtime's blocked (NCHWc) tensors flow through elementwise ops, in place;
    True when the graph changed.  For a graph ONNX Runtime has optimised.

    ONNX Runtime runs a 2-D convolution on tensors whose channels are interleaved in
    blocks, and converts to that layout before each convolution and back after it, unless
    the next op knows the layout too.  LeakyRelu does not (nor Add with a plain tensor),
    and the vocoder is convolutions joined by LeakyRelu and residual Adds, so much of its
    time went on converting (docs/performance.md).  An elementwise op gives the same numbers
    in any layout, so here it works on the blocked tensors directly; a plain copy is made
    only where an op needs one (the upsampling's interleave, the last convolution).

    Only tensors whose channels are a whole number of blocks (``multiple``, the largest
    block size ONNX Runtime uses) are kept blocked, so no padding channel is ever read.
    The caller checks that the result gives the same output, bit for bit.
    """
    from onnx import helper, numpy_helper

    graph = graph_model.graph
    constants = {w.name: math.prod(w.dims) for w in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            constants[node.output[0]] = numpy_helper.to_array(node.attribute[0].t).size
    scalars = {name for name, size in constants.items() if size == 1}
    blocked: dict[str, str] = {}       # plain tensor -> the same tensor, blocked
    channels: dict[str, int] = {}      # blocked tensor -> its channels
    dropped: set[str] = set()          # plain tensors no longer computed by their own node
    renamed: dict[str, str] = {}       # outputs of removed ReorderInputs -> their source
    nodes: list[Any] = []

    def plain(name: str) -> str:
        if name in dropped:
            dropped.discard(name)
            nodes.append(helper.make_node(
                "ReorderOutput", [blocked[name]], [name], name=f"{name}/unblock", domain=NCHWC,
                channels=channels[blocked[name]], channels_last=0))
        return name

    def block(name: str, count: int) -> str:
        if name not in blocked:
            nodes.append(helper.make_node("ReorderInput", [name], [name + "/blocked"],
                                          name=f"{name}/block", domain=NCHWC, channels_last=0))
            blocked[name], channels[name + "/blocked"] = name + "/blocked", count
        return blocked[name]

    for node in graph.node:
        inputs = [renamed.get(i, i) for i in node.input]
        attrs = _attributes(node)
        if node.domain == NCHWC and node.op_type == "ReorderOutput" and \
                attrs.get("channels_last", 0) == 0 and attrs.get("channels", 1) % multiple == 0:
            blocked[node.output[0]], channels[inputs[0]] = inputs[0], attrs["channels"]
            dropped.add(node.output[0])
            continue
        if node.domain == NCHWC and node.op_type == "ReorderInput" and inputs[0] in blocked:
            renamed[node.output[0]] = blocked[inputs[0]]
            continue
        if node.domain == "" and node.op_type in _LAYOUT_FREE:
            tensors = [i for i in inputs if i not in scalars]
            known = {channels[blocked[i]] for i in tensors if i in blocked}
            if len(known) == 1 and not any(i in constants for i in tensors) and (
                    node.op_type == "Add" or all(i in blocked for i in tensors)):
                count = known.pop()
                out = node.output[0] + "/blocked"
                twin = helper.make_node(node.op_type, [i if i in scalars else block(i, count)
                                                       for i in inputs], [out],
                                        name=node.name + "/blocked")
                twin.attribute.extend(node.attribute)
                nodes.append(twin)
                blocked[node.output[0]], channels[out] = out, count
                dropped.add(node.output[0])
                continue
        del node.input[:]
        node.input.extend(plain(i) if i else i for i in inputs)
        nodes.append(node)
    for output in graph.output:
        plain(output.name)
    if not blocked:
        return False
    live = {o.name for o in graph.output}
    kept = []
    for node in reversed(nodes):              # drop what nothing reads any more
        if any(o in live for o in node.output):
            kept.append(node)
            live.update(node.input)
    del graph.node[:], graph.value_info[:]     # shapes are inferred again on load
    graph.node.extend(reversed(kept))
    return True


def _attributes(node: Any) -> dict[str, Any]:
    from onnx import helper
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _axes_constant(name: str) -> Any:
    from onnx import TensorProto, helper
    return helper.make_node("Constant", [], [name],
                            value=helper.make_tensor(name + "_v", TensorProto.INT64, [1], [2]))


def _weight_2d(weight: Any, done: set[str]) -> None:
    """Give a 1-D convolution's weight (out, in, k) its height axis: (out, in, 1, k)."""
    from onnx import numpy_helper
    if weight.name not in done:
        weight.CopyFrom(numpy_helper.from_array(
            numpy_helper.to_array(weight)[:, :, None, :], weight.name))
        done.add(weight.name)


def _conv_2d(node: Any, weight: Any, inputs: list[str], outputs: list[str]) -> Any:
    """``node`` (a 1-D Conv or ConvTranspose) as the same op over a height-1 image."""
    from onnx import helper
    attrs = _attributes(node)
    pads = attrs.get("pads", [0, 0])
    extra = {}
    if node.op_type == "ConvTranspose" and "output_padding" in attrs:
        extra["output_padding"] = [0, attrs["output_padding"][-1]]
    return helper.make_node(node.op_type, inputs, outputs, name=node.name,
                            kernel_shape=[1, weight.dims[-1]],
                            dilations=[1, attrs.get("dilations", [1])[-1]],
                            strides=[1, attrs.get("strides", [1])[-1]],
                            pads=[0, pads[0], 0, pads[-1]], group=attrs.get("group", 1), **extra)
