"""`GET /v1/export/{agent_id}` (registry-api.md §8.10 with [FIX-S18])."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from knowledgepulse.registry.credits.tables import credit_transactions
from knowledgepulse.registry.db.changes import next_change_seq
from knowledgepulse.registry.marketplace.tables import marketplace_listings, subscriptions
from knowledgepulse.registry.sop.tables import sops
from tests.registry._units import reasoning_trace
from tests.registry.api._api import Api

T0 = "2026-11-24T18:07:14.485Z"
T1 = "2026-12-24T18:07:14.485Z"


def trace(**meta: Any) -> dict[str, Any]:
    return reasoning_trace(**{"created_at": T0, **meta})


async def test_export_needs_a_credential_and_is_self_or_admin(api: Api) -> None:
    await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    anonymous = await api.client.get("/v1/export/kp:agent:alice")
    assert (anonymous.status_code, anonymous.json()) == (401, {"error": "Authentication required"})
    other = await api.request("GET", "/v1/export/kp:agent:alice", bob)
    assert (other.status_code, other.json()) == (
        403,
        {"error": "Forbidden: can only export your own data"},
    )


async def test_own_export_has_the_reference_fields_and_the_s18_additions(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    private = trace(visibility="private")
    public = trace()
    for unit in (private, public):
        assert (await api.request("POST", "/v1/knowledge", alice, json=unit)).status_code == 201
    bobs = trace()
    await api.request("POST", "/v1/knowledge", bob, json=bobs)
    await api.request("POST", f"/v1/knowledge/{bobs['id']}/report", alice, json={"reason": "r"})
    second_key = (
        await api.client.post(
            "/v1/auth/register",
            json={"agent_id": "kp:agent:alice", "scopes": ["read"]},
            headers={"Authorization": f"Bearer {alice}"},
        )
    ).json()["data"]
    await api.request(
        "POST", "/v1/auth/revoke", alice, json={"key_prefix": second_key["key_prefix"]}
    )

    response = await api.request("GET", "/v1/export/kp:agent:alice", alice)
    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data)[:7] == [
        "@context",
        "agent_id",
        "exported_at",
        "total_contributions",
        "knowledge_units",
        "reputation",
        "api_keys",
    ]
    assert data["@context"] == "https://openknowledgepulse.org/export/v1"
    assert data["agent_id"] == "kp:agent:alice"
    assert data["total_contributions"] == 2
    assert [u["id"] for u in data["knowledge_units"]] == [private["id"], public["id"]]
    assert data["knowledge_units"][0]["metadata"]["agent_id"] == "kp:agent:alice"
    assert data["reputation"]["agent_id"] == "kp:agent:alice"
    assert [h["reason"] for h in data["reputation"]["history"]] == [
        "Initial registration bonus",
        "Contributed ReasoningTrace",
        "Contributed ReasoningTrace",
    ]
    keys = data["api_keys"]
    assert [k["revoked"] for k in keys] == [False, True]
    assert "revoked_at" in keys[1]
    assert "revoked_at" not in keys[0]
    assert all("key_hash" not in k for k in keys)
    assert set(keys[0]) == {"key_prefix", "agent_id", "scopes", "tier", "created_at", "revoked"}
    assert [r["unit_id"] for r in data["security_reports"]] == [bobs["id"]]
    assert data["security_reports"][0]["reporter_id"] == "kp:agent:alice"
    for empty in ("sops", "marketplace_listings", "credit_transactions", "subscriptions", "badges"):
        assert data[empty] == [], empty


async def test_admins_export_anyone_and_unknown_agents_get_the_fallback_reputation(
    api: Api,
) -> None:
    admin = await api.key("kp:agent:admin", "admin")
    response = await api.request("GET", "/v1/export/kp:agent:ghost", admin)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["reputation"] == {"score": 0, "contributions": 0, "validations": 0, "history": []}
    assert data["knowledge_units"] == []
    assert data["api_keys"] == []
    assert data["total_contributions"] == 0


async def test_export_includes_sops_listings_credits_subscriptions_and_badges(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    sop = {"@type": "ExpertSOP", "id": "kp:sop:1", "name": "Deploy", "domain": "devops"}
    async with api.app.state.container.unit_of_work(write=True) as tx:
        conn = tx.conn
        await conn.execute(
            sops.insert().values(
                id="kp:sop:1",
                sop_json=sop,
                version=2,
                previous_version_id="kp:sop:1",
                status="draft",
                visibility="private",
                domain_lc="devops",
                agent_id="kp:agent:alice",
                quality_score=0.7,
                created_at=T0,
                updated_at=T1,
                change_seq=await next_change_seq(conn),
            )
        )
        await conn.execute(
            marketplace_listings.insert().values(
                id="kp:listing:1",
                knowledge_unit_id="kp:trace:1",
                contributor_id="kp:agent:alice",
                price_credits=Decimal("12.5"),
                access_model="org",
                domain="DevOps",
                domain_lc="devops",
                title="T",
                description="D",
                purchases=3,
                created_at=T0,
                updated_at=T1,
            )
        )
        for amount, kind in ((Decimal(100), "refill"), (Decimal("-12.5"), "spent")):
            await conn.execute(
                credit_transactions.insert().values(
                    id=str(uuid.uuid4()),
                    agent_id="kp:agent:alice",
                    amount=amount,
                    type=kind,
                    description=kind,
                    created_at=T0,
                )
            )
        await conn.execute(
            subscriptions.insert().values(
                id="sub-1",
                agent_id="kp:agent:alice",
                domain="devops",
                credits_per_month=Decimal(50),
                started_at=T0,
                expires_at=T1,
                status="cancelled",
            )
        )
        for _ in range(10):
            await tx.reputation.award("kp:agent:alice", 0.1, "Contributed fixture")
    data = (await api.request("GET", "/v1/export/kp:agent:alice", alice)).json()["data"]
    assert data["sops"] == [
        {
            "id": "kp:sop:1",
            "sop": sop,
            "version": 2,
            "previous_version_id": "kp:sop:1",
            "status": "draft",
            "visibility": "private",
            "created_at": T0,
            "updated_at": T1,
        }
    ]
    assert data["marketplace_listings"] == [
        {
            "id": "kp:listing:1",
            "knowledge_unit_id": "kp:trace:1",
            "contributor_id": "kp:agent:alice",
            "price_credits": 12.5,
            "access_model": "org",
            "domain": "DevOps",
            "title": "T",
            "description": "D",
            "purchases": 3,
            "created_at": T0,
            "updated_at": T1,
        }
    ]
    assert [(t["amount"], t["type"]) for t in data["credit_transactions"]] == [
        (100, "refill"),
        (-12.5, "spent"),
    ]
    assert set(data["credit_transactions"][0]) == {
        "id",
        "agent_id",
        "amount",
        "type",
        "description",
        "created_at",
    }
    assert data["subscriptions"] == [
        {
            "id": "sub-1",
            "agent_id": "kp:agent:alice",
            "domain": "devops",
            "credits_per_month": 50,
            "started_at": T0,
            "expires_at": T1,
            "status": "cancelled",
        }
    ]
    assert [(b["level"], b["granted_by"]) for b in data["badges"]] == [("bronze", "system")]
