"""Plain data of the hybrid search, free of zvec so that `KP_SEARCH=sql` never imports it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "Hit",
    "IndexDoc",
    "KindSpec",
    "Ranked",
    "RawHits",
    "SearchPlan",
    "SearchTotal",
]


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One searchable kind: its collection folder and the filter fields it stores."""

    entity: str  # as in db.changes.SEARCHABLE_ENTITIES
    folder: str
    digest_fields: tuple[str, ...] = ()
    digests_fields: tuple[str, ...] = ()
    flag_fields: tuple[str, ...] = ()


@dataclass(slots=True)
class IndexDoc:
    """What the index stores for one item; `vector` None means "not embedded yet"."""

    id: str
    seq: int
    text: str  # the full-text (BM25) field
    embed_text: str  # what the embedder reads
    text_h: str  # digest of embed_text, to reuse a vector when only filters changed
    fields: dict[str, Any] = field(default_factory=dict)  # filter fields (digests, flags…)
    vector: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """One candidate: its id, the list's score, and its quality (the tie-breaker)."""

    id: str
    score: float
    quality: float


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """The index queries of one search (all run in one owner-thread turn)."""

    filter: str | None
    exact_keys: tuple[str, ...]  # name keys / lower-cased ids that count as exact matches
    match_text: str | None  # full-text query terms, or None for no lexical query
    vector: np.ndarray | None  # query embedding, or None for no semantic query
    min_similarity: float
    cap: int
    semantic_k: int


@dataclass(slots=True)
class RawHits:
    """The three candidate lists of a search, best first."""

    exact: list[Hit]
    lexical: list[Hit]
    semantic: list[Hit]  # score = cosine similarity; only those >= min_similarity match
    lexical_capped: bool = False
    semantic_capped: bool = False


@dataclass(frozen=True, slots=True)
class Ranked:
    """Every matching id in result order, and whether the match count was capped."""

    ids: list[str]
    capped: bool = False


class SearchTotal(int):
    """A result total that also says whether it was capped (`"total_capped": true`)."""

    capped: bool

    def __new__(cls, value: int, *, capped: bool = False) -> SearchTotal:
        obj = super().__new__(cls, value)
        obj.capped = capped
        return obj
