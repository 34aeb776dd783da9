"""Marketplace records and inputs (registry-api.md §6.1, §8.9; data-model.md §11, §12)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le

from knowledgepulse.registry.credits.models import MAX_CREDITS, wire_amount
from knowledgepulse.sdk.models.base import WireModel
from knowledgepulse.sdk.models.wire_types import NonEmptyStr

__all__ = ["Listing", "ListingIn", "ListingQuery", "Subscription"]


class ListingIn(WireModel):
    """The body of `POST /v1/marketplace/listings`, validated per [FIX-R5].

    Unknown fields are stripped; issues use the §6.3 messages under `Invalid listing`.
    """

    knowledge_unit_id: NonEmptyStr
    price_credits: Annotated[float, Ge(0), Le(int(MAX_CREDITS))]
    access_model: Literal["free", "org", "subscription"]
    domain: NonEmptyStr
    title: NonEmptyStr
    description: NonEmptyStr


@dataclass(frozen=True, slots=True)
class Listing:
    """A marketplace listing; `purchases` counts paid and subscription purchases."""

    id: str
    knowledge_unit_id: str
    contributor_id: str
    price_credits: Decimal
    access_model: str
    domain: str
    title: str
    description: str
    purchases: int
    created_at: str
    updated_at: str

    def to_wire(self) -> dict[str, Any]:
        """The MarketplaceListing JSON object."""
        return {
            "id": self.id,
            "knowledge_unit_id": self.knowledge_unit_id,
            "contributor_id": self.contributor_id,
            "price_credits": wire_amount(self.price_credits),
            "access_model": self.access_model,
            "domain": self.domain,
            "title": self.title,
            "description": self.description,
            "purchases": self.purchases,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class ListingQuery:
    """Filters of `GET /v1/marketplace/listings` (AND-combined), insertion order."""

    domain: str | None = None
    access_model: str | None = None
    q: str | None = None
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True, slots=True)
class Subscription:
    """One agent's subscription to one domain (one row per agent and domain, X-27)."""

    id: str
    agent_id: str
    domain: str
    credits_per_month: Decimal
    started_at: str
    expires_at: str
    status: str

    def to_wire(self) -> dict[str, Any]:
        """The SubscriptionRecord JSON object."""
        return {
            "id": self.id,
            "agent_id": self.agent_id,
            "domain": self.domain,
            "credits_per_month": wire_amount(self.credits_per_month),
            "started_at": self.started_at,
            "expires_at": self.expires_at,
            "status": self.status,
        }
