"""SQL for the `api_keys` table (data-model.md §17); never commits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.auth.models import ApiKeyRecord
from knowledgepulse.registry.auth.tables import api_keys
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.types import format_timestamp

__all__ = ["ApiKeyStore"]


def _record(row: Any) -> ApiKeyRecord:
    return ApiKeyRecord(
        key_hash=row.key_hash,
        key_prefix=row.key_prefix,
        agent_id=row.agent_id,
        scopes=tuple(row.scopes),
        tier=row.tier,
        created_at=format_timestamp(row.created_at),
        revoked=bool(row.revoked),
        revoked_at=format_timestamp(row.revoked_at) if row.revoked_at else None,
    )


_BY_HASH = sa.select(api_keys).where(api_keys.c.key_hash == sa.bindparam("key_hash"))


class ApiKeyStore:
    """API keys by hash, prefix and agent."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def insert(self, record: ApiKeyRecord) -> None:
        """Store a new key (the prefix is unique: a collision raises IntegrityError)."""
        await self._conn.execute(
            api_keys.insert().values(
                key_hash=record.key_hash,
                key_prefix=record.key_prefix,
                agent_id=record.agent_id,
                scopes=list(record.scopes),
                tier=record.tier,
                created_at=record.created_at,
                revoked=False,
            )
        )

    async def get_by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        """The key with this SHA-256, revoked or not."""
        row = (await self._conn.execute(_BY_HASH, {"key_hash": key_hash})).first()
        return None if row is None else _record(row)

    async def get_by_prefix(self, prefix: str) -> ApiKeyRecord | None:
        """The key with this 11-character prefix."""
        row = (
            await self._conn.execute(sa.select(api_keys).where(api_keys.c.key_prefix == prefix))
        ).first()
        return None if row is None else _record(row)

    async def has_active_key(self, agent_id: str) -> bool:
        """True when the agent holds at least one key that is not revoked."""
        stmt = sa.select(sa.literal(1)).where(
            api_keys.c.agent_id == agent_id, api_keys.c.revoked.is_(False)
        )
        return (await self._conn.execute(stmt.limit(1))).first() is not None

    async def revoke(self, prefix: str, now: str) -> bool:
        """Mark revoked, keeping an earlier `revoked_at`; False when no such prefix."""
        result = await self._conn.execute(
            api_keys.update()
            .where(api_keys.c.key_prefix == prefix)
            .values(
                revoked=True,
                revoked_at=sa.func.coalesce(api_keys.c.revoked_at, sa.literal(now)),
            )
        )
        return result.rowcount > 0

    async def list_for_agent(self, agent_id: str) -> list[ApiKeyRecord]:
        """All of an agent's keys, revoked included, oldest first."""
        rows = await self._conn.execute(
            sa.select(api_keys)
            .where(api_keys.c.agent_id == agent_id)
            .order_by(api_keys.c.created_at, api_keys.c.key_prefix)
        )
        return [_record(row) for row in rows]
