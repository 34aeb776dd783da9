"""Credit rules: refills, debits, payouts, earnings, admin adjustments.

registry-api.md §8.9 (balance, earnings, credits) and §9.10 with [FIX-F7] (transaction
types) and [FIX-F8] (refill before every debit). Balances never go negative: a debit that
the balance does not cover changes nothing and raises, which rolls the request back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from knowledgepulse._lib.timefmt import format_iso
from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.bodies import object_body
from knowledgepulse.registry.credits.models import (
    Balance,
    exact_credits,
    refill_amount,
    wire_amount,
)
from knowledgepulse.registry.credits.store import CreditStore
from knowledgepulse.registry.errors import (
    Conflict,
    Forbidden,
    Invalid,
    PaymentRequired,
    Unauthorized,
)
from knowledgepulse.registry.infra.clock import Clock, SystemClock

__all__ = ["EARNINGS_WINDOW", "REFILL_PERIOD", "CreditService"]

REFILL_PERIOD = timedelta(days=30)
EARNINGS_WINDOW = 1000  # ledger rows read by `GET /v1/marketplace/earnings` (§8.9)
EARNING_TYPES = ("earned", "payout")


class CreditService:
    """Runs inside the caller's transaction; never commits."""

    def __init__(self, store: CreditStore, *, clock: Clock | None = None) -> None:
        self._store = store
        self._clock = clock or SystemClock()

    def now(self) -> datetime:
        """The current time of the injected clock, as an aware UTC datetime."""
        return datetime.fromtimestamp(self._clock.time(), UTC)

    async def balance(self, caller: AuthContext) -> Balance:
        """The caller's balance after the lazy refill check (initial, then every 30 days)."""
        agent_id = _agent(caller)
        refilled = await self.refill_if_due(agent_id, caller.tier)
        balance, last_refill = await self._store.get(agent_id)
        return Balance(balance, caller.tier, last_refill, refilled)

    async def refill_if_due(self, agent_id: str, tier: str) -> bool:
        """Add the tier's refill when it is due (§9.10); True when credits were added."""
        now = self.now()
        return await self._store.refill(
            agent_id,
            refill_amount(tier),
            due_before=format_iso(now - REFILL_PERIOD),
            now=format_iso(now),
            initial=f"Initial credit refill ({tier} tier)",
            monthly=f"Monthly credit refill ({tier} tier)",
        )

    async def open_accounts(self, agent_ids: Iterable[str]) -> None:
        """Lock the agents' balances in one global order (call first to move credits
        between two agents in one transaction: no deadlock)."""
        await self._store.open_accounts(agent_ids)

    async def charge(
        self, agent_id: str, amount: Decimal, description: str, *, listing_id: str | None = None
    ) -> None:
        """Deduct `amount` (type `spent`).

        Raises:
            PaymentRequired: the balance is lower than `amount`; nothing was changed.
        """
        now = format_iso(self.now())
        left = await self._store.debit(
            agent_id, amount, description=description, now=now, listing_id=listing_id
        )
        if left is None:
            balance, _ = await self._store.get(agent_id)
            raise PaymentRequired(
                "Insufficient credits", balance=wire_amount(balance), required=wire_amount(amount)
            )

    async def pay(
        self,
        agent_id: str,
        amount: Decimal,
        kind: str,
        description: str,
        *,
        listing_id: str | None = None,
    ) -> Decimal:
        """Add `amount` ≥ 0 with ledger type `kind`; returns the new balance."""
        now = format_iso(self.now())
        return await self._store.credit(
            agent_id, amount, kind=kind, description=description, now=now, listing_id=listing_id
        )

    async def earnings(self, caller: AuthContext) -> dict[str, Any]:
        """Payouts and admin grants among the caller's first 1000 ledger rows ([FIX-F7])."""
        agent_id = _agent(caller)
        rows = await self._store.transactions(agent_id, limit=EARNINGS_WINDOW)
        earned = [row for row in rows if row.type in EARNING_TYPES]
        total = sum((row.amount for row in earned), Decimal(0))
        return {
            "agent_id": agent_id,
            "total_earnings": wire_amount(total),
            "transactions": [row.to_wire() for row in earned],
        }

    async def adjust(self, caller: AuthContext, payload: Any) -> dict[str, Any]:
        """Admin credit adjustment: positive `earned`, negative `spent`, never below zero."""
        if not caller.authenticated:
            raise Unauthorized("Authentication required")
        if not caller.is_admin:
            raise Forbidden("Admin scope required")
        body = object_body(payload)
        agent_id, value, reason = body.get("agent_id"), body.get("amount"), body.get("reason")
        if not (_text(agent_id) and _number(value) and _text(reason)):
            raise Invalid("Missing required fields: agent_id, amount, reason")
        try:
            amount = exact_credits(value)
        except ValueError as exc:
            raise Invalid(f"amount {exc}") from None
        now = format_iso(self.now())
        if amount >= 0:
            new_balance = await self._store.credit(
                agent_id, amount, kind="earned", description=reason, now=now
            )
        else:
            await self._store.open_accounts([agent_id])
            debited = await self._store.debit(agent_id, -amount, description=reason, now=now)
            if debited is None:
                balance, _ = await self._store.get(agent_id)
                raise Conflict(
                    "Insufficient credits",
                    balance=wire_amount(balance),
                    required=wire_amount(-amount),
                )
            new_balance = debited
        return {
            "agent_id": agent_id,
            "amount": wire_amount(amount),
            "reason": reason,
            "new_balance": wire_amount(new_balance),
        }


def _agent(caller: AuthContext) -> str:
    if not caller.authenticated or caller.agent_id is None:
        raise Unauthorized("Authentication required")
    return caller.agent_id


def _text(value: object) -> bool:
    return isinstance(value, str) and value != ""


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
