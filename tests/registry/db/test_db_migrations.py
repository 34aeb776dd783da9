"""Migrations: upgrade, downgrade, concurrency, and an empty autogenerate diff on both dialects."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from _services import (
    create_postgres_database,
    drop_postgres_database,
    new_database_name,
    require_postgres,
)
from knowledgepulse.registry.db import migrate
from knowledgepulse.registry.db.all_tables import metadata
from knowledgepulse.registry.db.engine import SQLITE_BUSY_TIMEOUT_MS, create_engine
from knowledgepulse.registry.db.migrate import (
    current_revision,
    downgrade_to,
    head_revision,
    upgrade_to_head,
    upgrade_url_to_head,
)

REPO = Path(__file__).resolve().parents[3]
DB_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=DB_BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a database that has never been migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.db"
        return
    require_postgres()
    name = new_database_name("empty")
    url = create_postgres_database(name)
    try:
        yield url
    finally:
        drop_postgres_database(name)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))


async def autogenerate_diff(engine: AsyncEngine) -> list[object]:
    def compare(sync: sa.Connection) -> list[object]:
        context = MigrationContext.configure(
            sync, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, metadata)

    async with engine.connect() as conn:
        return await conn.run_sync(compare)


async def test_upgrade_downgrade_upgrade_round_trips(empty_db_url: str) -> None:
    engine = create_engine(empty_db_url)
    try:
        assert await current_revision(engine) is None
        await upgrade_to_head(engine)
        assert await current_revision(engine) == head_revision()
        assert await table_names(engine) == {*metadata.tables, "alembic_version"}
        await downgrade_to(engine, "base")
        assert await current_revision(engine) is None
        assert await table_names(engine) == {"alembic_version"}
        await upgrade_to_head(engine)
        await upgrade_to_head(engine)  # already at head: nothing to do
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def check_constraint_names(engine: AsyncEngine) -> dict[str, set[str]]:
    def reflect(sync: sa.Connection) -> dict[str, set[str]]:
        inspector = sa.inspect(sync)
        return {
            table: {check["name"] for check in inspector.get_check_constraints(table)}
            for table in metadata.tables
        }

    async with engine.connect() as conn:
        return await conn.run_sync(reflect)


async def test_the_migrated_schema_equals_the_metadata(engine: AsyncEngine) -> None:
    assert await autogenerate_diff(engine) == []
    # Autogenerate does not compare CHECK constraints; their names must match at least.
    expected = {
        name: {c.name for c in table.constraints if isinstance(c, sa.CheckConstraint)}
        for name, table in metadata.tables.items()
    }
    assert await check_constraint_names(engine) == expected


async def test_two_engines_upgrading_at_once_both_succeed(empty_db_url: str) -> None:
    engines = [create_engine(empty_db_url), create_engine(empty_db_url)]
    try:
        await asyncio.gather(*(upgrade_to_head(engine) for engine in engines))
        assert await current_revision(engines[0]) == head_revision()
        assert await autogenerate_diff(engines[1]) == []
    finally:
        for engine in engines:
            await engine.dispose()


async def test_sqlite_connection_settings_are_restored_after_a_migration(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/registry.db")
    try:
        await upgrade_to_head(engine)
        async with engine.connect() as conn:  # the pooled connection that just migrated
            foreign_keys = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one()
            timeout = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
        assert (foreign_keys, timeout) == (1, SQLITE_BUSY_TIMEOUT_MS)
    finally:
        await engine.dispose()


def test_the_sync_entry_point_migrates_a_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/registry.db"
    upgrade_url_to_head(url)

    async def revision() -> str | None:
        engine = create_engine(url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    assert asyncio.run(revision()) == head_revision()


def test_migration_scripts_ship_inside_the_package_with_dated_names() -> None:
    package = Path(migrate.__file__).resolve().parents[1]
    assert package / "migrations" == migrate.SCRIPT_LOCATION
    scripts = sorted(p.name for p in (migrate.SCRIPT_LOCATION / "versions").glob("[0-9]*.py"))
    assert scripts
    assert all(re.fullmatch(r"\d{4}_\d{2}_\d{2}_[0-9a-f]{12}_\w+\.py", name) for name in scripts)
    assert any(head_revision() in name for name in scripts)


def test_the_developer_alembic_command_sees_no_pending_model_change(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/registry.db"
    upgrade_url_to_head(url)
    # `alembic check` autogenerates against the database and fails on any difference.
    command = [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini")]
    result = subprocess.run(
        [*command, "-x", f"url={url}", "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
