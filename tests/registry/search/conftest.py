"""Fixtures of the search suite: registry apps and containers with the hybrid search on.

They run with the deterministic hashing embedder (fast, no model) unless a test asks for
`embedder="minilm"`; test_search_quality.py runs the real model end to end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from knowledgepulse.registry.container import Container
from tests.registry.api._api import Api, settings_for


@pytest.fixture
def make_search_api(make_api: Any) -> Any:
    """Factory: `await make_search_api(**settings)` → a started `Api` (closed after)."""
    return make_api


@pytest.fixture
async def search_api(make_search_api: Any) -> Api:
    """A started app with the hybrid search (hashing embedder)."""
    return await make_search_api()


@pytest.fixture
async def make_container(db_url: str, tmp_path: Path) -> AsyncIterator[Any]:
    """Factory: `await make_container(**settings)` → a started `Container` (closed after)."""
    started: list[Container] = []

    async def factory(**overrides: Any) -> Container:
        container = await Container.start(settings_for(db_url, tmp_path, **overrides))
        started.append(container)
        return container

    yield factory
    for container in reversed(started):
        await container.close()
