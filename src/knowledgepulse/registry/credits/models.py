"""Credit records (registry-api.md §6.1 CreditTransaction, §9.10; data-model.md §10).

Amounts are exact `Decimal`s (micro-credit precision, see `db.types.CreditAmount`); the wire
shows them as JSON numbers through `wire_amount`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = [
    "MAX_CREDITS",
    "REFILL_AMOUNTS",
    "Balance",
    "CreditTransaction",
    "exact_credits",
    "refill_amount",
    "wire_amount",
]

# Largest amount one request may move: far below the BIGINT micro-credit column's limit.
MAX_CREDITS = Decimal(10) ** 12
CREDIT_DECIMALS = 6
_MICRO = Decimal(1).scaleb(-CREDIT_DECIMALS)

# Monthly refill per tier (§9.10); any other tier gets the free amount.
REFILL_AMOUNTS = {"free": Decimal(100), "pro": Decimal(1000), "enterprise": Decimal(5000)}


def refill_amount(tier: str) -> Decimal:
    """The refill of `tier`: free 100, pro 1000, enterprise 5000, anything else 100."""
    return REFILL_AMOUNTS.get(tier, REFILL_AMOUNTS["free"])


def exact_credits(value: int | float) -> Decimal:
    """A JSON number as an exact credit amount (the decimal text the client sent).

    Raises:
        ValueError: more than six decimal places, or magnitude above `MAX_CREDITS`.
    """
    # repr() is the shortest text that round-trips: the number as the client wrote it.
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if abs(amount) > MAX_CREDITS:
        raise ValueError(f"must be at most {MAX_CREDITS} in absolute value")
    if amount != amount.quantize(_MICRO):
        raise ValueError(f"must have at most {CREDIT_DECIMALS} decimal places")
    return amount


def wire_amount(amount: Decimal) -> int | float:
    """A credit amount as a JSON number: an int when integral, else the nearest float."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


@dataclass(frozen=True, slots=True)
class CreditTransaction:
    """One ledger row: positive amounts add credits, negative ones deduct them."""

    id: str
    agent_id: str
    amount: Decimal
    type: str
    description: str
    created_at: str
    related_listing_id: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """The CreditTransaction JSON object; `related_listing_id` only when set."""
        out: dict[str, Any] = {
            "id": self.id,
            "agent_id": self.agent_id,
            "amount": wire_amount(self.amount),
            "type": self.type,
            "description": self.description,
            "created_at": self.created_at,
        }
        if self.related_listing_id is not None:
            out["related_listing_id"] = self.related_listing_id
        return out


@dataclass(frozen=True, slots=True)
class Balance:
    """An agent's balance after the refill check of `GET /v1/marketplace/balance`."""

    balance: Decimal
    tier: str
    last_refill: str | None
    refilled: bool

    def to_wire(self) -> dict[str, Any]:
        """`{balance, tier, last_refill, refilled}`; `last_refill` is null before any refill."""
        return {
            "balance": wire_amount(self.balance),
            "tier": self.tier,
            "last_refill": self.last_refill,
            "refilled": self.refilled,
        }
