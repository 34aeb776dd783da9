"""The store-wide change sequence that lets a search index catch up with the store.

Every write that changes what search sees (create, update, delete, quarantine or visibility
change of a skill, knowledge unit or SOP) stamps the row's `change_seq` with
`await next_change_seq(conn)` in the same transaction; a delete also upserts a row into
`search_tombstones`. An indexer in any process polls
`WHERE change_seq > :cursor ORDER BY change_seq` on the three tables and the tombstones, and
`change_counters` tells it cheaply whether anything changed at all.

The counter is one row updated in place, so its row lock is held until commit: sequence
numbers are handed out in commit order and a rolled-back write returns its number. A poller
therefore never sees seq n+1 before n is visible, on either dialect. The price is that
writers of these three tables serialise on the counter, so take it late in the transaction.
"""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db import dml
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.metadata import enum_check, metadata
from knowledgepulse.registry.db.prepared import Prepared
from knowledgepulse.registry.db.types import Ident, UtcTimestamp

__all__ = [
    "SEARCHABLE_ENTITIES",
    "SEARCH_COUNTER",
    "change_counters",
    "next_change_seq",
    "search_tombstones",
]

SEARCH_COUNTER = "search"
SEARCHABLE_ENTITIES = ("skill", "knowledge_unit", "sop")

change_counters = sa.Table(
    "change_counters",
    metadata,
    sa.Column("name", Ident, primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
    sa.CheckConstraint("value >= 1", name="value_positive"),
)

search_tombstones = sa.Table(
    "search_tombstones",
    metadata,
    sa.Column("entity", Ident, primary_key=True),
    sa.Column("entity_id", Ident, primary_key=True),
    sa.Column("change_seq", sa.BigInteger, nullable=False),
    sa.Column("deleted_at", UtcTimestamp, nullable=False),
    sa.UniqueConstraint("change_seq"),
    enum_check("entity", SEARCHABLE_ENTITIES),
)


_NEXT = Prepared(
    lambda conn: (
        dml.insert(conn, change_counters)
        .values(name=sa.bindparam("counter"), value=1)
        .on_conflict_do_update(
            index_elements=[change_counters.c.name],
            set_={"value": change_counters.c.value + 1},
        )
        .returning(change_counters.c.value)
    )
)


async def next_change_seq(connection: Connection, counter: str = SEARCH_COUNTER) -> int:
    """Take the next number of `counter` inside the caller's transaction (starts at 1)."""
    return (await connection.execute(_NEXT.on(connection), {"counter": counter})).scalar_one()
