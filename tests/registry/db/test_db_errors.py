"""Error classification is the same on both dialects: constraints and unavailability."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from _services import PostgresTestDatabase
from knowledgepulse.registry.credits.tables import credit_balances
from knowledgepulse.registry.db.engine import create_engine
from knowledgepulse.registry.db.errors import (
    is_check_violation,
    is_foreign_key_violation,
    is_unavailable,
    is_unique_violation,
)
from knowledgepulse.registry.providers.tables import providers

NOW = "2026-02-23T10:00:00.000Z"


def provider(provider_id: str, url: str) -> dict[str, object]:
    return {"id": provider_id, "url": url, "name": "p", "registered_at": NOW}


async def test_a_duplicate_unique_value_is_a_unique_violation(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(providers.insert().values(provider("kp:provider:1", "https://a")))
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as conn:
            await conn.execute(providers.insert().values(provider("kp:provider:2", "https://a")))
    assert is_unique_violation(caught.value)
    assert not is_check_violation(caught.value)
    assert not is_unavailable(caught.value)


async def test_a_duplicate_primary_key_is_a_unique_violation(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(providers.insert().values(provider("kp:provider:1", "https://a")))
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as conn:
            await conn.execute(providers.insert().values(provider("kp:provider:1", "https://b")))
    assert is_unique_violation(caught.value)


async def test_a_check_constraint_stops_a_negative_balance(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(credit_balances.insert().values(agent_id="kp:agent:a", balance=1))
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as conn:
            await conn.execute(
                credit_balances.update().values(balance=credit_balances.c.balance - 2)
            )
    assert is_check_violation(caught.value)
    assert not is_unique_violation(caught.value)
    assert not is_foreign_key_violation(caught.value)
    async with engine.connect() as conn:
        balance = (await conn.execute(sa.select(credit_balances.c.balance))).scalar_one()
    assert balance == 1


async def test_a_broken_statement_is_neither_a_constraint_nor_unavailability(
    engine: AsyncEngine,
) -> None:
    with pytest.raises(DBAPIError) as caught:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("SELECT * FROM no_such_table")
    assert not is_unique_violation(caught.value)
    assert not is_check_violation(caught.value)
    assert not is_unavailable(caught.value)


async def test_a_refused_connection_is_unavailable() -> None:
    engine = create_engine("postgresql://kp@127.0.0.1:1/registry")  # nothing listens on port 1
    try:
        # asyncpg lets the socket error through unwrapped; the helper must see it either way.
        with pytest.raises(OSError) as caught:
            async with engine.connect():
                pass
        assert is_unavailable(caught.value)
    finally:
        await engine.dispose()


async def test_an_exhausted_pool_is_unavailable() -> None:
    engine = create_async_engine(
        "sqlite+aiosqlite://",
        poolclass=AsyncAdaptedQueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.01,
    )
    try:
        async with engine.connect():
            with pytest.raises(sa.exc.TimeoutError) as caught:
                async with engine.connect():
                    pass
        assert is_unavailable(caught.value)
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_a_connection_the_server_closed_is_unavailable(
    postgres_test_database: PostgresTestDatabase,
) -> None:
    engine = create_engine(postgres_test_database.url)
    try:
        await use_a_terminated_connection(engine)
    finally:
        await engine.dispose()


async def use_a_terminated_connection(engine: AsyncEngine) -> None:
    async with engine.connect() as victim:
        pid = (await victim.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one()
        async with engine.connect() as admin:
            await admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as caught:
            await victim.exec_driver_sql("SELECT 1")
    assert is_unavailable(caught.value)
