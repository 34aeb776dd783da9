"""Statements built once and executed with parameters: the hot paths' way to run SQL.

Building a Core statement (`.values(...)`, `.where(...)`, `on_conflict_do_update(...)`) and
computing its cache key costs far more than executing it: about 230 µs against 40 µs for a
small upsert on SQLite (`bench/registry_core.py` profiles). A statement object built once with
`bindparam`s keeps its memoised cache key and compiled form, so each execution only binds
values. `Prepared` builds per dialect on first use, because `INSERT … ON CONFLICT` constructs
are dialect-specific (db/dml.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.sql.base import Executable

from knowledgepulse.registry.db.connection import Connection

__all__ = ["Prepared"]


class Prepared:
    """A statement template: `build(connection)` runs once per dialect, then is reused."""

    __slots__ = ("_build", "_by_dialect")

    def __init__(self, build: Callable[[Any], Executable]) -> None:
        self._build = build
        self._by_dialect: dict[str, Executable] = {}

    def on(self, conn: Connection) -> Executable:
        """The statement for `conn`'s dialect."""
        name = conn.dialect.name
        stmt = self._by_dialect.get(name)
        if stmt is None:
            stmt = self._by_dialect[name] = self._build(conn)
        return stmt
