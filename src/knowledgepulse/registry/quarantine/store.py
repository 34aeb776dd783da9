"""SQL for security reports (data-model.md §7); never commits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.db import dml
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.types import format_timestamp
from knowledgepulse.registry.knowledge.tables import knowledge_units
from knowledgepulse.registry.quarantine.tables import security_reports

__all__ = ["ReportStore"]

sr = security_reports.c


class ReportStore:
    """One report per (unit, reporter); counts and the admin overview."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def upsert_report(
        self, *, report_id: str, unit_id: str, reporter_id: str, reason: str, created_at: str
    ) -> dict[str, Any]:
        """Insert a report, or replace only the reason of this reporter's earlier one."""
        stmt = dml.insert(self._conn, security_reports).values(
            id=report_id,
            unit_id=unit_id,
            reporter_id=reporter_id,
            reason=reason,
            created_at=created_at,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[sr.unit_id, sr.reporter_id], set_={"reason": stmt.excluded.reason}
        ).returning(*security_reports.c)
        row = (await self._conn.execute(stmt)).one()
        return _report(row)

    async def count_reports(self, unit_id: str) -> int:
        """Distinct reporters of the unit."""
        stmt = sa.select(sa.func.count()).select_from(security_reports).where(sr.unit_id == unit_id)
        return (await self._conn.execute(stmt)).scalar_one()

    async def reported_units(self) -> list[dict[str, Any]]:
        """`{unit_id, count, status}` per reported unit: count desc, earliest report first."""
        stmt = (
            sa.select(
                sr.unit_id,
                sa.func.count().label("count"),
                sa.func.min(sr.created_at).label("first"),
                knowledge_units.c.quarantine_status,
            )
            .select_from(
                security_reports.outerjoin(knowledge_units, knowledge_units.c.id == sr.unit_id)
            )
            .group_by(sr.unit_id, knowledge_units.c.quarantine_status)
            .order_by(sa.desc("count"), sa.asc("first"), sr.unit_id)
        )
        rows = await self._conn.execute(stmt)
        return [
            {"unit_id": r.unit_id, "count": r.count, "status": r.quarantine_status} for r in rows
        ]

    async def delete_reports(self, unit_id: str) -> None:
        """Drop every report of the unit (after an admin verdict)."""
        await self._conn.execute(security_reports.delete().where(sr.unit_id == unit_id))

    async def filed_by(self, reporter_id: str) -> list[dict[str, Any]]:
        """Reports an agent filed, oldest first (GDPR export)."""
        rows = await self._conn.execute(
            sa.select(security_reports)
            .where(sr.reporter_id == reporter_id)
            .order_by(sr.created_at, sr.id)
        )
        return [_report(r) for r in rows]


def _report(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "unit_id": row.unit_id,
        "reporter_id": row.reporter_id,
        "reason": row.reason,
        "created_at": format_timestamp(row.created_at),
    }
