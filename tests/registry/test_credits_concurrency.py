"""Credits under concurrency, on SQLite and PostgreSQL: no overdraft, nothing lost.

Every test ends with `assert_books_balance`: each balance equals the sum of its ledger
rows and is never negative; the credits that went in (refills and grants) equal the
balances plus what left for good (platform fees, subscriptions, negative adjustments);
every charge of a listing has its exact price and its payout, and the listings' purchase
counters match the purchase records.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from knowledgepulse.registry.app import create_app
from knowledgepulse.registry.credits.tables import credit_balances, credit_transactions
from knowledgepulse.registry.marketplace.tables import marketplace_listings, marketplace_purchases
from tests.registry.api._api import Api, settings_for


@pytest.fixture
async def api(db_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    app = create_app(settings_for(db_url, tmp_path))
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 50000)),
        base_url="http://testserver",
    )
    try:
        yield Api(client, app)
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


async def assert_books_balance(api: Api) -> None:
    """The ledger explains every balance, and credits in = balances + platform fees."""
    async with api.app.state.container.unit_of_work(write=False) as tx:
        conn = tx.conn
        balances = {
            row.agent_id: row.balance for row in await conn.execute(sa.select(credit_balances))
        }
        rows = list(await conn.execute(sa.select(credit_transactions)))
        listings = {r.id: r for r in await conn.execute(sa.select(marketplace_listings))}
        purchases = list(await conn.execute(sa.select(marketplace_purchases)))
    per_agent: dict[str, Decimal] = {}
    for row in rows:
        per_agent[row.agent_id] = per_agent.get(row.agent_id, Decimal(0)) + row.amount
    for agent_id, amount in balances.items():
        assert amount >= 0, agent_id
        assert amount == per_agent.get(agent_id, Decimal(0)), agent_id
    assert set(per_agent) <= set(balances)
    credits_in = sum(
        (r.amount for r in rows if r.type in ("refill", "earned") and r.amount > 0), Decimal(0)
    )
    paid = [r for r in rows if r.related_listing_id is not None and r.type == "spent"]
    payouts = [r for r in rows if r.type == "payout"]
    fees = -sum((r.amount for r in paid), Decimal(0)) - sum((r.amount for r in payouts), Decimal(0))
    assert credits_in - _debits_outside_purchases(rows) == sum(balances.values()) + fees
    for listing_id, listing in listings.items():
        recorded = [p for p in purchases if p.listing_id == listing_id]
        assert listing.purchases == len(recorded)
        charged = [r for r in paid if r.related_listing_id == listing_id]
        assert len(charged) == len([p for p in recorded if not p.via_subscription])
        assert all(r.amount == -listing.price_credits for r in charged)
        payout = (listing.price_credits * Decimal("0.7")).to_integral_value(ROUND_FLOOR)
        paid_out = [r.amount for r in payouts if r.related_listing_id == listing_id]
        assert paid_out == ([payout] * len(charged) if payout else [])


def _debits_outside_purchases(rows: list[Any]) -> Decimal:
    """Subscriptions and negative admin adjustments: credits that left for good."""
    return -sum(
        (r.amount for r in rows if r.type == "spent" and r.related_listing_id is None), Decimal(0)
    )


async def listing(api: Api, key: str, price: float) -> str:
    body = {
        "knowledge_unit_id": "kp:sop:1",
        "price_credits": price,
        "access_model": "org",
        "domain": "devops",
        "title": "Triage",
        "description": "How to triage",
    }
    response = await api.request("POST", "/v1/marketplace/listings", key, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


async def balance_of(api: Api, key: str) -> Any:
    return (await api.request("GET", "/v1/marketplace/balance", key)).json()["balance"]


async def test_fifty_concurrent_purchases_against_a_balance_for_ten(api: Api) -> None:
    seller = await api.key("kp:agent:seller", tier="pro")
    buyer = await api.key("kp:agent:buyer", tier="pro")
    assert await balance_of(api, buyer) == 1000
    listing_id = await listing(api, seller, 100)
    responses = await asyncio.gather(
        *(api.request("POST", f"/v1/marketplace/purchase/{listing_id}", buyer) for _ in range(50))
    )
    codes = [r.status_code for r in responses]
    assert (codes.count(200), codes.count(402)) == (10, 40), codes
    refused = [r.json() for r in responses if r.status_code == 402]
    assert all(
        body == {"error": "Insufficient credits", "balance": 0, "required": 100} for body in refused
    )
    assert await balance_of(api, buyer) == 0
    earnings = (await api.request("GET", "/v1/marketplace/earnings", seller)).json()
    assert earnings["total_earnings"] == 700
    stored = (await api.client.get(f"/v1/marketplace/listings/{listing_id}")).json()["data"]
    assert stored["purchases"] == 10
    await assert_books_balance(api)


async def test_agents_buying_from_each_other_at_once_never_deadlock(api: Api) -> None:
    alice = await api.key("kp:agent:alice", tier="pro")
    bob = await api.key("kp:agent:bob", tier="pro")
    from_alice = await listing(api, alice, 30)
    from_bob = await listing(api, bob, 40)
    requests = []
    for _ in range(20):
        requests.append(api.request("POST", f"/v1/marketplace/purchase/{from_bob}", alice))
        requests.append(api.request("POST", f"/v1/marketplace/purchase/{from_alice}", bob))
    responses = await asyncio.gather(*requests)
    assert {r.status_code for r in responses} <= {200, 402}
    assert any(r.status_code == 200 for r in responses)
    await assert_books_balance(api)


async def test_concurrent_first_balance_reads_refill_once(api: Api) -> None:
    key = await api.key("kp:agent:alice", tier="pro")
    bodies = await asyncio.gather(
        *(api.request("GET", "/v1/marketplace/balance", key) for _ in range(30))
    )
    assert [b.json()["refilled"] for b in bodies].count(True) == 1
    assert {b.json()["balance"] for b in bodies} == {1000}
    await assert_books_balance(api)


async def test_concurrent_subscriptions_and_purchases_share_one_balance(api: Api) -> None:
    seller = await api.key("kp:agent:seller", tier="pro")
    buyer = await api.key("kp:agent:buyer", tier="pro")
    listing_id = await listing(api, seller, 100)
    requests = []
    for i in range(10):
        body = {"domain": f"d{i}", "credits_per_month": 50}
        requests.append(api.request("POST", "/v1/marketplace/subscribe", buyer, json=body))
        requests.append(api.request("POST", f"/v1/marketplace/purchase/{listing_id}", buyer))
    responses = await asyncio.gather(*requests)
    assert {r.status_code for r in responses} <= {200, 201, 402}
    subscribed = sum(1 for r in responses if r.status_code == 201)
    bought = sum(1 for r in responses if r.status_code == 200)
    spent = subscribed * 50 + bought * 100
    assert 1000 - 50 < spent <= 1000  # everything that fit was sold, nothing more
    assert await balance_of(api, buyer) == 1000 - spent
    await assert_books_balance(api)


async def test_concurrent_negative_admin_adjustments_stop_at_zero(api: Api) -> None:
    admin = await api.key("kp:agent:admin", "admin", tier="enterprise")
    grant = {"agent_id": "kp:agent:bob", "amount": 100, "reason": "Start"}
    assert (
        await api.request("POST", "/v1/marketplace/credits", admin, json=grant)
    ).status_code == 200
    take = {"agent_id": "kp:agent:bob", "amount": -10, "reason": "Correction"}
    responses = await asyncio.gather(
        *(api.request("POST", "/v1/marketplace/credits", admin, json=take) for _ in range(25))
    )
    codes = [r.status_code for r in responses]
    assert (codes.count(200), codes.count(409)) == (10, 15)
    assert sorted(r.json()["new_balance"] for r in responses if r.status_code == 200) == list(
        range(0, 100, 10)
    )
    await assert_books_balance(api)
