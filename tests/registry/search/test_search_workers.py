"""`kp-registry serve --workers 2` with the hybrid search: one index slot per worker.

A real server: the parent prepares the slots, each worker owns one and polls the store, so a
skill written through one worker is found through every worker within the poll interval.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests._server import running_server
from tests._services import redis_url, require_redis

pytestmark = pytest.mark.slow

SKILL = "---\nname: Cluster Drainer\ndescription: Drains nodes before maintenance\n---\nBody.\n"


def test_every_worker_finds_a_skill_written_through_another(tmp_path: Path) -> None:
    require_redis()
    env = {
        "KP_REDIS_URL": redis_url(),
        "KP_REDIS_PREFIX": f"kp-test:{uuid.uuid4().hex}:",
        "KP_EMBEDDER": "hashing",
    }
    with running_server(tmp_path, env, "--workers", "2") as server:

        async def scenario() -> None:
            # One connection per client, several clients: the kernel spreads them over
            # both workers' accept queues.
            clients = [httpx.AsyncClient(base_url=server.url, timeout=30) for _ in range(8)]
            try:
                body = {"agent_id": "kp:agent:w", "scopes": ["read", "write"], "tier": "pro"}
                response = await clients[0].post("/v1/auth/register", json=body)
                key = response.json()["data"]["api_key"]
                created = await clients[0].post(
                    "/v1/skills",
                    headers={"Authorization": f"Bearer {key}"},
                    json={"skill_md_content": SKILL},
                )
                assert created.status_code == 201, created.text
                started = time.monotonic()
                for n in range(40):
                    pages = await asyncio.gather(
                        *(
                            c.get(
                                "/v1/skills",
                                params={"q": "drain nodes", "_": f"{n}-{i}"},
                                # Authenticated: the anonymous read budget is small.
                                headers={"Authorization": f"Bearer {key}"},
                            )
                            for i, c in enumerate(clients)
                        )
                    )
                    if all(p.json()["total"] == 1 for p in pages):
                        break
                    await asyncio.sleep(0.1)
                assert all(p.json()["total"] == 1 for p in pages)
                # The poll interval is 1 s; the rest is these requests on a shared box.
                assert time.monotonic() - started < 5
            finally:
                for client in clients:
                    await client.aclose()

        asyncio.run(scenario())
        log = server.log()
    assert "Traceback" not in log
    slots = sorted(p.name for p in (tmp_path / "data" / "index").iterdir() if p.is_dir())
    assert slots == ["slot-0", "slot-1"]
