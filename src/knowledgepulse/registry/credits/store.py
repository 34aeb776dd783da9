"""SQL for credit balances and the credit ledger (data-model.md §10); never commits.

Every balance change is one conditional statement plus one ledger row in the caller's
transaction, so a balance always equals the sum of its ledger rows. Debits are a single
`UPDATE … WHERE balance >= :amount`: PostgreSQL re-checks the condition after waiting for
a concurrent writer's row lock, and SQLite write transactions are serialised by
`db.database.Database`; the `balance >= 0` CHECK constraint is the last line of defence.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.credits.models import CreditTransaction
from knowledgepulse.registry.credits.tables import credit_balances, credit_transactions
from knowledgepulse.registry.db import dml
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.types import format_timestamp

__all__ = ["CreditStore"]

bc = credit_balances.c
tc = credit_transactions.c


class CreditStore:
    """Balances (one row per agent) and the append-only ledger."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def open_accounts(self, agent_ids: Iterable[str]) -> None:
        """Create missing balance rows (at 0) and lock all of them, in agent-id order.

        Taking the row locks in one global order before changing two balances (buyer and
        contributor) means two purchases in opposite directions can never deadlock.
        """
        # One row at a time, each created (if new) and locked before the next one.
        for agent_id in sorted(set(agent_ids)):
            await self._conn.execute(
                dml.insert(self._conn, credit_balances)
                .values(agent_id=agent_id, balance=Decimal(0))
                .on_conflict_do_nothing(index_elements=[bc.agent_id])
            )
            await self._conn.execute(
                sa.select(bc.agent_id).where(bc.agent_id == agent_id).with_for_update()
            )

    async def get(self, agent_id: str) -> tuple[Decimal, str | None]:
        """The balance (0 without a row) and the last refill time (None if never)."""
        row = (
            await self._conn.execute(
                sa.select(bc.balance, bc.last_refill).where(bc.agent_id == agent_id)
            )
        ).first()
        if row is None:
            return Decimal(0), None
        last = None if row.last_refill is None else format_timestamp(row.last_refill)
        return row.balance, last

    async def refill(
        self,
        agent_id: str,
        amount: Decimal,
        *,
        due_before: str,
        now: str,
        initial: str,
        monthly: str,
    ) -> bool:
        """Add a refill if one is due and record it (type `refill`); True when it happened.

        Due means `last_refill` is unset (ledger description `initial`) or earlier than
        `due_before`, i.e. now − 30 days (description `monthly`). Check and addition are one
        conditional UPDATE, so concurrent callers refill once.
        """
        await self.open_accounts([agent_id])
        for description, due in (
            (initial, bc.last_refill.is_(None)),
            (monthly, bc.last_refill < due_before),
        ):
            updated = await self._conn.execute(
                credit_balances.update()
                .where(bc.agent_id == agent_id, due)
                .values(balance=bc.balance + amount, last_refill=now)
                .returning(bc.agent_id)
            )
            if updated.first() is not None:
                await self._record(agent_id, amount, "refill", description, now)
                return True
        return False

    async def credit(
        self,
        agent_id: str,
        amount: Decimal,
        *,
        kind: str,
        description: str,
        now: str,
        listing_id: str | None = None,
    ) -> Decimal:
        """Add `amount` ≥ 0 (creating the balance row if needed); returns the new balance."""
        if amount < 0:
            raise ValueError("credit() takes a non-negative amount; use debit()")
        stmt = dml.insert(self._conn, credit_balances).values(agent_id=agent_id, balance=amount)
        stmt = stmt.on_conflict_do_update(
            index_elements=[bc.agent_id], set_={"balance": bc.balance + stmt.excluded.balance}
        ).returning(bc.balance)
        balance = (await self._conn.execute(stmt)).scalar_one()
        await self._record(agent_id, amount, kind, description, now, listing_id)
        return balance

    async def debit(
        self,
        agent_id: str,
        amount: Decimal,
        *,
        description: str,
        now: str,
        listing_id: str | None = None,
    ) -> Decimal | None:
        """Deduct `amount` ≥ 0 if the balance covers it; the new balance, or None (no change)."""
        if amount < 0:
            raise ValueError("debit() takes a non-negative amount; use credit()")
        row = (
            await self._conn.execute(
                credit_balances.update()
                .where(bc.agent_id == agent_id, bc.balance >= amount)
                .values(balance=bc.balance - amount)
                .returning(bc.balance)
            )
        ).first()
        if row is None:
            return None
        await self._record(agent_id, -amount, "spent", description, now, listing_id)
        return row.balance

    async def _record(
        self,
        agent_id: str,
        amount: Decimal,
        kind: str,
        description: str,
        now: str,
        listing_id: str | None = None,
    ) -> None:
        """Append one ledger row; only called next to the balance change it records."""
        await self._conn.execute(
            credit_transactions.insert().values(
                id=str(uuid.uuid4()),
                agent_id=agent_id,
                amount=amount,
                type=kind,
                description=description,
                related_listing_id=listing_id,
                created_at=now,
            )
        )

    async def transactions(self, agent_id: str, *, limit: int) -> list[CreditTransaction]:
        """The agent's first `limit` ledger rows, oldest first."""
        rows = await self._conn.execute(
            sa.select(credit_transactions)
            .where(tc.agent_id == agent_id)
            .order_by(tc.created_at, tc.seq)
            .limit(limit)
        )
        return [_transaction(row) for row in rows]


def _transaction(row: Any) -> CreditTransaction:
    return CreditTransaction(
        id=row.id,
        agent_id=row.agent_id,
        amount=row.amount,
        type=row.type,
        description=row.description,
        created_at=format_timestamp(row.created_at),
        related_listing_id=row.related_listing_id,
    )
