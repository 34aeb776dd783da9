"""The response cache never serves a stale read after a successful write."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests._services import redis_url, require_redis
from tests.registry.api._api import Api
from tests.registry.api.test_api_knowledge import trace


@pytest.fixture(params=["memory", "redis"])
async def cached_api(request: pytest.FixtureRequest, make_api: Any) -> Api:
    if request.param == "memory":
        return await make_api(quarantine_threshold=1)
    require_redis()
    return await make_api(
        quarantine_threshold=1,
        redis_url=redis_url(),
        redis_prefix=f"kp-test:{uuid.uuid4().hex}:",
    )


def skill(name: str) -> dict[str, str]:
    return {"skill_md_content": f"---\nname: {name}\ndescription: cached skill\n---\nBody.\n"}


async def test_skill_search_sees_a_new_skill_right_after_its_201(cached_api: Api) -> None:
    key = await cached_api.key("kp:agent:w", tier="enterprise")
    for n in range(3):
        before = (await cached_api.client.get("/v1/skills?q=cached")).json()
        assert before["total"] == n
        created = await cached_api.request("POST", "/v1/skills", key, json=skill(f"s{n}"))
        assert created.status_code == 201
        after = (await cached_api.client.get("/v1/skills?q=cached")).json()
        assert after["total"] == n + 1
        one = await cached_api.client.get(f"/v1/skills/{created.json()['data']['id']}")
        assert one.status_code == 200


async def test_knowledge_search_reflects_contribution_validation_quarantine_and_erase(
    cached_api: Api,
) -> None:
    owner = await cached_api.key("kp:agent:owner", tier="enterprise")
    other = await cached_api.key("kp:agent:other", tier="enterprise")
    unit = trace()

    async def listed() -> list[dict]:
        return (await cached_api.client.get("/v1/knowledge")).json()["data"]

    assert await listed() == []
    await cached_api.request("POST", "/v1/knowledge", owner, json=unit)
    assert [u["id"] for u in await listed()] == [unit["id"]]
    await cached_api.request("POST", f"/v1/knowledge/{unit['id']}/validate", other, json={})
    assert (await listed())[0]["unit"]["metadata"]["validated_by"] == [
        "kp:validator:kp:agent:other"
    ]
    await cached_api.request("POST", f"/v1/knowledge/{unit['id']}/report", other, json={})
    assert await listed() == []
    second = trace()
    await cached_api.request("POST", "/v1/knowledge", owner, json=second)
    assert [u["id"] for u in await listed()] == [second["id"]]
    await cached_api.request("DELETE", f"/v1/knowledge/{second['id']}", owner)
    assert await listed() == []


async def test_a_rejected_write_leaves_the_cache_alone(cached_api: Api) -> None:
    key = await cached_api.key("kp:agent:w", tier="enterprise")
    assert (await cached_api.client.get("/v1/skills")).json()["total"] == 0
    bad = await cached_api.request("POST", "/v1/skills", key, json={"skill_md_content": "nope"})
    assert bad.status_code == 400
    assert (await cached_api.client.get("/v1/skills")).json()["total"] == 0
