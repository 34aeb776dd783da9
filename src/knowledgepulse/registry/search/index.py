"""The hybrid search service (registry-api.md §9.12) and the `SearchIndex` port it reads.

`HybridSearch` implements `SkillSearch`, `KnowledgeSearch` and `SopSearch`, so the REST
routes, the SDK retrieval and the MCP tools all reach it through the domain services:

* **Without `q`** (or with a `q` holding no letter or digit, e.g. `%`) it is the text-matching
  search of `sql.py`: the reference's filters and order.
* **With `q`** the index proposes candidates, each list already filtered by the same filters
  pushed into zvec: exact name/id matches, full-text (BM25) matches of any query term, and
  semantic neighbours. An item matches when the full text matches a term or its cosine
  similarity is at least `min_similarity`. Order: exact (case-, accent- and punctuation-
  insensitive) name or id matches first, then reciprocal-rank fusion of the lexical and the
  semantic ranking, ties by quality descending, then id. `sort=quality` orders the same
  matches by the reference order instead.
* The page is then read from SQL by id, under the filters again, so results are never stale.
* `total` counts the matches, at most `max_total`; a `SearchTotal` with `capped=True` says
  that there may be more (the route adds `"total_capped": true`).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.knowledge.models import KnowledgeQuery, StoredKnowledgeUnit
from knowledgepulse.registry.search import records
from knowledgepulse.registry.search.filters import (
    Predicate,
    any_clause,
    contains_any,
    eq,
    is_,
    one_of,
)
from knowledgepulse.registry.search.sql import SqlSearch
from knowledgepulse.registry.search.types import Hit, Ranked, RawHits, SearchTotal
from knowledgepulse.registry.skills.models import SkillQuery, StoredSkill
from knowledgepulse.registry.sop.models import SopQuery, StoredSop
from knowledgepulse.registry.sop.search import SqlSopSearch

__all__ = [
    "RRF_K",
    "HybridSearch",
    "SearchIndex",
    "fuse",
    "knowledge_predicate",
    "query_terms",
    "skill_predicate",
    "sop_predicate",
]

logger = logging.getLogger(__name__)
R = TypeVar("R")

RRF_K = 60  # reciprocal-rank-fusion constant: score = Σ 1 / (RRF_K + rank)
MAX_TERMS = 32
SORT_QUALITY = "quality"

# Words too common to say what a query is about. Dropped from the full-text query unless
# nothing else is left; the embedder still reads the whole query.
STOP_WORDS = frozenset(
    """
    a about above after again all am an and any are as at be been before being below
    between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me
    more most my no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yours yourself want need way ways using use get
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_TERM = re.compile(r"[^\W_]+", re.UNICODE)


def query_terms(q: str) -> list[str]:
    """The full-text terms of `q`: letter/digit runs, lower-cased, stop words dropped."""
    words = [w.lower() for w in _TERM.findall(unicodedata.normalize("NFKC", q))]
    kept = [w for w in words if w not in STOP_WORDS] or words
    return list(dict.fromkeys(kept))[:MAX_TERMS]


class SearchIndex(Protocol):
    """The port the hybrid search reads: ranked candidate ids for one kind."""

    async def rank(
        self, entity: str, q: str, terms: Sequence[str], predicate: Predicate
    ) -> Ranked | None:
        """All matches of `q` under `predicate`, in result order; None if unavailable."""
        ...

    def note_stale(self, entity: str, ids: Sequence[str]) -> None:
        """Candidates the store no longer returns: the index should catch up."""
        ...


def fuse(hits: RawHits, *, min_similarity: float, cap: int, rrf_k: int = RRF_K) -> Ranked:
    """Exact matches first, then the RRF of the lexical and semantic lists (see module doc)."""
    quality: dict[str, float] = {}
    for group in (hits.exact, hits.lexical, hits.semantic):
        for hit in group:
            quality[hit.id] = hit.quality
    exact = {h.id for h in hits.exact}
    fused: dict[str, float] = {}
    for ranking in (_dense_ranks(hits.lexical), _dense_ranks(hits.semantic)):
        for item_id, rank in ranking.items():
            fused[item_id] = fused.get(item_id, 0.0) + 1.0 / (rrf_k + rank)
    matching = {h.id for h in hits.lexical}
    matching.update(h.id for h in hits.semantic if h.score >= min_similarity)
    matching -= exact
    head = sorted((-quality[i], i) for i in exact)
    rest = sorted((-fused.get(i, 0.0), -quality[i], i) for i in matching)
    ids = [i for _, i in head] + [i for _, _, i in rest]
    capped = hits.lexical_capped or hits.semantic_capped or len(ids) > cap
    return Ranked(ids=ids[:cap], capped=capped)


def _dense_ranks(hits: list[Hit]) -> dict[str, int]:
    """Rank 1 for the best score; equal scores share a rank (so ties stay ties)."""
    ranks: dict[str, int] = {}
    rank, previous = 0, None
    for hit in sorted(hits, key=lambda h: -h.score):
        if hit.score != previous:
            rank, previous = rank + 1, hit.score
        ranks.setdefault(hit.id, rank)
    return ranks


