"""The one connection type stores see: `await conn.execute(statement)`.

PostgreSQL (and in-memory SQLite) hand stores SQLAlchemy's `AsyncConnection`; a SQLite file
hands them `db.inline.InlineConnection`. Stores are written once against `Connection` and do
not know which one they have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.engine import Dialect, Result
from sqlalchemy.sql.base import Executable

__all__ = ["SCAN", "Connection"]

# Execution option for a statement that may scan many rows (listings, counts, substring
# search): on the inline SQLite connection it runs on a worker thread, so the event loop keeps
# serving while SQLite works (it releases the GIL); elsewhere it changes nothing.
SCAN = {"kp_scan": True}


class Connection(Protocol):
    """What stores may do with a connection: execute a statement inside the open transaction."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(
        self,
        statement: Executable,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> Result[Any]: ...
