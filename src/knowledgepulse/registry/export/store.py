"""Read-only SQL over the SOP, marketplace and credit tables for the GDPR export.

Those domains are written by their own services; until they offer per-agent reads, the
export reads their tables here (data-model.md §18 shapes) and never writes them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.credits.tables import credit_transactions
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.types import format_timestamp
from knowledgepulse.registry.marketplace.tables import marketplace_listings, subscriptions
from knowledgepulse.registry.sop.tables import sops

__all__ = ["ExportStore", "credit_number"]


def credit_number(amount: Decimal) -> int | float:
    """An exact credit amount as the wire's number (integral amounts print without `.0`)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


class ExportStore:
    """The agent's SOPs, listings, credit ledger and subscriptions, oldest first."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def sops_owned_by(self, agent_id: str) -> list[dict[str, Any]]:
        """StoredSOP objects whose `metadata.agent_id` is the agent (private ones too)."""
        rows = await self._conn.execute(
            sa.select(sops)
            .where(sops.c.agent_id == agent_id)
            .order_by(sops.c.created_at, sops.c.id)
        )
        out = []
        for row in rows:
            sop: dict[str, Any] = {"id": row.id, "sop": row.sop_json, "version": row.version}
            if row.previous_version_id is not None:
                sop["previous_version_id"] = row.previous_version_id
            sop["status"] = row.status
            sop["visibility"] = row.visibility
            if row.approved_by is not None:
                sop["approved_by"] = row.approved_by
            sop["created_at"] = format_timestamp(row.created_at)
            sop["updated_at"] = format_timestamp(row.updated_at)
            out.append(sop)
        return out

    async def listings_by(self, agent_id: str) -> list[dict[str, Any]]:
        """MarketplaceListing objects the agent contributed."""
        listing = marketplace_listings.c
        rows = await self._conn.execute(
            sa.select(marketplace_listings)
            .where(listing.contributor_id == agent_id)
            .order_by(listing.created_at, listing.id)
        )
        return [
            {
                "id": row.id,
                "knowledge_unit_id": row.knowledge_unit_id,
                "contributor_id": row.contributor_id,
                "price_credits": credit_number(row.price_credits),
                "access_model": row.access_model,
                "domain": row.domain,
                "title": row.title,
                "description": row.description,
                "purchases": row.purchases,
                "created_at": format_timestamp(row.created_at),
                "updated_at": format_timestamp(row.updated_at),
            }
            for row in rows
        ]

    async def transactions_of(self, agent_id: str) -> list[dict[str, Any]]:
        """The agent's CreditTransactions in ledger order."""
        tx = credit_transactions.c
        rows = await self._conn.execute(
            sa.select(credit_transactions).where(tx.agent_id == agent_id).order_by(tx.seq)
        )
        out = []
        for row in rows:
            item: dict[str, Any] = {
                "id": row.id,
                "agent_id": row.agent_id,
                "amount": credit_number(row.amount),
                "type": row.type,
                "description": row.description,
                "created_at": format_timestamp(row.created_at),
            }
            if row.related_listing_id is not None:
                item["related_listing_id"] = row.related_listing_id
            out.append(item)
        return out

    async def subscriptions_of(self, agent_id: str) -> list[dict[str, Any]]:
        """The agent's SubscriptionRecords, whatever their status."""
        sub = subscriptions.c
        rows = await self._conn.execute(
            sa.select(subscriptions)
            .where(sub.agent_id == agent_id)
            .order_by(sub.started_at, sub.id)
        )
        return [
            {
                "id": row.id,
                "agent_id": row.agent_id,
                "domain": row.domain,
                "credits_per_month": credit_number(row.credits_per_month),
                "started_at": format_timestamp(row.started_at),
                "expires_at": format_timestamp(row.expires_at),
                "status": row.status,
            }
            for row in rows
        ]
