"""The request pipeline (registry-api.md §2, §4, §9.5, §9.7, §9.8) and bad input."""

from __future__ import annotations

import logging

import pytest

from tests.registry.api._api import Api


async def test_preflight_is_answered_with_cors_headers_only(api: Api) -> None:
    response = await api.client.options(
        "/v1/skills",
        headers={"Origin": "https://a.example", "Access-Control-Request-Headers": "x-custom"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert (
        response.headers["access-control-allow-methods"] == "GET,HEAD,PUT,POST,DELETE,PATCH,QUERY"
    )
    assert response.headers["access-control-allow-headers"] == "x-custom"
    assert response.headers["vary"] == "Access-Control-Request-Headers"
    assert "kp-schema-version" not in response.headers


async def test_every_response_carries_cors_and_schema_headers(api: Api) -> None:
    response = await api.client.get("/v1/skills")
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["kp-schema-version"] == "v1"
    assert "kp-deprecated" not in response.headers
    old = await api.client.get("/v1/skills", headers={"KP-Schema-Version": "v0"})
    assert old.headers["kp-deprecated"] == "true"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nothing"),
        ("GET", "/v1/skills/"),
        ("DELETE", "/v1/skills/x"),
        ("GET", "/V1/skills"),
    ],
)
async def test_unmatched_routes_and_methods_are_json_404s(api: Api, method: str, path: str) -> None:
    response = await api.client.request(method, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": "Not found"}
    assert response.headers["access-control-allow-origin"] == "*"


async def test_head_behaves_like_get_without_a_body(api: Api) -> None:
    response = await api.client.head("/v1/skills")
    assert response.status_code == 200
    assert response.content == b""


async def test_oversize_bodies_are_413(make_api) -> None:
    api = await make_api(max_body_bytes=2048)
    key = await api.key("kp:agent:big")
    big = b'{"skill_md_content":"' + b"a" * 4096 + b'"}'
    response = await api.request("POST", "/v1/skills", key, content=big)
    assert response.status_code == 413
    assert response.json() == {"error": "Request body exceeds 2048 bytes"}

    async def chunks():
        for _ in range(8):
            yield b"a" * 512

    streamed = await api.request("POST", "/v1/skills", key, content=chunks())
    assert streamed.status_code == 413


async def test_an_uncaught_error_is_a_json_500_with_a_request_id(make_api, caplog) -> None:
    api = await make_api()

    async def boom() -> None:
        raise RuntimeError("kaboom")

    api.app.add_api_route("/v1/boom", boom)
    with caplog.at_level(logging.ERROR):
        response = await api.client.get("/v1/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "Internal Server Error"
    assert len(body["request_id"]) == 32
    assert "kaboom" not in response.text
    assert any(body["request_id"] in r.getMessage() and r.exc_info for r in caplog.records)


async def test_json_is_compact_and_integral_floats_print_as_integers(api: Api) -> None:
    response = await api.client.get("/health")
    assert response.content == b'{"status":"ok","version":"0.1.0"}'


async def test_requests_are_audited_with_an_explicit_resource_and_action(api: Api) -> None:
    admin = await api.key("kp:agent:admin", "admin")
    await api.client.get(
        "/v1/skills/kp:skill:none", headers={"X-Forwarded-For": "198.51.100.9, 10.0.0.1"}
    )
    await api.client.get("/v1/unknown")
    await api.flush_audit()
    response = await api.request("GET", "/v1/admin/audit?limit=100", admin)
    assert response.status_code == 200
    entries = response.json()["data"]
    skill_read = next(e for e in entries if e["resourceId"] == "/v1/skills/kp:skill:none")
    assert skill_read["resourceType"] == "skill"
    assert skill_read["action"] == "read"
    assert skill_read["agentId"] == "anonymous"
    assert skill_read["ip"] == "198.51.100.9"
    assert skill_read["details"]["status"] == 404
    unknown = next(e for e in entries if e["resourceId"] == "/v1/unknown")
    assert unknown["resourceType"] == "no_route"
    register = next(e for e in entries if e["resourceId"] == "/v1/auth/register")
    assert (register["resourceType"], register["action"]) == ("api_key", "create")
    assert all(e["resourceType"] != "unknown" for e in entries)


async def test_audit_endpoint_filters_and_needs_admin(api: Api) -> None:
    admin = await api.key("kp:agent:admin", "admin")
    user = await api.key("kp:agent:user")
    await api.request("GET", "/v1/skills", user)
    await api.flush_audit()
    mine = await api.request("GET", "/v1/admin/audit?agent_id=kp:agent:user", admin)
    assert {e["agentId"] for e in mine.json()["data"]} == {"kp:agent:user"}
    denied = await api.request("GET", "/v1/admin/audit", user)
    assert denied.status_code == 403
    bad = await api.request("GET", "/v1/admin/audit?from=yesterday", admin)
    assert bad.status_code == 400
    assert bad.json() == {"error": "from must be an ISO-8601 timestamp"}


async def test_peer_address_is_used_when_proxies_are_not_trusted(make_api) -> None:
    api = await make_api(trust_proxy=False)
    admin = await api.key("kp:agent:admin", "admin")
    await api.client.get("/v1/skills", headers={"X-Forwarded-For": "198.51.100.9"})
    await api.flush_audit()
    entries = (await api.request("GET", "/v1/admin/audit?limit=100", admin)).json()["data"]
    listing = next(e for e in entries if e["resourceId"] == "/v1/skills")
    assert listing["ip"] == "203.0.113.7"


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\x00",
        b"[" * 10000,
        b'{"agent_id": "\\ud800"}',
        b'{"agent_id": "a\\u0000b", "skill_md_content": "\\u0000"}',
        b"1e999999",
    ],
)
async def test_hostile_bodies_never_cause_a_500(api: Api, raw: bytes) -> None:
    key = await api.key("kp:agent:fuzz")
    for path in ("/v1/auth/register", "/v1/skills", "/v1/knowledge", "/v1/auth/revoke"):
        response = await api.request("POST", path, key, content=raw)
        assert response.status_code < 500, (path, response.text)


async def test_the_openapi_document_is_served(api: Api) -> None:
    response = await api.client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")
    assert (await api.client.get("/docs")).status_code == 200


@pytest.mark.parametrize(
    "url", ["/v1/knowledge?domain=%00", "/v1/knowledge/a%00b", "/v1/skills?q=x%00y"]
)
async def test_nul_characters_in_paths_and_queries_are_a_400(api: Api, url: str) -> None:
    response = await api.client.get(url)
    assert response.status_code == 400
    assert response.json() == {"error": "Request contains a NUL character"}
