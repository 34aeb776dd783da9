"""`Database`: the engine plus the one way to run a transaction on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.engine import WRITE_OPTION, create_inline_engine
from knowledgepulse.registry.db.errors import is_unavailable
from knowledgepulse.registry.db.inline import InlineSqlite
from knowledgepulse.registry.errors import Unavailable

__all__ = ["Database"]


class Database:
    """Transactions for services: read ones run concurrently, write ones are serialised.

    On SQLite only one writer can hold the database at a time; queueing writers on an
    asyncio lock in this process is far cheaper than letting them spin in SQLite's busy
    handler, and the write transaction starts with `BEGIN IMMEDIATE` so it can never fail
    to upgrade a read lock half-way. PostgreSQL needs neither: row locks do the work.

    A SQLite file is served inline on the event loop thread (see `db/inline.py`); the
    async engine remains for migrations and for in-memory databases.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        inline_engine = create_inline_engine(engine.url)
        self._inline = None
        if inline_engine is not None:
            assert self._write_lock is not None
            self._inline = InlineSqlite(inline_engine, self._write_lock)

    @asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[Connection]:
        """One transaction: committed when the block ends, rolled back when it raises.

        Raises:
            Unavailable: the database cannot be reached (answered 503, never 500).
        """
        if write and self._write_lock is not None:
            async with self._write_lock:
                # Inline statements never yield, so without this a burst of writers would run
                # back to back in one loop iteration while newly arrived requests wait for the
                # next poll, a whole burst later (the p99 was twice the p50). Yielding once
                # with the lock held queues them on the lock, in arrival order.
                await asyncio.sleep(0)
                async with self._begin(write=True) as conn:
                    yield conn
        else:
            async with self._begin(write=write) as conn:
                yield conn

    @asynccontextmanager
    async def _begin(self, *, write: bool) -> AsyncIterator[Connection]:
        try:
            if self._inline is not None:
                with self._inline.transaction(write=write) as conn:
                    yield conn
            else:
                async with self.engine.connect() as conn:
                    conn = await conn.execution_options(**{WRITE_OPTION: write})
                    async with conn.begin():
                        yield conn
        except SQLAlchemyError as exc:
            if is_unavailable(exc):
                raise Unavailable("Database unavailable") from exc
            raise
        except OSError as exc:
            raise Unavailable("Database unavailable") from exc

    async def dispose(self) -> None:
        """Close every pooled connection."""
        if self._inline is not None:
            await self._inline.aclose()
        await self.engine.dispose()
