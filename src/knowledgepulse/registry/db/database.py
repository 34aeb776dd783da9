"""`Database`: the engine plus the one way to run a transaction on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from knowledgepulse.registry.db.errors import is_unavailable
from knowledgepulse.registry.errors import Unavailable

__all__ = ["Database"]

WRITE_OPTION = "kp_write"


class Database:
    """Transactions for services: read ones run concurrently, write ones are serialised.

    On SQLite only one writer can hold the database at a time; queueing writers on an
    asyncio lock in this process is far cheaper than letting them spin in SQLite's busy
    handler, and the write transaction starts with `BEGIN IMMEDIATE` so it can never fail
    to upgrade a read lock half-way. PostgreSQL needs neither: row locks do the work.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed when the block ends, rolled back when it raises.

        Raises:
            Unavailable: the database cannot be reached (answered 503, never 500).
        """
        if write and self._write_lock is not None:
            async with self._write_lock, self._begin(write=True) as conn:
                yield conn
        else:
            async with self._begin(write=write) as conn:
                yield conn

    @asynccontextmanager
    async def _begin(self, *, write: bool) -> AsyncIterator[AsyncConnection]:
        try:
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
        await self.engine.dispose()
