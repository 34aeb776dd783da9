"""Dialect-neutral `INSERT … ON CONFLICT` so stores never import a dialect themselves."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from knowledgepulse.registry.db.connection import Connection

__all__ = ["insert"]


def insert(connection: Connection | sa.Connection, table: sa.Table) -> Any:
    """An INSERT for `table` with `on_conflict_do_update/do_nothing` and `.excluded`.

    SQLite's and PostgreSQL's insert constructs share that API; this picks the one that
    matches the connection's dialect.
    """
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"unsupported dialect {connection.dialect.name!r}")
