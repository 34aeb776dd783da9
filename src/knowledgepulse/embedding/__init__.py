"""Sentence embeddings for semantic search: the `Embedder` interface and its implementations.

`MiniLMEmbedder` (onnxruntime, the real model) is imported lazily so that code which only
needs the interface or the `HashingEmbedder` fake does not load onnxruntime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from knowledgepulse.embedding.base import (
    EMBEDDING_DIM,
    Embedder,
    EmbedderError,
    HashingEmbedder,
    ModelNotInstalledError,
)

if TYPE_CHECKING:
    from knowledgepulse.embedding.minilm import MiniLMEmbedder

__all__ = [
    "EMBEDDING_DIM",
    "Embedder",
    "EmbedderError",
    "HashingEmbedder",
    "MiniLMEmbedder",
    "ModelNotInstalledError",
]


def __getattr__(name: str) -> Any:
    """Import `MiniLMEmbedder` on first access."""
    if name == "MiniLMEmbedder":
        from knowledgepulse.embedding.minilm import MiniLMEmbedder

        return MiniLMEmbedder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
