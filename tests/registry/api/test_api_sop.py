"""`/v1/sop` (registry-api.md §8.7 with [FIX-S3], S4, S10, S11, F6, R1, R11)."""

from __future__ import annotations

import asyncio
import copy
import uuid
from typing import Any

import pytest

from knowledgepulse.registry.auth.models import ANONYMOUS
from knowledgepulse.registry.errors import Unauthorized
from knowledgepulse.sdk.skillmd import parse_skill_md, validate_skill_md
from tests.registry.api._api import Api

# §8.7's observed export example, except the one line this implementation changes on
# purpose: the frontmatter `name` is the Agent Skills form of the SOP name.
EXPORT_EXAMPLE = """---
name: updated-sop
description: "Expert SOP for devops: Updated SOP"
version: 2.0.0
author: expert-42
tags:
  - devops
  - sop
  - expert
kp:
  domain: devops
  knowledge_capture: true
  visibility: network
---

# Updated SOP

Domain: devops

## Decision Tree

### Assess severity

Determine severity

**Criteria:**

- high: Prod down

**Conditions:**

- critical: Page on-call (SLA: 5 min)
- normal: Ticket

**Tool Suggestions:**

- PagerDuty: Critical

### Investigate

Analyze logs
"""


def sop_doc(owner: str | None = None, **fields: Any) -> dict[str, Any]:
    meta = fields.pop("metadata", {})
    doc: dict[str, Any] = {
        "@context": "https://openknowledgepulse.org/schema/v1",
        "@type": "ExpertSOP",
        "id": f"kp:sop:{uuid.uuid4()}",
        "name": "Incident triage",
        "domain": "DevOps",
        "metadata": {
            "created_at": "2026-11-24T18:07:14.485Z",
            "task_domain": "devops",
            "success": True,
            "quality_score": 0.8,
            "visibility": "network",
            "privacy_level": "aggregated",
            **meta,
        },
        "source": {"type": "human_expert", "expert_id": "expert-42", "credentials": []},
        "decision_tree": [{"step": "Assess severity", "instruction": "Determine severity"}],
        **fields,
    }
    if owner is not None:
        doc["metadata"]["agent_id"] = owner
    return doc


async def boost(api: Api, agent_id: str, delta: float = 0.2) -> None:
    """Raise an agent's KP-REP past the 0.3 SOP gate (0.1 bonus + 0.2)."""
    async with api.app.state.container.unit_of_work(write=True) as tx:
        await tx.reputation.award(agent_id, delta, "test boost")


async def author(api: Api, agent_id: str, *scopes: str) -> str:
    key = await api.key(agent_id, *scopes, tier="enterprise")
    await boost(api, agent_id)
    return key


async def read_only_key(api: Api, agent_id: str, key: str) -> str:
    """A second key of the same agent with the `read` scope only."""
    body = {"agent_id": agent_id, "scopes": ["read"], "tier": "enterprise"}
    response = await api.request("POST", "/v1/auth/register", key, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]["api_key"]


async def create(api: Api, key: str, doc: dict[str, Any]) -> Any:
    return await api.request("POST", "/v1/sop", key, json=doc)


async def expect(response: Any, status: int, error: str) -> None:
    assert (response.status_code, response.json()) == (status, {"error": error}), response.text


async def test_create_stores_version_one_in_draft_and_rewards_the_author(api: Api) -> None:
    alice = await author(api, "kp:agent:alice")
    doc = sop_doc(extra="stripped", metadata={"foo": "stripped"})
    response = await create(api, alice, doc)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert set(data) == {"id", "sop", "version", "status", "visibility", "created_at", "updated_at"}
    assert (data["id"], data["version"], data["status"]) == (doc["id"], 1, "draft")
    assert data["visibility"] == "network"
    assert data["created_at"] == data["updated_at"]
    assert "extra" not in data["sop"]
    assert "foo" not in data["sop"]["metadata"]
    assert data["sop"]["metadata"]["agent_id"] == "kp:agent:alice"
    assert (await api.client.get(f"/v1/sop/{doc['id']}")).json() == {"data": data}
    versions = (await api.client.get(f"/v1/sop/{doc['id']}/versions")).json()["data"]
    assert versions == [
        {
            "sop_id": doc["id"],
            "version": 1,
            "diff_summary": "Initial version",
            "created_at": data["created_at"],
        }
    ]
    record = (await api.client.get("/v1/reputation/kp:agent:alice")).json()["data"]
    assert record["history"][-1]["reason"] == "Contributed ExpertSOP"
    assert record["history"][-1]["delta"] == 0.15


