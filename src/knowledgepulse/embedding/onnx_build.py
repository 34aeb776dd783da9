"""Build the sentence-embedding ONNX graph from safetensors weights, without torch.

The graph is BERT (embeddings, N encoder layers) + attention-mask-weighted mean pooling +
L2 normalisation in plain opset-17 ops, laid out as PyTorch's exporter does: onnxruntime's
session optimiser turns the erf GELU and its bias into BiasGelu and folds the attention scale
into FusedMatMul, and LayerNormalization is a native kernel. The file is cached on disk;
`onnx` and `safetensors` are imported only when a graph has to be built.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledgepulse.embedding.base import EmbedderError
from knowledgepulse.embedding.weights import BertConfig, ModelFiles, find_model_files

if TYPE_CHECKING:
    import onnx

__all__ = [
    "BUILDER_VERSION",
    "OPSET",
    "build_model",
    "cached_model_path",
    "ensure_onnx_model",
    "main",
    "weights_digest",
]

# Bump whenever the emitted graph changes, so caches built by older code are not reused.
BUILDER_VERSION = 1
OPSET = 17

# Added to the attention scores of padding; exp() of it underflows to exactly 0 in float32.
_MASK_FILL = -10000.0


def weights_digest(path: Path) -> str:
    """SHA-256 hex digest of a weights file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def cached_model_path(cache_dir: Path, files: ModelFiles) -> Path:
    """Where the graph for these weights and this builder version lives in `cache_dir`."""
    key = hashlib.sha256(
        f"builder={BUILDER_VERSION};opset={OPSET};weights={weights_digest(files.weights)}".encode()
    ).hexdigest()[:20]
    return Path(cache_dir) / f"sentence-embedding-{key}.onnx"


def ensure_onnx_model(cache_dir: Path, files: ModelFiles | None = None) -> Path:
    """Return the cached graph for `files`, building and atomically publishing it if absent."""
    files = files or find_model_files()
    target = cached_model_path(cache_dir, files)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = build_model(files).SerializeToString()
    # Write beside the target and rename: a concurrent starter either sees no file or a whole
    # one, and two builders racing each publish identical bytes, so the last rename is harmless.
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def _load_weights(path: Path) -> dict[str, np.ndarray]:
    """Read every tensor of a safetensors file as a numpy array."""
    from safetensors.numpy import load_file

    return load_file(str(path))


