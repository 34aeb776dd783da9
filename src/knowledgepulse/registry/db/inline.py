"""A SQLite file served inline: statements run on the event loop thread, without a hop.

A statement on a local SQLite file takes tens of microseconds. aiosqlite pays a thread
hand-off and a loop wake-up for every cursor operation, about 2 ms of CPU per transaction in
`bench/registry_core.py` profiles, several times the work itself. Here a synchronous pysqlite
connection executes right where the store awaits it. That blocks the loop only for the
statement: writers are serialised by `Database`'s lock before they begin (so a writer never
waits in SQLite's busy handler within this process), readers never wait under WAL, and the
WAL checkpoint, the one slow step of a commit, runs on its own thread (`WalCheckpointer`).

Connections are kept open between transactions (one idle list for readers, one for writers),
because checking a connection out of SQLAlchemy's pool and back costs as much as a small
statement.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.engine import Dialect, Engine, Result
from sqlalchemy.sql.base import Executable

from knowledgepulse.registry.db.checkpoint import WalCheckpointer
from knowledgepulse.registry.db.engine import WRITE_OPTION

__all__ = ["InlineConnection", "InlineSqlite"]

MAX_IDLE = 8  # connections kept open per kind; more concurrent transactions open new ones


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


class InlineSqlite:
    """Transactions on a synchronous engine (`create_inline_engine`) plus its checkpointer."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Options set once per engine: a per-transaction `execution_options` copies the
        # Connection every time. The engine's begin hook reads them (BEGIN vs BEGIN IMMEDIATE).
        self._engines = {
            False: engine.execution_options(**{WRITE_OPTION: False}),
            True: engine.execution_options(**{WRITE_OPTION: True}),
        }
        self._idle: dict[bool, list[SyncConnection]] = {False: [], True: []}
        self._checkpointer = WalCheckpointer(engine)
        self._checkpointer.start()

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[InlineConnection]:
        """Begin, yield, commit (roll back on an exception); the caller serialises writers."""
        idle = self._idle[write]
        sync = idle.pop() if idle else self._engines[write].connect()
        reusable = False
        try:
            with sync.begin():
                yield InlineConnection(sync)
            reusable = not sync.invalidated
        finally:
            # After a failure the connection is closed rather than trusted again.
            if reusable and len(idle) < MAX_IDLE:
                idle.append(sync)
            else:
                sync.close()

    def dispose(self) -> None:
        """Stop the checkpointer (after a last checkpoint) and close every connection."""
        self._checkpointer.stop()
        for idle in self._idle.values():
            while idle:
                idle.pop().close()
        self.engine.dispose()
