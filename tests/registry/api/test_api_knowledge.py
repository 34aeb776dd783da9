"""`/v1/knowledge` and reports/quarantine (registry-api.md §8.4–§8.5 and their fixes)."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from tests.registry._units import reasoning_trace
from tests.registry.api._api import Api


def trace(owner: str | None = None, **meta: Any) -> dict[str, Any]:
    if owner is not None:
        meta["agent_id"] = owner
    return reasoning_trace(task_domain="DevOps", **meta)


async def post_unit(api: Api, key: str, unit: dict[str, Any]) -> Any:
    return await api.request("POST", "/v1/knowledge", key, json=unit)


async def test_contribute_stores_the_unit_and_stamps_the_owner(api: Api) -> None:
    key = await api.key("kp:agent:alice")
    unit = trace(extra_field="dropped")
    response = await post_unit(api, key, unit)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["quality_score"] == 0.8
    stored = body["data"]
    assert stored["id"] == unit["id"]
    assert stored["visibility"] == "network"
    assert stored["unit"]["metadata"]["agent_id"] == "kp:agent:alice"
    assert "extra_field" not in stored["unit"]["metadata"]
    fetched = await api.client.get(f"/v1/knowledge/{unit['id']}")
    assert fetched.json() == {"data": stored}


async def test_contribute_checks_in_the_documented_order(make_api) -> None:
    api = await make_api(min_rep_for_write=0.25)
    reader = await api.key("kp:agent:reader", "read")
    writer = await api.key("kp:agent:writer")
    assert (await post_unit(api, reader, trace())).json() == {"error": "Write scope required"}
    low = await post_unit(api, writer, trace())
    assert low.status_code == 403
    assert low.json() == {"error": "Minimum KP-REP score of 0.25 required to contribute knowledge"}


async def test_invalid_units_get_the_issue_list(api: Api) -> None:
    key = await api.key("kp:agent:alice")
    bad = trace()
    bad["id"] = "kp:pattern:x"
    bad["metadata"]["quality_score"] = 2
    response = await post_unit(api, key, bad)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Invalid KnowledgeUnit"
    assert {
        "path": "metadata.quality_score",
        "message": "Number must be less than or equal to 1",
    } in body["issues"]
    not_object = await api.request("POST", "/v1/knowledge", key, json=[1])
    assert not_object.json() == {
        "error": "Invalid KnowledgeUnit",
        "issues": [{"path": "", "message": "Expected object, received array"}],
    }
    malformed = await api.request("POST", "/v1/knowledge", key, content=b"{")
    assert malformed.json() == {"error": "Invalid JSON body"}


async def test_a_duplicate_id_is_a_conflict_not_an_overwrite(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    unit = trace()
    assert (await post_unit(api, alice, unit)).status_code == 201
    again = copy.deepcopy(unit)
    again["task"]["objective"] = "hijacked"
    response = await post_unit(api, bob, again)
    assert response.status_code == 409
    assert response.json() == {"error": "Knowledge unit already exists"}
    stored = (await api.client.get(f"/v1/knowledge/{unit['id']}")).json()["data"]
    assert stored["unit"]["task"]["objective"] == "Restart a stuck deployment"


async def test_attributing_a_unit_to_another_agent_is_forbidden(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    response = await post_unit(api, alice, trace(owner="kp:agent:bob"))
    assert response.status_code == 403
    assert response.json() == {"error": "metadata.agent_id must match the authenticated agent"}


async def test_fifty_concurrent_contributions_of_one_id_give_one_201(api: Api) -> None:
    keys = [await api.key(f"kp:agent:c{i}") for i in range(5)]
    unit = trace()
    responses = await asyncio.gather(*(post_unit(api, keys[i % 5], unit) for i in range(50)))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1
    assert codes.count(409) == 49


async def test_search_filters_and_hides_private_units_from_strangers(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    public = trace(quality_score=0.5)
    private = trace(visibility="private", quality_score=0.9)
    for unit in (public, private):
        assert (await post_unit(api, alice, unit)).status_code == 201

    async def ids(query: str, key: str | None = None) -> list[str]:
        body = (await api.request("GET", f"/v1/knowledge?{query}", key)).json()
        return [u["id"] for u in body["data"]]

    assert await ids("") == [public["id"]]
    assert await ids("", alice) == [private["id"], public["id"]]
    assert await ids("", bob) == [public["id"]]
    # Equal texts tie on relevance (once both are embedded) and then go by quality.
    await api.search_settled()
    assert await ids("q=STUCK deployment", alice) == [private["id"], public["id"]]
    assert await ids("domain=devops&min_quality=0.6", alice) == [private["id"]]
    assert await ids("types=ToolCallPattern", alice) == []
    hidden = await api.request("GET", f"/v1/knowledge/{private['id']}", bob)
    assert hidden.status_code == 404


async def test_validation_rules(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    unit = trace()
    await post_unit(api, alice, unit)
    url = f"/v1/knowledge/{unit['id']}/validate"
    own = await api.request("POST", url, alice, json={"valid": True})
    assert own.status_code == 403
    assert own.json() == {"error": "Cannot validate your own contribution"}
    bad = await api.request("POST", url, bob, json={"valid": "yes"})
    assert bad.json() == {"error": "valid must be a boolean"}
    first = await api.request("POST", url, bob, json={"valid": True, "feedback": "ok"})
    assert first.status_code == 200
    assert first.json() == {"data": {"id": unit["id"], "validated": True, "feedback": "ok"}}
    again = await api.request("POST", url, bob, json={"valid": True})
    assert again.status_code == 409
    assert again.json() == {"error": "Already validated this unit"}
    stored = (await api.client.get(f"/v1/knowledge/{unit['id']}")).json()["data"]
    assert stored["unit"]["metadata"]["validated_by"] == ["kp:validator:kp:agent:bob"]
    missing = await api.request("POST", "/v1/knowledge/kp:trace:none/validate", bob, json={})
    assert missing.status_code == 404
    malformed = await api.request("POST", url, bob, content=b"")
    assert malformed.json() == {"error": "Invalid JSON body"}


async def test_fifty_concurrent_validations_by_distinct_agents_are_all_counted(api: Api) -> None:
    owner = await api.key("kp:agent:owner")
    unit = trace()
    await post_unit(api, owner, unit)
    keys = [await api.key(f"kp:agent:v{i}") for i in range(50)]
    url = f"/v1/knowledge/{unit['id']}/validate"
    responses = await asyncio.gather(*(api.request("POST", url, k, json={}) for k in keys))
    assert [r.status_code for r in responses] == [200] * 50
    stored = (await api.client.get(f"/v1/knowledge/{unit['id']}")).json()["data"]
    assert len(set(stored["unit"]["metadata"]["validated_by"])) == 50


async def test_erase_is_for_the_owner_or_an_admin(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob", "read")
    unit = trace()
    await post_unit(api, alice, unit)
    url = f"/v1/knowledge/{unit['id']}"
    assert (await api.client.delete(url)).json() == {"error": "Authentication required"}
    denied = await api.request("DELETE", url, bob)
    assert denied.status_code == 403
    assert denied.json() == {"error": "Forbidden: can only delete your own contributions"}
    erased = await api.request("DELETE", url, alice)
    assert erased.status_code == 200
    body = erased.json()
    assert (body["deleted"], body["unit_id"], body["deleted_by"]) == (
        True,
        unit["id"],
        "kp:agent:alice",
    )
    assert (await api.client.get(url)).status_code == 404
    assert (await api.request("DELETE", url, alice)).status_code == 404


async def test_reports_quarantine_at_the_threshold_and_admins_resolve(api: Api) -> None:
    owner = await api.key("kp:agent:owner")
    reporters = [await api.key(f"kp:agent:r{i}") for i in range(3)]
    admin = await api.key("kp:agent:admin", "admin")
    unit = trace()
    await post_unit(api, owner, unit)
    url = f"/v1/knowledge/{unit['id']}/report"
    statuses = []
    for key in [reporters[0], reporters[0], reporters[1], reporters[2]]:
        response = await api.request("POST", url, key, json={"reason": "bad"})
        assert response.status_code == 200
        statuses.append((response.json()["report_count"], response.json()["quarantine_status"]))
    assert statuses == [(1, "flagged"), (1, "flagged"), (2, "flagged"), (3, "quarantined")]
    assert (await api.client.get("/v1/knowledge")).json()["total"] == 0
    assert (await api.client.get(f"/v1/knowledge/{unit['id']}")).status_code == 200

    listing = await api.request("GET", "/v1/admin/quarantine", admin)
    assert listing.json() == {
        "data": [{"unit_id": unit["id"], "count": 3, "status": "quarantined"}],
        "total": 1,
    }
    resolved = await api.request(
        "POST", f"/v1/admin/quarantine/{unit['id']}/resolve", admin, json={"verdict": "keep"}
    )
    assert resolved.json() == {"unit_id": unit["id"], "verdict": "keep", "resolved": True}
    assert (await api.client.get("/v1/knowledge")).json()["total"] == 1
    assert (await api.request("GET", "/v1/admin/quarantine", admin)).json()["total"] == 0


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"verdict": "maybe"}, 400, "verdict must be 'keep' or 'remove'"),
        ({"verdict": "remove"}, 404, "Knowledge unit not found"),
    ],
)
async def test_resolve_error_rows(api: Api, body: dict, status: int, error: str) -> None:
    admin = await api.key("kp:agent:admin", "admin")
    response = await api.request(
        "POST", "/v1/admin/quarantine/kp:trace:none/resolve", admin, json=body
    )
    assert response.status_code == status
    assert response.json() == {"error": error}


async def test_remove_verdict_deletes_the_unit_and_its_reports(api: Api) -> None:
    owner = await api.key("kp:agent:owner")
    reporter = await api.key("kp:agent:rep")
    admin = await api.key("kp:agent:admin", "admin")
    unit = trace()
    await post_unit(api, owner, unit)
    await api.request("POST", f"/v1/knowledge/{unit['id']}/report", reporter, json={})
    await api.request(
        "POST", f"/v1/admin/quarantine/{unit['id']}/resolve", admin, json={"verdict": "remove"}
    )
    assert (await api.client.get(f"/v1/knowledge/{unit['id']}")).status_code == 404
    assert (await api.request("GET", "/v1/admin/quarantine", admin)).json()["total"] == 0


async def test_report_and_admin_error_rows(api: Api) -> None:
    key = await api.key("kp:agent:someone")
    bad_reason = await api.request("POST", "/v1/knowledge/kp:trace:none/report", key, json={})
    assert bad_reason.json() == {"error": "Knowledge unit not found"}
    not_admin = await api.request("GET", "/v1/admin/quarantine", key)
    assert not_admin.status_code == 403
    assert not_admin.json() == {"error": "Admin scope required"}
    owner = await api.key("kp:agent:owner")
    unit = trace()
    await post_unit(api, owner, unit)
    response = await api.request(
        "POST", f"/v1/knowledge/{unit['id']}/report", key, json={"reason": 5}
    )
    assert response.json() == {"error": "reason must be a string"}
