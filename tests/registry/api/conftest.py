"""An in-process registry app per test, on SQLite and PostgreSQL (the `db_url` fixture)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledgepulse.registry.app import create_app
from tests.registry.api._api import Api, settings_for


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


@pytest.fixture
async def api(make_api: Any) -> Api:
    """A started app with default test settings."""
    return await make_api()
