"""Database fixtures for the registry suite: every test gets a clean, migrated database.

`db_url` runs a test once per backend (ids `sqlite` and `postgres`). SQLite: the schema is
migrated once per session into a template file that each test copies. PostgreSQL: one
database per session (and per xdist worker), migrated once, emptied before each test and
dropped at the end. Without a reachable PostgreSQL the `postgres` cases are skipped, or fail
when `KP_REQUIRE_SERVICES=1`.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from knowledgepulse.registry.app import create_app
from knowledgepulse.registry.db.all_tables import metadata
from knowledgepulse.registry.db.engine import create_engine
from knowledgepulse.registry.db.migrate import upgrade_url_to_head
from tests.registry.api._api import Api, settings_for

# tests/ is not a package (no __init__.py by rule), so put it on the path for its helpers.
_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from _services import (  # noqa: E402
    PostgresTestDatabase,
    create_postgres_database,
    drop_postgres_database,
    new_database_name,
    require_postgres,
    run_in_thread,
)

DB_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
# Children before parents, so deleting in this order never trips a foreign key.
TABLES_CHILDREN_FIRST = tuple(table.name for table in reversed(metadata.sorted_tables))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; copy it, never open it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "registry.db"
    run_in_thread(upgrade_url_to_head, f"sqlite:///{path}")
    # Closing the last connection checkpoints the WAL into the file, so the file is complete.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def postgres_test_database() -> Iterator[PostgresTestDatabase]:
    """A PostgreSQL database of this session (and xdist worker), migrated to head."""
    require_postgres()
    name = new_database_name()
    url = create_postgres_database(name)
    try:
        run_in_thread(upgrade_url_to_head, url)
        yield PostgresTestDatabase(name=name, url=url, tables_children_first=TABLES_CHILDREN_FIRST)
    finally:
        drop_postgres_database(name)


@pytest.fixture(params=DB_BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a clean database at the newest schema revision, once per backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "registry.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    database: PostgresTestDatabase = request.getfixturevalue("postgres_test_database")
    database.reset()
    return database.url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on `db_url`, disposed after the test."""
    engine = create_engine(db_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def make_api(db_url: str, tmp_path: Path) -> AsyncIterator[Any]:
    """Factory: `await make_api(**settings_overrides)` → a started `Api` (closed after)."""
    stack: list[Any] = []

    async def factory(clock: Any = None, **overrides: Any) -> Api:
        app = create_app(settings_for(db_url, tmp_path, **overrides), clock=clock)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 50000)),
            base_url="http://testserver",
        )
        stack.append((lifespan, client))
        return Api(client, app)

    yield factory
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
