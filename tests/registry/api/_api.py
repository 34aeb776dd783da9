"""Helpers for the in-process API tests: settings for a test database and an `Api` client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from knowledgepulse.registry.settings import Settings


def settings_for(db_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    """Registry settings pointing at the test database."""
    if db_url.startswith("sqlite"):
        backend: dict[str, Any] = {
            "store_backend": "sqlite",
            "sqlite_path": Path(db_url.split("///", 1)[1]),
        }
    else:
        backend = {"store_backend": "postgres", "database_url": db_url}
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "allow_open_admin_registration": True,
        # The hybrid search runs with the deterministic fake embedder here (fast, no model);
        # tests/registry/search runs the real MiniLM model end to end.
        "embedder": "hashing",
        **backend,
        **overrides,
    }
    return Settings(**values)


class Api:
    """An httpx client on the app plus helpers to register agents."""

    def __init__(self, client: httpx.AsyncClient, app: Any) -> None:
        self.client = client
        self.app = app

    async def key(self, agent_id: str, *scopes: str, tier: str = "free") -> str:
        """Register `agent_id` with `scopes` (default read+write) and return the raw key."""
        body = {"agent_id": agent_id, "scopes": list(scopes or ("read", "write")), "tier": tier}
        response = await self.client.post("/v1/auth/register", json=body)
        assert response.status_code == 201, response.text
        return response.json()["data"]["api_key"]

    def request(self, method: str, url: str, key: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}) or {})
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return self.client.request(method, url, headers=headers, **kwargs)

    async def flush_audit(self) -> None:
        await self.app.state.container.audit.flush()

    async def search_settled(self) -> None:
        """Wait until every published item is embedded (semantic ranks are complete)."""
        sync = self.app.state.container.search_sync
        if sync is not None:
            assert await sync.wait_idle(10)
