"""A contribution must cost the same for a veteran agent as for a newcomer.

Found while benchmarking: `POST /v1/knowledge` checks the writer's KP-REP, and reading that
one score used to load the agent's whole reputation history (one row per award ever made),
so each contribution cost time linear in the number the agent had already made. On SQLite
the check runs inside the write transaction, which holds the single write lock: one
veteran's slow write delayed every writer.

The veteran's history is made by inserting `reputation_history` rows directly (exactly
the rows its contributions would have left), which takes milliseconds instead of thousands
of requests. The comparison uses the fastest of several alternating requests per agent, so
a busy machine slows both sides alike. In-process app, on both backends.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledgepulse.registry.app import create_app
from knowledgepulse.registry.reputation.tables import reputation_history
from knowledgepulse.sdk.models.examples import full_reasoning_trace
from tests.registry.api._api import settings_for

HISTORY_ROWS = 5_000
SAMPLES = 7
MAX_RATIO = 3.0


@pytest.fixture
async def app(db_url: str, tmp_path: Path) -> AsyncIterator[Any]:
    app = create_app(settings_for(db_url, tmp_path))
    async with app.router.lifespan_context(app):
        yield app


def new_unit() -> dict[str, Any]:
    unit = full_reasoning_trace()
    unit["id"] = f"kp:trace:{uuid.uuid4()}"
    del unit["metadata"]["agent_id"]
    return unit


async def test_contributing_costs_the_same_however_long_the_writers_history(app: Any) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        keys = {}
        for agent in ("kp:agent:newcomer", "kp:agent:veteran"):
            body = {"agent_id": agent, "scopes": ["read", "write"], "tier": "enterprise"}
            response = await client.post("/v1/auth/register", json=body)
            keys[agent] = {"Authorization": f"Bearer {response.json()['data']['api_key']}"}
        async with app.state.container.database.engine.begin() as conn:
            await conn.execute(
                reputation_history.insert(),
                [
                    {
                        "agent_id": "kp:agent:veteran",
                        "timestamp": "2026-01-01T00:00:00.000Z",
                        "delta": 0.2,
                        "reason": "Contributed ReasoningTrace",
                    }
                ]
                * HISTORY_ROWS,
            )

        timings: dict[str, list[float]] = {agent: [] for agent in keys}
        for _ in range(SAMPLES):
            for agent, headers in keys.items():
                began = time.perf_counter()
                response = await client.post("/v1/knowledge", json=new_unit(), headers=headers)
                timings[agent].append(time.perf_counter() - began)
                assert response.status_code == 201, response.text

    newcomer, veteran = min(timings["kp:agent:newcomer"]), min(timings["kp:agent:veteran"])
    assert veteran < MAX_RATIO * newcomer, (
        f"POST /v1/knowledge took {veteran * 1000:.1f} ms for an agent with {HISTORY_ROWS}"
        f" reputation-history rows vs {newcomer * 1000:.1f} ms for a new agent"
    )
