"""Credit balances (never negative) and the append-only credit ledger."""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db.metadata import enum_check, metadata
from knowledgepulse.registry.db.types import CreditAmount, Ident, SequenceId, UtcTimestamp

__all__ = ["TRANSACTION_TYPES", "credit_balances", "credit_transactions"]

TRANSACTION_TYPES = ("purchase", "earned", "spent", "payout", "refill")

credit_balances = sa.Table(
    "credit_balances",
    metadata,
    sa.Column("agent_id", Ident, primary_key=True),
    sa.Column("balance", CreditAmount, nullable=False, server_default=sa.text("0")),
    sa.Column("last_refill", UtcTimestamp),
    # The last line of defence for the conditional debit: a concurrent or buggy deduction
    # fails instead of overdrawing.
    sa.CheckConstraint("balance >= 0", name="balance_non_negative"),
)

credit_transactions = sa.Table(
    "credit_transactions",
    metadata,
    sa.Column("seq", SequenceId, primary_key=True, autoincrement=True),  # stable order
    sa.Column("id", Ident, nullable=False),  # uuid4, what clients see
    sa.Column("agent_id", Ident, nullable=False),
    sa.Column("amount", CreditAmount, nullable=False),  # positive credit, negative debit
    sa.Column("type", Ident, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=sa.text("''")),
    sa.Column("related_listing_id", Ident),
    sa.Column("created_at", UtcTimestamp, nullable=False),
    sa.UniqueConstraint("id"),
    sa.Index(None, "agent_id", "seq"),
    enum_check("type", TRANSACTION_TYPES),
    sqlite_autoincrement=True,
)
