"""Wire models of `/v1/marketplace` (listings, purchases, credits, subscriptions).

Bodies are parsed by hand (registry-api.md §13); these classes only document them.
Credit amounts are exact to six decimal places.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BalanceOut",
    "CancelOut",
    "CreditsIn",
    "CreditsOut",
    "EarningsOut",
    "ListingIn",
    "ListingOut",
    "ListingPage",
    "MyListingsOut",
    "PurchaseIn",
    "PurchaseOut",
    "SubscribeIn",
    "SubscriptionOut",
    "SubscriptionsOut",
]

AccessModel = Literal["free", "org", "subscription"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="allow")


class ListingIn(_Doc):
    """Body of `POST /v1/marketplace/listings`; every field is required."""

    knowledge_unit_id: str = Field(min_length=1)
    price_credits: float = Field(ge=0, le=1e12)
    access_model: AccessModel
    domain: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)


class _Listing(_Doc):
    id: str = Field(examples=["kp:listing:0b7c2f4e-1d2a-4a57-9a0e-6c1f0e9d2b11"])
    knowledge_unit_id: str
    contributor_id: str
    price_credits: float
    access_model: AccessModel
    domain: str
    title: str
    description: str
    purchases: int
    created_at: str
    updated_at: str


class ListingOut(_Doc):
    """`{"data": MarketplaceListing}`."""

    data: _Listing


class ListingPage(_Doc):
    """A page of listings in insertion order."""

    data: list[_Listing]
    total: int
    offset: int
    limit: int


class MyListingsOut(ListingPage):
    """All of the caller's listings (`offset` 0, `limit` = their number)."""


class PurchaseIn(_Doc):
    """No body is needed; anything sent is ignored."""


class PurchaseOut(_Doc):
    """Free: `message`; via subscription: `via_subscription`; paid: payout and fee."""

    purchased: bool
    credits_spent: float
    contributor_payout: float | None = None
    platform_fee: float | None = None
    via_subscription: bool | None = None
    message: str | None = None


class BalanceOut(_Doc):
    """The balance after the refill check."""

    balance: float
    tier: str
    last_refill: str | None
    refilled: bool


class _Transaction(_Doc):
    id: str
    agent_id: str
    amount: float = Field(description="positive: credit; negative: debit")
    type: Literal["purchase", "earned", "spent", "payout", "refill"]
    description: str
    related_listing_id: str | None = None
    created_at: str


class EarningsOut(_Doc):
    """Payouts and admin grants among the caller's first 1000 ledger rows."""

    agent_id: str
    total_earnings: float
    transactions: list[_Transaction]


class CreditsIn(_Doc):
    """Body of the admin credit adjustment; a negative amount may not overdraw."""

    agent_id: str
    amount: float
    reason: str


class CreditsOut(_Doc):
    """200 body of an admin credit adjustment."""

    agent_id: str
    amount: float
    reason: str
    new_balance: float


class SubscribeIn(_Doc):
    """Body of `POST /v1/marketplace/subscribe`; the price defaults to the configured one."""

    domain: str
    credits_per_month: float | None = Field(default=None, gt=0)


class _Subscription(_Doc):
    id: str
    agent_id: str
    domain: str
    credits_per_month: float
    started_at: str
    expires_at: str
    status: Literal["active", "expired", "cancelled"]


class SubscriptionOut(_Doc):
    """`{"data": SubscriptionRecord}`."""

    data: _Subscription


class SubscriptionsOut(_Doc):
    """The caller's active, unexpired subscriptions."""

    data: list[_Subscription]


class CancelOut(_Doc):
    """200 body of a cancellation."""

    cancelled: bool
