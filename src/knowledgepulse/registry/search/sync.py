"""Keeping a process's search index in step with the SQL store (the source of truth).

Every write to skills, knowledge units and SOPs stamps the row with the store-wide
`change_seq` (db/changes.py); a delete leaves a tombstone with one. The index remembers the
cursor up to which it reflects the store and applies `change_seq > cursor` in order:

* **In the writing process**, right after the commit (`Container.unit_of_work` calls
  `after_commit`, before the response is sent): rows are upserted into zvec at once, with
  their filter fields and full text, so the item is lexically searchable when its `201`
  arrives. Deletions and quarantines are applied by the same step, so they disappear at
  once. Items whose embedding text did not change keep their vector. While an optimize
  holds a collection (seconds at 100k items) this step is skipped and the poller applies
  the change when the optimize is over; searches meanwhile are answered by text matching.
* **The embedding** of new text runs in the background, in batches of `EMBED_BATCH`; until
  then the item carries a placeholder vector and `embedded = false`, which the semantic
  query filters out. So `POST` latency does not include the model.
* **Other processes** (several workers, several hosts on PostgreSQL) poll the cursor every
  `KP_SEARCH_SYNC_INTERVAL` seconds (default 1): one indexed `SELECT` of the counter when
  nothing changed. Each process therefore sees another's writes within that interval (plus
  the embedding time for the semantic part), and deletions within it as well — and a search
  never returns a deleted or quarantined item anyway, because every page is read back from
  SQL under the filters. After applying changes the poller invalidates the response cache
  tags of the kinds it changed, so a shared (Redis) cache never keeps a page computed from a
  lagging index.
* **At start-up** the index is checked against the store: a store whose counter is behind
  the cursor (a different or reset database) empties the index; then the index catches up
  from its cursor; then the number of items per kind is compared with the store and, if it
  differs, ids and `change_seq`s are compared one by one and repaired. Items indexed before
  a crash without their vector are queued for embedding again. Serving starts then; a
  background audit compares every id and change number anyway (a drift that kept the
  counts equal is repaired within seconds of the start).
* `checkpoint` (every few seconds and at shutdown) flushes zvec and then records the cursor
  in the slot's meta, so a restart only replays what came after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from knowledgepulse.registry.db.database import Database
from knowledgepulse.registry.periodic import Periodic
from knowledgepulse.registry.search import records
from knowledgepulse.registry.search.documents import KINDS, build_doc
from knowledgepulse.registry.search.records import Change
from knowledgepulse.registry.search.types import IndexDoc
from knowledgepulse.registry.search.zvec_index import IndexFailure, ZvecCollection, ZvecSearchIndex

__all__ = ["EMBED_BATCH", "IndexSync", "SyncReport"]

logger = logging.getLogger(__name__)

READ_BATCH = 500  # changed rows read per query
EMBED_BATCH = 16  # texts embedded per background step (bounds how long one step holds a core)
MAINTENANCE_INTERVAL = 5.0  # seconds between checkpoints / optimize checks
EMBED_RETRY_DELAY = 2.0


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What a start-up check did."""

    reset: bool
    caught_up: int
    repaired: dict[str, int]
    requeued: int