async def test_create_error_rows_in_order(api: Api) -> None:
    reader = await author(api, "kp:agent:reader", "read")
    newcomer = await api.key("kp:agent:newcomer", tier="enterprise")
    writer = await author(api, "kp:agent:writer")
    await expect(await create(api, reader, sop_doc()), 403, "Write or admin scope required")
    await expect(
        await create(api, newcomer, sop_doc()),
        403,
        "Minimum KP-REP score of 0.3 required to create SOPs",
    )
    await expect(
        await api.request("POST", "/v1/sop", writer, content=b"{nope"), 400, "Invalid JSON body"
    )
    await expect(await api.request("POST", "/v1/sop", writer), 400, "Invalid JSON body")
    bad = sop_doc(id="kp:trace:1", decision_tree=[])
    response = await create(api, writer, bad)
    assert response.status_code == 400
    assert response.json() == {
        "error": "Invalid ExpertSOP",
        "issues": [
            {"path": "id", "message": 'Invalid input: must start with "kp:sop:"'},
            {"path": "decision_tree", "message": "Array must contain at least 1 element(s)"},
        ],
    }
    not_object = await api.request("POST", "/v1/sop", writer, content=b"null")
    assert not_object.json() == {
        "error": "Invalid ExpertSOP",
        "issues": [{"path": "", "message": "Expected object, received null"}],
    }
    await expect(
        await create(api, writer, sop_doc(owner="kp:agent:someone-else")),
        403,
        "metadata.agent_id must match the authenticated agent",
    )
    # The anonymous row: unreachable over HTTP (the rate limiter answers 429 first).
    assert (await api.client.post("/v1/sop", json=sop_doc())).status_code == 429
    async with api.app.state.container.unit_of_work(write=True) as tx:
        with pytest.raises(Unauthorized, match="Authentication required"):
            await tx.sops.create(ANONYMOUS, sop_doc())


async def test_an_admin_may_attribute_an_sop_to_another_agent(api: Api) -> None:
    admin = await author(api, "kp:agent:admin", "admin")
    response = await create(api, admin, sop_doc(owner="kp:agent:bob"))
    assert response.status_code == 201
    assert response.json()["data"]["sop"]["metadata"]["agent_id"] == "kp:agent:bob"


async def test_an_existing_id_is_a_conflict_not_an_overwrite(api: Api) -> None:
    alice = await author(api, "kp:agent:alice")
    bob = await author(api, "kp:agent:bob")
    doc = sop_doc()
    assert (await create(api, alice, doc)).status_code == 201
    again = copy.deepcopy(doc)
    again["name"] = "Hijacked"
    await expect(await create(api, bob, again), 409, "SOP already exists")
    stored = (await api.client.get(f"/v1/sop/{doc['id']}")).json()["data"]
    assert stored["sop"]["name"] == "Incident triage"
    versions = (await api.client.get(f"/v1/sop/{doc['id']}/versions")).json()["data"]
    assert len(versions) == 1


