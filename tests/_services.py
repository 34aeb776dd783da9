"""The external services tests may use (PostgreSQL now, Redis later) and how to treat their absence.

One rule for every service: with `KP_REQUIRE_SERVICES=1` (CI) a missing service fails the
tests that need it; otherwise they are skipped with the reason. Helpers here are synchronous
so session-scoped fixtures can use them without sharing an event loop with the tests: async
work runs on a fresh loop in a helper thread.
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import asyncpg
import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy.engine import make_url

__all__ = [
    "DEFAULT_POSTGRES_ADMIN_URL",
    "DEFAULT_REDIS_URL",
    "TEST_DATABASE_PREFIX",
    "PostgresTestDatabase",
    "create_postgres_database",
    "drop_postgres_database",
    "new_database_name",
    "postgres_admin_url",
    "postgres_database_url",
    "postgres_unavailable_reason",
    "redis_available",
    "redis_unavailable_reason",
    "redis_url",
    "require_postgres",
    "require_redis",
    "reset_postgres_database",
    "run_async",
    "run_in_thread",
    "service_missing",
    "services_required",
    "xdist_worker",
]

T = TypeVar("T")

DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
TEST_DATABASE_PREFIX = "kp_test_"
_PROBE_TIMEOUT_S = 3.0


def services_required() -> bool:
    """True when a missing service must fail the run instead of skipping (CI)."""
    return os.environ.get("KP_REQUIRE_SERVICES") == "1"


def service_missing(reason: str) -> NoReturn:
    """Fail under `KP_REQUIRE_SERVICES=1`, otherwise skip, saying why."""
    if services_required():
        pytest.fail(f"{reason} (KP_REQUIRE_SERVICES=1, so this is a failure)", pytrace=False)
    pytest.skip(reason)


def xdist_worker() -> str:
    """The pytest-xdist worker id (`gw0`, …), or `main` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def run_in_thread(function: Callable[..., T], *args: Any) -> T:
    """Call `function` on a helper thread, so it may start its own event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine made by `factory` to completion on a fresh loop in a helper thread."""
    return run_in_thread(lambda: asyncio.run(factory()))


def postgres_admin_url() -> str:
    """URL of a database the tests may connect to in order to create their own databases."""
    return os.environ.get("KP_TEST_DATABASE_URL") or DEFAULT_POSTGRES_ADMIN_URL


def postgres_database_url(name: str) -> str:
    """The admin URL pointed at database `name` (same server, user and options)."""
    url = make_url(postgres_admin_url()).set(database=name)
    return url.render_as_string(hide_password=False)


def _asyncpg_dsn(url: str) -> str:
    # asyncpg takes libpq-style DSNs only: drop any "+driver" suffix.
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(_asyncpg_dsn(url), timeout=_PROBE_TIMEOUT_S)


@functools.cache
def postgres_unavailable_reason() -> str | None:
    """None when the admin database answers; otherwise why not (probed once per process)."""

    async def probe() -> None:
        connection = await _connect(postgres_admin_url())
        await connection.close()

    try:
        run_async(probe)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return f"PostgreSQL is unreachable at {postgres_admin_url()}: {exc!r}"
    return None


def require_postgres() -> None:
    """Skip or fail (see `service_missing`) unless PostgreSQL is reachable."""
    reason = postgres_unavailable_reason()
    if reason is not None:
        service_missing(reason)


def new_database_name(label: str = "") -> str:
    """A fresh `kp_test_<worker>_<label>_<random>` name, unique across parallel sessions."""
    parts = [xdist_worker(), label, secrets.token_hex(4)]
    return TEST_DATABASE_PREFIX + "_".join(part for part in parts if part)


def _quoted(name: str) -> str:
    if not name.startswith(TEST_DATABASE_PREFIX) or not name.replace("_", "").isalnum():
        raise ValueError(f"refusing to touch database {name!r}: not a {TEST_DATABASE_PREFIX}* name")
    return f'"{name}"'


def create_postgres_database(name: str) -> str:
    """Create the empty database `name` (must start with `kp_test_`) and return its URL."""

    async def create() -> None:
        connection = await _connect(postgres_admin_url())
        try:
            await connection.execute(f"CREATE DATABASE {_quoted(name)}")
        finally:
            await connection.close()

    run_async(create)
    return postgres_database_url(name)


def drop_postgres_database(name: str) -> None:
    """Drop database `name`, disconnecting anyone still using it."""

    async def drop() -> None:
        connection = await _connect(postgres_admin_url())
        try:
            await connection.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
        finally:
            await connection.close()

    run_async(drop)


def reset_postgres_database(url: str, tables: Sequence[str]) -> None:
    """Empty `tables` (children before parents) and restart every sequence, if anything changed.

    `TRUNCATE … RESTART IDENTITY` takes most of a second for two dozen tables (it swaps the
    files of every table), while checking for rows costs under a millisecond and deleting a
    few of them a few milliseconds; most tests leave some tables untouched.
    """
    quoted = [f'"{table}"' for table in tables]
    dirty_check = "SELECT " + " OR ".join(
        [f"EXISTS (SELECT FROM {table})" for table in quoted]
        + [
            "EXISTS (SELECT FROM pg_sequences"
            " WHERE schemaname = current_schema() AND last_value IS NOT NULL)"
        ]
    )
    delete_all = "".join(f"DELETE FROM {table};" for table in quoted)

    async def reset() -> None:
        connection = await _connect(url)
        try:
            if not await connection.fetchval(dirty_check):
                return
            async with connection.transaction():
                await connection.execute(delete_all)
                await connection.execute(
                    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)"
                    " FROM pg_sequences WHERE schemaname = current_schema()"
                )
        finally:
            await connection.close()

    run_async(reset)


def redis_url() -> str:
    """URL of the Redis server tests may use; each test keeps its keys under its own prefix."""
    return os.environ.get("KP_TEST_REDIS_URL") or DEFAULT_REDIS_URL


@functools.cache
def redis_unavailable_reason() -> str | None:
    """None when Redis answers PING; otherwise why not (probed once per process)."""

    async def probe() -> None:
        client = aioredis.Redis.from_url(
            redis_url(), socket_timeout=_PROBE_TIMEOUT_S, socket_connect_timeout=_PROBE_TIMEOUT_S
        )
        try:
            await client.ping()
        finally:
            await client.aclose()

    try:
        run_async(probe)
    except (OSError, RedisError) as exc:
        # redis-py's repr() of its errors hides the cause ("network:ConnectionError").
        return f"Redis is unreachable at {redis_url()}: {type(exc).__name__}: {exc}"
    return None


def redis_available() -> bool:
    """True when the test Redis server answers (probed once per process)."""
    return redis_unavailable_reason() is None


def require_redis() -> None:
    """Skip or fail (see `service_missing`) unless Redis is reachable."""
    reason = redis_unavailable_reason()
    if reason is not None:
        service_missing(reason)


@dataclass(frozen=True)
class PostgresTestDatabase:
    """A database created for this test session; `reset()` empties it between tests."""

    name: str
    url: str
    tables_children_first: tuple[str, ...]

    def reset(self) -> None:
        """Empty every table and restart the sequences (cheap when already empty)."""
        reset_postgres_database(self.url, self.tables_children_first)
