"""The API suite's default app (`make_api` lives in tests/registry/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.registry.api._api import Api


@pytest.fixture
async def api(make_api: Any) -> Api:
    """A started app with default test settings."""
    return await make_api()
