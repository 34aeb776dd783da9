"""A contribution must cost the same for a veteran agent as for a newcomer.

`POST /v1/knowledge` checks the writer's KP-REP before storing. Reading that one score must
not grow with the agent's history: an agent that has contributed thousands of units is the
registry's best customer, and on SQLite every write transaction holds the single write
lock, so a slow write slows every writer.

The veteran's history is made by inserting `reputation_history` rows straight into the
store (exactly the rows its contributions would have left), which takes milliseconds
instead of thousands of requests. The comparison uses the fastest of several requests per
agent, alternating, so a busy machine slows both sides alike.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from tests._server import running_server
from tests.registry.e2e._e2e import (
    CLIENT_TIMEOUT_S,
    knowledge_unit,
    register_agents,
    store_under_test,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

HISTORY_ROWS = 5_000
SAMPLES = 7
MAX_RATIO = 3.0


async def test_contributing_costs_the_same_however_long_the_writers_history(
    tmp_path: Path,
) -> None:
    with (
        store_under_test("sqlite", tmp_path) as store,
        running_server(tmp_path, store.env) as server,
    ):
        async with httpx.AsyncClient(base_url=server.url, timeout=CLIENT_TIMEOUT_S) as client:
            keys = await register_agents(client, "scaling", 2)
            veteran, newcomer = keys
            assert store.sqlite_path is not None
            connection = sqlite3.connect(store.sqlite_path, timeout=10)
            try:
                with connection:
                    connection.executemany(
                        "INSERT INTO reputation_history (agent_id, timestamp, delta, reason)"
                        " VALUES (?, '2026-01-01T00:00:00.000Z', 0.2, 'Contributed ReasoningTrace')",
                        [(veteran,)] * HISTORY_ROWS,
                    )
            finally:
                connection.close()

            async def timed_post(agent: str) -> float:
                headers = {"Authorization": f"Bearer {keys[agent]}"}
                began = time.perf_counter()
                response = await client.post(
                    "/v1/knowledge", json=knowledge_unit("trace", "scaling"), headers=headers
                )
                assert response.status_code == 201, response.text
                return time.perf_counter() - began

            timings: dict[str, list[float]] = {veteran: [], newcomer: []}
            for _ in range(SAMPLES):
                for agent in (newcomer, veteran):
                    timings[agent].append(await timed_post(agent))

    fast_new, fast_veteran = min(timings[newcomer]), min(timings[veteran])
    assert fast_veteran < MAX_RATIO * fast_new, (
        f"POST /v1/knowledge took {fast_veteran * 1000:.1f} ms for an agent with"
        f" {HISTORY_ROWS} reputation-history rows vs {fast_new * 1000:.1f} ms for a new agent"
    )
