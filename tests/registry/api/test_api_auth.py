"""`/v1/auth/register` and `/v1/auth/revoke` with [FIX-S1], S2, S13, S19, R2, R3, R10."""

from __future__ import annotations

import re

import pytest

from tests.registry.api._api import Api


async def test_register_returns_a_key_once_with_its_prefix_scopes_and_tier(api: Api) -> None:
    response = await api.client.post(
        "/v1/auth/register", json={"agent_id": "kp:agent:alice", "scopes": ["read", "write"]}
    )
    assert response.status_code == 201
    body = response.json()
    data = body["data"]
    assert re.fullmatch(r"kp_[0-9a-f]{64}", data["api_key"])
    assert data["key_prefix"] == data["api_key"][:11]
    assert data["scopes"] == ["read", "write"]
    assert data["tier"] == "free"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", data["created_at"])
    assert body["message"] == "Store this API key securely — it cannot be retrieved again"


async def test_register_defaults_to_read_scope_and_drops_unknown_scopes(api: Api) -> None:
    first = await api.client.post("/v1/auth/register", json={"agent_id": "a1"})
    assert first.json()["data"]["scopes"] == ["read"]
    second = await api.client.post(
        "/v1/auth/register", json={"agent_id": "a2", "scopes": ["write", "fly", "write"]}
    )
    assert second.json()["data"]["scopes"] == ["write", "write"]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({}, 400, "agent_id is required"),
        ({"agent_id": ""}, 400, "agent_id is required"),
        ({"agent_id": 7}, 400, "agent_id is required"),
        (
            {"agent_id": "x", "scopes": []},
            400,
            "At least one valid scope required (read, write, admin)",
        ),
        (
            {"agent_id": "x", "scopes": ["fly"]},
            400,
            "At least one valid scope required (read, write, admin)",
        ),
        ({"agent_id": "x", "scopes": "read"}, 400, "scopes must be an array of strings"),
        ({"agent_id": "x", "scopes": [1]}, 400, "scopes must be an array of strings"),
        ({"agent_id": "x", "tier": "platinum"}, 400, "tier must be one of free, pro, enterprise"),
    ],
)
async def test_register_rejects_bad_bodies(api: Api, body: dict, status: int, error: str) -> None:
    response = await api.client.post("/v1/auth/register", json=body)
    assert response.status_code == status
    assert response.json() == {"error": error}


@pytest.mark.parametrize("raw", [b"{not json", b"", b"null"])
async def test_register_with_a_malformed_body_is_a_400(api: Api, raw: bytes) -> None:
    response = await api.client.post("/v1/auth/register", content=raw)
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid JSON body"}


async def test_admin_scope_needs_an_admin_credential_unless_open_registration(make_api) -> None:
    closed = await make_api(allow_open_admin_registration=False)
    denied = await closed.client.post(
        "/v1/auth/register", json={"agent_id": "root", "scopes": ["admin"]}
    )
    assert denied.status_code == 403
    assert denied.json() == {"error": "admin scope requires an admin credential"}


async def test_an_admin_may_mint_admin_keys_when_registration_is_closed(make_api) -> None:
    closed = await make_api(allow_open_admin_registration=False)
    async with closed.app.state.container.unit_of_work(write=True) as tx:
        bootstrap = await tx.auth.create_admin_key("kp:agent:root")
    response = await closed.request(
        "POST",
        "/v1/auth/register",
        bootstrap.raw_key,
        json={"agent_id": "kp:agent:ops", "scopes": ["admin"]},
    )
    assert response.status_code == 201


async def test_registering_an_agent_that_has_a_key_needs_that_agent_or_an_admin(api: Api) -> None:
    key = await api.key("kp:agent:bob")
    stranger = await api.client.post("/v1/auth/register", json={"agent_id": "kp:agent:bob"})
    assert stranger.status_code == 409
    assert stranger.json() == {"error": "agent_id already registered"}
    itself = await api.request("POST", "/v1/auth/register", key, json={"agent_id": "kp:agent:bob"})
    assert itself.status_code == 201
    admin = await api.key("kp:agent:admin", "admin")
    by_admin = await api.request(
        "POST", "/v1/auth/register", admin, json={"agent_id": "kp:agent:bob"}
    )
    assert by_admin.status_code == 201


async def test_the_registration_bonus_is_paid_once_per_agent(api: Api) -> None:
    key = await api.key("kp:agent:carol")
    await api.request("POST", "/v1/auth/register", key, json={"agent_id": "kp:agent:carol"})
    async with api.app.state.container.unit_of_work(write=False) as tx:
        record = await tx.reputation.get("kp:agent:carol")
    assert record is not None
    assert record.score == pytest.approx(0.1)
    assert [h["reason"] for h in record.history] == ["Initial registration bonus"]


async def test_revoke_own_key_then_the_key_is_a_401_everywhere(api: Api) -> None:
    key = await api.key("kp:agent:dave")
    response = await api.request("POST", "/v1/auth/revoke", key, json={"key_prefix": key[:11]})
    assert response.status_code == 200
    assert response.json() == {"data": {"revoked": True, "key_prefix": key[:11]}}
    after = await api.request("GET", "/v1/skills", key)
    assert after.status_code == 401
    assert after.json() == {"error": "Invalid or revoked API key"}


async def test_revoking_someone_elses_key_looks_like_a_missing_key(api: Api) -> None:
    victim = await api.key("kp:agent:erin")
    attacker = await api.key("kp:agent:mallory")
    response = await api.request(
        "POST", "/v1/auth/revoke", attacker, json={"key_prefix": victim[:11]}
    )
    assert response.status_code == 404
    assert response.json() == {"error": "Key not found"}
    assert (await api.request("GET", "/v1/skills", victim)).status_code == 200


async def test_an_admin_may_revoke_any_key_and_revoking_twice_succeeds(api: Api) -> None:
    victim = await api.key("kp:agent:frank")
    admin = await api.key("kp:agent:admin", "admin")
    for _ in range(2):
        response = await api.request(
            "POST", "/v1/auth/revoke", admin, json={"key_prefix": victim[:11]}
        )
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({}, 400, "key_prefix is required"),
        ({"key_prefix": ""}, 400, "key_prefix is required"),
        ({"key_prefix": "kp_00000000"}, 404, "Key not found"),
    ],
)
async def test_revoke_error_rows(api: Api, body: dict, status: int, error: str) -> None:
    key = await api.key("kp:agent:gina")
    response = await api.request("POST", "/v1/auth/revoke", key, json=body)
    assert response.status_code == status
    assert response.json() == {"error": error}


async def test_revoke_with_an_invalid_body_is_a_400_after_auth(api: Api) -> None:
    key = await api.key("kp:agent:hank")
    response = await api.request("POST", "/v1/auth/revoke", key, content=b"{oops")
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid JSON body"}


async def test_an_unknown_kp_key_is_a_401_and_other_schemes_are_ignored(api: Api) -> None:
    bogus = "kp_" + "0" * 64
    response = await api.request("GET", "/v1/skills", bogus)
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid or revoked API key"}
    for header in ("bearer kp_abc", "Basic Zm9vOmJhcg==", "kp_abc"):
        ok = await api.client.get("/v1/skills", headers={"Authorization": header})
        assert ok.status_code == 200