class _Graph:
    """Accumulates nodes and initializers with unique names."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self._helper = helper
        self._numpy_helper = numpy_helper
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        """Add an initializer and return its name."""
        self.initializers.append(self._numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], name: str | None = None, **attrs: object) -> str:
        """Add a single-output node and return its output name."""
        self._count += 1
        out = name or f"{op_type.lower()}_{self._count}"
        self.nodes.append(
            self._helper.make_node(
                op_type, inputs, [out], name=f"n{self._count}_{op_type}", **attrs
            )
        )
        return out


def _linear(g: _Graph, x: str, w: dict[str, np.ndarray], prefix: str) -> str:
    """MatMul by the transposed torch Linear weight, then Add its bias (the fused pattern)."""
    weight = g.const(f"{prefix}.weight_t", w[f"{prefix}.weight"].T.astype(np.float32))
    bias = g.const(f"{prefix}.bias", w[f"{prefix}.bias"].astype(np.float32))
    return g.op("Add", [g.op("MatMul", [x, weight]), bias])


def _layer_norm(g: _Graph, x: str, w: dict[str, np.ndarray], prefix: str, eps: float) -> str:
    """LayerNormalization over the hidden axis."""
    scale = g.const(f"{prefix}.weight", w[f"{prefix}.weight"].astype(np.float32))
    bias = g.const(f"{prefix}.bias", w[f"{prefix}.bias"].astype(np.float32))
    return g.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=eps)


def _encoder_layer(
    g: _Graph, x: str, mask_bias: str, w: dict[str, np.ndarray], i: int, cfg: BertConfig
) -> str:
    """One post-LN BERT layer: self-attention and the GELU feed-forward block."""
    p = f"encoder.layer.{i}"
    head = cfg.hidden_size // cfg.num_heads
    split = g.const(f"{p}.split_heads", np.array([0, 0, cfg.num_heads, head], dtype=np.int64))
    merge = g.const(f"{p}.merge_heads", np.array([0, 0, cfg.hidden_size], dtype=np.int64))

    def heads(name: str, perm: list[int]) -> str:
        projected = _linear(g, x, w, f"{p}.attention.self.{name}")
        return g.op("Transpose", [g.op("Reshape", [projected, split])], perm=perm)

    q = heads("query", [0, 2, 1, 3])
    k = heads("key", [0, 2, 3, 1])
    v = heads("value", [0, 2, 1, 3])
    scale = g.const(f"{p}.attention.scale", np.array(math.sqrt(head), dtype=np.float32))
    scores = g.op("Div", [g.op("MatMul", [q, k]), scale])
    probs = g.op("Softmax", [g.op("Add", [scores, mask_bias])], axis=-1)
    context = g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
    context = g.op("Reshape", [context, merge])
    attended = _linear(g, context, w, f"{p}.attention.output.dense")
    x = _layer_norm(
        g, g.op("Add", [attended, x]), w, f"{p}.attention.output.LayerNorm", cfg.layer_norm_eps
    )

    inner = _linear(g, x, w, f"{p}.intermediate.dense")
    # Exact erf GELU in the form onnxruntime's GeluFusion recognises: x * 0.5 * (1 + erf(x/√2)).
    sqrt2 = g.const(f"{p}.gelu.sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    one = g.const(f"{p}.gelu.one", np.array(1.0, dtype=np.float32))
    half = g.const(f"{p}.gelu.half", np.array(0.5, dtype=np.float32))
    erf = g.op("Erf", [g.op("Div", [inner, sqrt2])])
    gelu = g.op("Mul", [g.op("Mul", [inner, g.op("Add", [erf, one])]), half])
    out = _linear(g, gelu, w, f"{p}.output.dense")
    return _layer_norm(g, g.op("Add", [out, x]), w, f"{p}.output.LayerNorm", cfg.layer_norm_eps)


def build_model(files: ModelFiles) -> onnx.ModelProto:
    """Return the checked ONNX model for the BERT sentence encoder in `files`."""
    import onnx
    from onnx import TensorProto, helper

    cfg = files.bert
    if cfg.hidden_size % cfg.num_heads:
        raise EmbedderError("hidden size is not a multiple of the head count")
    w = _load_weights(files.weights)
    g = _Graph()

    # Embeddings. Every single-segment input has token type 0, so that row is folded into the
    # position table and the graph takes no token_type_ids input.
    words = g.const("embeddings.word", w["embeddings.word_embeddings.weight"].astype(np.float32))
    positions = g.const(
        "embeddings.position_plus_type0",
        (
            w["embeddings.position_embeddings.weight"]
            + w["embeddings.token_type_embeddings.weight"][0]
        ).astype(np.float32),
    )
    zero = g.const("const.zero_1d", np.array([0], dtype=np.int64))
    seq_len = g.op("Shape", ["input_ids"], start=1, end=2)
    x = g.op(
        "Add",
        [
            g.op("Gather", [words, "input_ids"]),
            g.op("Slice", [positions, zero, seq_len, zero]),
        ],
    )
    x = _layer_norm(g, x, w, "embeddings.LayerNorm", cfg.layer_norm_eps)

    # Additive attention bias [B, 1, 1, S]: 0 for tokens, a large negative number for padding,
    # built as Unsqueeze → Unsqueeze → Cast → Sub → Mul, the shape the attention fusion expects.
    axis1 = g.const("const.axis1", np.array([1], dtype=np.int64))
    axis2 = g.const("const.axis2", np.array([2], dtype=np.int64))
    mask4 = g.op("Unsqueeze", [g.op("Unsqueeze", ["attention_mask", axis1]), axis2])
    mask4 = g.op("Cast", [mask4], to=TensorProto.FLOAT)
    one = g.const("const.one", np.array(1.0, dtype=np.float32))
    fill = g.const("const.mask_fill", np.array(_MASK_FILL, dtype=np.float32))
    mask_bias = g.op("Mul", [g.op("Sub", [one, mask4]), fill])

    for i in range(cfg.num_layers):
        x = _encoder_layer(g, x, mask_bias, w, i, cfg)

    # Mean over real tokens (sentence-transformers clamps the count at 1e-9), then L2 norm
    # with its 1e-12 floor, so the output matches SentenceTransformer.encode(normalize=...).
    mask3 = g.op("Cast", [g.op("Unsqueeze", ["attention_mask", axis2])], to=TensorProto.FLOAT)
    summed = g.op("ReduceSum", [g.op("Mul", [x, mask3]), axis1], keepdims=0)
    count_floor = g.const("const.count_floor", np.array(1e-9, dtype=np.float32))
    count = g.op("Max", [g.op("ReduceSum", [mask3, axis1], keepdims=0), count_floor])
    mean = g.op("Div", [summed, count])
    norm_floor = g.const("const.norm_floor", np.array(1e-12, dtype=np.float32))
    norm = g.op("Max", [g.op("ReduceL2", [mean], axes=[1], keepdims=1), norm_floor])
    g.op("Div", [mean, norm], name="sentence_embedding")
    del w  # the initializers hold their own copies; keep the build's peak memory down

    graph = helper.make_graph(
        g.nodes,
        "sentence_embedding",
        inputs=[
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info(
                "attention_mask", TensorProto.INT64, ["batch", "sequence"]
            ),
        ],
        outputs=[
            helper.make_tensor_value_info(
                "sentence_embedding", TensorProto.FLOAT, ["batch", cfg.hidden_size]
            )
        ],
        initializer=g.initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="knowledgepulse.embedding.onnx_build",
        producer_version=str(BUILDER_VERSION),
    )
    # An IR version every onnxruntime that supports this opset can read.
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main(argv: list[str] | None = None) -> int:
    """CLI: build (or find) the cached graph, e.g. at install time, and print its path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache_dir", type=Path, help="folder for the built .onnx file")
    parser.add_argument("--model-dir", type=Path, default=None, help="model folder override")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    path = ensure_onnx_model(args.cache_dir, find_model_files(args.model_dir))
    print(f"{path} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
