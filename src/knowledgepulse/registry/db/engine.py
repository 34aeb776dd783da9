"""Create the engines from the database URL users already have.

PostgreSQL goes through asyncpg. SQLite, the embedded default, has the async engine
(aiosqlite: migrations, in-memory databases) and, for a file, a synchronous twin that serves
requests inline (`create_inline_engine`, db/inline.py). A SQLite
transaction starts with `BEGIN IMMEDIATE` unless the connection carries the execution option
`kp_write=False`: taking the write lock up front makes read-modify-write operations atomic
across connections and processes, and turns "database is locked" failures halfway through a
transaction into a bounded wait (`busy_timeout`). Read-only transactions
(`conn.execution_options(kp_write=False)`) start with a plain deferred `BEGIN` and run
concurrently with the writer under WAL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry

from knowledgepulse.registry.db.types import dumps_json, loads_json

__all__ = [
    "POSTGRES_POOL_OPTIONS",
    "SQLITE_BUSY_TIMEOUT_MS",
    "WRITE_OPTION",
    "create_engine",
    "create_inline_engine",
    "is_memory_url",
    "normalize_url",
]

SQLITE_BUSY_TIMEOUT_MS = 5000
# Execution option: False marks a read-only transaction (deferred BEGIN on SQLite).
WRITE_OPTION = "kp_write"

# Sized for a 2-core box: more connections than this only queue inside PostgreSQL.
# A short pool_timeout makes an exhausted pool or a dead server fail fast (→ 503).
POSTGRES_POOL_OPTIONS: dict[str, Any] = {
    "pool_size": 5,
    "max_overflow": 5,
    "pool_timeout": 10,
    "pool_pre_ping": True,
    "pool_recycle": 1800,
}
_DEFAULT_CONNECT_TIMEOUT = 5.0
_DEFAULT_APPLICATION_NAME = "knowledgepulse-registry"

# libpq spellings users have in their URLs → asyncpg's keyword names.
_PG_RENAMED = {"sslmode": "ssl", "connect_timeout": "timeout"}
_PG_STRING = {"ssl", "target_session_attrs", "host", "port", "prepared_statement_cache_size"}
_PG_FLOAT = {"timeout", "command_timeout"}
_PG_INT = {"statement_cache_size", "max_cached_statement_lifetime", "max_cacheable_statement_size"}
_PG_SERVER_SETTINGS = {"application_name"}
_PG_KNOWN = _PG_STRING | _PG_FLOAT | _PG_INT | _PG_SERVER_SETTINGS
_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


def normalize_url(url: str) -> URL:
    """Return the async-driver form of a `sqlite://` or `postgres(ql)://` URL.

    Raises:
        ValueError: for another database, or a PostgreSQL query parameter asyncpg cannot use.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValueError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in {"postgres", "postgresql"}:
        return parsed.set(drivername="postgresql+asyncpg", query=_postgres_query(parsed))
    raise ValueError(f"unsupported database {backend!r}: use sqlite:// or postgresql://")


