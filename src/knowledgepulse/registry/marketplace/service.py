"""Marketplace rules: listings, purchases with revenue share, subscriptions.

registry-api.md §8.9 with [FIX-R5] (validated listings), F5 (null-safe search), F8 (refill
before a debit), S5 (own subscriptions only) and S6 (positive subscription price). A paid
purchase is one transaction: the buyer's debit, the contributor's payout and the purchase
record commit together or not at all.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from knowledgepulse._lib.timefmt import format_iso
from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.bodies import MALFORMED, MISSING, object_body
from knowledgepulse.registry.credits.models import exact_credits, wire_amount
from knowledgepulse.registry.credits.service import CreditService
from knowledgepulse.registry.errors import (
    Forbidden,
    Invalid,
    NotFound,
    PaymentRequired,
    Unauthorized,
)
from knowledgepulse.registry.infra.clock import Clock, SystemClock
from knowledgepulse.registry.marketplace.models import (
    Listing,
    ListingIn,
    ListingQuery,
    Subscription,
)
from knowledgepulse.registry.marketplace.store import ListingStore, SubscriptionStore
from knowledgepulse.sdk.validation import validate_model

__all__ = [
    "DEFAULT_REVENUE_SHARE",
    "DEFAULT_SUBSCRIPTION_PRICE",
    "SUBSCRIPTION_PERIOD",
    "MarketplaceService",
]

DEFAULT_REVENUE_SHARE = 0.7
DEFAULT_SUBSCRIPTION_PRICE = 50
SUBSCRIPTION_PERIOD = timedelta(days=30)
FREE_MESSAGE = "Free listing — no credits required"
PRICE_PRECISION = "Number must have at most 6 decimal places"
SUBSCRIBE_HINT = "Subscribe to this domain via POST /v1/marketplace/subscribe"


class MarketplaceService:
    """Runs inside the caller's transaction; never commits."""

    def __init__(
        self,
        listings: ListingStore,
        subscriptions: SubscriptionStore,
        credits: CreditService,
        *,
        revenue_share: float = DEFAULT_REVENUE_SHARE,
        subscription_price: float = DEFAULT_SUBSCRIPTION_PRICE,
        clock: Clock | None = None,
    ) -> None:
        self._listings = listings
        self._subscriptions = subscriptions
        self._credits = credits
        self._clock = clock or SystemClock()
        # Outside [0, 1] the reference falls back to 0.7 (§8.9); a bad default price to 50.
        share = revenue_share if math.isfinite(revenue_share) else -1.0
        self._share = Decimal(repr(float(share) if 0 <= share <= 1 else DEFAULT_REVENUE_SHARE))
        self._default_price = _default_price(subscription_price)

    async def search(self, query: ListingQuery) -> tuple[list[Listing], int]:
        """One page of listings matching the query, and the total."""
        return await self._listings.search(query)

    async def get(self, listing_id: str) -> Listing:
        """The listing; `NotFound` when absent."""
        listing = await self._listings.get(listing_id)
        if listing is None:
            raise NotFound("Listing not found")
        return listing

    async def create_listing(self, caller: AuthContext, payload: Any) -> Listing:
        """Validate and store a listing owned by the caller ([FIX-R5])."""
        if not caller.authenticated or caller.agent_id is None:
            raise Unauthorized("Authentication required")
        if not caller.can_write:
            raise Forbidden("Write or admin scope required")
        if payload is MALFORMED or payload is MISSING or payload is None:
            raise Invalid("Invalid JSON body")
        result = validate_model(ListingIn, payload, schema="listing")
        if not result.ok or result.value is None:
            raise Invalid(result.error_message, issues=[i.to_dict() for i in result.issues])
        body = result.value
        try:
            price = exact_credits(body["price_credits"])
        except ValueError:
            issue = {
                "path": "price_credits",
                "message": "Number must have at most 6 decimal places",
            }
            raise Invalid("Invalid listing", issues=[issue]) from None
        now = format_iso(self._now())
        listing = Listing(
            id=f"kp:listing:{uuid.uuid4()}",
            knowledge_unit_id=body["knowledge_unit_id"],
            contributor_id=caller.agent_id,
            price_credits=price,
            access_model=body["access_model"],
            domain=body["domain"],
            title=body["title"],
            description=body["description"],
            purchases=0,
            created_at=now,
            updated_at=now,
        )
        await self._listings.insert(listing)
        return listing

    async def my_listings(self, caller: AuthContext) -> list[Listing]:
        """Every listing the caller contributed, oldest first."""
        return await self._listings.by_contributor(_agent(caller))

    async def purchase(self, caller: AuthContext, listing_id: str) -> dict[str, Any]:
        """Buy a listing: free, via a subscription, or paid with the revenue split."""
        buyer = _agent(caller)
        listing = await self.get(listing_id)
        if listing.access_model == "free" or listing.price_credits == 0:
            return {
                "purchased": True,
                "credits_spent": 0,
                "contributor_payout": 0,
                "message": FREE_MESSAGE,
            }
        now = format_iso(self._now())
        if listing.access_model == "subscription":
            if not await self._subscriptions.has_access(buyer, listing.domain, now):
                raise PaymentRequired(
                    "Subscription required", domain=listing.domain, message=SUBSCRIBE_HINT
                )
            await self._listings.record_purchase(
                listing.id, buyer, Decimal(0), via_subscription=True, now=now
            )
            return {"purchased": True, "credits_spent": 0, "via_subscription": True}
        price = listing.price_credits
        payout = (price * self._share).to_integral_value(rounding=ROUND_FLOOR)
        # Both balances are locked in one global order before either changes (no deadlock
        # between two agents buying from each other).
        await self._credits.open_accounts([buyer, listing.contributor_id])
        await self._credits.refill_if_due(buyer, caller.tier)
        await self._credits.charge(
            buyer, price, f"Purchase listing: {listing.title}", listing_id=listing.id
        )
        if payout > 0:
            await self._credits.pay(
                listing.contributor_id,
                payout,
                "payout",
                f"Payout for listing: {listing.title}",
                listing_id=listing.id,
            )
        await self._listings.record_purchase(
            listing.id, buyer, price, via_subscription=False, now=now
        )
        return {
            "purchased": True,
            "credits_spent": wire_amount(price),
            "contributor_payout": wire_amount(payout),
            "platform_fee": wire_amount(price - payout),
        }

    async def subscribe(self, caller: AuthContext, payload: Any) -> Subscription:
        """Pay the first month and start (or restart) a subscription to a domain."""
        agent_id = _agent(caller)
        body = object_body(payload)
        domain = body.get("domain")
        if not isinstance(domain, str) or not domain:
            raise Invalid("domain is required")
        price = self._price(body.get("credits_per_month"))
        await self._credits.refill_if_due(agent_id, caller.tier)
        await self._credits.charge(agent_id, price, f"Subscription: {domain} (first month)")
        now = self._now()
        return await self._subscriptions.subscribe(
            agent_id,
            domain,
            price,
            now=format_iso(now),
            expires=format_iso(now + SUBSCRIPTION_PERIOD),
        )

    async def cancel(self, caller: AuthContext, subscription_id: str) -> dict[str, Any]:
        """Cancel one of the caller's subscriptions (admins: anyone's) ([FIX-S5])."""
        agent_id = _agent(caller)
        subscription = await self._subscriptions.get(subscription_id)
        if subscription is None or not (caller.is_admin or subscription.agent_id == agent_id):
            raise NotFound("Subscription not found")
        await self._subscriptions.cancel(subscription_id)
        return {"cancelled": True}

    async def subscriptions(self, caller: AuthContext) -> list[Subscription]:
        """The caller's active, unexpired subscriptions."""
        return await self._subscriptions.active(_agent(caller), format_iso(self._now()))

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock.time(), UTC)

    def _price(self, value: object) -> Decimal:
        if value is None:
            return self._default_price
        positive = (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and value > 0
        )
        if not positive:
            raise Invalid("credits_per_month must be a positive number")
        try:
            return exact_credits(value)  # type: ignore[arg-type]
        except ValueError as exc:
            raise Invalid(f"credits_per_month {exc}") from None


def _agent(caller: AuthContext) -> str:
    if not caller.authenticated or caller.agent_id is None:
        raise Unauthorized("Authentication required")
    return caller.agent_id


def _default_price(value: float) -> Decimal:
    try:
        price = exact_credits(value)
    except ValueError:
        return Decimal(DEFAULT_SUBSCRIPTION_PRICE)
    return price if price > 0 else Decimal(DEFAULT_SUBSCRIPTION_PRICE)