async def test_concurrent_creates_of_one_id_give_one_201(api: Api) -> None:
    keys = [await author(api, f"kp:agent:c{i}") for i in range(4)]
    doc = sop_doc()
    responses = await asyncio.gather(*(create(api, keys[i % 4], doc) for i in range(20)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19


async def test_search_filters_orders_by_quality_and_pages(api: Api) -> None:
    alice = await author(api, "kp:agent:alice")
    bob = await author(api, "kp:agent:bob")
    low = sop_doc(name="Rollback a release", domain="Release", metadata={"quality_score": 0.2})
    mid = sop_doc(
        name="Ïnvestigate outage",
        decision_tree=[{"step": "Collect", "instruction": "Grab the 100% CPU_graphs"}],
        metadata={"quality_score": 0.5},
    )
    high = sop_doc(metadata={"quality_score": 0.9})
    for key, doc in ((alice, low), (bob, mid), (alice, high)):
        assert (await create(api, key, doc)).status_code == 201

    async def ids(query: str, key: str | None = None) -> list[str]:
        response = await api.request("GET", f"/v1/sop?{query}", key)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["data"]]

    assert await ids("") == [high["id"], mid["id"], low["id"]]
    assert await ids("q=ïNVESTIGATE") == [mid["id"]]  # Unicode case folding
    assert await ids("q=100%25 cpu_") == [mid["id"]]  # step instruction; wildcards literal
    assert await ids("q=%25") == [mid["id"]]
    assert await ids("q=release") == [low["id"]]  # the domain is searched too
    assert await ids("domain=devops") == [high["id"], mid["id"]]
    assert await ids("status=draft&limit=1&offset=1") == [mid["id"]]
    assert await ids("status=approved") == []
    page = (await api.client.get("/v1/sop?limit=1000&offset=-3")).json()
    assert (page["total"], page["offset"], page["limit"]) == (3, 0, 100)


async def test_mine_filters_before_paging_and_needs_a_caller(api: Api) -> None:
    alice = await author(api, "kp:agent:alice")
    bob = await author(api, "kp:agent:bob")
    for quality in (0.9, 0.8, 0.7):
        await create(api, bob, sop_doc(metadata={"quality_score": quality}))
    own = [sop_doc(metadata={"quality_score": q}) for q in (0.3, 0.2)]
    for doc in own:
        await create(api, alice, doc)
    body = (await api.request("GET", "/v1/sop?mine=true&limit=1&offset=1", alice)).json()
    assert [item["id"] for item in body["data"]] == [own[1]["id"]]
    assert (body["total"], body["offset"], body["limit"]) == (2, 1, 1)
    await expect(await api.client.get("/v1/sop?mine=true"), 401, "Authentication required")
    assert (await api.client.get("/v1/sop?mine=yes")).json()["total"] == 5


async def test_private_sops_are_visible_only_to_their_owner_and_admins(api: Api) -> None:
    alice = await author(api, "kp:agent:alice")
    bob = await author(api, "kp:agent:bob")
    admin = await api.key("kp:agent:admin", "admin")
    private = sop_doc(metadata={"visibility": "private"})
    org = sop_doc(metadata={"visibility": "org"})
    await create(api, alice, private)
    await create(api, alice, org)
    for key in (None, bob):
        listed = (await api.request("GET", "/v1/sop", key)).json()
        assert [item["id"] for item in listed["data"]] == [org["id"]]
        assert listed["total"] == 1
        for suffix in ("", "/versions"):
            response = await api.request("GET", f"/v1/sop/{private['id']}{suffix}", key)
            await expect(response, 404, "SOP not found")
    for key in (alice, admin):
        assert (await api.request("GET", "/v1/sop", key)).json()["total"] == 2
        assert (await api.request("GET", f"/v1/sop/{private['id']}", key)).status_code == 200
    url = f"/v1/sop/{private['id']}"
    await expect(await api.request("PUT", url, bob, json=private), 404, "SOP not found")
    await expect(await api.request("DELETE", url, bob), 404, "SOP not found")
    await expect(await api.request("POST", f"{url}/export-skill", bob), 404, "SOP not found")


async def test_get_and_versions_of_an_unknown_sop_are_404(api: Api) -> None:
    await expect(await api.client.get("/v1/sop/kp:sop:nope"), 404, "SOP not found")
    await expect(await api.client.get("/v1/sop/kp:sop:nope/versions"), 404, "SOP not found")


async def test_update_creates_the_next_version_back_in_draft(api: Api) -> None:
    writer = await author(api, "kp:agent:alice")
    alice = await read_only_key(api, "kp:agent:alice", writer)
    admin = await api.key("kp:agent:admin", "admin")
    doc = sop_doc()
    created = await create(api, writer, doc)
    assert created.status_code == 201
    url = f"/v1/sop/{doc['id']}"
    assert (await api.request("POST", f"{url}/approve", admin)).json()["data"]["status"] == (
        "approved"
    )
    changed = copy.deepcopy(doc)
    changed["name"] = "Updated triage"
    changed["metadata"]["visibility"] = "org"
    # A read-only owner may update (no scope check, §8.7).
    response = await api.request("PUT", url, alice, json=changed)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["version"], data["status"], data["previous_version_id"]) == (2, "draft", doc["id"])
    assert data["approved_by"] == "kp:agent:admin"  # kept, as in the reference
    assert data["visibility"] == "org"  # refreshed from the body ([FIX-R11])
    assert data["sop"]["name"] == "Updated triage"
    assert data["sop"]["metadata"]["agent_id"] == "kp:agent:alice"  # owner kept
    assert data["created_at"] == created.json()["data"]["created_at"]
    versions = (await api.client.get(f"{url}/versions")).json()["data"]
    assert [(v["version"], v["diff_summary"]) for v in versions] == [
        (1, "Initial version"),
        (2, "Updated to version 2"),
    ]


