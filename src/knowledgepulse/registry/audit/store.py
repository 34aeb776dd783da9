"""SQL for the audit log (§9.5): append-only batches, filtered reads, periodic purge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from knowledgepulse.registry.audit.models import AuditEvent
from knowledgepulse.registry.audit.tables import audit_log
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.paging import page
from knowledgepulse.registry.db.types import format_timestamp

__all__ = ["AuditStore"]

al = audit_log.c


_INSERT = audit_log.insert()


class AuditStore:
    """Never commits; the sink and the admin endpoint own their transactions."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def append(self, events: Sequence[AuditEvent]) -> None:
        """Insert a batch with one executemany."""
        if not events:
            return
        await self._conn.execute(
            _INSERT,
            [
                {
                    "id": e.id,
                    "action": e.action,
                    "agent_id": e.agent_id,
                    "resource_type": e.resource_type,
                    "resource_id": e.resource_id,
                    "timestamp": e.timestamp,
                    "ip": e.ip,
                    "details": e.details,
                }
                for e in events
            ],
        )

    async def query(
        self,
        *,
        agent_id: str | None,
        action: str | None,
        resource_type: str | None,
        since: str | None,
        until: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[AuditEvent], int]:
        """Entries matching every given filter, newest first, and their total."""
        conditions: list[Any] = []
        if agent_id is not None:
            conditions.append(al.agent_id == agent_id)
        if action is not None:
            conditions.append(al.action == action)
        if resource_type is not None:
            conditions.append(al.resource_type == resource_type)
        if since is not None:
            conditions.append(al.timestamp >= since)
        if until is not None:
            conditions.append(al.timestamp <= until)
        rows, total = await page(
            self._conn, audit_log, [audit_log], conditions, [al.seq.desc()], offset, limit
        )
        return [_event(r) for r in rows], total

    async def purge_before(self, cutoff: str) -> int:
        """Delete entries older than `cutoff`; returns how many went."""
        result = await self._conn.execute(audit_log.delete().where(al.timestamp < cutoff))
        return result.rowcount


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        action=row.action,
        agent_id=row.agent_id,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        ip=row.ip,
        timestamp=format_timestamp(row.timestamp),
        details=row.details,
    )