def _visibility(predicate: Predicate, viewer: str | None, is_admin: bool) -> Predicate:
    if is_admin:
        return predicate
    public = is_("private", False)
    if viewer is None:
        return predicate.and_(public)
    return predicate.and_(any_clause(public, eq("owner_h", viewer)))


def skill_predicate(query: SkillQuery) -> Predicate:
    """The zvec filter of a skill search (`domain` is accepted and ignored, §8.3)."""
    predicate = Predicate()
    if query.tags:
        predicate = predicate.and_(contains_any("tags_h", {t.lower() for t in query.tags}))
    return predicate.min_quality(query.min_quality)


def knowledge_predicate(query: KnowledgeQuery) -> Predicate:
    """The zvec filter of a knowledge search (quarantined units are not in the index)."""
    predicate = _visibility(Predicate(), query.viewer, query.viewer_is_admin)
    if query.types:
        predicate = predicate.and_(one_of("type_h", query.types))
    if query.domain:
        predicate = predicate.and_(eq("domain_h", query.domain.lower()))
    return predicate.min_quality(query.min_quality)


def sop_predicate(query: SopQuery) -> Predicate:
    """The zvec filter of an SOP search."""
    predicate = _visibility(Predicate(), query.viewer, query.viewer_is_admin)
    if query.owner is not None:
        predicate = predicate.and_(eq("owner_h", query.owner))
    if query.domain:
        predicate = predicate.and_(eq("domain_h", query.domain.lower()))
    if query.status:
        predicate = predicate.and_(eq("status_h", query.status))
    return predicate


class HybridSearch:
    """`SkillSearch`, `KnowledgeSearch` and `SopSearch` over the index, inside one transaction."""

    def __init__(self, conn: Connection, index: SearchIndex) -> None:
        self._conn = conn
        self._index = index

    async def search_skills(self, query: SkillQuery) -> tuple[list[StoredSkill], int]:
        """Skills matching `query` (§8.3 filters, §9.12 `q`), one page, plus the total."""
        return await self._search(
            "skill",
            query,
            skill_predicate,
            lambda: SqlSearch(self._conn).search_skills(query),
        )

    async def search_knowledge(
        self, query: KnowledgeQuery
    ) -> tuple[list[StoredKnowledgeUnit], int]:
        """Visible, non-quarantined units matching `query`, one page, plus the total."""
        return await self._search(
            "knowledge_unit",
            query,
            knowledge_predicate,
            lambda: SqlSearch(self._conn).search_knowledge(query),
        )

    async def search_sops(self, query: SopQuery) -> tuple[list[StoredSop], int]:
        """Visible SOPs matching `query`, one page, plus the total."""
        return await self._search(
            "sop", query, sop_predicate, lambda: SqlSopSearch(self._conn).search_sops(query)
        )

    async def _search(
        self,
        entity: str,
        query: SkillQuery | KnowledgeQuery | SopQuery,
        predicate_of: Callable[..., Predicate],
        text_matching: Callable[[], Awaitable[tuple[list[R], int]]],
    ) -> tuple[list[R], int]:
        q = (query.q or "").strip()
        terms = query_terms(q)
        if not terms:
            return await text_matching()  # no q, or nothing but punctuation in it
        predicate = predicate_of(query)
        if predicate.impossible:
            return [], SearchTotal(0)
        ranked = await self._index.rank(entity, q, terms, predicate)
        if ranked is None:  # the index is not usable: answer with text matching
            return await text_matching()
        if getattr(query, "sort", None) == SORT_QUALITY:
            found, total = await records.sort_by_quality(self._conn, entity, ranked.ids, query)
            return found, SearchTotal(total, capped=ranked.capped)  # type: ignore[return-value]
        return await self._page(entity, query, ranked)  # type: ignore[return-value]

    async def _page(
        self, entity: str, query: SkillQuery | KnowledgeQuery | SopQuery, ranked: Ranked
    ) -> tuple[list[object], int]:
        ids = ranked.ids
        start, want = max(query.offset, 0), max(query.limit, 0)
        page: list[object] = []
        stale: list[str] = []
        position = start
        # Read the page by id under the filters; ids the store no longer returns (erased,
        # quarantined or changed in another process a moment ago) are skipped and the next
        # candidates fill their place.
        while len(page) < want and position < len(ids):
            chunk = ids[position : position + want - len(page)]
            position += len(chunk)
            found = await records.fetch_by_ids(self._conn, entity, chunk, query)
            for item_id in chunk:
                record = found.get(item_id)
                if record is None:
                    stale.append(item_id)
                else:
                    page.append(record)
        if stale:
            self._index.note_stale(entity, stale)
        total = len(ids) - len(stale)
        return page, SearchTotal(total, capped=ranked.capped)
