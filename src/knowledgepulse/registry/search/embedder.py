"""The embedder of a registry process: chosen by `KP_EMBEDDER`, loaded off the start-up path.

Loading MiniLM (and building its ONNX graph on the very first start) takes seconds, so it
happens in a background thread. Until it is ready, searches are lexical only and new items
wait in the embedding queue; nothing blocks.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from knowledgepulse.embedding import EMBEDDING_DIM, Embedder, HashingEmbedder

__all__ = ["EmbedderHolder", "embedder_holder"]

logger = logging.getLogger(__name__)

MINILM_ID = "minilm-l6-v2"
MODEL_THREADS = 1
HASHING_ID = "hashing-v1"


class EmbedderHolder:
    """An embedder being loaded in a thread; `embedder` is None until it is ready."""

    def __init__(self, identity: str, dim: int, factory: Callable[[], Embedder]) -> None:
        self.identity = identity  # stored in the index meta: vectors of two embedders never mix
        self.dim = dim
        self._factory = factory
        self._embedder: Embedder | None = None
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def embedder(self) -> Embedder | None:
        """The embedder, or None while it loads (or if loading failed)."""
        return self._embedder

    def start(self) -> None:
        """Begin loading in a daemon thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._load, name="kp-embedder-load", daemon=True)
            self._thread.start()

    def load_now(self) -> Embedder:
        """Load in the calling thread (CLI rebuild); raises what loading raised."""
        self.start()
        self._ready.wait()
        if self._embedder is None:
            raise RuntimeError(f"the {self.identity} embedder failed to load: {self.error}")
        return self._embedder

    def _load(self) -> None:
        try:
            self._embedder = self._factory()
            if self._embedder.dim != self.dim:
                raise RuntimeError(f"embedder dim {self._embedder.dim} != {self.dim}")
        except BaseException as exc:  # noqa: BLE001 - reported, search stays lexical
            self._embedder = None
            self.error = exc
            logger.error("embedder %s failed to load: %s", self.identity, exc)
        finally:
            self._ready.set()

    async def wait(self, seconds: float | None = None) -> Embedder | None:
        """Wait for loading to finish (at most `seconds`); the embedder or None."""
        self.start()
        await asyncio.to_thread(self._ready.wait, seconds)
        return self._embedder


def embedder_holder(kind: str, model_cache: Path) -> EmbedderHolder:
    """`minilm` (all-MiniLM-L6-v2 on onnxruntime, graph cached in `model_cache`) or `hashing`
    (the deterministic test fake; never for production)."""
    if kind == "hashing":
        return EmbedderHolder(HASHING_ID, EMBEDDING_DIM, HashingEmbedder)

    def minilm() -> Embedder:
        from knowledgepulse.embedding import MiniLMEmbedder

        # One intra-op thread: a query embeds in ~7 ms instead of ~15 ms with two when the
        # cores are busy serving requests, and batches lose only ~10 % (bench notes).
        return MiniLMEmbedder(model_cache, intra_op_threads=MODEL_THREADS)

    return EmbedderHolder(MINILM_ID, EMBEDDING_DIM, minilm)
