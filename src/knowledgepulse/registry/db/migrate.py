"""Run the packaged Alembic migrations programmatically, on the app's own async engine.

The scripts live in `knowledgepulse.registry.migrations`, found relative to this file, so an
installed `kp-registry` migrates from any working directory. Each run is one transaction:
PostgreSQL DDL is transactional and SQLite's is too once we emit the BEGIN ourselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from knowledgepulse.registry.db.engine import SQLITE_BUSY_TIMEOUT_MS, create_engine

__all__ = [
    "FILE_TEMPLATE",
    "SCRIPT_LOCATION",
    "alembic_config",
    "current_revision",
    "downgrade_to",
    "head_revision",
    "migration_transaction",
    "upgrade_to_head",
    "upgrade_url_to_head",
]

SCRIPT_LOCATION = Path(__file__).resolve().parent.parent / "migrations"
FILE_TEMPLATE = "%(year)d_%(month).2d_%(day).2d_%(rev)s_%(slug)s"
# Any fixed 64-bit key works; it only has to be the same in every process ("KP_MIGRA").
_ADVISORY_LOCK_KEY = 0x4B505F4D49475241
# A process starting while another migrates waits for it (PostgreSQL waits on the advisory
# lock without limit); a loaded machine can take far longer than the usual busy timeout.
_SQLITE_MIGRATION_BUSY_TIMEOUT_MS = 120_000


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the packaged scripts; `env.py` migrates `connection` if given."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    # ConfigParser interpolation: a literal % is written %%.
    config.set_main_option("file_template", FILE_TEMPLATE.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision id among the packaged scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migration scripts found")
    return head


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision; safe when several processes start at once."""
    await _run(engine, lambda config: command.upgrade(config, "head"))


async def downgrade_to(engine: AsyncEngine, revision: str) -> None:
    """Downgrade the schema to `revision` (`"base"` drops every table)."""
    await _run(engine, lambda config: command.downgrade(config, revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None for an empty (never migrated) database."""
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def upgrade_url_to_head(url: str) -> None:
    """Synchronous `upgrade_to_head` for CLIs: open `url`, migrate, close.

    Must not be called from a running event loop (it starts its own).
    """
    asyncio.run(_upgrade_url(url))


async def _upgrade_url(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


async def _run(engine: AsyncEngine, action: Callable[[Config], None]) -> None:
    def run(connection: Connection) -> None:
        with migration_transaction(connection):
            action(alembic_config(connection))

    async with engine.connect() as connection:
        await connection.run_sync(run)


@contextmanager
def migration_transaction(connection: Connection) -> Iterator[None]:
    """Hold one transaction for a whole migration run, serialised against other migrators.

    PostgreSQL: a transaction-scoped advisory lock; a second process waits, then finds the
    schema at head and does nothing. SQLite: `BEGIN IMMEDIATE` (engine.py) takes the file's
    write lock, waited for with a long busy timeout. Foreign keys are switched off around
    SQLite runs because batch migrations rebuild tables, and dropping a parent table with
    them on would cascade-delete child rows; `PRAGMA foreign_key_check` then verifies that
    nothing was left dangling before the commit.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_pragma(connection, "PRAGMA foreign_keys = OFF")
        _sqlite_pragma(connection, f"PRAGMA busy_timeout = {_SQLITE_MIGRATION_BUSY_TIMEOUT_MS}")
    try:
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY}
                )
            yield
            if sqlite:
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    raise RuntimeError(f"migration left dangling foreign keys: {dangling[:5]}")
    finally:
        if sqlite:
            _sqlite_pragma(connection, f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            _sqlite_pragma(connection, "PRAGMA foreign_keys = ON")


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    # Straight to the driver: through SQLAlchemy the statement would open a transaction,
    # and SQLite ignores `foreign_keys` changes inside one.
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(pragma)
    finally:
        cursor.close()
