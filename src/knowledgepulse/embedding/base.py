"""The embedder interface, its errors, and a deterministic hashing fake for tests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = [
    "EMBEDDING_DIM",
    "Embedder",
    "EmbedderError",
    "HashingEmbedder",
    "ModelNotInstalledError",
    "check_texts",
    "l2_normalise",
]

EMBEDDING_DIM = 384


class EmbedderError(Exception):
    """Base class of the embedding package's errors."""


class ModelNotInstalledError(EmbedderError):
    """The package that ships the model weights is not installed or is incomplete."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows of width `dim`."""

    @property
    def dim(self) -> int:
        """Width of every embedding row."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts` into a float32 array [len(texts), dim]; empty input gives (0, dim)."""
        ...


def check_texts(texts: Sequence[str]) -> list[str]:
    """Return `texts` as a list, refusing a bare string and non-string items."""
    # A bare str is a Sequence[str] too; embedding it char by char is never what was meant.
    if isinstance(texts, str | bytes):
        raise TypeError("embed() takes a sequence of strings, not a single string")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str")
    return out


def l2_normalise(rows: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Divide each row by its L2 norm (clamped at `eps`), as float32."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.maximum(norms, eps)).astype(np.float32, copy=False)


_TOKEN = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=65536)
def _bucket(feature: str, dim: int) -> tuple[int, float]:
    """Stable (index, sign) of a feature; blake2b because `hash()` is salted per process."""
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dim, (1.0 if value >> 63 else -1.0)


class HashingEmbedder:
    """Test fake: signed feature hashing of words and character 3-grams, no model.

    Deterministic across processes and machines, fast, and loosely lexical (texts that share
    words or word pieces get a higher cosine), so search code can be tested without the model.
    It carries no semantics beyond that and must never be used in production.
    """

    def __init__(self, dim: int = EMBEDDING_DIM) -> None:
        if dim <= 0:
            raise ValueError("dim must be positive")
        self._dim = dim

    @property
    def dim(self) -> int:
        """Width of every embedding row."""
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts` into a float32 array [len(texts), dim] of unit rows."""
        items = check_texts(texts)
        out = np.zeros((len(items), self._dim), dtype=np.float64)
        for row, text in enumerate(items):
            for feature, weight in self._features(text):
                index, sign = _bucket(feature, self._dim)
                out[row, index] += sign * weight
        return l2_normalise(out)

    @staticmethod
    def _features(text: str) -> list[tuple[str, float]]:
        """Words weigh more than their 3-grams; a text without words gets a fixed feature."""
        words = _TOKEN.findall(text.lower())
        if not words:
            # Every row must be a unit vector, so word-less text maps to one shared direction.
            return [("\x00empty", 1.0)]
        features: list[tuple[str, float]] = []
        for word in words:
            features.append(("w:" + word, 2.0))
            padded = f"<{word}>"
            features.extend(("g:" + padded[i : i + 3], 1.0) for i in range(len(padded) - 2))
        return features
