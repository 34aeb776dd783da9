"""The torch-free graph builder and its on-disk cache, on a tiny random BERT."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from safetensors.numpy import load_file

from knowledgepulse.embedding.base import ModelNotInstalledError
from knowledgepulse.embedding.onnx_build import (
    cached_model_path,
    ensure_onnx_model,
    main,
)
from knowledgepulse.embedding.weights import find_model_files

_erf = np.vectorize(math.erf)


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * gamma + beta


def _reference_forward(
    w: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray, heads: int, layers: int
) -> np.ndarray:
    """Plain float64 numpy BERT + masked mean pooling + L2 norm, written from the paper."""
    w = {k: v.astype(np.float64) for k, v in w.items()}
    b, s = ids.shape
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:s]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    hidden = x.shape[-1]
    d = hidden // heads
    bias = (1.0 - mask[:, None, None, :]) * -1e9
    for i in range(layers):
        p = f"encoder.layer.{i}"

        def lin(t: np.ndarray, name: str, p: str = p) -> np.ndarray:
            return t @ w[f"{p}.{name}.weight"].T + w[f"{p}.{name}.bias"]

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(b, s, heads, d).transpose(0, 2, 1, 3)

        q, k, v = (split(lin(x, f"attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(b, s, hidden)
        x = _layer_norm(
            lin(context, "attention.output.dense") + x,
            w[f"{p}.attention.output.LayerNorm.weight"],
            w[f"{p}.attention.output.LayerNorm.bias"],
        )
        inner = lin(x, "intermediate.dense")
        gelu = 0.5 * inner * (1.0 + _erf(inner / math.sqrt(2.0)))
        x = _layer_norm(
            lin(gelu, "output.dense") + x,
            w[f"{p}.output.LayerNorm.weight"],
            w[f"{p}.output.LayerNorm.bias"],
        )
    pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def _session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def test_built_graph_matches_a_numpy_bert_with_masked_mean_pooling(
    tiny_model: Path, tmp_path: Path
) -> None:
    path = ensure_onnx_model(tmp_path / "cache", find_model_files(tiny_model))
    ids = np.array([[101, 7592, 2088, 999, 102], [101, 2088, 102, 0, 0]], dtype=np.int64)
    mask = (np.arange(5)[None, :] < np.array([[5], [3]])).astype(np.int64)

    (got,) = _session(path).run(None, {"input_ids": ids, "attention_mask": mask})

    want = _reference_forward(load_file(str(tiny_model / "model.safetensors")), ids, mask, 4, 2)
    assert got.shape == (2, 32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, atol=2e-5)


def test_padding_does_not_change_a_sequence_embedding(tiny_model: Path, tmp_path: Path) -> None:
    session = _session(ensure_onnx_model(tmp_path, find_model_files(tiny_model)))
    ids = np.array([[101, 7592, 2088, 102]], dtype=np.int64)
    padded = np.concatenate([ids, np.zeros((1, 6), dtype=np.int64)], axis=1)
    pad_mask = (padded != 0).astype(np.int64)

    (alone,) = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
    (with_pad,) = session.run(None, {"input_ids": padded, "attention_mask": pad_mask})

    np.testing.assert_allclose(alone, with_pad, atol=1e-6)


def test_second_ensure_reuses_the_cached_file_without_rewriting_it(
    tiny_model: Path, tmp_path: Path
) -> None:
    files = find_model_files(tiny_model)
    first = ensure_onnx_model(tmp_path, files)
    before = first.stat()

    second = ensure_onnx_model(tmp_path, files)

    after = second.stat()
    assert second == first
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_cache_key_changes_with_the_weights(
    make_tiny_model: Callable[[Path, int], Path], tmp_path: Path
) -> None:
    one = find_model_files(make_tiny_model(tmp_path / "one", 1))
    same = find_model_files(make_tiny_model(tmp_path / "same", 1))
    other = find_model_files(make_tiny_model(tmp_path / "other", 2))

    assert cached_model_path(tmp_path, one) == cached_model_path(tmp_path, same)
    assert cached_model_path(tmp_path, one) != cached_model_path(tmp_path, other)


def test_concurrent_builders_publish_one_whole_file_and_leave_no_temp_files(
    tiny_model: Path, tmp_path: Path
) -> None:
    files = find_model_files(tiny_model)
    cache = tmp_path / "models"
    results: list[Path] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def build() -> None:
        try:
            start.wait()
            results.append(ensure_onnx_model(cache, files))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(results)) == 1
    assert [p.name for p in cache.iterdir()] == [results[0].name]
    ids = np.array([[101, 102]], dtype=np.int64)
    (out,) = _session(results[0]).run(None, {"input_ids": ids, "attention_mask": ids * 0 + 1})
    assert out.shape == (1, 32)


def test_builder_refuses_a_folder_without_weights(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalledError, match=r"model\.safetensors"):
        find_model_files(tmp_path)


def test_build_command_prints_the_cached_model_path(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "cache"), "--model-dir", str(tiny_model)]) == 0

    printed = capsys.readouterr().out
    assert str(cached_model_path(tmp_path / "cache", find_model_files(tiny_model))) in printed
