"""SQL the hybrid search needs: changes since a cursor, and records by id under the filters.

The SQL store stays the source of truth: the index only proposes candidate ids, and every
page is read back here by id, under the same filters the text-matching search applies
(visibility, quarantine, domain, tags, types, status, owner, min quality). So a result is
never stale, whatever the index still holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.db.changes import SEARCH_COUNTER, change_counters, search_tombstones
from knowledgepulse.registry.db.connection import SCAN, Connection
from knowledgepulse.registry.db.paging import page
from knowledgepulse.registry.knowledge.models import KnowledgeQuery, StoredKnowledgeUnit
from knowledgepulse.registry.knowledge.store import _COLUMNS as _UNIT_COLUMNS
from knowledgepulse.registry.knowledge.store import _unit
from knowledgepulse.registry.knowledge.tables import knowledge_units
from knowledgepulse.registry.search.documents import SkillRow, SopRow, UnitRow
from knowledgepulse.registry.skills.models import SkillQuery, StoredSkill
from knowledgepulse.registry.skills.store import _LIST_COLUMNS as _SKILL_COLUMNS
from knowledgepulse.registry.skills.store import _skill
from knowledgepulse.registry.skills.tables import skill_tags, skills
from knowledgepulse.registry.sop.models import SopQuery, StoredSop
from knowledgepulse.registry.sop.store import _COLUMNS as _SOP_COLUMNS
from knowledgepulse.registry.sop.store import _sop
from knowledgepulse.registry.sop.tables import sops

__all__ = [
    "Change",
    "count_indexable",
    "current_seq",
    "fetch_by_ids",
    "indexable_seqs",
    "read_changes",
    "rows_by_ids",
    "sort_by_quality",
]

ku = knowledge_units.c
sc = sops.c

Row = SkillRow | UnitRow | SopRow
Record = StoredSkill | StoredKnowledgeUnit | StoredSop
Query = SkillQuery | KnowledgeQuery | SopQuery


@dataclass(frozen=True, slots=True)
class Change:
    """One change to apply: a row to (re)index, or a deletion when `row` is None."""

    seq: int
    entity: str
    id: str
    row: Row | None


_SKILL_ROW = [
    skills.c.id,
    skills.c.name,
    skills.c.description,
    skills.c.tags,
    skills.c.content,
    skills.c.quality_score,
    skills.c.change_seq,
]
_UNIT_ROW = [
    ku.id,
    ku.unit_json,
    ku.visibility,
    ku.agent_id,
    ku.quality_score,
    ku.task_domain_lc,
    ku.unit_type,
    ku.quarantine_status,
    ku.change_seq,
]
_SOP_ROW = [
    sc.id,
    sc.sop_json,
    sc.status,
    sc.visibility,
    sc.agent_id,
    sc.quality_score,
    sc.domain_lc,
    sc.change_seq,
]
_TABLES = {"skill": skills, "knowledge_unit": knowledge_units, "sop": sops}
_ROW_COLUMNS = {"skill": _SKILL_ROW, "knowledge_unit": _UNIT_ROW, "sop": _SOP_ROW}


def _to_row(entity: str, r: Any) -> Row:
    if entity == "skill":
        return SkillRow(
            id=r.id,
            name=r.name,
            description=r.description,
            tags=list(r.tags or []),
            content=r.content,
            quality_score=float(r.quality_score),
            change_seq=int(r.change_seq),
        )
    if entity == "knowledge_unit":
        return UnitRow(
            id=r.id,
            unit=r.unit_json,
            visibility=r.visibility,
            agent_id=r.agent_id,
            quality_score=float(r.quality_score),
            task_domain_lc=r.task_domain_lc,
            unit_type=r.unit_type,
            quarantine_status=r.quarantine_status,
            change_seq=int(r.change_seq),
        )
    return SopRow(
        id=r.id,
        sop=r.sop_json,
        status=r.status,
        visibility=r.visibility,
        agent_id=r.agent_id,
        quality_score=float(r.quality_score),
        domain_lc=r.domain_lc,
        change_seq=int(r.change_seq),
    )


async def current_seq(conn: Connection) -> int:
    """The newest change number handed out (0 before the first searchable write)."""
    value = (
        await conn.execute(
            sa.select(change_counters.c.value).where(change_counters.c.name == SEARCH_COUNTER)
        )
    ).scalar_one_or_none()
    return int(value or 0)


async def read_changes(conn: Connection, cursor: int, limit: int) -> tuple[list[Change], int]:
    """Changes with `change_seq > cursor`, in order, and the cursor after them.

    Each source (three tables and the tombstones) is read up to `limit` rows; when one is
    cut off, only changes up to its last number are returned, so none is skipped.
    """
    sources: list[tuple[str, list[Change]]] = []
    for entity, table in _TABLES.items():
        rows = await conn.execute(
            sa.select(*_ROW_COLUMNS[entity])
            .where(table.c.change_seq > cursor)
            .order_by(table.c.change_seq)
            .limit(limit)
        )
        sources.append(
            (
                entity,
                [Change(int(r.change_seq), entity, r.id, _to_row(entity, r)) for r in rows],
            )
        )
    tomb = search_tombstones.c
    rows = await conn.execute(
        sa.select(tomb.entity, tomb.entity_id, tomb.change_seq)
        .where(tomb.change_seq > cursor)
        .order_by(tomb.change_seq)
        .limit(limit)
    )
    sources.append(
        ("tombstone", [Change(int(r.change_seq), r.entity, r.entity_id, None) for r in rows])
    )
    bound: int | None = None
    for _, changes in sources:
        if len(changes) >= limit:
            last = changes[-1].seq
            bound = last if bound is None else min(bound, last)
    merged = sorted((c for _, changes in sources for c in changes), key=lambda c: c.seq)
    if bound is not None:
        merged = [c for c in merged if c.seq <= bound]
    new_cursor = merged[-1].seq if merged else cursor
    return merged, new_cursor


async def rows_by_ids(conn: Connection, entity: str, ids: Sequence[str]) -> list[Row]:
    """The current rows of `ids` (absent ids are skipped)."""
    table = _TABLES[entity]
    out: list[Row] = []
    for start in range(0, len(ids), 500):
        rows = await conn.execute(
            sa.select(*_ROW_COLUMNS[entity]).where(table.c.id.in_(list(ids[start : start + 500])))
        )
        out += [_to_row(entity, r) for r in rows]
    return out


def _indexable(entity: str) -> list[Any]:
    if entity == "knowledge_unit":
        return [sa.or_(ku.quarantine_status.is_(None), ku.quarantine_status != "quarantined")]
    return []


async def count_indexable(conn: Connection, entity: str) -> int:
    """How many items of `entity` the index should hold."""
    table = _TABLES[entity]
    stmt = sa.select(sa.func.count()).select_from(table).where(*_indexable(entity))
    return int((await conn.execute(stmt.execution_options(**SCAN))).scalar_one())


async def indexable_seqs(conn: Connection, entity: str) -> dict[str, int]:
    """`{id: change_seq}` of every item of `entity` the index should hold."""
    table = _TABLES[entity]
    stmt = sa.select(table.c.id, table.c.change_seq).where(*_indexable(entity))
    rows = await conn.execute(stmt.execution_options(**SCAN))
    return {r.id: int(r.change_seq) for r in rows}


# -- the filters of each kind, as the text-matching search applies them (minus `q`) --------


def _skill_conditions(query: SkillQuery) -> list[Any]:
    conditions: list[Any] = []
    if query.tags:
        wanted = sorted({t.lower() for t in query.tags})
        conditions.append(
            sa.exists().where(skill_tags.c.skill_id == skills.c.id, skill_tags.c.tag_lc.in_(wanted))
        )
    if query.min_quality is not None:
        conditions.append(skills.c.quality_score >= query.min_quality)
    return conditions


def _unit_conditions(query: KnowledgeQuery) -> list[Any]:
    conditions: list[Any] = [
        sa.or_(ku.quarantine_status.is_(None), ku.quarantine_status != "quarantined")
    ]
    if not query.viewer_is_admin:
        visible = ku.visibility != "private"
        if query.viewer is not None:
            visible = sa.or_(visible, ku.agent_id == query.viewer)
        conditions.append(visible)
    if query.types:
        conditions.append(ku.unit_type.in_(list(query.types)))
    if query.domain:
        conditions.append(ku.task_domain_lc == query.domain.lower())
    if query.min_quality is not None:
        conditions.append(ku.quality_score >= query.min_quality)
    return conditions


def _sop_conditions(query: SopQuery) -> list[Any]:
    conditions: list[Any] = []
    if not query.viewer_is_admin:
        visible = sc.visibility != "private"
        if query.viewer is not None:
            visible = sa.or_(visible, sc.agent_id == query.viewer)
        conditions.append(visible)
    if query.owner is not None:
        conditions.append(sc.agent_id == query.owner)
    if query.domain:
        conditions.append(sc.domain_lc == query.domain.lower())
    if query.status:
        conditions.append(sc.status == query.status)
    return conditions


def _plan(entity: str, query: Query) -> tuple[Any, list[Any], list[Any], Any]:
    """(table, columns, conditions, order) of `entity` under `query`'s filters."""
    if entity == "skill":
        assert isinstance(query, SkillQuery)
        order = [skills.c.quality_score.desc(), skills.c.change_seq]
        return skills, _SKILL_COLUMNS, _skill_conditions(query), order
    if entity == "knowledge_unit":
        assert isinstance(query, KnowledgeQuery)
        order = [ku.quality_score.desc(), ku.created_at, ku.id]
        return knowledge_units, _UNIT_COLUMNS, _unit_conditions(query), order
    assert isinstance(query, SopQuery)
    return (
        sops,
        _SOP_COLUMNS,
        _sop_conditions(query),
        [sc.quality_score.desc(), sc.created_at, sc.id],
    )


def _record(entity: str, row: Any) -> Record:
    if entity == "skill":
        return _skill(row, with_files=False)
    if entity == "knowledge_unit":
        return _unit(row)
    return _sop(row)


async def fetch_by_ids(
    conn: Connection, entity: str, ids: Sequence[str], query: Query
) -> dict[str, Record]:
    """`{id: record}` of those `ids` that exist and pass `query`'s filters (one SELECT)."""
    if not ids:
        return {}
    table, columns, conditions, _ = _plan(entity, query)
    rows = await conn.execute(sa.select(*columns).where(table.c.id.in_(list(ids)), *conditions))
    return {row.id: _record(entity, row) for row in rows}


async def sort_by_quality(
    conn: Connection, entity: str, ids: Sequence[str], query: Query
) -> tuple[list[Record], int]:
    """The reference order (quality, then insertion) over `ids` under the filters: a page
    at `query.offset`/`query.limit` and the number of ids that pass."""
    if not ids:
        return [], 0
    table, columns, conditions, order = _plan(entity, query)
    where = [table.c.id.in_(list(ids)), *conditions]
    rows, total = await page(conn, table, columns, where, order, query.offset, query.limit)
    return [_record(entity, row) for row in rows], total
