"""`kp-registry index rebuild`, and the slot preparation of `kp-registry serve --workers N`."""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from knowledgepulse.registry.db.database import Database
from knowledgepulse.registry.db.engine import create_engine
from knowledgepulse.registry.db.migrate import upgrade_to_head
from knowledgepulse.registry.search import records
from knowledgepulse.registry.search.documents import KINDS
from knowledgepulse.registry.search.runtime import index_root, make_embedder
from knowledgepulse.registry.search.slots import (
    INDEX_FORMAT,
    IndexMeta,
    SlotBusy,
    SlotLease,
    read_meta,
    slot_dirs,
    write_meta,
)
from knowledgepulse.registry.search.sync import IndexSync
from knowledgepulse.registry.search.zvec_index import ZVEC_VERSION, ZvecSearchIndex, init_zvec
from knowledgepulse.registry.settings import Settings

__all__ = ["RebuildReport", "prepare_slots", "rebuild_index"]

logger = logging.getLogger(__name__)

PREPARE_EMBED_WAIT = 300.0  # seconds `serve` waits for slot 0's vectors before copying it


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What a rebuild indexed."""

    items: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    cursor: int = 0
    slot: Path | None = None


def _slot_number(path: Path) -> int:
    return int(path.name.split("-", 1)[1])


async def rebuild_index(
    settings: Settings, *, progress: Callable[[int, int], None] | None = None
) -> RebuildReport:
    """Drop every slot and build slot 0 from the store, embedding as it goes.

    Refuses (`SlotBusy`) while a registry process holds a slot of this data dir: its open
    collections cannot be replaced under it. Other slots are seeded from slot 0 at the next
    start. `progress(done, total)` is called after each batch.
    """
    started = time.monotonic()
    root = index_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    leases: list[SlotLease] = []
    engine = create_engine(settings.database_url_resolved)
    database = Database(engine)
    try:
        for slot in slot_dirs(root):
            lease = SlotLease.try_lock(root, _slot_number(slot))
            if lease is None:
                raise SlotBusy(f"{slot} is in use by a running registry; stop it first")
            leases.append(lease)
        main = next((lease for lease in leases if lease.path.name == "slot-0"), None)
        if main is None:
            main = SlotLease.try_lock(root, 0)
            if main is None:
                raise SlotBusy(f"{root / 'slot-0'} is in use by a running registry")
            leases.append(main)
        for lease in leases:
            await asyncio.to_thread(shutil.rmtree, lease.path, True)
        await upgrade_to_head(engine)
        holder = make_embedder(settings)
        await asyncio.to_thread(holder.load_now)
        init_zvec()
        meta = IndexMeta(INDEX_FORMAT, ZVEC_VERSION, holder.identity, holder.dim, cursor=0)
        write_meta(main.path, meta)
        index = ZvecSearchIndex(
            main,
            holder,
            meta,
            min_similarity=settings.search_min_similarity,
            max_total=settings.search_max_total,
        )
        try:
            async with database.transaction(write=False) as conn:
                counts = {e: await records.count_indexable(conn, e) for e in KINDS}
            total = sum(counts.values())
            done = 0

            def advance(n: int) -> None:
                nonlocal done
                done = min(total, done + n)
                if progress is not None:
                    progress(done, total)

            if progress is not None:
                progress(0, total)
            sync = IndexSync(database, index, embed_inline=True, on_progress=advance)
            await sync.catch_up()
            for coll in index.collections():
                await coll.maybe_optimize(force=True)
            await sync.checkpoint()
            cursor = sync.cursor
        finally:
            await index.close()
        return RebuildReport(
            items=counts, seconds=time.monotonic() - started, cursor=cursor, slot=main.path
        )
    finally:
        for lease in leases:
            lease.release()
        await database.dispose()


async def prepare_slots(settings: Settings, count: int) -> None:
    """Before `count` workers start: bring slot 0 up to date, then copy it to the slots
    1..count-1 that are missing or behind it, so no worker starts from an empty index."""
    root = index_root(settings)
    engine = create_engine(settings.database_url_resolved)
    database = Database(engine)
    try:
        holder = make_embedder(settings)  # loaded only if something waits for a vector
        index = await ZvecSearchIndex.open(
            root,
            holder,
            min_similarity=settings.search_min_similarity,
            max_total=settings.search_max_total,
            slot=0,
        )
        sync = IndexSync(database, index)
        try:
            await sync.verify()
            if sync.pending:
                sync.start_embedding()
            if sync.pending and not await sync.wait_idle(PREPARE_EMBED_WAIT):
                logger.warning(
                    "%d items still wait for their vectors; workers finish them", sync.pending
                )
        finally:
            await sync.stop()
            await index.close()
        source = root / "slot-0"
        source_meta = read_meta(source)
        if source_meta is None:
            return
        for n in range(1, count):
            lease = SlotLease.try_lock(root, n)
            if lease is None:
                continue
            try:
                meta = read_meta(lease.path)
                if (
                    meta is None
                    or not meta.compatible(source_meta)
                    or meta.cursor < source_meta.cursor
                ):
                    await asyncio.to_thread(shutil.rmtree, lease.path, True)
                    await asyncio.to_thread(shutil.copytree, source, lease.path)
            finally:
                lease.release()
    finally:
        await database.dispose()
