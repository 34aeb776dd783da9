"""`/v1/providers` (registry-api.md §8.11 with [FIX-S15], X-31 and derived staleness)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from knowledgepulse.registry.auth.models import ANONYMOUS
from knowledgepulse.registry.errors import Unauthorized
from knowledgepulse.registry.infra import ManualClock
from tests.registry.api._api import Api


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=time.time())


@pytest.fixture
async def capi(make_api: Any, clock: ManualClock) -> Api:
    return await make_api(clock=clock)


async def register(api: Api, key: str, **body: Any) -> Any:
    payload = {"url": "https://a.example.org", "name": "A", **body}
    return await api.request("POST", "/v1/providers", key, json=payload)


async def test_empty_list(api: Api) -> None:
    response = await api.client.get("/v1/providers")
    assert (response.status_code, response.json()) == (200, {"data": [], "total": 0})


async def test_admin_registers_providers_listed_in_registration_order(
    capi: Api, clock: ManualClock
) -> None:
    admin = await capi.key("kp:agent:admin", "admin")
    first = await register(capi, admin)
    assert first.status_code == 201
    record = first.json()["data"]
    assert record["id"].startswith("kp:provider:")
    assert record == {
        "id": record["id"],
        "url": "https://a.example.org",
        "name": "A",
        "status": "unknown",
        "last_heartbeat": None,
        "registered_at": record["registered_at"],
    }
    clock.advance(0.001)
    second = await register(capi, admin, url="https://b.example.org", name="B", status="active")
    assert second.json()["data"]["status"] == "active"
    listed = (await capi.client.get("/v1/providers")).json()
    assert listed["total"] == 2
    assert listed["data"] == [record, second.json()["data"]]


async def test_register_error_rows_in_order(api: Api) -> None:
    admin = await api.key("kp:agent:admin", "admin")
    writer = await api.key("kp:agent:writer")

    async def expect(response: Any, status: int, error: str) -> None:
        assert (response.status_code, response.json()) == (status, {"error": error})

    assert (await api.client.post("/v1/providers", json={})).status_code == 429
    await expect(await register(api, writer), 403, "Admin scope required")
    await expect(
        await api.request("POST", "/v1/providers", admin, content=b"{oops"),
        400,
        "Invalid JSON body",
    )
    for body in ({"name": "A"}, {"url": "https://x", "name": ""}, {"url": 5, "name": "A"}):
        await expect(
            await api.request("POST", "/v1/providers", admin, json=body),
            400,
            "url and name are required",
        )
    await expect(
        await register(api, admin, status="weird"),
        400,
        "status must be one of active, inactive, unknown",
    )
    assert (await register(api, admin)).status_code == 201
    await expect(await register(api, admin, name="Other"), 409, "Provider already registered")
    assert (await api.client.get("/v1/providers")).json()["total"] == 1

    async with api.app.state.container.unit_of_work(write=True) as tx:
        with pytest.raises(Unauthorized, match="Authentication required"):
            await tx.providers.register(ANONYMOUS, {"url": "https://z", "name": "Z"})
        with pytest.raises(Unauthorized, match="Authentication required"):
            await tx.providers.heartbeat(ANONYMOUS, "kp:provider:x")


async def test_concurrent_registrations_of_one_url_give_one_201(api: Api) -> None:
    admin = await api.key("kp:agent:admin", "admin", tier="enterprise")
    responses = await asyncio.gather(*(register(api, admin) for _ in range(10)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9


async def test_any_key_can_heartbeat_and_it_marks_the_provider_active(capi: Api) -> None:
    admin = await capi.key("kp:agent:admin", "admin")
    reader = await capi.key("kp:agent:reader", "read")
    provider_id = (await register(capi, admin, status="inactive")).json()["data"]["id"]
    url = f"/v1/providers/{provider_id}/heartbeat"
    response = await capi.request("POST", url, reader, content=b"ignored, not JSON")
    assert response.status_code == 200
    beat = response.json()["data"]
    assert beat["id"] == provider_id
    stored = (await capi.client.get("/v1/providers")).json()["data"][0]
    assert (stored["status"], stored["last_heartbeat"]) == ("active", beat["heartbeat"])
    assert (await capi.client.post(url)).status_code == 429
    missing = await capi.request("POST", "/v1/providers/kp:provider:none/heartbeat", reader)
    assert (missing.status_code, missing.json()) == (404, {"error": "Provider not found"})


async def test_active_providers_without_recent_heartbeats_read_as_inactive(
    capi: Api, clock: ManualClock
) -> None:
    admin = await capi.key("kp:agent:admin", "admin")
    active = (await register(capi, admin, status="active")).json()["data"]["id"]
    clock.advance(0.001)
    await register(capi, admin, url="https://u.example.org", status="unknown")

    async def statuses() -> list[str]:
        return [p["status"] for p in (await capi.client.get("/v1/providers")).json()["data"]]

    assert await statuses() == ["active", "unknown"]
    clock.advance(3600 - 0.001)  # exactly one hour is not stale yet
    assert await statuses() == ["active", "unknown"]
    clock.advance(1)
    assert await statuses() == ["inactive", "unknown"]
    await capi.request("POST", f"/v1/providers/{active}/heartbeat", admin)
    assert await statuses() == ["active", "unknown"]
