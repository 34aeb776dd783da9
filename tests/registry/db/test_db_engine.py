"""Engine behaviour: SQLite pragmas and locking, the shared in-memory database, FK enforcement."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from _services import PostgresTestDatabase
from knowledgepulse.registry.credits.tables import credit_balances
from knowledgepulse.registry.db.engine import SQLITE_BUSY_TIMEOUT_MS, WRITE_OPTION, create_engine
from knowledgepulse.registry.db.errors import is_foreign_key_violation
from knowledgepulse.registry.db.migrate import upgrade_to_head
from knowledgepulse.registry.knowledge.tables import knowledge_units, knowledge_validations
from knowledgepulse.registry.quarantine.tables import security_reports

NOW = "2026-02-23T10:00:00.000Z"


def unit_row(unit_id: str, **overrides: object) -> dict[str, object]:
    """A minimal valid knowledge_units row."""
    row: dict[str, object] = {
        "id": unit_id,
        "unit_json": {"id": unit_id, "@type": "ReasoningTrace"},
        "visibility": "network",
        "unit_type": "ReasoningTrace",
        "task_domain_lc": "finance",
        "agent_id": "kp:agent:alice",
        "quality_score": 0.8,
        "created_at": NOW,
        "updated_at": NOW,
        "change_seq": 1,
    }
    return row | overrides


async def pragma(engine: AsyncEngine, name: str) -> object:
    async with engine.connect() as conn:
        return (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar_one()


async def test_sqlite_file_connections_use_wal_foreign_keys_and_a_busy_timeout(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/nested/dir/registry.db")
    try:
        assert await pragma(engine, "journal_mode") == "wal"
        assert await pragma(engine, "foreign_keys") == 1
        assert await pragma(engine, "busy_timeout") == SQLITE_BUSY_TIMEOUT_MS
        assert await pragma(engine, "synchronous") == 1  # NORMAL
    finally:
        await engine.dispose()


async def test_in_memory_database_is_shared_by_every_connection_of_the_engine() -> None:
    engine = create_engine("sqlite:///:memory:")
    try:
        await upgrade_to_head(engine)
        async with engine.begin() as conn:
            await conn.execute(credit_balances.insert().values(agent_id="kp:agent:a", balance=5))
        async with engine.connect() as conn:
            balance = (await conn.execute(sa.select(credit_balances.c.balance))).scalar_one()
        assert balance == 5
        assert await pragma(engine, "foreign_keys") == 1
    finally:
        await engine.dispose()


async def test_concurrent_in_memory_transactions_take_turns() -> None:
    engine = create_engine("sqlite://")
    try:
        await upgrade_to_head(engine)
        async with engine.begin() as conn:
            await conn.execute(credit_balances.insert().values(agent_id="a", balance=0))
        await asyncio.gather(*(add_one(engine) for _ in range(5)))
        async with engine.connect() as conn:
            assert (await conn.execute(sa.select(credit_balances.c.balance))).scalar_one() == 5
    finally:
        await engine.dispose()


async def add_one(engine: AsyncEngine) -> None:
    """Read, then write (other tasks run in between): a lost update if transactions overlapped."""
    async with engine.begin() as conn:
        balance = (await conn.execute(sa.select(credit_balances.c.balance))).scalar_one()
        await conn.execute(credit_balances.update().values(balance=balance + 1))


async def test_concurrent_read_modify_write_transactions_on_sqlite_neither_fail_nor_lose_updates(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/registry.db"
    engines = [create_engine(url) for _ in range(4)]
    try:
        await upgrade_to_head(engines[0])
        async with engines[0].begin() as conn:
            await conn.execute(credit_balances.insert().values(agent_id="a", balance=0))
        await asyncio.gather(*(add_one(engine) for engine in engines for _ in range(3)))
        async with engines[0].connect() as conn:
            assert (await conn.execute(sa.select(credit_balances.c.balance))).scalar_one() == 12
    finally:
        for engine in engines:
            await engine.dispose()


async def test_sqlite_read_only_transactions_do_not_block_a_writer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/registry.db"
    reader, writer = create_engine(url), create_engine(url)
    try:
        await upgrade_to_head(writer)
        async with reader.connect() as conn:
            conn = await conn.execution_options(**{WRITE_OPTION: False})
            async with conn.begin():
                await conn.execute(sa.select(credit_balances.c.balance))
                # Would wait out busy_timeout and fail if the reader held the write lock.
                async with writer.begin() as other:
                    await other.execute(credit_balances.insert().values(agent_id="w", balance=1))
    finally:
        await reader.dispose()
        await writer.dispose()


async def test_foreign_keys_are_enforced(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as conn:
            await conn.execute(
                security_reports.insert().values(
                    id="kp:sr:1",
                    unit_id="kp:trace:missing",
                    reporter_id="kp:agent:b",
                    created_at=NOW,
                )
            )
    assert is_foreign_key_violation(caught.value)


async def test_erasing_a_unit_erases_its_reports_and_validations(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(knowledge_units.insert().values(unit_row("kp:trace:1")))
        await conn.execute(
            security_reports.insert().values(
                id="kp:sr:1", unit_id="kp:trace:1", reporter_id="kp:agent:b", created_at=NOW
            )
        )
        await conn.execute(
            knowledge_validations.insert().values(
                unit_id="kp:trace:1", validator_id="kp:agent:b", valid=True, created_at=NOW
            )
        )
    async with engine.begin() as conn:
        await conn.execute(knowledge_units.delete().where(knowledge_units.c.id == "kp:trace:1"))
    async with engine.connect() as conn:
        reports = await conn.execute(sa.select(sa.func.count()).select_from(security_reports))
        validations = await conn.execute(
            sa.select(sa.func.count()).select_from(knowledge_validations)
        )
        assert (reports.scalar_one(), validations.scalar_one()) == (0, 0)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("query", "application_name"),
    [
        ("", "knowledgepulse-registry"),
        ("?application_name=kp-check&connect_timeout=3&sslmode=disable", "kp-check"),
    ],
)
async def test_libpq_style_url_options_reach_the_postgres_connection(
    postgres_test_database: PostgresTestDatabase, query: str, application_name: str
) -> None:
    engine = create_engine(postgres_test_database.url + query)
    try:
        async with engine.connect() as conn:
            shown = (await conn.exec_driver_sql("SHOW application_name")).scalar_one()
        assert shown == application_name
    finally:
        await engine.dispose()
