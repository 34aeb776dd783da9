"""SQL for SOPs and their version summaries (data-model.md §9); never commits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.db import dml
from knowledgepulse.registry.db.changes import next_change_seq, search_tombstones
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.paging import page
from knowledgepulse.registry.db.types import format_timestamp
from knowledgepulse.registry.search.text import like_pattern, search_text
from knowledgepulse.registry.sop.models import SopQuery, SopVersion, StoredSop
from knowledgepulse.registry.sop.tables import sop_versions, sops

__all__ = ["SopStore", "sop_search_fields"]

sc = sops.c
vc = sop_versions.c


def sop_search_fields(sop: dict[str, Any]) -> list[object]:
    """What `q` matches (§8.7): name, domain, and every decision-tree step and instruction."""
    fields: list[object] = [sop.get("name"), sop.get("domain")]
    for node in sop.get("decision_tree") or []:
        fields += [node.get("step"), node.get("instruction")]
    return fields


def _denormalised(sop: dict[str, Any]) -> dict[str, Any]:
    meta = sop["metadata"]
    return {
        "domain_lc": str(sop["domain"]).lower(),
        "agent_id": meta.get("agent_id"),
        "quality_score": float(meta["quality_score"]),
        "search_text_lc": search_text(sop_search_fields(sop)),
    }


class SopStore:
    """SOPs by id, their version history, the reference's text search, and delete."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def insert(self, stored: StoredSop) -> bool:
        """Insert a new SOP; False when the id already exists (the caller must roll back)."""
        stmt = (
            dml.insert(self._conn, sops)
            .values(
                id=stored.id,
                sop_json=stored.sop,
                version=stored.version,
                previous_version_id=stored.previous_version_id,
                status=stored.status,
                visibility=stored.visibility,
                approved_by=stored.approved_by,
                created_at=stored.created_at,
                updated_at=stored.updated_at,
                change_seq=await next_change_seq(self._conn),
                **_denormalised(stored.sop),
            )
            .on_conflict_do_nothing(index_elements=[sc.id])
        )
        return (await self._conn.execute(stmt)).rowcount > 0

    async def get(self, sop_id: str, *, for_update: bool = False) -> StoredSop | None:
        """The SOP or None; `for_update` locks the row until the transaction ends."""
        stmt = sa.select(*_COLUMNS).where(sc.id == sop_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self._conn.execute(stmt)).first()
        return None if row is None else _sop(row)

    async def replace(self, stored: StoredSop) -> None:
        """Overwrite every mutable field of an existing SOP (its id and `created_at` stay)."""
        await self._conn.execute(
            sops.update()
            .where(sc.id == stored.id)
            .values(
                sop_json=stored.sop,
                version=stored.version,
                previous_version_id=stored.previous_version_id,
                status=stored.status,
                visibility=stored.visibility,
                approved_by=stored.approved_by,
                updated_at=stored.updated_at,
                change_seq=await next_change_seq(self._conn),
                **_denormalised(stored.sop),
            )
        )

    async def add_version(self, version: SopVersion) -> None:
        """Append a version summary; an existing (sop, version) is left untouched (X-20)."""
        await self._conn.execute(
            dml.insert(self._conn, sop_versions)
            .values(
                sop_id=version.sop_id,
                version=version.version,
                diff_summary=version.diff_summary,
                created_at=version.created_at,
            )
            .on_conflict_do_nothing()
        )

    async def versions(self, sop_id: str) -> list[SopVersion]:
        """The SOP's version summaries, oldest first."""
        rows = await self._conn.execute(
            sa.select(sop_versions).where(vc.sop_id == sop_id).order_by(vc.version)
        )
        return [
            SopVersion(
                sop_id=r.sop_id,
                version=r.version,
                diff_summary=r.diff_summary,
                created_at=format_timestamp(r.created_at),
            )
            for r in rows
        ]

    async def search(self, query: SopQuery) -> tuple[list[StoredSop], int]:
        """AND of the filters; invisible SOPs excluded; quality desc, then insertion order."""
        conditions: list[Any] = []
        if not query.viewer_is_admin:
            visible = sc.visibility != "private"
            if query.viewer is not None:
                visible = sa.or_(visible, sc.agent_id == query.viewer)
            conditions.append(visible)
        if query.owner is not None:
            conditions.append(sc.agent_id == query.owner)
        if query.q:
            conditions.append(sc.search_text_lc.like(like_pattern(query.q), escape="\\"))
        if query.domain:
            conditions.append(sc.domain_lc == query.domain.lower())
        if query.status:
            conditions.append(sc.status == query.status)
        order = [sc.quality_score.desc(), sc.created_at, sc.id]
        rows, total = await page(
            self._conn, sops, _COLUMNS, conditions, order, query.offset, query.limit
        )
        return [_sop(row) for row in rows], total

    async def delete(self, sop_id: str, now: str) -> bool:
        """Delete the SOP (its versions cascade) and leave a search tombstone."""
        # Explicit as well as by foreign key, so no backend can leave orphans behind.
        await self._conn.execute(sop_versions.delete().where(vc.sop_id == sop_id))
        deleted = await self._conn.execute(sops.delete().where(sc.id == sop_id))
        if deleted.rowcount == 0:
            return False
        seq = await next_change_seq(self._conn)
        await self._conn.execute(
            dml.insert(self._conn, search_tombstones)
            .values(entity="sop", entity_id=sop_id, change_seq=seq, deleted_at=now)
            .on_conflict_do_update(
                index_elements=[search_tombstones.c.entity, search_tombstones.c.entity_id],
                set_={"change_seq": seq, "deleted_at": now},
            )
        )
        return True


_COLUMNS = [
    sc.id,
    sc.sop_json,
    sc.version,
    sc.previous_version_id,
    sc.status,
    sc.visibility,
    sc.approved_by,
    sc.created_at,
    sc.updated_at,
]


def _sop(row: Any) -> StoredSop:
    return StoredSop(
        id=row.id,
        sop=row.sop_json,
        version=row.version,
        status=row.status,
        visibility=row.visibility,
        created_at=format_timestamp(row.created_at),
        updated_at=format_timestamp(row.updated_at),
        previous_version_id=row.previous_version_id,
        approved_by=row.approved_by,
    )
