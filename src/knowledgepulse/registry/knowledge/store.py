"""SQL for knowledge units and their validations (data-model.md §6); never commits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.db import dml
from knowledgepulse.registry.db.changes import next_change_seq, search_tombstones
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.paging import page
from knowledgepulse.registry.db.prepared import Prepared
from knowledgepulse.registry.db.types import format_timestamp
from knowledgepulse.registry.knowledge.models import KnowledgeQuery, StoredKnowledgeUnit
from knowledgepulse.registry.knowledge.tables import knowledge_units, knowledge_validations
from knowledgepulse.registry.reputation.tables import validation_votes
from knowledgepulse.registry.search.text import like_pattern, search_text

__all__ = ["KnowledgeStore", "unit_search_fields"]

ku = knowledge_units.c


def unit_search_fields(unit: dict[str, Any]) -> list[object]:
    """The text fields the reference matches `q` against, per `@type` (§8.4)."""
    kind = unit.get("@type")
    if kind == "ReasoningTrace":
        steps = unit.get("steps") or []
        return [unit.get("task", {}).get("objective"), *(s.get("content") for s in steps)]
    if kind == "ToolCallPattern":
        return [unit.get("name"), unit.get("description")]
    return [unit.get("name"), unit.get("domain")]


class KnowledgeStore:
    """Units by id, the reference's text search, validations and erase."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def insert(self, stored: StoredKnowledgeUnit) -> bool:
        """Insert a new unit; False when the id already exists (the caller must roll back)."""
        meta = stored.unit["metadata"]
        params = {
            "id": stored.id,
            "unit_json": stored.unit,
            "visibility": stored.visibility,
            "unit_type": stored.unit_type,
            "task_domain_lc": str(meta["task_domain"]).lower(),
            "agent_id": meta.get("agent_id"),
            "quality_score": float(meta["quality_score"]),
            "search_text_lc": search_text(unit_search_fields(stored.unit)),
            "created_at": stored.created_at,
            "updated_at": stored.updated_at,
            "change_seq": await next_change_seq(self._conn),
        }
        # On a duplicate the caller raises, the transaction rolls back and the sequence
        # number is handed back with it.
        return (await self._conn.execute(_INSERT.on(self._conn), params)).rowcount > 0

    async def get(self, unit_id: str) -> StoredKnowledgeUnit | None:
        """The unit, quarantined or not, or None."""
        row = (await self._conn.execute(_GET, {"id": unit_id})).first()
        return None if row is None else _unit(row)

    async def search(self, query: KnowledgeQuery) -> tuple[list[StoredKnowledgeUnit], int]:
        """AND of the filters; quarantined and invisible units excluded; quality order."""
        conditions: list[Any] = [
            sa.or_(ku.quarantine_status.is_(None), ku.quarantine_status != "quarantined")
        ]
        if not query.viewer_is_admin:
            visible = ku.visibility != "private"
            if query.viewer is not None:
                visible = sa.or_(visible, ku.agent_id == query.viewer)
            conditions.append(visible)
        if query.q:
            conditions.append(ku.search_text_lc.like(like_pattern(query.q), escape="\\"))
        if query.types:
            conditions.append(ku.unit_type.in_(list(query.types)))
        if query.domain:
            conditions.append(ku.task_domain_lc == query.domain.lower())
        if query.min_quality is not None:
            conditions.append(ku.quality_score >= query.min_quality)
        order = [ku.quality_score.desc(), ku.created_at, ku.id]
        rows, total = await page(
            self._conn, knowledge_units, _COLUMNS, conditions, order, query.offset, query.limit
        )
        return [_unit(row) for row in rows], total

    async def add_validation(
        self, unit_id: str, validator: str, owner: str | None, valid: bool, now: str
    ) -> bool:
        """Record one validation; False when this agent already validated the unit."""
        # Lock the unit first (FOR NO KEY UPDATE, which the FK checks below do not conflict
        # with): concurrent validations of one unit then append to `validated_by` in turn.
        row = (
            await self._conn.execute(
                sa.select(ku.unit_json).where(ku.id == unit_id).with_for_update(key_share=True)
            )
        ).one()
        inserted = await self._conn.execute(
            dml.insert(self._conn, knowledge_validations)
            .values(unit_id=unit_id, validator_id=validator, valid=valid, created_at=now)
            .on_conflict_do_nothing()
        )
        if inserted.rowcount == 0:
            return False
        if owner is not None:
            await self._conn.execute(
                validation_votes.insert().values(
                    validator_id=validator,
                    target_id=owner,
                    unit_id=unit_id,
                    valid=valid,
                    timestamp=now,
                )
            )
        unit = dict(row.unit_json)
        metadata = dict(unit["metadata"])
        marker = f"kp:validator:{validator}"
        metadata["validated_by"] = [*metadata.get("validated_by", []), marker]
        unit["metadata"] = metadata
        await self._conn.execute(
            knowledge_units.update().where(ku.id == unit_id).values(unit_json=unit, updated_at=now)
        )
        return True

    async def delete(self, unit_id: str, now: str) -> bool:
        """Delete the unit (reports and validations cascade) and leave a search tombstone."""
        deleted = await self._conn.execute(knowledge_units.delete().where(ku.id == unit_id))
        if deleted.rowcount == 0:
            return False
        seq = await next_change_seq(self._conn)
        await self._conn.execute(
            dml.insert(self._conn, search_tombstones)
            .values(entity="knowledge_unit", entity_id=unit_id, change_seq=seq, deleted_at=now)
            .on_conflict_do_update(
                index_elements=[search_tombstones.c.entity, search_tombstones.c.entity_id],
                set_={"change_seq": seq, "deleted_at": now},
            )
        )
        return True

    async def set_quarantine_status(self, unit_id: str, status: str | None) -> None:
        """Set the status and stamp a change so the search index hides or shows the unit."""
        await self._conn.execute(
            knowledge_units.update()
            .where(ku.id == unit_id)
            .values(quarantine_status=status, change_seq=await next_change_seq(self._conn))
        )

    async def list_for_agent(self, agent_id: str) -> list[StoredKnowledgeUnit]:
        """Every unit the agent owns, quarantined included, oldest first (GDPR export)."""
        rows = await self._conn.execute(
            sa.select(*_COLUMNS).where(ku.agent_id == agent_id).order_by(ku.created_at, ku.id)
        )
        return [_unit(row) for row in rows]

    async def ids_created_before(self, visibility: str, cutoff: str, limit: int) -> list[str]:
        """Ids of units with this visibility received before `cutoff` (retention sweep).

        Quarantined units included, oldest first; at most `limit` ids.
        """
        rows = await self._conn.execute(
            sa.select(ku.id)
            .where(ku.visibility == visibility, ku.created_at < cutoff)
            .order_by(ku.created_at, ku.id)
            .limit(limit)
        )
        return [row.id for row in rows]


_COLUMNS = [
    ku.id,
    ku.unit_json,
    ku.visibility,
    ku.created_at,
    ku.updated_at,
    ku.quarantine_status,
]
_GET = sa.select(*_COLUMNS).where(ku.id == sa.bindparam("id"))
_INSERT = Prepared(
    lambda conn: dml.insert(conn, knowledge_units).on_conflict_do_nothing(index_elements=[ku.id])
)


def _unit(row: Any) -> StoredKnowledgeUnit:
    return StoredKnowledgeUnit(
        id=row.id,
        unit=row.unit_json,
        visibility=row.visibility,
        created_at=format_timestamp(row.created_at),
        updated_at=format_timestamp(row.updated_at),
        quarantine_status=row.quarantine_status,
    )
