"""The zvec adapter: one collection per searchable kind, each driven by one owner thread.

zvec 0.8.0 traps this module designs for:

* `optimize()` can deadlock while other threads query the same collection. Every call on a
  collection (insert, delete, query, fetch, flush, optimize, close) therefore runs on that
  collection's single owner thread; callers submit work and wait for the result. Optimize
  is scheduled by `maybe_optimize` off the request path. It holds the owner thread for
  seconds (about 20 s at 100k items), so meanwhile searches of that kind are answered by
  SQL text matching (`rank` returns None) and the write-through after a commit is left to
  the poller, rather than either waiting that long.
* A collection is locked to one process (see `slots.py` for how processes share a data dir).
* `insert`/`upsert`/`delete` take at most 1,024 documents: batches are split here.
* Errors come back as `Status` values, not exceptions: every status is checked and a failure
  raises `IndexFailure` with zvec's message.
* Filter strings are SQL-like text: they are only ever built by `filters.py`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import zvec

from knowledgepulse.registry.search.documents import KINDS
from knowledgepulse.registry.search.embedder import EmbedderHolder
from knowledgepulse.registry.search.filters import Predicate, all_of, any_clause, eq, is_, name_key
from knowledgepulse.registry.search.index import fuse
from knowledgepulse.registry.search.slots import (
    INDEX_FORMAT,
    IndexMeta,
    SlotLease,
    read_meta,
    seed_slot,
    write_meta,
)
from knowledgepulse.registry.search.types import (
    Hit,
    IndexDoc,
    KindSpec,
    Ranked,
    RawHits,
    SearchPlan,
)

__all__ = [
    "EF_SEARCH",
    "MAX_WRITE_BATCH",
    "ZVEC_VERSION",
    "IndexFailure",
    "ZvecCollection",
    "ZvecSearchIndex",
    "init_zvec",
]

T = TypeVar("T")
logger = logging.getLogger(__name__)

ZVEC_VERSION = "0.8.0"  # the version this adapter was written and tested against (pinned)
MAX_WRITE_BATCH = 1024  # zvec refuses larger insert/upsert/delete batches
EXACT_MAX = 50  # exact name/id matches returned at most
SEMANTIC_K = 100  # nearest neighbours among which semantic matches are looked for
QUERY_CACHE_SIZE = 4096  # query embeddings kept (an LRU)
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 100
EF_SEARCH = 200
# Optimize policy. Documents not yet in the HNSW/FTS index are searched by brute force
# (at 100k items: +2.5 ms per query per 1,000 of them), while an optimize holds the
# collection's owner thread for seconds (at 100k: ~20 s, whatever the delta). So optimize
# when the unindexed share reaches OPTIMIZE_UNINDEXED_SHARE (at least OPTIMIZE_MIN_UNINDEXED
# documents), or, after OPTIMIZE_IDLE_SECONDS without writes, when it reaches the idle share.
OPTIMIZE_UNINDEXED_SHARE = 0.02
OPTIMIZE_MIN_UNINDEXED = 256
OPTIMIZE_IDLE_SECONDS = 60.0
OPTIMIZE_IDLE_SHARE = 0.005
OPTIMIZE_IDLE_MIN = 32

_init_lock = threading.Lock()
_initialised = False


def init_zvec(*, query_threads: int = 1, optimize_threads: int = 1) -> None:
    """Initialise the zvec runtime once per process (it refuses a second `init`)."""
    global _initialised
    with _init_lock:
        if _initialised:
            return
        if zvec.__version__ != ZVEC_VERSION:
            logger.warning("zvec %s is installed; tested with %s", zvec.__version__, ZVEC_VERSION)
        try:
            zvec.init(
                log_level=zvec.LogLevel.ERROR,
                query_threads=query_threads,
                optimize_threads=optimize_threads,
            )
        except RuntimeError:  # someone else in this process initialised it first
            logger.debug("zvec was already initialised", exc_info=True)
        _initialised = True


class IndexFailure(RuntimeError):
    """zvec reported an error status (or raised) for an index operation."""


class ZvecCollection:
    """One zvec collection behind its owner thread; all methods are coroutine-safe."""

    def __init__(self, path: Path, spec: KindSpec, dim: int) -> None:
        self.path = path
        self.spec = spec
        self.dim = dim
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"zvec-{spec.folder}")
        self._coll: Any = None
        self._placeholder = np.zeros(dim, dtype=np.float32)
        self._placeholder[0] = 1.0
        self.last_write = time.monotonic()  # "idle" counts from the start, not from 1970
        self.last_optimize = 0.0
        self.optimize_count = 0
        # Set on the owner thread while an optimize holds it (seconds at 100k items): the
        # request path then answers without this collection instead of queueing behind it.
        self.optimizing = False

    # -- owner-thread plumbing -------------------------------------------------------------

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Queue `fn(*args)` on the owner thread (for callers outside asyncio)."""
        return self._executor.submit(fn, *args)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.wrap_future(self._executor.submit(fn, *args))

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the collection, creating it when the folder does not exist yet."""
        await self._run(self._open)

    def _open(self) -> None:
        if self._coll is not None:
            return
        try:
            if self.path.exists():
                self._coll = zvec.open(str(self.path))
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._coll = zvec.create_and_open(str(self.path), self._schema())
        except Exception as exc:  # zvec raises plain RuntimeError/ValueError
            raise IndexFailure(f"cannot open {self.path}: {exc}") from exc

    def _schema(self) -> zvec.CollectionSchema:
        inverted = zvec.InvertIndexParam()
        fields = [
            zvec.FieldSchema(
                "text",
                zvec.DataType.STRING,
                index_param=zvec.FtsIndexParam(
                    tokenizer_name="standard", filters=["lowercase", "ascii_folding", "stemmer"]
                ),
            ),
            zvec.FieldSchema("name_h", zvec.DataType.STRING, index_param=inverted),
            zvec.FieldSchema("idl_h", zvec.DataType.STRING, index_param=inverted),
            zvec.FieldSchema(
                "quality",
                zvec.DataType.DOUBLE,
                index_param=zvec.InvertIndexParam(enable_range_optimization=True),
            ),
            zvec.FieldSchema("embedded", zvec.DataType.BOOL, index_param=inverted),
            zvec.FieldSchema("seq", zvec.DataType.INT64),
            zvec.FieldSchema("text_h", zvec.DataType.STRING),
        ]
        fields += [
            zvec.FieldSchema(name, zvec.DataType.STRING, index_param=inverted)
            for name in self.spec.digest_fields
        ]
        fields += [
            zvec.FieldSchema(name, zvec.DataType.ARRAY_STRING, nullable=True, index_param=inverted)
            for name in self.spec.digests_fields
        ]
        fields += [
            zvec.FieldSchema(name, zvec.DataType.BOOL, index_param=inverted)
            for name in self.spec.flag_fields
        ]
        vector = zvec.VectorSchema(
            "emb",
            zvec.DataType.VECTOR_FP32,
            self.dim,
            index_param=zvec.HnswIndexParam(
                metric_type=zvec.MetricType.COSINE, m=HNSW_M, ef_construction=HNSW_EF_CONSTRUCTION
            ),
        )
        return zvec.CollectionSchema(name=self.spec.folder, fields=fields, vectors=[vector])

    async def close(self) -> None:
        """Flush and close the collection, then stop the owner thread."""
        try:
            await self._run(self._close)
        finally:
            self._executor.shutdown(wait=True)

    def shutdown(self) -> None:
        """Stop the owner thread without closing (after a failed open)."""
        self._executor.shutdown(wait=True)

    def close_sync(self) -> None:
        """`close` for callers outside asyncio."""
        try:
            self._executor.submit(self._close).result()
        finally:
            self._executor.shutdown(wait=True)

    def _close(self) -> None:
        if self._coll is not None:
            coll, self._coll = self._coll, None
            try:
                coll.flush()
            finally:
                coll.close()

    def _c(self) -> Any:
        if self._coll is None:
            raise IndexFailure(f"collection {self.spec.folder} is not open")
        return self._coll

    # -- writes ----------------------------------------------------------------------------

    async def upsert(self, docs: Sequence[IndexDoc]) -> None:
        """Insert or replace `docs` (any number; sent in batches of at most 1,024)."""
        if docs:
            await self._run(self.upsert_now, list(docs))

    def upsert_now(self, docs: list[IndexDoc]) -> None:
        """`upsert` on the owner thread (call only through `submit`/`_run`)."""
        coll = self._c()
        for start in range(0, len(docs), MAX_WRITE_BATCH):
            try:
                batch = [self._to_zvec(d) for d in docs[start : start + MAX_WRITE_BATCH]]
                statuses = coll.upsert(batch)
            except (ValueError, TypeError, RuntimeError) as exc:  # conversion or engine error
                raise IndexFailure(f"zvec upsert failed: {exc}") from exc
            _check(statuses, "upsert")
        self.last_write = time.monotonic()

    def _to_zvec(self, doc: IndexDoc) -> zvec.Doc:
        embedded = doc.vector is not None
        fields = {
            "text": doc.text,
            "seq": int(doc.seq),
            "text_h": doc.text_h,
            "embedded": embedded,
            **doc.fields,
        }
        vector = doc.vector if embedded else self._placeholder
        return zvec.Doc(id=doc.id, vectors={"emb": vector}, fields=fields)

    async def delete(self, ids: Sequence[str]) -> None:
        """Remove `ids`; ids the index does not hold are ignored."""
        if ids:
            await self._run(self._delete, list(ids))

    def _delete(self, ids: list[str]) -> None:
        coll = self._c()
        for start in range(0, len(ids), MAX_WRITE_BATCH):
            try:
                statuses = coll.delete(ids[start : start + MAX_WRITE_BATCH])
            except (ValueError, TypeError, RuntimeError) as exc:
                raise IndexFailure(f"zvec delete failed: {exc}") from exc
            _check(statuses, "delete", ignore=(zvec.StatusCode.NOT_FOUND,))
        self.last_write = time.monotonic()

    async def flush(self) -> None:
        """Make every write so far durable."""
        await self._run(lambda: self._c().flush())

    # -- reads -----------------------------------------------------------------------------

    async def fetch_vectors(self, ids: Sequence[str]) -> dict[str, tuple[str, np.ndarray | None]]:
        """`{id: (text_h, vector or None if not embedded)}` for the ids the index holds."""
        if not ids:
            return {}
        return await self._run(self._fetch_vectors, list(ids))

    def _fetch_vectors(self, ids: list[str]) -> dict[str, tuple[str, np.ndarray | None]]:
        out: dict[str, tuple[str, np.ndarray | None]] = {}
        coll = self._c()
        for start in range(0, len(ids), MAX_WRITE_BATCH):
            docs = coll.fetch(
                ids[start : start + MAX_WRITE_BATCH],
                output_fields=["text_h", "embedded"],
                include_vector=True,
            )
            for doc_id, doc in docs.items():
                vector = None
                if doc.field("embedded"):
                    vector = np.asarray(doc.vector("emb"), dtype=np.float32)
                out[doc_id] = (str(doc.field("text_h") or ""), vector)
        return out

    async def seqs(self) -> dict[str, int]:
        """`{id: seq}` of every document (for the start-up consistency check)."""
        return await self._run(self._seqs)

    def _seqs(self) -> dict[str, int]:
        with self._c().iter_docs(output_fields=["seq"], include_vector=False) as docs:
            return {doc.id: int(doc.field("seq") or 0) for doc in docs}

    async def unembedded(self, limit: int = 100_000) -> list[str]:
        """Ids still holding the placeholder vector (indexed before their embedding)."""
        return await self._run(self._unembedded, limit)

    def _unembedded(self, limit: int) -> list[str]:
        docs = self._c().query(filter=is_("embedded", False), topk=limit, output_fields=[])
        return [d.id for d in docs if d is not None]

    async def count(self) -> int:
        """Number of documents."""
        return await self._run(lambda: int(self._c().stats.doc_count))

    async def search(self, plan: SearchPlan) -> RawHits:
        """Run the exact, lexical and semantic queries of `plan` in one owner-thread turn."""
        return await self._run(self.search_now, plan)

    async def search_semantic(self, plan: SearchPlan, hits: RawHits) -> RawHits:
        """Add the semantic list of `plan` (its vector) to `hits`."""
        return await self._run(self.semantic_now, plan, hits)

    def search_now(self, plan: SearchPlan) -> RawHits:
        """`search` on the owner thread (call only through `submit`/`_run`)."""
        hits = RawHits(exact=[], lexical=[], semantic=[])
        coll = self._c()
        if plan.exact_keys:
            exact = any_clause(
                *(c for k in plan.exact_keys for c in (eq("name_h", k), eq("idl_h", k)))
            )
            flt = all_of(exact, plan.filter) if plan.filter else exact
            docs = coll.query(filter=flt, topk=EXACT_MAX, output_fields=["quality"])
            hits.exact = [_hit(d, 0.0) for d in docs if d is not None]
        if plan.match_text:
            docs = coll.query(
                zvec.Query("text", fts=zvec.Fts(match_string=plan.match_text)),
                topk=plan.cap,
                filter=plan.filter,
                output_fields=["quality"],
            )
            hits.lexical = [_hit(d, float(d.score)) for d in docs if d is not None]
            hits.lexical_capped = len(hits.lexical) >= plan.cap
        return self.semantic_now(plan, hits)

    def semantic_now(self, plan: SearchPlan, hits: RawHits) -> RawHits:
        """The semantic query of `plan` on the owner thread, added to `hits`."""
        if plan.vector is None:
            return hits
        flt = is_("embedded", True)
        flt = all_of(flt, plan.filter) if plan.filter else flt
        k = min(plan.semantic_k, plan.cap)
        docs = self._c().query(
            zvec.Query("emb", vector=plan.vector, param=zvec.HnswQueryParam(ef=max(EF_SEARCH, k))),
            topk=k,
            filter=flt,
            output_fields=["quality"],
        )
        # Cosine distance comes back; similarity = 1 - distance. Semantic matches are looked
        # for among the k nearest only (a wider look costs ~20x at 100k items): when all k
        # pass the threshold there may be more, and the total says so.
        hits.semantic = [_hit(d, 1.0 - float(d.score)) for d in docs if d is not None]
        hits.semantic_capped = (
            len(hits.semantic) >= k and hits.semantic[-1].score >= plan.min_similarity
        )
        return hits

    # -- maintenance -----------------------------------------------------------------------

    async def unindexed_share(self) -> float:
        """Share of vectors not yet in the HNSW graph (0 when empty)."""
        return await self._run(self._unindexed_share)

    def _unindexed_share(self) -> float:
        stats = self._c().stats
        if not stats.doc_count:
            return 0.0
        completeness = stats.index_completeness.get("emb", 1.0)
        return max(0.0, 1.0 - float(completeness))

    async def maybe_optimize(self, *, force: bool = False) -> bool:
        """Optimize when the unindexed share passes the threshold (or when idle, or forced)."""
        return await self._run(self._maybe_optimize, force)

    def _maybe_optimize(self, force: bool) -> bool:
        coll = self._c()
        stats = coll.stats
        count = int(stats.doc_count)
        if count == 0:
            return False
        unindexed = round((1.0 - float(stats.index_completeness.get("emb", 1.0))) * count)
        idle = time.monotonic() - self.last_write >= OPTIMIZE_IDLE_SECONDS
        due = unindexed >= max(OPTIMIZE_MIN_UNINDEXED, OPTIMIZE_UNINDEXED_SHARE * count)
        idle_due = idle and unindexed >= max(OPTIMIZE_IDLE_MIN, OPTIMIZE_IDLE_SHARE * count)
        if not (force or due or idle_due):
            return False
        started = time.monotonic()
        self.optimizing = True
        try:
            coll.optimize(zvec.OptimizeOption(concurrency=1))
        finally:
            self.optimizing = False
        self.last_optimize = time.monotonic()
        self.optimize_count += 1
        logger.info(
            "optimized search index %s (%d docs, %d unindexed) in %.1f s",
            self.spec.folder,
            count,
            unindexed,
            self.last_optimize - started,
        )
        return True


def _hit(doc: Any, score: float) -> Hit:
    quality = doc.field("quality")
    q = float(quality) if isinstance(quality, int | float) else 0.0
    return Hit(id=doc.id, score=score if math.isfinite(score) else 0.0, quality=q)


def _check(statuses: Any, operation: str, ignore: tuple[Any, ...] = ()) -> None:
    items = statuses if isinstance(statuses, list) else [statuses]
    for status in items:
        if not status.ok() and status.code() not in ignore:
            raise IndexFailure(f"zvec {operation} failed: {status.code()} {status.message()}")


class ZvecSearchIndex:
    """The `SearchIndex` of one process: a slot with one collection per kind, the embedder,
    and a small cache of query embeddings."""

    def __init__(
        self,
        lease: SlotLease,
        holder: EmbedderHolder,
        meta: IndexMeta,
        *,
        min_similarity: float,
        max_total: int,
        semantic_k: int = SEMANTIC_K,
        temp_root: Path | None = None,
    ) -> None:
        self.lease = lease
        self.slot = lease.path
        self.holder = holder
        self.meta = meta
        self.min_similarity = min_similarity
        self.max_total = max_total
        self.semantic_k = semantic_k
        self._temp_root = temp_root
        self._collections: dict[str, ZvecCollection] = {}
        self._open_lock = asyncio.Lock()
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        # One query embedding at a time: at 16 concurrent searches a second one measured
        # lower throughput (it competes with zvec, SQL and HTTP for the two cores).
        self._query_pool = ThreadPoolExecutor(1, thread_name_prefix="kp-embed-query")
        self._doc_pool = ThreadPoolExecutor(1, thread_name_prefix="kp-embed-docs")
        self.stale_listener: Callable[[str, Sequence[str]], None] | None = None

    @classmethod
    async def open(
        cls,
        root: Path,
        holder: EmbedderHolder,
        *,
        min_similarity: float,
        max_total: int,
        temporary: bool = False,
        slot: int | None = None,
    ) -> ZvecSearchIndex:
        """Take a slot under `root` (the first free one, or exactly `slot`), seeding or
        emptying it when unusable, and open it."""
        init_zvec()
        lease = await asyncio.to_thread(SlotLease.acquire, root, slot=slot)
        try:
            expected = IndexMeta(
                format=INDEX_FORMAT,
                zvec=ZVEC_VERSION,
                embedder=holder.identity,
                dim=holder.dim,
                cursor=0,
            )
            meta = await asyncio.to_thread(_prepare_slot, lease.path, expected)
            index = cls(
                lease,
                holder,
                meta,
                min_similarity=min_similarity,
                max_total=max_total,
                temp_root=root if temporary else None,
            )
            await index._open_existing()
        except BaseException:
            lease.release()
            raise
        return index

    async def _open_existing(self) -> None:
        for spec in KINDS.values():
            if (self.slot / spec.folder).exists():
                await self.collection(spec.entity, create=False)

    async def collection(self, entity: str, *, create: bool) -> ZvecCollection | None:
        """The open collection of `entity`; created on first need when `create`."""
        coll = self._collections.get(entity)
        if coll is not None:
            return coll
        spec = KINDS[entity]
        path = self.slot / spec.folder
        if not create and not path.exists():
            return None
        async with self._open_lock:
            coll = self._collections.get(entity)
            if coll is None:
                coll = ZvecCollection(path, spec, self.holder.dim)
                try:
                    await coll.open()
                except BaseException:
                    await asyncio.to_thread(coll.shutdown)
                    raise
                self._collections[entity] = coll
        return coll

    def collections(self) -> list[ZvecCollection]:
        """The collections opened so far."""
        return list(self._collections.values())

    def optimizing(self) -> bool:
        """True while an optimize holds one of the collections."""
        return any(coll.optimizing for coll in self._collections.values())

    async def wipe(self) -> None:
        """Drop every collection and reset the cursor (the store will be indexed again)."""
        async with self._open_lock:
            for coll in self._collections.values():
                await coll.close()
            self._collections.clear()
            for spec in KINDS.values():
                await asyncio.to_thread(shutil.rmtree, self.slot / spec.folder, True)
            await self.save_cursor(0, flush=False)

    async def save_cursor(self, cursor: int, *, flush: bool = True) -> None:
        """Make the writes durable, then record that the slot reflects the store to `cursor`."""
        if flush:
            for coll in self.collections():
                await coll.flush()
        self.meta = replace(self.meta, cursor=cursor)
        await asyncio.to_thread(write_meta, self.slot, self.meta)

    # -- the SearchIndex port --------------------------------------------------------------

    async def rank(
        self, entity: str, q: str, terms: Sequence[str], predicate: Predicate
    ) -> Ranked | None:
        """All matches of `q` under `predicate`, in result order (see index.fuse)."""
        coll = self._collections.get(entity)
        if coll is None:
            return Ranked(ids=[])  # nothing of this kind was ever indexed
        if coll.optimizing:
            return None  # text matching answers until the optimize is done (see module doc)
        keys = tuple(dict.fromkeys(k for k in (name_key(q), q.lower()) if k))
        plan = SearchPlan(
            filter=predicate.text,
            exact_keys=keys,
            match_text=" ".join(terms) or None,
            vector=None,
            min_similarity=self.min_similarity,
            cap=self.max_total,
            semantic_k=self.semantic_k,
        )
        # The model embeds the query while the owner thread runs the exact and lexical
        # queries; the semantic query follows as soon as the vector is there.
        embedding = asyncio.ensure_future(self.embed_query(q))
        try:
            try:
                hits = await coll.search(plan)
            finally:
                vector = await embedding
            if vector is not None:
                hits = await coll.search_semantic(replace(plan, vector=vector), hits)
        except Exception:  # a broken index must not break search: text matching answers
            logger.exception("search index query failed; answering with text matching")
            return None
        return fuse(hits, min_similarity=self.min_similarity, cap=self.max_total)

    def note_stale(self, entity: str, ids: Sequence[str]) -> None:
        """Tell the sync that the index still holds items the store no longer returns."""
        if self.stale_listener is not None:
            self.stale_listener(entity, ids)

    # -- embeddings ------------------------------------------------------------------------

    async def embed_query(self, q: str) -> np.ndarray | None:
        """The embedding of `q` (cached), or None while the embedder is not ready."""
        cached = self._query_cache.get(q)
        if cached is not None:
            self._query_cache.move_to_end(q)
            return cached
        embedder = self.holder.embedder
        if embedder is None:
            return None
        loop = asyncio.get_running_loop()
        try:
            rows = await loop.run_in_executor(self._query_pool, embedder.embed, [q])
        except Exception:
            logger.exception("query embedding failed; searching lexically")
            return None
        vector = np.ascontiguousarray(rows[0], dtype=np.float32)
        self._query_cache[q] = vector
        if len(self._query_cache) > QUERY_CACHE_SIZE:
            self._query_cache.popitem(last=False)
        return vector

    async def embed_docs(self, texts: list[str]) -> np.ndarray | None:
        """Embeddings of document texts (None while the embedder is not ready)."""
        embedder = self.holder.embedder
        if embedder is None:
            return None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._doc_pool, embedder.embed, texts)

    async def close(self) -> None:
        """Close every collection, stop the pools and give the slot back."""
        try:
            for coll in self.collections():
                await coll.close()
            self._collections.clear()
        finally:
            self._query_pool.shutdown(wait=True)
            self._doc_pool.shutdown(wait=True)
            self.lease.release()
            if self._temp_root is not None:
                await asyncio.to_thread(shutil.rmtree, self._temp_root, True)


def _prepare_slot(slot: Path, expected: IndexMeta) -> IndexMeta:
    """The slot's meta when usable; else seed it from a sibling, or empty it."""
    meta = read_meta(slot)
    if meta is not None and meta.compatible(expected):
        return meta
    if seed_slot(slot, expected):
        seeded = read_meta(slot)
        if seeded is not None and seeded.compatible(expected):
            return seeded
    if meta is not None:
        logger.warning("search index %s was built differently; rebuilding it", slot)
    shutil.rmtree(slot, ignore_errors=True)
    slot.mkdir(parents=True, exist_ok=True)
    write_meta(slot, expected)
    return expected
