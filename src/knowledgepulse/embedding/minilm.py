"""all-MiniLM-L6-v2 sentence embeddings with onnxruntime and tokenizers, no torch."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from knowledgepulse.embedding import hugepages
from knowledgepulse.embedding.base import EmbedderError, check_texts
from knowledgepulse.embedding.onnx_build import ensure_onnx_model
from knowledgepulse.embedding.weights import ModelFiles, find_model_files

__all__ = ["DEFAULT_BATCH_SIZE", "DEFAULT_THREADS", "MiniLMEmbedder"]

# Two threads: a short query is bound by streaming ~42 MB of fp32 weights from memory, and
# two cores pull them in well under the time of one (see bench/embedder.py). On a host whose
# cores are oversubscribed, pass intra_op_threads=1 instead.
DEFAULT_THREADS = 2
DEFAULT_BATCH_SIZE = 32


class MiniLMEmbedder:
    """Embeds texts exactly as sentence-transformers' all-MiniLM-L6-v2 does, on the CPU.

    The ONNX graph is built from the installed weights into `cache_dir` on first use and
    reused afterwards. `embed` is safe to call from several threads at once: the session's
    `run` is thread-safe and the tokenizer is configured once here and only read afterwards.
    With `huge_pages` (Linux, on by default) the process's large resident anonymous memory,
    the model's weights among it, is moved to transparent huge pages once loaded.
    """

    def __init__(
        self,
        cache_dir: Path | str,
        *,
        intra_op_threads: int = DEFAULT_THREADS,
        max_length: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        model_dir: Path | None = None,
        huge_pages: bool = True,
    ) -> None:
        if intra_op_threads < 1 or batch_size < 1:
            raise ValueError("intra_op_threads and batch_size must be at least 1")
        files: ModelFiles = find_model_files(model_dir)
        limit = files.max_seq_length if max_length is None else max_length
        if not 2 <= limit <= files.bert.max_positions:
            raise ValueError(f"max_length must lie in [2, {files.bert.max_positions}]")
        self._dim = files.bert.hidden_size
        self._max_length = limit
        self._batch_size = batch_size
        self.model_path = ensure_onnx_model(Path(cache_dir), files)

        tokenizer = Tokenizer.from_file(os.fspath(files.tokenizer))
        # tokenizer.json ships fixed padding to 128; we pad each batch ourselves instead, and
        # truncate like sentence-transformers: max_seq_length tokens including [CLS] and [SEP].
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=limit)
        self._tokenizer = tokenizer

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.intra_op_num_threads = intra_op_threads
        options.inter_op_num_threads = 1
        # Pool threads keep onnxruntime's default brief spin-wait between ops: on these VMs
        # waking a sleeping worker costs more than spinning (measured with 2 threads: short
        # query p50 5.7 ms spinning against 7.3 ms without, and less CPU time too).
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                os.fspath(self.model_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise EmbedderError(f"cannot load {self.model_path}: {exc}") from exc
        # One run allocates the working buffers, so the first real query is not the slow one.
        self.embed(["warm up"])
        # The session's weights are now in memory: backing them with huge pages takes ~15 %
        # off a short query (see hugepages.py).
        self.huge_page_bytes = hugepages.promote_to_huge_pages() if huge_pages else 0

    @property
    def dim(self) -> int:
        """Width of every embedding row (384)."""
        return self._dim

    @property
    def max_length(self) -> int:
        """Token budget per text, [CLS] and [SEP] included; longer texts are truncated."""
        return self._max_length

    def token_ids(self, text: str) -> list[int]:
        """The ids the model sees for `text`: stripped, truncated, with [CLS] and [SEP]."""
        return self._tokenizer.encode(text.strip()).ids

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts` into a float32 array [len(texts), 384] of L2-normalised rows."""
        items = check_texts(texts)
        if not items:
            return np.zeros((0, self._dim), dtype=np.float32)
        if len(items) == 1:
            return self._run([self.token_ids(items[0])])
        # sentence-transformers strips each text before tokenising.
        stripped = [text.strip() for text in items]
        ids = [encoding.ids for encoding in self._tokenizer.encode_batch(stripped)]
        out = np.empty((len(ids), self._dim), dtype=np.float32)
        for chunk in self._batches(ids):
            out[chunk] = self._run([ids[i] for i in chunk])
        return out

    def _batches(self, ids: list[list[int]]) -> list[list[int]]:
        """Group text indices by length so that padding adds little work to any batch."""
        batches: list[list[int]] = []
        batch: list[int] = []
        tokens = 0
        for i in sorted(range(len(ids)), key=lambda i: len(ids[i])):
            length = len(ids[i])
            # Sorted ascending, so `length` is the pad width if i joins. Every run streams all
            # weights (~5 ms), but a padded token costs ~0.3 ms: past a little slack, a jump
            # in length (a 40-token batch meeting 256-token texts) is worth a new run.
            padded = (len(batch) + 1) * length
            if batch and (len(batch) == self._batch_size or padded > 1.2 * (tokens + length) + 64):
                batches.append(batch)
                batch, tokens = [], 0
            batch.append(i)
            tokens += length
        batches.append(batch)
        return batches

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        """Pad one batch to its longest sequence and run the graph."""
        width = max(len(row) for row in batch)
        input_ids = np.zeros((len(batch), width), dtype=np.int64)
        attention_mask = np.zeros((len(batch), width), dtype=np.int64)
        for r, row in enumerate(batch):
            input_ids[r, : len(row)] = row
            attention_mask[r, : len(row)] = 1
        (vectors,) = self._session.run(
            ["sentence_embedding"],
            {"input_ids": input_ids, "attention_mask": attention_mask},
        )
        return vectors
