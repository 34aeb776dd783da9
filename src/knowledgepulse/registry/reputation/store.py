"""SQL for KP-REP records, their history and badges (data-model.md §8); never commits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from knowledgepulse.registry.db import dml
from knowledgepulse.registry.db.types import format_timestamp
from knowledgepulse.registry.reputation.models import ReputationRecord
from knowledgepulse.registry.reputation.tables import badges, reputation, reputation_history

__all__ = ["ReputationStore"]


class ReputationStore:
    """Atomic score updates: one upsert statement plus one history row."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, agent_id: str) -> ReputationRecord | None:
        """The record with its full history, or None."""
        row = (
            await self._conn.execute(sa.select(reputation).where(reputation.c.agent_id == agent_id))
        ).first()
        if row is None:
            return None
        history = await self._conn.execute(
            sa.select(
                reputation_history.c.timestamp,
                reputation_history.c.delta,
                reputation_history.c.reason,
            )
            .where(reputation_history.c.agent_id == agent_id)
            .order_by(reputation_history.c.seq)
        )
        return _record(
            row,
            [
                {"timestamp": format_timestamp(h.timestamp), "delta": h.delta, "reason": h.reason}
                for h in history
            ],
        )

    async def apply(self, agent_id: str, delta: float, reason: str, now: str) -> ReputationRecord:
        """`score = max(0, score + delta)` and the counters, in one statement (§8.2)."""
        positive = 1 if delta > 0 else 0
        validated = 1 if "Validated" in reason else 0
        stmt = dml.insert(self._conn, reputation).values(
            agent_id=agent_id,
            score=max(0.0, delta),
            contributions=positive,
            validations=validated,
            created_at=now,
            updated_at=now,
        )
        current = reputation.c
        stmt = stmt.on_conflict_do_update(
            index_elements=[current.agent_id],
            set_={
                # CASE instead of GREATEST/MAX: the two dialects spell the latter differently.
                "score": sa.case((current.score + delta < 0, 0.0), else_=current.score + delta),
                "contributions": current.contributions + positive,
                "validations": current.validations + validated,
                "updated_at": stmt.excluded.updated_at,
            },
        ).returning(*reputation.c)
        row = (await self._conn.execute(stmt)).one()
        await self._conn.execute(
            reputation_history.insert().values(
                agent_id=agent_id, timestamp=now, delta=delta, reason=reason
            )
        )
        return _record(row, [])

    async def grant_badge(
        self, agent_id: str, domain: str, level: str, now: str, granted_by: str
    ) -> bool:
        """Grant a badge unless the agent already holds it; True when newly granted."""
        stmt = (
            dml.insert(self._conn, badges)
            .values(
                badge_id=f"badge-{agent_id}-{domain}-{level}",
                agent_id=agent_id,
                domain=domain,
                level=level,
                granted_at=now,
                granted_by=granted_by,
            )
            .on_conflict_do_nothing()
        )
        return (await self._conn.execute(stmt)).rowcount > 0


def _record(row: Any, history: list[dict[str, Any]]) -> ReputationRecord:
    return ReputationRecord(
        agent_id=row.agent_id,
        score=row.score,
        contributions=row.contributions,
        validations=row.validations,
        history=history,
        created_at=format_timestamp(row.created_at),
        updated_at=format_timestamp(row.updated_at),
    )
