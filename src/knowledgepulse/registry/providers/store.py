"""SQL for the `providers` table (data-model.md §15.2); never commits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.db import dml
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.types import format_timestamp
from knowledgepulse.registry.providers.models import ProviderRecord
from knowledgepulse.registry.providers.tables import providers

__all__ = ["ProviderStore"]

pr = providers.c


class ProviderStore:
    """Providers by id and in registration order; a URL is registered once (X-31)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def insert(self, record: ProviderRecord) -> bool:
        """Insert a provider; False when its URL is already registered."""
        stmt = (
            dml.insert(self._conn, providers)
            .values(
                id=record.id,
                url=record.url,
                name=record.name,
                status=record.status,
                last_heartbeat=record.last_heartbeat,
                registered_at=record.registered_at,
            )
            .on_conflict_do_nothing(index_elements=[pr.url])
        )
        return (await self._conn.execute(stmt)).rowcount > 0

    async def list_all(self) -> list[ProviderRecord]:
        """Every provider, oldest registration first (X-32)."""
        rows = await self._conn.execute(sa.select(providers).order_by(pr.registered_at, pr.id))
        return [_provider(row) for row in rows]

    async def get(self, provider_id: str) -> ProviderRecord | None:
        """The provider, or None."""
        row = (await self._conn.execute(sa.select(providers).where(pr.id == provider_id))).first()
        return None if row is None else _provider(row)

    async def heartbeat(self, provider_id: str, now: str) -> bool:
        """`last_heartbeat = now`, `status = active`; False for an unknown id."""
        result = await self._conn.execute(
            providers.update()
            .where(pr.id == provider_id)
            .values(last_heartbeat=now, status="active")
        )
        return result.rowcount > 0


def _provider(row: Any) -> ProviderRecord:
    return ProviderRecord(
        id=row.id,
        url=row.url,
        name=row.name,
        status=row.status,
        registered_at=format_timestamp(row.registered_at),
        last_heartbeat=format_timestamp(row.last_heartbeat) if row.last_heartbeat else None,
    )