def is_memory_url(url: URL) -> bool:
    """True for an in-memory SQLite URL (`sqlite://` or `sqlite:///:memory:`)."""
    if url.get_backend_name() != "sqlite":
        return False
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the engine for `url` with SQLite pragmas or a PostgreSQL pool applied."""
    target = normalize_url(url)
    if target.get_backend_name() == "sqlite":
        return _sqlite_engine(target, echo=echo)
    return _postgres_engine(target, echo=echo)


def _postgres_query(url: URL) -> dict[str, str | tuple[str, ...]]:
    query: dict[str, str | tuple[str, ...]] = {}
    for key, value in url.query.items():
        name = _PG_RENAMED.get(key, key)
        if name not in _PG_KNOWN:
            supported = ", ".join(sorted(_PG_KNOWN | set(_PG_RENAMED)))
            raise ValueError(
                f"unsupported PostgreSQL URL parameter {key!r} (supported: {supported})"
            )
        if name in query:
            raise ValueError(f"PostgreSQL URL parameter given twice: {name!r}")
        query[name] = value
    ssl = query.get("ssl")
    if ssl is not None and ssl not in _SSL_MODES:
        raise ValueError(f"unsupported sslmode {ssl!r} (one of {', '.join(sorted(_SSL_MODES))})")
    return query


def _postgres_connect_args(url: URL) -> tuple[URL, dict[str, Any]]:
    """Move typed asyncpg options out of the URL, whose query values are always strings."""
    args: dict[str, Any] = {"timeout": _DEFAULT_CONNECT_TIMEOUT}
    settings = {"application_name": _DEFAULT_APPLICATION_NAME}
    for key in _PG_FLOAT & url.query.keys():
        args[key] = float(_single(url, key))
    for key in _PG_INT & url.query.keys():
        args[key] = int(_single(url, key))
    for key in _PG_SERVER_SETTINGS & url.query.keys():
        settings[key] = _single(url, key)
    args["server_settings"] = settings
    return url.difference_update_query(_PG_FLOAT | _PG_INT | _PG_SERVER_SETTINGS), args


def _single(url: URL, key: str) -> str:
    value = url.query[key]
    if isinstance(value, tuple):
        raise ValueError(f"PostgreSQL URL parameter given twice: {key!r}")
    return value


def _postgres_engine(url: URL, *, echo: bool) -> AsyncEngine:
    url, connect_args = _postgres_connect_args(url)
    return create_async_engine(
        url,
        echo=echo,
        connect_args=connect_args,
        json_serializer=dumps_json,
        json_deserializer=loads_json,
        **POSTGRES_POOL_OPTIONS,
    )


def _sqlite_engine(url: URL, *, echo: bool) -> AsyncEngine:
    memory = is_memory_url(url)
    options: dict[str, Any] = {}
    if memory:
        # One connection is the whole database: it must never be closed, and two tasks must
        # never share it at once (their transactions would interleave), so it is a pool of one.
        options = {"poolclass": AsyncAdaptedQueuePool, "pool_size": 1, "max_overflow": 0}
    elif url.database and url.query.get("uri") not in ("true", "1"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url, echo=echo, json_serializer=dumps_json, json_deserializer=loads_json, **options
    )
    _install_sqlite_hooks(engine.sync_engine, wal=not memory)
    return engine


def create_inline_engine(url: URL) -> Engine | None:
    """A synchronous pysqlite engine on the same SQLite file, for `InlineConnection`.

    Its connections never checkpoint the WAL themselves: `InlineSqlite` does it for them.

    None for PostgreSQL and for in-memory SQLite: an in-memory database lives in the one
    connection of the async engine, which must stay the only way in.
    """
    if url.get_backend_name() != "sqlite" or is_memory_url(url):
        return None
    engine = sa_create_engine(
        url.set(drivername="sqlite+pysqlite"),
        json_serializer=dumps_json,
        json_deserializer=loads_json,
        # Used from the event loop thread; background jobs may borrow it from another.
        connect_args={"check_same_thread": False},
        # Never block the loop waiting for a pooled connection: overflow is unbounded (each
        # open transaction holds one; idle ones beyond pool_size are closed).
        pool_size=8,
        max_overflow=-1,
    )
    _install_sqlite_hooks(engine, wal=True, autocheckpoint=False)
    return engine


def _install_sqlite_hooks(engine: Engine, *, wal: bool, autocheckpoint: bool = True) -> None:
    pragmas = [f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"]
    if wal:
        pragmas.append("PRAGMA journal_mode = WAL")
    pragmas += ["PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"]
    if not autocheckpoint:
        # The committing connection would otherwise copy the WAL back (with an fsync) every
        # 1,000 pages, on the event loop; InlineSqlite checkpoints off the loop instead.
        pragmas.append("PRAGMA wal_autocheckpoint = 0")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # The driver's own implicit BEGIN is deferred and skipped before DDL; turning it off
        # lets _on_begin emit the BEGIN (SQLAlchemy's documented recipe for aiosqlite).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(WRITE_OPTION, True) is False:
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
