"""Rate limiting and idempotency through the HTTP pipeline, in-process and on Redis."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from knowledgepulse.registry.infra import ManualClock
from tests._services import redis_url, require_redis
from tests.registry.api._api import Api

SKILL = "---\nname: limited\ndescription: A skill used to test limits\n---\nBody.\n"


@pytest.fixture(params=["memory", "redis"])
async def limited_api(request: pytest.FixtureRequest, make_api: Any) -> Api:
    """The app with in-process limits, or with Redis under a fresh key prefix.

    The clock stands still, so buckets never refill during a test.
    """
    clock = ManualClock(start=1_750_000_000.0)
    if request.param == "memory":
        return await make_api(clock=clock)
    require_redis()
    return await make_api(
        clock=clock, redis_url=redis_url(), redis_prefix=f"kp-test:{uuid.uuid4().hex}:"
    )


async def test_anonymous_posts_are_429_with_the_documented_body_and_headers(
    limited_api: Api,
) -> None:
    response = await limited_api.client.post("/v1/skills", json={"skill_md_content": SKILL})
    assert response.status_code == 429
    assert response.json() == {"error": "Rate limit exceeded", "retry_after": 60}
    assert response.headers["retry-after"] == "60"
    assert response.headers["x-ratelimit-limit"] == "0"
    assert "kp-schema-version" not in response.headers
    unknown = await limited_api.client.post("/v1/nowhere", json={})
    assert unknown.status_code == 429


async def test_reads_carry_rate_limit_headers_and_health_is_exempt(limited_api: Api) -> None:
    response = await limited_api.client.get("/v1/skills")
    assert response.headers["x-ratelimit-limit"] == "60"
    assert response.headers["x-ratelimit-remaining"] == "59"
    health = await limited_api.client.get("/health")
    assert "x-ratelimit-limit" not in health.headers
    register = await limited_api.client.post("/v1/auth/register", json={"agent_id": "kp:agent:z"})
    assert "x-ratelimit-limit" not in register.headers


async def test_no_over_admission_under_200_concurrent_writes(limited_api: Api) -> None:
    key = await limited_api.key("kp:agent:burst", tier="free")  # 30 writes per minute
    responses = await asyncio.gather(
        *(
            limited_api.request("POST", "/v1/auth/revoke", key, json={"key_prefix": "kp_nothere"})
            for _ in range(200)
        )
    )
    codes = [r.status_code for r in responses]
    assert codes.count(404) == 30
    assert codes.count(429) == 170
    denied = next(r for r in responses if r.status_code == 429)
    assert denied.json() == {"error": "Rate limit exceeded", "retry_after": 2}


async def test_rate_limit_violations_are_audited_and_never_revoke_the_key(limited_api: Api) -> None:
    key = await limited_api.key("kp:agent:noisy", tier="free")
    admin = await limited_api.key("kp:agent:admin", "admin", tier="enterprise")
    for _ in range(34):
        await limited_api.request("POST", "/v1/auth/revoke", key, json={"key_prefix": "kp_x"})
    assert (await limited_api.request("GET", "/v1/skills", key)).status_code == 200
    await limited_api.flush_audit()
    entries = (
        await limited_api.request("GET", "/v1/admin/audit?action=rate_limited", admin)
    ).json()["data"]
    assert len(entries) == 4
    assert entries[0]["details"]["identifier"] == "kp:agent:noisy"


async def test_twenty_concurrent_identical_posts_create_one_record(limited_api: Api) -> None:
    key = await limited_api.key("kp:agent:retry", tier="enterprise")
    headers = {"Idempotency-Key": "abc-123"}
    body = {"skill_md_content": SKILL}
    responses = await asyncio.gather(
        *(
            limited_api.request("POST", "/v1/skills", key, json=body, headers=headers)
            for _ in range(20)
        )
    )
    created = [r for r in responses if r.status_code == 201]
    replays = [r for r in created if r.headers.get("idempotency-replayed") == "true"]
    in_progress = [r for r in responses if r.status_code == 409]
    assert len(created) - len(replays) == 1
    assert len(created) + len(in_progress) == 20
    assert all(
        r.json() == {"error": "Request with this Idempotency-Key is in progress"}
        for r in in_progress
    )
    ids = {r.json()["data"]["id"] for r in created}
    assert len(ids) == 1
    listing = (await limited_api.client.get("/v1/skills")).json()
    assert listing["total"] == 1
    replay = await limited_api.request("POST", "/v1/skills", key, json=body, headers=headers)
    assert replay.status_code == 201
    assert replay.headers["idempotency-replayed"] == "true"
    assert replay.headers["kp-schema-version"] == "v1"
    assert replay.json()["data"]["id"] in ids


async def test_reusing_a_key_with_another_body_is_422(limited_api: Api) -> None:
    key = await limited_api.key("kp:agent:reuse", tier="enterprise")
    headers = {"Idempotency-Key": "same"}
    first = await limited_api.request(
        "POST", "/v1/skills", key, json={"skill_md_content": SKILL}, headers=headers
    )
    assert first.status_code == 201
    other = SKILL.replace("limited", "other")
    second = await limited_api.request(
        "POST", "/v1/skills", key, json={"skill_md_content": other}, headers=headers
    )
    assert second.status_code == 422
    assert second.json() == {"error": "Idempotency-Key reused with a different request body"}


async def test_idempotency_keys_of_two_agents_never_collide(limited_api: Api) -> None:
    alice = await limited_api.key("kp:agent:alice", tier="enterprise")
    bob = await limited_api.key("kp:agent:bob", tier="enterprise")
    headers = {"Idempotency-Key": "shared"}
    a = await limited_api.request(
        "POST", "/v1/skills", alice, json={"skill_md_content": SKILL}, headers=headers
    )
    b = await limited_api.request(
        "POST", "/v1/skills", bob, json={"skill_md_content": SKILL}, headers=headers
    )
    assert (a.status_code, b.status_code) == (201, 201)
    assert "idempotency-replayed" not in b.headers
    assert a.json()["data"]["id"] != b.json()["data"]["id"]


async def test_registration_is_never_replayed(limited_api: Api) -> None:
    headers = {"Idempotency-Key": "reg"}
    first = await limited_api.client.post(
        "/v1/auth/register", json={"agent_id": "kp:agent:r1"}, headers=headers
    )
    second = await limited_api.client.post(
        "/v1/auth/register", json={"agent_id": "kp:agent:r2"}, headers=headers
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["data"]["api_key"] != second.json()["data"]["api_key"]
    assert "idempotency-replayed" not in second.headers


async def test_client_errors_are_stored_and_replayed(limited_api: Api) -> None:
    key = await limited_api.key("kp:agent:fail", tier="enterprise")
    headers = {"Idempotency-Key": "k1"}
    bad = await limited_api.request("POST", "/v1/skills", key, json={}, headers=headers)
    assert bad.status_code == 400
    again = await limited_api.request("POST", "/v1/skills", key, json={}, headers=headers)
    assert again.headers.get("idempotency-replayed") == "true"
