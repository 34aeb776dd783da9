"""`/v1/reputation` (registry-api.md §8.6, §9.9 with [FIX-F11], S14 and the credential extension)."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import pytest

from knowledgepulse.registry.auth.models import ANONYMOUS
from knowledgepulse.registry.errors import Unauthorized
from knowledgepulse.registry.infra import ManualClock
from knowledgepulse.sdk.reputation import compute_eigentrust, verify_credential
from tests.registry._units import reasoning_trace
from tests.registry.api._api import Api

DAY = 86400.0


def trace(**meta: Any) -> dict[str, Any]:
    return reasoning_trace(**meta)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=time.time())


@pytest.fixture
async def capi(make_api: Any, clock: ManualClock) -> Api:
    """An app whose services read the hand-driven clock."""
    return await make_api(clock=clock)


async def certify(api: Api, admin: str, agent: str, **body: Any) -> Any:
    payload = {"domain": "devops", "target_level": "gold", **body}
    return await api.request("POST", f"/v1/reputation/{agent}/certify", admin, json=payload)


async def vote(api: Api, key: str, proposal_id: str, body: Any = None, **kw: Any) -> Any:
    url = f"/v1/reputation/proposals/{proposal_id}/vote"
    if "content" in kw:
        return await api.request("POST", url, key, content=kw["content"])
    return await api.request("POST", url, key, json={"approve": True} if body is None else body)


# -- records and leaderboard ---------------------------------------------------------------


async def test_unknown_agent_reads_as_zeros_without_history(api: Api) -> None:
    response = await api.client.get("/v1/reputation/kp:agent:nobody")
    assert response.status_code == 200
    assert response.json() == {
        "data": {"agent_id": "kp:agent:nobody", "score": 0, "contributions": 0, "validations": 0}
    }


async def test_registered_agent_has_the_bonus_in_its_history(api: Api) -> None:
    await api.key("kp:agent:alice")
    data = (await api.client.get("/v1/reputation/kp:agent:alice")).json()["data"]
    assert (data["score"], data["contributions"], data["validations"]) == (0.1, 1, 0)
    assert [(h["delta"], h["reason"]) for h in data["history"]] == [
        (0.1, "Initial registration bonus")
    ]
    assert data["updated_at"] == data["history"][0]["timestamp"]


async def test_leaderboard_orders_by_score_then_age_and_clamps_paging(api: Api) -> None:
    keys = {name: await api.key(f"kp:agent:{name}") for name in ("a", "b", "c")}
    await api.request("POST", "/v1/knowledge", keys["b"], json=trace())
    body = (await api.client.get("/v1/reputation/leaderboard")).json()
    assert [r["agent_id"] for r in body["data"]] == ["kp:agent:b", "kp:agent:a", "kp:agent:c"]
    assert (body["total"], body["offset"], body["limit"]) == (3, 0, 20)
    assert body["data"][0]["score"] == pytest.approx(0.3)
    assert [h["reason"] for h in body["data"][0]["history"]] == [
        "Initial registration bonus",
        "Contributed ReasoningTrace",
    ]
    page = (await api.client.get("/v1/reputation/leaderboard?limit=1&offset=1")).json()
    assert [r["agent_id"] for r in page["data"]] == ["kp:agent:a"]
    clamped = (await api.client.get("/v1/reputation/leaderboard?limit=abc&offset=-4")).json()
    assert (clamped["offset"], clamped["limit"]) == (0, 20)
    assert (await api.client.get("/v1/reputation/leaderboard?limit=500")).json()["limit"] == 100


async def test_static_paths_win_over_agent_ids(api: Api) -> None:
    assert (await api.client.get("/v1/reputation/proposals")).json() == {"data": []}
    assert "total" in (await api.client.get("/v1/reputation/leaderboard")).json()
    missing = await api.client.get("/v1/reputation/proposals/x")
    assert missing.status_code == 404


async def test_badges_are_empty_for_unknown_agents_and_bronze_comes_automatically(
    api: Api,
) -> None:
    assert (await api.client.get("/v1/reputation/kp:agent:x/badges")).json() == {"data": []}
    key = await api.key("kp:agent:busy", tier="enterprise")
    for _ in range(9):  # with the registration bonus: 10 positive deltas
        assert (await api.request("POST", "/v1/knowledge", key, json=trace())).status_code == 201
    badges = (await api.client.get("/v1/reputation/kp:agent:busy/badges")).json()["data"]
    assert badges == [
        {
            "badge_id": "badge-kp:agent:busy-general-bronze",
            "agent_id": "kp:agent:busy",
            "domain": "general",
            "level": "bronze",
            "granted_at": badges[0]["granted_at"],
            "granted_by": "system",
        }
    ]


# -- certification proposals ----------------------------------------------------------------


async def test_certify_is_for_admins_and_validates_its_body(api: Api) -> None:
    admin = await api.key("kp:agent:admin", "admin")
    writer = await api.key("kp:agent:writer")
    denied = await certify(api, writer, "kp:agent:x")
    assert denied.status_code == 403
    assert denied.json() == {"error": "Admin access required"}
    anonymous = await api.client.post("/v1/reputation/kp:agent:x/certify", json={})
    assert anonymous.status_code == 429
    url = "/v1/reputation/kp:agent:x/certify"
    malformed = await api.request("POST", url, admin, content=b"{")
    assert (malformed.status_code, malformed.json()) == (400, {"error": "Invalid JSON body"})
    for body in ({"domain": "devops"}, {"target_level": "gold", "domain": ""}, {}):
        response = await api.request("POST", url, admin, json=body)
        assert response.status_code == 400
        assert response.json() == {"error": "domain and target_level are required"}
    bad_level = await certify(api, admin, "kp:agent:x", target_level="silver")
    assert bad_level.status_code == 400
    assert bad_level.json() == {"error": "target_level must be 'gold' or 'authority'"}


async def test_certify_opens_a_seven_day_proposal_listed_until_it_closes(
    capi: Api, clock: ManualClock
) -> None:
    admin = await capi.key("kp:agent:admin", "admin")
    first = await certify(capi, admin, "kp:agent:x")
    clock.advance(0.001)  # creation order is `created_at` (milliseconds), then id
    second = await certify(capi, admin, "kp:agent:x", target_level="authority")
    assert first.status_code == 201
    proposal = first.json()["data"]
    assert proposal["proposal_id"].startswith("prop-")
    assert proposal == {
        "proposal_id": proposal["proposal_id"],
        "agent_id": "kp:agent:x",
        "domain": "devops",
        "target_level": "gold",
        "proposed_by": "kp:agent:admin",
        "votes": [],
        "status": "open",
        "created_at": proposal["created_at"],
        "closes_at": proposal["closes_at"],
    }
    created = time.strptime(proposal["created_at"][:19], "%Y-%m-%dT%H:%M:%S")
    closes = time.strptime(proposal["closes_at"][:19], "%Y-%m-%dT%H:%M:%S")
    assert time.mktime(closes) - time.mktime(created) == 7 * DAY
    listed = (await capi.client.get("/v1/reputation/proposals")).json()["data"]
    assert [p["proposal_id"] for p in listed] == [
        proposal["proposal_id"],
        second.json()["data"]["proposal_id"],
    ]
    clock.advance(7 * DAY)  # closes_at is exclusive: at that instant voting has ended
    assert (await capi.client.get("/v1/reputation/proposals")).json() == {"data": []}


async def voters(api: Api, clock: ManualClock, count: int, prefix: str = "v") -> list[str]:
    keys = [await api.key(f"kp:agent:{prefix}{i}") for i in range(count)]
    clock.advance(30 * DAY)  # the 30-day cooldown is inclusive
    return keys


async def test_five_approvals_grant_the_badge_by_community_vote(
    capi: Api, clock: ManualClock
) -> None:
    admin = await capi.key("kp:agent:admin", "admin")
    keys = await voters(capi, clock, 5)
    proposal_id = (await certify(capi, admin, "kp:agent:x")).json()["data"]["proposal_id"]
    weight = math.sqrt(0.1)
    for i, key in enumerate(keys[:4]):
        response = await vote(capi, key, proposal_id)
        assert response.status_code == 200
        assert response.json() == {
            "data": {
                "proposal_id": proposal_id,
                "vote": {"voter_id": f"kp:agent:v{i}", "approve": True, "weight": weight},
                "total_votes": i + 1,
                "status": "pending",
            }
        }
    listed = (await capi.client.get("/v1/reputation/proposals")).json()["data"]
    assert [v["voter_id"] for v in listed[0]["votes"]] == [f"kp:agent:v{i}" for i in range(4)]
    fifth = await vote(capi, keys[4], proposal_id)
    assert fifth.json()["data"]["status"] == "approved"
    assert fifth.json()["data"]["total_votes"] == 5
    assert (await capi.client.get("/v1/reputation/proposals")).json() == {"data": []}
    badges = (await capi.client.get("/v1/reputation/kp:agent:x/badges")).json()["data"]
    assert [(b["badge_id"], b["level"], b["granted_by"]) for b in badges] == [
        ("badge-kp:agent:x-devops-gold", "gold", "community-vote")
    ]
    late = await capi.key("kp:agent:late")
    clock.advance(30 * DAY)
    closed = await vote(capi, late, proposal_id)
    assert (closed.status_code, closed.json()) == (
        400,
        {"error": "Proposal is no longer open for voting"},
    )


async def test_a_weighted_rejection_closes_the_proposal_without_a_badge(
    capi: Api, clock: ManualClock
) -> None:
    admin = await capi.key("kp:agent:admin", "admin")
    keys = await voters(capi, clock, 5)
    proposal_id = (await certify(capi, admin, "kp:agent:x")).json()["data"]["proposal_id"]
    statuses = []
    for key, approve in zip(keys, [True, False, True, False, False], strict=True):
        response = await vote(capi, key, proposal_id, {"approve": approve})
        statuses.append(response.json()["data"]["status"])
    assert statuses == ["pending"] * 4 + ["rejected"]
    assert (await capi.client.get("/v1/reputation/kp:agent:x/badges")).json() == {"data": []}


async def test_vote_error_rows_in_the_documented_order(capi: Api, clock: ManualClock) -> None:
    admin = await capi.key("kp:agent:admin", "admin")
    target = await capi.key("kp:agent:x")
    veteran = await capi.key("kp:agent:veteran")
    clock.advance(30 * DAY)
    newcomer = await capi.key("kp:agent:new")
    proposal_id = (await certify(capi, admin, "kp:agent:x")).json()["data"]["proposal_id"]

    async def expect(key: str, pid: str, status: int, error: str, **kw: Any) -> None:
        response = await vote(capi, key, pid, **kw)
        assert (response.status_code, response.json()) == (status, {"error": error})

    await expect(veteran, "prop-none", 404, "Proposal not found")
    # [FIX-S14] comes before the cooldown: the target is refused even though it is too new.
    await expect(target, proposal_id, 403, "Cannot vote on your own certification")
    await expect(
        newcomer, proposal_id, 403, "Voter does not meet voting requirements (30-day cooldown)"
    )
    await expect(veteran, proposal_id, 400, "Invalid JSON body", content=b"not json")
    await expect(veteran, proposal_id, 400, "approve field must be a boolean", body={"approve": 1})
    assert (await vote(capi, veteran, proposal_id)).status_code == 200
    await expect(veteran, proposal_id, 400, "Already voted on this proposal", body={"x": 1})
    assert (
        await capi.client.post(f"/v1/reputation/proposals/{proposal_id}/vote")
    ).status_code == 429

    async with capi.app.state.container.unit_of_work(write=False) as tx:
        with pytest.raises(Unauthorized, match="Authentication required"):
            await tx.reputation.vote(ANONYMOUS, proposal_id, {"approve": True})

    clock.advance(7 * DAY)  # [FIX-F11]: past closes_at nobody can vote
    other = await capi.key("kp:agent:other")
    clock.advance(30 * DAY)
    await expect(other, proposal_id, 400, "Proposal is no longer open for voting")


async def test_concurrent_votes_by_one_agent_count_once(capi: Api, clock: ManualClock) -> None:
    admin = await capi.key("kp:agent:admin", "admin")
    (voter,) = await voters(capi, clock, 1)
    proposal_id = (await certify(capi, admin, "kp:agent:x")).json()["data"]["proposal_id"]
    responses = await asyncio.gather(*(vote(capi, voter, proposal_id) for _ in range(10)))
    assert sorted(r.status_code for r in responses) == [200] + [400] * 9
    listed = (await capi.client.get("/v1/reputation/proposals")).json()["data"]
    assert len(listed[0]["votes"]) == 1


# -- EigenTrust ----------------------------------------------------------------------------


async def test_recompute_is_admin_only_and_a_no_op_without_votes(api: Api) -> None:
    writer = await api.key("kp:agent:writer")
    admin = await api.key("kp:agent:admin", "admin")
    denied = await api.request("POST", "/v1/reputation/recompute", writer)
    assert (denied.status_code, denied.json()) == (403, {"error": "Admin access required"})
    empty = await api.request("POST", "/v1/reputation/recompute", admin, content=b"garbage")
    assert empty.json() == {"data": {"agents_updated": 0, "iterations": 0, "converged": True}}


async def test_recompute_moves_scores_to_eigentrust_shares(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    carol = await api.key("kp:agent:carol")
    admin = await api.key("kp:agent:admin", "admin")
    unit = trace()
    await api.request("POST", "/v1/knowledge", alice, json=unit)
    for key, valid in ((bob, True), (carol, False)):
        url = f"/v1/knowledge/{unit['id']}/validate"
        assert (await api.request("POST", url, key, json={"valid": valid})).status_code == 200
    expected = compute_eigentrust(
        [
            {"validatorId": "kp:agent:bob", "targetId": "kp:agent:alice", "valid": True},
            {"validatorId": "kp:agent:carol", "targetId": "kp:agent:alice", "valid": False},
        ]
    )
    response = await api.request("POST", "/v1/reputation/recompute", admin)
    assert response.json() == {
        "data": {
            "agents_updated": 3,
            "iterations": expected.iterations,
            "converged": expected.converged,
        }
    }
    for agent, trust in expected.scores.items():
        record = (await api.client.get(f"/v1/reputation/{agent}")).json()["data"]
        assert record["score"] == pytest.approx(trust * 100)
        assert record["history"][-1]["reason"] == "EigenTrust recomputation"
    again = await api.request("POST", "/v1/reputation/recompute", admin)
    assert again.json()["data"]["agents_updated"] == 3
    alice_record = (await api.client.get("/v1/reputation/kp:agent:alice")).json()["data"]
    assert [h["reason"] for h in alice_record["history"]].count("EigenTrust recomputation") == 1


# -- credentials ---------------------------------------------------------------------------


async def test_certified_agents_get_a_verifiable_credential(capi: Api, clock: ManualClock) -> None:
    admin = await capi.key("kp:agent:admin", "admin")
    await capi.key("kp:agent:x")
    keys = await voters(capi, clock, 5)
    url = "/v1/reputation/kp:agent:x/credential"
    not_yet = await capi.client.get(url)
    assert (not_yet.status_code, not_yet.json()) == (404, {"error": "Agent is not certified"})
    proposal_id = (await certify(capi, admin, "kp:agent:x")).json()["data"]["proposal_id"]
    for key in keys:
        await vote(capi, key, proposal_id)

    response = await capi.client.get(f"{url}?domain=devops")
    assert response.status_code == 200
    body = response.json()
    credential = body["data"]
    assert credential["issuer"] == "did:kp:registry"
    assert credential["type"] == ["VerifiableCredential", "KPReputationCredential"]
    assert credential["credentialSubject"] == {
        "id": "did:kp:agent:x",
        "score": 0.1,
        "contributions": 1,
        "validations": 0,
        "domain": "devops",
    }
    assert credential["proof"]["verificationMethod"] == "did:kp:registry#key-1"
    public_key = bytes.fromhex(body["public_key"])
    assert verify_credential(credential, public_key)
    credential["credentialSubject"]["score"] = 99
    assert not verify_credential(credential, public_key)

    undomained = (await capi.client.get(url)).json()
    assert "domain" not in undomained["data"]["credentialSubject"]
    assert undomained["public_key"] == body["public_key"]
    other_domain = await capi.client.get(f"{url}?domain=finance")
    assert other_domain.status_code == 404
