"""A SQLite file served inline: statements run on the event loop thread, without a hop.

A statement on a local SQLite file takes tens of microseconds. aiosqlite pays a thread
hand-off and a loop wake-up for every cursor operation, about 2 ms of CPU per transaction in
`bench/registry_core.py` profiles, several times the work itself. Here a synchronous pysqlite
connection executes right where the store awaits it. That blocks the loop only for the
statement: writers are serialised by `Database`'s lock before they begin (so a writer never
waits in SQLite's busy handler within this process), readers never wait under WAL, and the
WAL checkpoint, the one slow step of a commit, runs on a worker thread (`InlineSqlite`).

Connections are kept open between transactions (one idle list for readers, one for writers),
because checking a connection out of SQLAlchemy's pool and back costs as much as a small
statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.engine import Dialect, Engine, FrozenResult, Result
from sqlalchemy.sql.base import Executable

from knowledgepulse.registry.db.engine import WRITE_OPTION

__all__ = ["InlineConnection", "InlineSqlite"]

logger = logging.getLogger(__name__)

MAX_IDLE = 8  # connections kept open per kind; more concurrent transactions open new ones
CHECKPOINT_INTERVAL = 0.5  # seconds of writes the log holds before it is copied back


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
        """Run `statement` now; the result is read like an `AsyncConnection`'s.

        A statement marked `SCAN` runs on a worker thread instead and is read there in full,
        so a long scan does not hold the event loop (this connection is idle meanwhile: its
        transaction is the one awaiting the result).
        """
        if statement.get_execution_options().get("kp_scan"):
            frozen = await asyncio.to_thread(self._buffered, statement, parameters)
            return frozen()
        return self.sync.execute(statement, parameters)

    def _buffered(
        self,
        statement: Executable,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    ) -> FrozenResult[Any]:
        return self.sync.execute(statement, parameters).freeze()


class InlineSqlite:
    """Transactions on a synchronous engine (`create_inline_engine`), and its WAL checkpoints.

    A checkpoint copies committed pages from the write-ahead log back into the database file
    and fsyncs it. Left to SQLite, the connection whose commit crosses `wal_autocheckpoint`
    pages does that inside its commit, on the event loop, for milliseconds. Here a task runs
    it every `CHECKPOINT_INTERVAL` seconds on a worker thread, in two steps: a PASSIVE
    checkpoint of the bulk while writers go on, then, holding the write lock, one of the few
    frames appended meanwhile. The log is then fully copied with no writer in it, so the next
    writer starts it over from the beginning; without that second step the log is never
    reset under a steady write load and grows without bound (1 GB after 12,000 writes in
    `bench/registry_core.py`), and every commit and read slows down with it.
    """

    def __init__(self, engine: Engine, write_lock: asyncio.Lock) -> None:
        self.engine = engine
        self._write_lock = write_lock
        # Options set once per engine: a per-transaction `execution_options` copies the
        # Connection every time. The engine's begin hook reads them (BEGIN vs BEGIN IMMEDIATE).
        self._engines = {
            False: engine.execution_options(**{WRITE_OPTION: False}),
            True: engine.execution_options(**{WRITE_OPTION: True}),
        }
        self._idle: dict[bool, list[SyncConnection]] = {False: [], True: []}
        self._checkpoints: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._failing = False

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[InlineConnection]:
        """Begin, yield, commit (roll back on an exception); the caller serialises writers."""
        if self._checkpoints is None:
            # Started by the first transaction: the loop that serves them is running then.
            self._checkpoints = asyncio.create_task(self._checkpoint_loop(), name="wal-checkpoint")
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

    def checkpoint(self) -> bool:
        """One PASSIVE checkpoint now (blocking; run it on a worker thread). True on success."""
        try:
            # The raw DBAPI connection (autocommit): SQLAlchemy's would open a transaction,
            # and a checkpoint cannot run inside one.
            conn = self.engine.raw_connection()
            try:
                cursor = conn.cursor()
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                cursor.close()
            finally:
                conn.close()
        except Exception:
            if not self._failing:
                self._failing = True
                logger.warning("SQLite WAL checkpoint failed; retrying", exc_info=True)
            return False
        self._failing = False
        return True

    async def _checkpoint_loop(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), CHECKPOINT_INTERVAL)
            if await asyncio.to_thread(self.checkpoint):
                async with self._write_lock:
                    await asyncio.to_thread(self.checkpoint)

    async def aclose(self) -> None:
        """Stop the checkpoints (after a last one) and close every connection."""
        if self._checkpoints is not None:
            # Not a cancel: a checkpoint in flight on its thread finishes first.
            self._stopping.set()
            await self._checkpoints
            self._checkpoints = None
        for idle in self._idle.values():
            while idle:
                idle.pop().close()
        self.engine.dispose()
