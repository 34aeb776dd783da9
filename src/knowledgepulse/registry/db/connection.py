"""The one connection type stores see: `await conn.execute(statement)`.

PostgreSQL hands stores SQLAlchemy's `AsyncConnection` (asyncpg). A SQLite file is served by
`InlineConnection`: a synchronous pysqlite connection whose statements run right on the event
loop thread. A statement on a local SQLite file takes tens of microseconds, while aiosqlite
pays a thread hand-off and a loop wake-up for every cursor operation (about 2 ms of CPU per
transaction in `bench/registry_core.py` profiles); writers are already serialised by
`Database`, and readers never wait under WAL, so the loop is blocked only for the statement
itself. Stores are written once against `Connection` and do not know which one they have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.sql.base import Executable

__all__ = ["Connection", "InlineConnection"]


class Connection(Protocol):
    """What stores may do with a connection: execute a statement inside the open transaction."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(
        self,
        statement: Executable,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> Result[Any]: ...


class InlineConnection:
    """`Connection` over a synchronous SQLAlchemy connection, executed without a thread hop."""

    __slots__ = ("sync",)

    def __init__(self, sync: SyncConnection) -> None:
        self.sync = sync

    @property
    def dialect(self) -> Dialect:
        """The SQLite dialect (for the rare statement that must differ per backend)."""
        return self.sync.dialect

    async def execute(
        self,
        statement: Executable,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> Result[Any]:
        """Run `statement` now; the result is read like an `AsyncConnection`'s."""
        return self.sync.execute(statement, parameters)
