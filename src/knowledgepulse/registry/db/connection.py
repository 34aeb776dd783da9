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

__all__ = ["Connection"]


class Connection(Protocol):
    """What stores may do with a connection: execute a statement inside the open transaction."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(
        self,
        statement: Executable,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> Result[Any]: ...
