"""Start and stop the hybrid search of one process (imported only when `KP_SEARCH=hybrid`)."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from knowledgepulse.registry.db.database import Database
from knowledgepulse.registry.search.embedder import EmbedderHolder, embedder_holder
from knowledgepulse.registry.search.sync import IndexSync
from knowledgepulse.registry.search.zvec_index import ZvecSearchIndex
from knowledgepulse.registry.settings import Settings

__all__ = ["index_root", "make_embedder", "start_hybrid"]

INDEX_DIR = "index"


def index_root(settings: Settings) -> Path:
    """Where the slots of this data dir live."""
    return settings.data_dir / INDEX_DIR


def make_embedder(settings: Settings) -> EmbedderHolder:
    """The configured embedder (`KP_EMBEDDER`), not loaded yet."""
    return embedder_holder(settings.embedder, settings.model_cache_dir)


async def start_hybrid(
    settings: Settings,
    database: Database,
    *,
    on_applied: Callable[[set[str]], Awaitable[None]] | None = None,
) -> tuple[ZvecSearchIndex, IndexSync]:
    """Open this process's index slot, check it against the store, start syncing.

    The memory store lives and dies with the process, so its index goes to a temporary
    folder that is removed at close.
    """
    holder = make_embedder(settings)
    holder.start()
    temporary = settings.store_backend == "memory"
    root = Path(tempfile.mkdtemp(prefix="kp-index-")) if temporary else index_root(settings)
    index = await ZvecSearchIndex.open(
        root,
        holder,
        min_similarity=settings.search_min_similarity,
        max_total=settings.search_max_total,
        temporary=temporary,
    )
    sync = IndexSync(database, index, interval=settings.search_sync_interval, on_applied=on_applied)
    try:
        await sync.start()
    except BaseException:
        await sync.stop()
        await index.close()
        raise
    return index, sync
