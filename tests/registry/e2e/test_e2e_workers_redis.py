"""Several worker processes on PostgreSQL + Redis, and Redis dying under a live server."""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests._server import running_server
from tests._services import (
    create_postgres_database,
    drop_postgres_database,
    new_database_name,
    redis_url,
    require_postgres,
    require_redis,
)
from tests.registry.infra._infra import OwnRedisServer

pytestmark = pytest.mark.slow

SKILL = "---\nname: shared\ndescription: Written once across workers\n---\nBody.\n"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    require_postgres()
    name = new_database_name("workers")
    url = create_postgres_database(name)
    try:
        yield url
    finally:
        drop_postgres_database(name)


async def register(client: httpx.AsyncClient, agent: str, tier: str) -> dict[str, str]:
    response = await client.post(
        "/v1/auth/register", json={"agent_id": agent, "scopes": ["read", "write"], "tier": tier}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['data']['api_key']}"}


def test_two_workers_share_rate_limits_and_idempotency(tmp_path: Path, postgres_url: str) -> None:
    require_redis()
    env = {
        "KP_STORE_BACKEND": "postgres",
        "KP_DATABASE_URL": postgres_url,
        "KP_REDIS_URL": redis_url(),
        "KP_REDIS_PREFIX": f"kp-test:{uuid.uuid4().hex}:",
        "KP_SEARCH": "sql",
    }
    with running_server(tmp_path, env, "--workers", "2") as server:

        async def scenario() -> None:
            limits = httpx.Limits(max_connections=64)
            async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30) as client:
                free = await register(client, "kp:agent:burst", "free")
                started = time.monotonic()
                responses = await asyncio.gather(
                    *(
                        client.post("/v1/auth/revoke", headers=free, json={"key_prefix": "kp_none"})
                        for _ in range(200)
                    )
                )
                elapsed = time.monotonic() - started
                codes = [r.status_code for r in responses]
                assert set(codes) <= {404, 429}
                # 30 writes per minute: the bucket refills 0.5 token/s while the burst runs.
                assert 30 <= codes.count(404) <= 30 + int(elapsed * 0.5)

                writer = await register(client, "kp:agent:writer", "enterprise")
                headers = {**writer, "Idempotency-Key": "one-skill"}
                created = await asyncio.gather(
                    *(
                        client.post("/v1/skills", headers=headers, json={"skill_md_content": SKILL})
                        for _ in range(20)
                    )
                )
                assert {r.status_code for r in created} <= {201, 409}
                fresh = [
                    r
                    for r in created
                    if r.status_code == 201 and "idempotency-replayed" not in r.headers
                ]
                assert len(fresh) == 1
                listing = await client.get("/v1/skills?q=shared")
                assert listing.json()["total"] == 1

        asyncio.run(scenario())
        assert "Traceback" not in server.log()


def test_redis_dying_under_load_causes_no_server_errors(tmp_path: Path) -> None:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")

    async def scenario() -> None:
        redis = OwnRedisServer(binary, tmp_path)
        await redis.start()
        env = {"KP_REDIS_URL": redis.url, "KP_SEARCH": "sql"}
        try:
            with running_server(tmp_path, env) as server:
                async with httpx.AsyncClient(base_url=server.url, timeout=15) as client:
                    writer = await register(client, "kp:agent:steady", "enterprise")
                    statuses: list[int] = []

                    async def traffic(rounds: int) -> None:
                        for n in range(rounds):
                            read = await client.get("/v1/skills")
                            write = await client.post(
                                "/v1/skills",
                                headers={**writer, "Idempotency-Key": uuid.uuid4().hex},
                                json={"skill_md_content": SKILL.replace("shared", f"s{n}")},
                            )
                            statuses.extend([read.status_code, write.status_code])

                    await traffic(10)
                    await redis.kill()
                    await traffic(20)
                    await redis.start()
                    deadline = time.monotonic() + 30
                    while time.monotonic() < deadline:
                        await traffic(5)
                        if "answers again" in server.log():
                            break
                    assert all(code < 500 for code in statuses), statuses
                    assert statuses.count(201) >= 35
                log = server.log()
            warnings = [line for line in log.splitlines() if "WARNING" in line and "edis" in line]
            assert len(warnings) >= 1
            assert "Traceback" not in log
        finally:
            await redis.kill()

    asyncio.run(scenario())
