"""The embedder interface helpers and the deterministic HashingEmbedder fake."""

from __future__ import annotations

import numpy as np
import pytest

from knowledgepulse.embedding import EMBEDDING_DIM, Embedder, HashingEmbedder


def test_hashing_embedder_satisfies_the_embedder_protocol() -> None:
    assert isinstance(HashingEmbedder(), Embedder)
    assert HashingEmbedder().dim == EMBEDDING_DIM == 384


def test_hashing_embedder_returns_float32_unit_rows_of_width_384() -> None:
    vectors = HashingEmbedder().embed(["vector search", "", "🔥", "a much longer sentence here"])
    assert vectors.shape == (4, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)


def test_hashing_embedder_gives_shape_zero_by_dim_for_empty_input() -> None:
    vectors = HashingEmbedder(dim=16).embed([])
    assert vectors.shape == (0, 16)
    assert vectors.dtype == np.float32


def test_hashing_embedder_is_deterministic_across_instances_and_calls() -> None:
    texts = ["rotate api keys", "Rotate API keys!", "merge sorted lists"]
    first = HashingEmbedder().embed(texts)
    second = HashingEmbedder().embed(list(reversed(texts)))[::-1]
    assert np.array_equal(first, second)


def test_hashing_embedder_does_not_depend_on_the_process_hash_seed() -> None:
    # Pinned values: Python's salted hash() would change them from one process to the next.
    vector = HashingEmbedder(dim=8).embed(["hello world"])[0]
    np.testing.assert_allclose(
        vector,
        [0.28867513, -0.86602539, 0.0, 0.0, 0.0, -0.28867513, 0.0, 0.28867513],
        atol=1e-6,
    )


def test_hashing_embedder_ranks_texts_sharing_words_above_unrelated_ones() -> None:
    query, related, unrelated = HashingEmbedder().embed(
        ["rotate the api keys", "how to rotate api keys safely", "banana bread recipe"]
    )
    assert float(query @ related) > float(query @ unrelated) + 0.3


def test_hashing_embedder_refuses_a_bare_string_and_non_string_items() -> None:
    with pytest.raises(TypeError, match="single string"):
        HashingEmbedder().embed("not a list")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        HashingEmbedder().embed(["ok", 3])  # type: ignore[list-item]


def test_hashing_embedder_refuses_a_non_positive_width() -> None:
    with pytest.raises(ValueError, match="dim"):
        HashingEmbedder(dim=0)
