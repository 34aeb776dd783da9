"""The SQL text-matching implementation of `SopSearch` (the `KP_SEARCH=sql` semantics).

It lives beside the store until the hybrid search (registry-api.md §9.12) provides
`search_sops` for every searchable entity; then the container switches implementations.
"""

from __future__ import annotations

from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.sop.models import SopQuery, StoredSop
from knowledgepulse.registry.sop.store import SopStore

__all__ = ["SqlSopSearch"]


class SqlSopSearch:
    """Case-insensitive substring matching in SQL, quality-ordered, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def search_sops(self, query: SopQuery) -> tuple[list[StoredSop], int]:
        """Visible SOPs matching every filter of `query`, one page, plus the total."""
        return await SopStore(self._conn).search(query)