class IndexSync:
    """Applies the store's changes to one `ZvecSearchIndex` (see the module doc)."""

    def __init__(
        self,
        database: Database,
        index: ZvecSearchIndex,
        *,
        interval: float = 1.0,
        on_applied: Callable[[set[str]], Awaitable[None]] | None = None,
        embed_inline: bool = False,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self._database = database
        self._index = index
        self._interval = interval
        self._on_applied = on_applied
        self._embed_inline = embed_inline  # rebuild: embed before writing, no placeholders
        self._on_progress = on_progress
        self._cursor = index.meta.cursor
        self._saved_cursor = self._cursor
        self._lock = asyncio.Lock()
        self._pending: dict[tuple[str, str], IndexDoc] = {}
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False
        self._worker: asyncio.Task[None] | None = None
        self._jobs: list[Periodic] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._audit: asyncio.Task[dict[str, int]] | None = None
        self.embedded_count = 0
        index.stale_listener = self._on_stale

    @property
    def cursor(self) -> int:
        """The change number up to which the index reflects the store."""
        return self._cursor

    @property
    def pending(self) -> int:
        """Items indexed without their vector yet."""
        return len(self._pending)

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> SyncReport:
        """Check the index against the store, catch up, then run the background jobs."""
        report = await self.verify()
        self.start_embedding()
        self._audit = asyncio.create_task(self.audit(), name="search-audit")
        self._background.add(self._audit)
        self._audit.add_done_callback(self._background.discard)
        self._jobs = [
            Periodic("search-sync", self._interval, self.catch_up),
            Periodic("search-maintenance", MAINTENANCE_INTERVAL, self.maintain),
        ]
        for job in self._jobs:
            job.start()
        return report

    def start_embedding(self) -> None:
        """Run the background embedder (without the poller)."""
        if self._worker is None:
            self._worker = asyncio.create_task(self._embed_loop(), name="search-embed")

    async def stop(self) -> None:
        """Stop the jobs (a batch in progress finishes), then checkpoint."""
        self._stopping = True
        self._wake.set()
        for job in self._jobs:
            await job.stop()
        if self._worker is not None:
            await self._worker
            self._worker = None
        for task in list(self._background):
            with contextlib.suppress(Exception):
                await task
        await self.checkpoint()

    async def verify(self) -> SyncReport:
        """The start-up check (module doc): reset if needed, catch up, repair, requeue."""
        async with self._database.transaction(write=False) as conn:
            store_seq = await records.current_seq(conn)
        reset = store_seq < self._cursor
        if reset:
            logger.warning(
                "the store's change counter (%d) is behind the search index (%d): "
                "a different or reset database; indexing it from scratch",
                store_seq,
                self._cursor,
            )
            async with self._lock:
                await self._index.wipe()
                self._pending.clear()
                self._cursor = self._saved_cursor = 0
        caught_up = await self.catch_up()
        repaired: dict[str, int] = {}
        for entity in KINDS:
            fixed = await self._repair_if_needed(entity)
            if fixed:
                repaired[entity] = fixed
        requeued = await self._requeue_unembedded()
        if caught_up or repaired or reset:
            await self.checkpoint()
        return SyncReport(reset=reset, caught_up=caught_up, repaired=repaired, requeued=requeued)

    # -- applying changes ------------------------------------------------------------------

    async def after_commit(self) -> None:
        """Apply the caller's just-committed changes now (never raises: the poller retries).

        Skipped while an optimize holds a collection: the response is not held for seconds;
        the poller applies the change when the optimize is over.
        """
        if self._index.optimizing():
            return
        try:
            await self.catch_up()
        except Exception:
            logger.exception("search index update after commit failed; the poller retries")

    async def catch_up(self) -> int:
        """Apply every change after the cursor; returns how many were applied."""
        touched: set[str] = set()
        applied = 0
        async with self._lock:
            while True:
                async with self._database.transaction(write=False) as conn:
                    store_seq = await records.current_seq(conn)
                    if store_seq <= self._cursor:
                        break
                    changes, cursor = await records.read_changes(conn, self._cursor, READ_BATCH)
                if not changes:
                    # Nothing left in (cursor, store_seq]: those numbers were overwritten.
                    self._cursor = max(self._cursor, store_seq)
                    break
                touched |= await self._apply(changes)
                applied += len(changes)
                self._cursor = cursor
                if self._on_progress is not None:
                    self._on_progress(sum(1 for c in changes if c.row is not None))
        if touched:
            await self._notify(touched)
        return applied

    async def _apply(self, changes: Sequence[Change]) -> set[str]:
        """Write the latest state of each changed item (in change order) to the index."""
        latest: dict[tuple[str, str], Change] = {}
        for change in changes:
            latest[(change.entity, change.id)] = change
        touched: set[str] = set()
        for entity in KINDS:
            removals: list[str] = []
            docs: list[IndexDoc] = []
            for (kind, item_id), change in latest.items():
                if kind != entity:
                    continue
                doc = build_doc(change.row) if change.row is not None else None
                if doc is None:
                    removals.append(item_id)
                else:
                    docs.append(doc)
            if removals or docs:
                await self._write(entity, removals, docs)
                touched.add(entity)
        return touched

    async def _write(self, entity: str, removals: list[str], docs: list[IndexDoc]) -> None:
        coll = await self._index.collection(entity, create=bool(docs))
        if coll is None:
            return  # only removals, and nothing of this kind was ever indexed
        if removals:
            await coll.delete(removals)
            for item_id in removals:
                self._pending.pop((entity, item_id), None)
        if not docs:
            return
        known = await coll.fetch_vectors([d.id for d in docs])
        for doc in docs:
            previous = known.get(doc.id)
            if previous is not None and previous[0] == doc.text_h and previous[1] is not None:
                doc.vector = previous[1]  # same text as before: keep its vector
        if self._embed_inline:
            await self._embed_now([d for d in docs if d.vector is None])
        docs = await self._upsert(coll, docs)
        for doc in docs:
            if doc.vector is None:
                self._pending[(entity, doc.id)] = doc
            else:
                self._pending.pop((entity, doc.id), None)
        if self._pending:
            self._idle.clear()
            self._wake.set()

    async def _upsert(self, coll: ZvecCollection, docs: list[IndexDoc]) -> list[IndexDoc]:
        """Write `docs`; if the batch fails, write them one by one and skip (and log) any
        document zvec refuses, so one bad item never stalls the sync. Returns those written."""
        try:
            await coll.upsert(docs)
            return docs
        except IndexFailure:
            logger.warning("a batch of %d search documents failed; retrying one by one", len(docs))
        written = []
        for doc in docs:
            try:
                await coll.upsert([doc])
                written.append(doc)
            except IndexFailure as exc:
                logger.error("search index refused %s %s: %s", coll.spec.entity, doc.id, exc)
        return written

    async def _embed_now(self, docs: list[IndexDoc]) -> None:
        for start in range(0, len(docs), 64):
            batch = docs[start : start + 64]
            vectors = await self._index.embed_docs([d.embed_text for d in batch])
            if vectors is None:
                return  # no embedder: they stay pending
            for doc, vector in zip(batch, vectors, strict=True):
                doc.vector = vector
            self.embedded_count += len(batch)

    async def _notify(self, touched: set[str]) -> None:
        if self._on_applied is not None:
            try:
                await self._on_applied(touched)
            except Exception:
                logger.exception("search index change listener failed")

    # -- the background embedder -----------------------------------------------------------

    async def _embed_loop(self) -> None:
        while True:
            await self._wake.wait()
            if self._stopping:
                return
            if not self._pending:
                self._wake.clear()
                self._idle.set()
                continue
            if await self._index.holder.wait() is None:
                logger.error("no embedder: %d items stay lexical-only", len(self._pending))
                self._wake.clear()
                continue
            try:
                await self._embed_step()
            except Exception:
                logger.exception("embedding new search items failed; retrying")
                await asyncio.sleep(EMBED_RETRY_DELAY)

    async def _embed_step(self) -> None:
        batch = list(self._pending.items())[:EMBED_BATCH]
        vectors = await self._index.embed_docs([doc.embed_text for _, doc in batch])
        if vectors is None:
            return
        touched: set[str] = set()
        async with self._lock:
            by_entity: dict[str, list[IndexDoc]] = {}
            for (key, doc), vector in zip(batch, vectors, strict=True):
                if self._pending.get(key) is not doc:
                    continue  # changed or removed while we embedded: a newer state rules
                doc.vector = vector
                by_entity.setdefault(key[0], []).append(doc)
            for entity, docs in by_entity.items():
                coll = await self._index.collection(entity, create=True)
                assert coll is not None
                written = await self._upsert(coll, docs)
                for doc in docs:  # a refused one keeps its placeholder (logged above)
                    self._pending.pop((entity, doc.id), None)
                touched.add(entity)
                self.embedded_count += len(written)
        if touched:
            await self._notify(touched)

    async def wait_idle(self, seconds: float | None = None) -> bool:
        """Wait until nothing waits for its embedding; False on timeout."""
        try:
            async with asyncio.timeout(seconds):
                while self._pending:
                    self._idle.clear()
                    self._wake.set()
                    await self._idle.wait()
        except TimeoutError:
            return False
        return True

    # -- checks and repairs ----------------------------------------------------------------

    async def _repair_if_needed(self, entity: str) -> int:
        async with self._database.transaction(write=False) as conn:
            expected = await records.count_indexable(conn, entity)
        coll = await self._index.collection(entity, create=False)
        held = await coll.count() if coll is not None else 0
        if held == expected:
            return 0
        logger.warning(
            "search index holds %d %s items, the store %d: repairing", held, entity, expected
        )
        return await self.repair(entity)

    async def repair(self, entity: str) -> int:
        """Compare ids and change numbers with the store and fix every difference."""
        async with self._lock:
            async with self._database.transaction(write=False) as conn:
                wanted = await records.indexable_seqs(conn, entity)
            coll = await self._index.collection(entity, create=bool(wanted))
            held = await coll.seqs() if coll is not None else {}
            extra = [i for i in held if i not in wanted]
            outdated = [i for i, seq in wanted.items() if held.get(i) != seq]
            changes: list[Change] = [Change(0, entity, i, None) for i in extra]
            for start in range(0, len(outdated), READ_BATCH):
                async with self._database.transaction(write=False) as conn:
                    rows = await records.rows_by_ids(
                        conn, entity, outdated[start : start + READ_BATCH]
                    )
                changes += [Change(r.change_seq, entity, r.id, r) for r in rows]
            if changes:
                await self._apply(changes)
        return len(extra) + len(outdated)

    async def _requeue_unembedded(self) -> int:
        """Queue again items a previous run indexed but never embedded."""
        count = 0
        for entity in KINDS:
            coll = await self._index.collection(entity, create=False)
            if coll is None:
                continue
            ids = await coll.unembedded()
            if not ids:
                continue
            async with self._database.transaction(write=False) as conn:
                rows = await records.rows_by_ids(conn, entity, ids)
            async with self._lock:
                for row in rows:
                    doc = build_doc(row)
                    if doc is not None and (entity, doc.id) not in self._pending:
                        self._pending[(entity, doc.id)] = doc
                        count += 1
        if count:
            self._idle.clear()
            self._wake.set()
        return count

    async def audit(self) -> dict[str, int]:
        """Compare every id and change number with the store and repair what differs.

        Start-up runs it in the background after the fast checks (a drift that keeps the
        counts equal is found here); it is O(items) and holds the sync lock meanwhile.
        """
        repaired: dict[str, int] = {}
        for entity in KINDS:
            if self._stopping:
                break
            fixed = await self.repair(entity)
            if fixed:
                repaired[entity] = fixed
        if repaired:
            logger.warning("search index audit repaired %s", repaired)
        return repaired

    async def audited(self) -> dict[str, int]:
        """Wait for the start-up audit; what it repaired."""
        return await self._audit if self._audit is not None else {}

    def _on_stale(self, entity: str, ids: Sequence[str]) -> None:
        logger.debug("search index returned %d stale %s ids; catching up", len(ids), entity)
        if self._stopping:
            return
        task = asyncio.get_running_loop().create_task(self.catch_up())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- maintenance -----------------------------------------------------------------------

    async def checkpoint(self) -> None:
        """Flush the index and record the cursor it now reflects."""
        cursor = self._cursor
        if cursor != self._saved_cursor:
            await self._index.save_cursor(cursor)
            self._saved_cursor = cursor

    async def maintain(self) -> None:
        """Checkpoint, then optimize collections whose unindexed share passed the threshold."""
        await self.checkpoint()
        for coll in self._index.collections():
            if self._stopping:
                return
            await coll.maybe_optimize()
