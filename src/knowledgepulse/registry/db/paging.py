"""One page of rows and the number of rows matching, the shape every listing endpoint has."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.db.connection import SCAN, Connection

__all__ = ["page"]


async def page(
    conn: Connection,
    source: sa.FromClause,
    columns: Sequence[Any],
    conditions: Sequence[Any],
    order_by: Sequence[Any],
    offset: int,
    limit: int,
) -> tuple[Sequence[sa.Row[Any]], int]:
    """`SELECT columns … ORDER BY … OFFSET … LIMIT …` and `SELECT count(*)` under `conditions`.

    Both can scan the table, so they carry the `SCAN` option (off the event loop on SQLite).
    """
    count = sa.select(sa.func.count()).select_from(source).where(*conditions)
    total = (await conn.execute(count.execution_options(**SCAN))).scalar_one()
    rows_stmt = (
        sa.select(*columns).where(*conditions).order_by(*order_by).offset(offset).limit(limit)
    )
    rows = (await conn.execute(rows_stmt.execution_options(**SCAN))).all()
    return rows, int(total)