async def test_update_error_rows_in_order(api: Api) -> None:
    alice = await author(api, "kp:agent:alice")
    bob = await author(api, "kp:agent:bob")
    admin = await api.key("kp:agent:admin", "admin")
    doc = sop_doc()
    await create(api, alice, doc)
    url = f"/v1/sop/{doc['id']}"
    await expect(await api.client.put(url, json=doc), 401, "Authentication required")
    await expect(
        await api.request("PUT", "/v1/sop/kp:sop:nope", alice, json=doc), 404, "SOP not found"
    )
    await expect(
        await api.request("PUT", url, bob, json=doc),
        403,
        "Forbidden: only owner or admin can update",
    )
    await expect(await api.request("PUT", url, alice, content=b"[1,"), 400, "Invalid JSON body")
    invalid = await api.request("PUT", url, alice, json={**doc, "name": ""})
    assert invalid.json() == {
        "error": "Invalid ExpertSOP",
        "issues": [{"path": "name", "message": "String must contain at least 1 character(s)"}],
    }
    other_id = {**doc, "id": "kp:sop:other"}
    await expect(
        await api.request("PUT", url, alice, json=other_id), 400, "SOP id in body must match URL"
    )
    stolen = sop_doc(id=doc["id"], owner="kp:agent:bob")
    await expect(
        await api.request("PUT", url, alice, json=stolen),
        403,
        "metadata.agent_id must match the authenticated agent",
    )
    # An admin may hand the SOP to another owner.
    moved = await api.request("PUT", url, admin, json=stolen)
    assert moved.status_code == 200
    assert moved.json()["data"]["sop"]["metadata"]["agent_id"] == "kp:agent:bob"
    assert (await api.request("PUT", url, bob, json=stolen)).json()["data"]["version"] == 3


async def test_concurrent_updates_get_consecutive_versions(api: Api) -> None:
    alice = await author(api, "kp:agent:alice")
    doc = sop_doc()
    await create(api, alice, doc)
    url = f"/v1/sop/{doc['id']}"
    responses = await asyncio.gather(*(api.request("PUT", url, alice, json=doc) for _ in range(8)))
    assert sorted(r.json()["data"]["version"] for r in responses) == list(range(2, 10))
    versions = (await api.client.get(f"{url}/versions")).json()["data"]
    assert [v["version"] for v in versions] == list(range(1, 10))


async def test_approve_is_admin_only(api: Api) -> None:
    alice = await author(api, "kp:agent:alice")
    admin = await api.key("kp:agent:admin", "admin")
    doc = sop_doc()
    await create(api, alice, doc)
    url = f"/v1/sop/{doc['id']}/approve"
    await expect(await api.request("POST", url, alice), 403, "Admin scope required")
    await expect(
        await api.request("POST", "/v1/sop/kp:sop:nope/approve", admin), 404, "SOP not found"
    )
    response = await api.request("POST", url, admin, content=b"ignored, not JSON")
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["status"], data["approved_by"], data["version"]) == (
        "approved",
        "kp:agent:admin",
        1,
    )
    assert data["updated_at"] >= data["created_at"]
    async with api.app.state.container.unit_of_work(write=True) as tx:
        with pytest.raises(Unauthorized, match="Authentication required"):
            await tx.sops.approve(ANONYMOUS, doc["id"])


async def test_export_reproduces_the_reference_document_and_stores_a_skill(api: Api) -> None:
    alice = await author(api, "kp:agent:alice")
    doc = sop_doc(
        name="Updated SOP",
        domain="devops",
        decision_tree=[
            {
                "step": "Assess severity",
                "instruction": "Determine severity",
                "criteria": {"high": "Prod down"},
                "conditions": {
                    "critical": {"action": "Page on-call", "sla_min": 5},
                    "normal": {"action": "Ticket", "sla_min": 0},
                },
                "tool_suggestions": [{"name": "PagerDuty", "when": "Critical"}],
            },
            {"step": "Investigate", "instruction": "Analyze logs"},
        ],
        metadata={"quality_score": 0.75},
    )
    await create(api, alice, doc)
    url = f"/v1/sop/{doc['id']}"
    assert (await api.request("PUT", url, alice, json=doc)).status_code == 200
    response = await api.request("POST", f"{url}/export-skill", alice)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["skill_md"] == EXPORT_EXAMPLE
    assert (data["sop_id"], data["sop_version"]) == (doc["id"], 2)
    assert validate_skill_md(data["skill_md"]).valid
    assert validate_skill_md(data["skill_md"], folder_name="updated-sop").valid
    skill = (await api.client.get(f"/v1/skills/{data['skill_id']}")).json()["data"]
    assert skill == {
        "id": data["skill_id"],
        "name": "updated-sop",
        "description": "Expert SOP for devops: Updated SOP",
        "version": "2.0.0",
        "author": "expert-42",
        "tags": ["devops", "sop", "expert"],
        "content": EXPORT_EXAMPLE,
        "visibility": "network",
        "quality_score": 0.75,
        "created_at": skill["created_at"],
        "updated_at": skill["created_at"],
    }
    found = (await api.client.get("/v1/skills?q=Updated SOP")).json()["data"]
    assert [s["id"] for s in found] == [data["skill_id"]]
    again = (await api.request("POST", f"{url}/export-skill", alice)).json()["data"]
    assert again["skill_id"] != data["skill_id"]  # every call stores a new skill
    record = (await api.client.get("/v1/reputation/kp:agent:alice")).json()["data"]
    assert "Contributed skill" not in [h["reason"] for h in record["history"]]


