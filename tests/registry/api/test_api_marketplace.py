"""`/v1/marketplace` (registry-api.md §8.9, §9.10 with [FIX-R5], F5, F7, F8, S5, S6)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from knowledgepulse._lib.timefmt import parse_iso
from knowledgepulse.registry.auth.models import ANONYMOUS
from knowledgepulse.registry.credits.tables import credit_transactions
from knowledgepulse.registry.errors import Unauthorized
from knowledgepulse.registry.infra import ManualClock
from tests.registry.api._api import Api

MONTH = 30 * 24 * 3600


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=time.time())


@pytest.fixture
async def capi(make_api: Any, clock: ManualClock) -> Api:
    return await make_api(clock=clock)


def listing_body(**fields: Any) -> dict[str, Any]:
    return {
        "knowledge_unit_id": "kp:sop:1",
        "price_credits": 10,
        "access_model": "org",
        "domain": "DevOps",
        "title": "Incident triage",
        "description": "How to triage incidents",
        **fields,
    }


async def new_listing(api: Api, key: str, **fields: Any) -> dict[str, Any]:
    response = await api.request(
        "POST", "/v1/marketplace/listings", key, json=listing_body(**fields)
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def buy(api: Api, key: str, listing_id: str) -> Any:
    return await api.request("POST", f"/v1/marketplace/purchase/{listing_id}", key)


async def balance(api: Api, key: str) -> dict[str, Any]:
    response = await api.request("GET", "/v1/marketplace/balance", key)
    assert response.status_code == 200, response.text
    return response.json()


async def ledger(api: Api, agent_id: str) -> list[tuple[Any, str, str]]:
    """(amount, type, description) of every ledger row of an agent, oldest first."""
    tc = credit_transactions.c
    async with api.app.state.container.unit_of_work(write=False) as tx:
        rows = await tx.conn.execute(
            sa.select(tc.amount, tc.type, tc.description)
            .where(tc.agent_id == agent_id)
            .order_by(tc.seq)
        )
    return [(float(r.amount), r.type, r.description) for r in rows]


async def expect(response: Any, status: int, body: dict[str, Any]) -> None:
    assert (response.status_code, response.json()) == (status, body), response.text


async def test_create_get_and_list_listings(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    created = await new_listing(api, alice, price_credits=10.5, extra="dropped")
    assert created["id"].startswith("kp:listing:")
    assert created == {
        "id": created["id"],
        "knowledge_unit_id": "kp:sop:1",
        "contributor_id": "kp:agent:alice",
        "price_credits": 10.5,
        "access_model": "org",
        "domain": "DevOps",
        "title": "Incident triage",
        "description": "How to triage incidents",
        "purchases": 0,
        "created_at": created["created_at"],
        "updated_at": created["created_at"],
    }
    fetched = await api.client.get(f"/v1/marketplace/listings/{created['id']}")
    assert fetched.json() == {"data": created}
    await expect(
        await api.client.get("/v1/marketplace/listings/kp:listing:nope"),
        404,
        {"error": "Listing not found"},
    )


async def test_create_listing_error_rows_in_order(api: Api) -> None:
    reader = await api.key("kp:agent:reader", "read")
    writer = await api.key("kp:agent:writer")
    url = "/v1/marketplace/listings"
    await expect(
        await api.request("POST", url, reader, json=listing_body()),
        403,
        {"error": "Write or admin scope required"},
    )
    for raw in (b"{", b"", b"null"):
        await expect(
            await api.request("POST", url, writer, content=raw), 400, {"error": "Invalid JSON body"}
        )
    await expect(
        await api.request("POST", url, writer, json=[1]),
        400,
        {
            "error": "Invalid listing",
            "issues": [{"path": "", "message": "Expected object, received array"}],
        },
    )
    await expect(
        await api.request("POST", url, writer, json={"price_credits": -1, "access_model": "x"}),
        400,
        {
            "error": "Invalid listing",
            "issues": [
                {"path": "knowledge_unit_id", "message": "Required"},
                {"path": "price_credits", "message": "Number must be greater than or equal to 0"},
                {
                    "path": "access_model",
                    "message": (
                        "Invalid enum value. Expected 'free' | 'org' | 'subscription', received 'x'"
                    ),
                },
                {"path": "domain", "message": "Required"},
                {"path": "title", "message": "Required"},
                {"path": "description", "message": "Required"},
            ],
        },
    )
    for price, message in (
        ("10", "Expected number, received string"),
        (True, "Expected number, received boolean"),
        (1e13, "Number must be less than or equal to 1000000000000"),
        (0.0000001, "Number must have at most 6 decimal places"),
    ):
        await expect(
            await api.request("POST", url, writer, json=listing_body(price_credits=price)),
            400,
            {"error": "Invalid listing", "issues": [{"path": "price_credits", "message": message}]},
        )
    await expect(
        await api.request("POST", url, writer, json=listing_body(title="")),
        400,
        {
            "error": "Invalid listing",
            "issues": [{"path": "title", "message": "String must contain at least 1 character(s)"}],
        },
    )
    assert (await api.client.get(url)).json()["total"] == 0
    async with api.app.state.container.unit_of_work(write=True) as tx:
        with pytest.raises(Unauthorized, match="Authentication required"):
            await tx.marketplace.create_listing(ANONYMOUS, listing_body())


async def test_search_filters_in_insertion_order(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    first = await new_listing(api, alice, domain="DevOps", title="Öl Wechsel", access_model="free")
    second = await new_listing(api, alice, domain="finance", description="Budget 100% done_")
    third = await new_listing(api, alice, domain="devops", access_model="subscription")

    async def ids(query: str) -> list[str]:
        response = await api.client.get(f"/v1/marketplace/listings?{query}")
        assert response.status_code == 200
        return [item["id"] for item in response.json()["data"]]

    assert await ids("") == [first["id"], second["id"], third["id"]]
    assert await ids("domain=DEVOPS") == [first["id"], third["id"]]
    assert await ids("access_model=free") == [first["id"]]
    assert await ids("access_model=Free") == []
    assert await ids("q=öL wECHSEL") == [first["id"]]  # Unicode case folding
    assert await ids("q=100%25 DONE_") == [second["id"]]
    assert await ids("q=triage&domain=devops&access_model=subscription") == [third["id"]]
    page = (await api.client.get("/v1/marketplace/listings?q=i&limit=1&offset=1")).json()
    assert (page["total"], page["offset"], page["limit"]) == (3, 1, 1)
    assert [item["id"] for item in page["data"]] == [second["id"]]


async def test_my_listings_returns_everything_of_the_caller(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    own = [await new_listing(api, alice, title=f"t{i}") for i in range(3)]
    await new_listing(api, bob)
    body = (await api.request("GET", "/v1/marketplace/my-listings", alice)).json()
    assert body == {"data": own, "total": 3, "offset": 0, "limit": 3}
    await expect(
        await api.client.get("/v1/marketplace/my-listings"),
        401,
        {"error": "Authentication required"},
    )


async def test_free_and_zero_price_listings_cost_nothing(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    free = await new_listing(api, alice, access_model="free", price_credits=25)
    zero = await new_listing(api, alice, access_model="org", price_credits=0)
    for item in (free, zero):
        await expect(
            await buy(api, bob, item["id"]),
            200,
            {
                "purchased": True,
                "credits_spent": 0,
                "contributor_payout": 0,
                "message": "Free listing — no credits required",
            },
        )
        stored = (await api.client.get(f"/v1/marketplace/listings/{item['id']}")).json()["data"]
        assert stored["purchases"] == 0
    assert await ledger(api, "kp:agent:bob") == []


async def test_paid_purchase_refills_first_and_splits_the_revenue(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    item = await new_listing(api, alice, price_credits=15)
    # [FIX-F8]: bob never asked for his balance, the purchase refills him first.
    await expect(
        await buy(api, bob, item["id"]),
        200,
        {"purchased": True, "credits_spent": 15, "contributor_payout": 10, "platform_fee": 5},
    )
    stored = (await api.client.get(f"/v1/marketplace/listings/{item['id']}")).json()["data"]
    assert stored["purchases"] == 1
    assert stored["updated_at"] >= stored["created_at"]
    assert await ledger(api, "kp:agent:bob") == [
        (100, "refill", "Initial credit refill (free tier)"),
        (-15, "spent", "Purchase listing: Incident triage"),
    ]
    assert await ledger(api, "kp:agent:alice") == [
        (10, "payout", "Payout for listing: Incident triage")
    ]
    assert (await balance(api, bob))["balance"] == 85
    earnings = (await api.request("GET", "/v1/marketplace/earnings", alice)).json()
    assert earnings["total_earnings"] == 10
    [payout] = earnings["transactions"]
    assert payout == {
        "id": payout["id"],
        "agent_id": "kp:agent:alice",
        "amount": 10,
        "type": "payout",
        "description": "Payout for listing: Incident triage",
        "created_at": payout["created_at"],
        "related_listing_id": item["id"],
    }
    # Repeat purchases are charged again; fractional prices stay exact.
    fractional = await new_listing(api, alice, price_credits=10.5)
    await expect(
        await buy(api, bob, fractional["id"]),
        200,
        {"purchased": True, "credits_spent": 10.5, "contributor_payout": 7, "platform_fee": 3.5},
    )
    assert (await buy(api, bob, item["id"])).status_code == 200
    assert (await balance(api, bob))["balance"] == 59.5


async def test_insufficient_credits_change_nothing(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    item = await new_listing(api, alice, price_credits=150)
    await expect(
        await buy(api, bob, item["id"]),
        402,
        {"error": "Insufficient credits", "balance": 100, "required": 150},
    )
    # The whole purchase rolled back, the refill it started with included.
    assert await ledger(api, "kp:agent:bob") == []
    assert await ledger(api, "kp:agent:alice") == []
    stored = (await api.client.get(f"/v1/marketplace/listings/{item['id']}")).json()["data"]
    assert stored["purchases"] == 0
    assert (await balance(api, bob))["balance"] == 100


async def test_buying_ones_own_listing_costs_the_platform_fee(api: Api) -> None:
    alice = await api.key("kp:agent:alice")
    item = await new_listing(api, alice, price_credits=10)
    assert (await buy(api, alice, item["id"])).json()["contributor_payout"] == 7
    assert (await balance(api, alice))["balance"] == 97


@pytest.mark.parametrize(("share", "payout"), [(0.5, 5), (0, 0), (1, 10), (1.5, 7), (-1, 7)])
async def test_the_revenue_share_setting(make_api: Any, share: float, payout: int) -> None:
    api = await make_api(marketplace_revenue_share=share)
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    item = await new_listing(api, alice, price_credits=10)
    body = (await buy(api, bob, item["id"])).json()
    assert (body["contributor_payout"], body["platform_fee"]) == (payout, 10 - payout)
    expected = [(payout, "payout", "Payout for listing: Incident triage")] if payout else []
    assert await ledger(api, "kp:agent:alice") == expected


async def test_subscription_listings_need_an_active_subscription_to_the_exact_domain(
    api: Api,
) -> None:
    alice = await api.key("kp:agent:alice")
    bob = await api.key("kp:agent:bob")
    item = await new_listing(api, alice, access_model="subscription", domain="DevOps")
    required = {
        "error": "Subscription required",
        "domain": "DevOps",
        "message": "Subscribe to this domain via POST /v1/marketplace/subscribe",
    }
    await expect(await buy(api, bob, item["id"]), 402, required)
    sub = await api.request("POST", "/v1/marketplace/subscribe", bob, json={"domain": "devops"})
    assert sub.status_code == 201
    await expect(await buy(api, bob, item["id"]), 402, required)  # case-sensitive domain
    await api.request("POST", "/v1/marketplace/subscribe", bob, json={"domain": "DevOps"})
    await expect(
        await buy(api, bob, item["id"]),
        200,
        {"purchased": True, "credits_spent": 0, "via_subscription": True},
    )
    stored = (await api.client.get(f"/v1/marketplace/listings/{item['id']}")).json()["data"]
    assert stored["purchases"] == 1
    assert await ledger(api, "kp:agent:alice") == []


async def test_purchase_error_rows(api: Api) -> None:
    bob = await api.key("kp:agent:bob")
    await expect(await buy(api, bob, "kp:listing:nope"), 404, {"error": "Listing not found"})
    assert (await api.client.post("/v1/marketplace/purchase/kp:listing:nope")).status_code == 429
    async with api.app.state.container.unit_of_work(write=True) as tx:
        with pytest.raises(Unauthorized, match="Authentication required"):
            await tx.marketplace.purchase(ANONYMOUS, "kp:listing:nope")


@pytest.mark.parametrize(("tier", "amount"), [("free", 100), ("pro", 1000), ("enterprise", 5000)])
async def test_balance_refills_once_per_tier(api: Api, tier: str, amount: int) -> None:
    key = await api.key("kp:agent:alice", tier=tier)
    first = await balance(api, key)
    assert first == {
        "balance": amount,
        "tier": tier,
        "last_refill": first["last_refill"],
        "refilled": True,
    }
    second = await balance(api, key)
    assert second == {**first, "refilled": False}
    assert await ledger(api, "kp:agent:alice") == [
        (amount, "refill", f"Initial credit refill ({tier} tier)")
    ]


async def test_balance_refills_again_only_after_more_than_thirty_days(
    capi: Api, clock: ManualClock
) -> None:
    key = await capi.key("kp:agent:alice")
    first = await balance(capi, key)
    clock.advance(MONTH)
    assert (await balance(capi, key))["refilled"] is False  # exactly 30 days: not yet
    clock.advance(1)
    later = await balance(capi, key)
    assert (later["balance"], later["refilled"]) == (200, True)
    assert parse_iso(later["last_refill"]) - parse_iso(first["last_refill"]) == timedelta(
        seconds=MONTH + 1
    )
    assert [row[2] for row in await ledger(capi, "kp:agent:alice")] == [
        "Initial credit refill (free tier)",
        "Monthly credit refill (free tier)",
    ]


async def test_credit_reads_need_a_caller(api: Api) -> None:
    for path in ("balance", "earnings", "subscriptions"):
        await expect(
            await api.client.get(f"/v1/marketplace/{path}"),
            401,
            {"error": "Authentication required"},
        )


async def test_earnings_count_payouts_and_grants_but_not_refills(api: Api) -> None:
    admin = await api.key("kp:agent:admin", "admin", tier="enterprise")
    alice = await api.key("kp:agent:alice")
    await balance(api, alice)
    grant = {"agent_id": "kp:agent:alice", "amount": 25, "reason": "Bonus"}
    assert (await api.request("POST", "/v1/marketplace/credits", admin, json=grant)).json() == {
        "agent_id": "kp:agent:alice",
        "amount": 25,
        "reason": "Bonus",
        "new_balance": 125,
    }
    body = (await api.request("GET", "/v1/marketplace/earnings", alice)).json()
    assert body["agent_id"] == "kp:agent:alice"
    assert body["total_earnings"] == 25
    assert [(t["amount"], t["type"], t["description"]) for t in body["transactions"]] == [
        (25, "earned", "Bonus")
    ]


async def test_admin_adjustments_never_overdraw(api: Api) -> None:
    admin = await api.key("kp:agent:admin", "admin", tier="enterprise")
    url = "/v1/marketplace/credits"

    async def adjust(amount: Any, agent: str = "kp:agent:bob") -> Any:
        body = {"agent_id": agent, "amount": amount, "reason": "Correction"}
        return await api.request("POST", url, admin, json=body)

    assert (await adjust(40)).json()["new_balance"] == 40
    assert (await adjust(-15.5)).json() == {
        "agent_id": "kp:agent:bob",
        "amount": -15.5,
        "reason": "Correction",
        "new_balance": 24.5,
    }
    await expect(
        await adjust(-30),
        409,
        {"error": "Insufficient credits", "balance": 24.5, "required": 30},
    )
    assert (await adjust(0)).json()["new_balance"] == 24.5
    await expect(
        await adjust(-1, agent="kp:agent:nobody"),
        409,
        {"error": "Insufficient credits", "balance": 0, "required": 1},
    )
    assert await ledger(api, "kp:agent:bob") == [
        (40, "earned", "Correction"),
        (-15.5, "spent", "Correction"),
        (0, "earned", "Correction"),
    ]


async def test_admin_adjustment_error_rows_in_order(api: Api) -> None:
    writer = await api.key("kp:agent:writer")
    admin = await api.key("kp:agent:admin", "admin", tier="enterprise")
    url = "/v1/marketplace/credits"
    good = {"agent_id": "kp:agent:bob", "amount": 5, "reason": "r"}
    await expect(
        await api.request("POST", url, writer, json=good), 403, {"error": "Admin scope required"}
    )
    await expect(
        await api.request("POST", url, admin, content=b"{"), 400, {"error": "Invalid JSON body"}
    )
    missing = {"error": "Missing required fields: agent_id, amount, reason"}
    for body in (
        {"amount": 5, "reason": "r"},
        {**good, "agent_id": ""},
        {**good, "amount": "5"},
        {**good, "amount": True},
        {**good, "amount": None},
        {**good, "reason": ""},
        {"agent_id": "kp:agent:bob", "amount": 5},
    ):
        await expect(await api.request("POST", url, admin, json=body), 400, missing)
    await expect(
        await api.request("POST", url, admin, json={**good, "amount": 0.0000001}),
        400,
        {"error": "amount must have at most 6 decimal places"},
    )
    await expect(
        await api.request("POST", url, admin, json={**good, "amount": 1e13}),
        400,
        {"error": "amount must be at most 1000000000000 in absolute value"},
    )
    async with api.app.state.container.unit_of_work(write=True) as tx:
        with pytest.raises(Unauthorized, match="Authentication required"):
            await tx.credits.adjust(ANONYMOUS, good)


async def test_subscribe_charges_the_first_month(api: Api) -> None:
    bob = await api.key("kp:agent:bob")
    response = await api.request("POST", "/v1/marketplace/subscribe", bob, json={"domain": "ml"})
    assert response.status_code == 201, response.text
    sub = response.json()["data"]
    assert sub == {
        "id": sub["id"],
        "agent_id": "kp:agent:bob",
        "domain": "ml",
        "credits_per_month": 50,
        "started_at": sub["started_at"],
        "expires_at": sub["expires_at"],
        "status": "active",
    }
    assert parse_iso(sub["expires_at"]) - parse_iso(sub["started_at"]) == timedelta(days=30)
    assert await ledger(api, "kp:agent:bob") == [
        (100, "refill", "Initial credit refill (free tier)"),
        (-50, "spent", "Subscription: ml (first month)"),
    ]
    listed = (await api.request("GET", "/v1/marketplace/subscriptions", bob)).json()
    assert listed == {"data": [sub]}
    # Re-subscribing charges again and keeps the record's id.
    again = await api.request(
        "POST", "/v1/marketplace/subscribe", bob, json={"domain": "ml", "credits_per_month": 20.5}
    )
    assert again.json()["data"]["id"] == sub["id"]
    assert again.json()["data"]["credits_per_month"] == 20.5
    assert (await balance(api, bob))["balance"] == 29.5
    await expect(
        await api.request("POST", "/v1/marketplace/subscribe", bob, json={"domain": "ml"}),
        402,
        {"error": "Insufficient credits", "balance": 29.5, "required": 50},
    )


async def test_subscribe_default_price_comes_from_the_settings(make_api: Any) -> None:
    api = await make_api(subscription_default_credits=7)
    bob = await api.key("kp:agent:bob")
    body = (
        await api.request("POST", "/v1/marketplace/subscribe", bob, json={"domain": "x"})
    ).json()
    assert body["data"]["credits_per_month"] == 7


async def test_subscribe_error_rows_in_order(api: Api) -> None:
    bob = await api.key("kp:agent:bob")
    url = "/v1/marketplace/subscribe"
    await expect(
        await api.request("POST", url, bob, content=b"nope"), 400, {"error": "Invalid JSON body"}
    )
    for body in ({}, {"domain": ""}, {"domain": 5}, [1]):
        await expect(
            await api.request("POST", url, bob, json=body), 400, {"error": "domain is required"}
        )
    for price in (-50, 0, "10", True, {}):
        await expect(
            await api.request("POST", url, bob, json={"domain": "ml", "credits_per_month": price}),
            400,
            {"error": "credits_per_month must be a positive number"},
        )
    await expect(
        await api.request("POST", url, bob, json={"domain": "ml", "credits_per_month": 1.0000001}),
        400,
        {"error": "credits_per_month must have at most 6 decimal places"},
    )
    await expect(
        await api.request("POST", url, bob, json={"domain": "ml", "credits_per_month": 101}),
        402,
        {"error": "Insufficient credits", "balance": 100, "required": 101},
    )
    # Nothing was charged by the refused requests (the refill itself rolled back, too).
    assert await ledger(api, "kp:agent:bob") == []
    async with api.app.state.container.unit_of_work(write=True) as tx:
        with pytest.raises(Unauthorized, match="Authentication required"):
            await tx.marketplace.subscribe(ANONYMOUS, {"domain": "ml"})


async def test_cancel_is_for_the_subscriber_or_an_admin(api: Api) -> None:
    bob = await api.key("kp:agent:bob")
    eve = await api.key("kp:agent:eve")
    admin = await api.key("kp:agent:admin", "admin")
    sub = (
        await api.request("POST", "/v1/marketplace/subscribe", bob, json={"domain": "ml"})
    ).json()["data"]
    url = f"/v1/marketplace/subscribe/{sub['id']}"
    not_found = {"error": "Subscription not found"}
    await expect(await api.client.delete(url), 401, {"error": "Authentication required"})
    await expect(await api.request("DELETE", url, eve), 404, not_found)  # [FIX-S5]
    await expect(await api.request("DELETE", "/v1/marketplace/subscribe/nope", bob), 404, not_found)
    await expect(await api.request("DELETE", url, bob), 200, {"cancelled": True})
    await expect(await api.request("DELETE", url, admin), 200, {"cancelled": True})
    listed = await api.request("GET", "/v1/marketplace/subscriptions", bob)
    assert listed.json() == {"data": []}
    # Subscribing again re-activates the same record.
    again = await api.request(
        "POST", "/v1/marketplace/subscribe", bob, json={"domain": "ml", "credits_per_month": 1}
    )
    assert (again.json()["data"]["id"], again.json()["data"]["status"]) == (sub["id"], "active")


async def test_expired_subscriptions_give_no_access(capi: Api, clock: ManualClock) -> None:
    alice = await capi.key("kp:agent:alice")
    bob = await capi.key("kp:agent:bob")
    item = await new_listing(capi, alice, access_model="subscription", domain="ml")
    await capi.request("POST", "/v1/marketplace/subscribe", bob, json={"domain": "ml"})
    assert (await buy(capi, bob, item["id"])).status_code == 200
    clock.advance(MONTH + 1)
    assert (await buy(capi, bob, item["id"])).status_code == 402
    listed = await capi.request("GET", "/v1/marketplace/subscriptions", bob)
    assert listed.json() == {"data": []}