@pytest.mark.parametrize(
    "name",
    ["Incident triage", "K8s: roll back (prod)!", "ÉTAPE — Ünïcode", "---", "a" * 80, "ǅemal İz"],
)
async def test_exported_skills_pass_the_validator_whatever_the_sop_name(
    api: Api, name: str
) -> None:
    alice = await author(api, "kp:agent:alice")
    doc = sop_doc(
        name=name,
        domain="true",
        decision_tree=[
            {"step": "x: y", "instruction": "a # b", "criteria": {}, "conditions": {}},
        ],
    )
    await create(api, alice, doc)
    data = (await api.request("POST", f"/v1/sop/{doc['id']}/export-skill", alice)).json()["data"]
    result = validate_skill_md(data["skill_md"])
    assert result.valid, result.errors
    parsed = parse_skill_md(data["skill_md"])
    assert parsed.frontmatter.description == f"Expert SOP for true: {name}"
    assert parsed.frontmatter.tags == ("true", "sop", "expert")


async def test_export_error_rows_in_order(api: Api) -> None:
    alice = await author(api, "kp:agent:alice")
    reader = await api.key("kp:agent:reader", "read")
    doc = sop_doc()
    await create(api, alice, doc)
    url = f"/v1/sop/{doc['id']}/export-skill"
    await expect(await api.request("POST", url, reader), 403, "Write or admin scope required")
    await expect(
        await api.request("POST", "/v1/sop/kp:sop:nope/export-skill", alice),
        404,
        "SOP not found",
    )
    async with api.app.state.container.unit_of_work(write=True) as tx:
        with pytest.raises(Unauthorized, match="Authentication required"):
            await tx.sops.export_skill(ANONYMOUS, doc["id"])


async def test_delete_is_owner_or_admin_and_removes_the_versions(api: Api) -> None:
    writer = await author(api, "kp:agent:alice")
    alice = await read_only_key(api, "kp:agent:alice", writer)
    bob = await author(api, "kp:agent:bob")
    admin = await api.key("kp:agent:admin", "admin")
    mine, other = sop_doc(), sop_doc()
    await create(api, writer, mine)
    await create(api, writer, other)
    url = f"/v1/sop/{mine['id']}"
    await expect(await api.client.delete(url), 401, "Authentication required")
    await expect(await api.request("DELETE", "/v1/sop/kp:sop:nope", alice), 404, "SOP not found")
    await expect(
        await api.request("DELETE", url, bob), 403, "Forbidden: only owner or admin can delete"
    )
    response = await api.request("DELETE", url, alice)  # read-only owner: no scope check
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "deleted": True,
        "sop_id": mine["id"],
        "deleted_at": body["deleted_at"],
        "deleted_by": "kp:agent:alice",
    }
    await expect(await api.client.get(url), 404, "SOP not found")
    await expect(await api.client.get(f"{url}/versions"), 404, "SOP not found")
    by_admin = await api.request("DELETE", f"/v1/sop/{other['id']}", admin)
    assert by_admin.json()["deleted_by"] == "kp:agent:admin"
    assert (await api.client.get("/v1/sop")).json()["total"] == 0
    # The id can be used again, with a fresh history.
    assert (await create(api, writer, mine)).status_code == 201
    versions = (await api.client.get(f"{url}/versions")).json()["data"]
    assert [v["version"] for v in versions] == [1]


async def test_the_sop_called_collaborate_is_still_addressable(api: Api) -> None:
    await expect(await api.client.get("/v1/sop/collaborate"), 404, "SOP not found")
    assert (await api.client.get("/v1/sop/collaborate/rooms")).status_code == 200
