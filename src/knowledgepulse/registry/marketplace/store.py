"""SQL for listings, purchases and subscriptions (data-model.md §11, §12); never commits."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.db import dml
from knowledgepulse.registry.db.connection import SCAN, Connection
from knowledgepulse.registry.db.paging import page
from knowledgepulse.registry.db.types import format_timestamp
from knowledgepulse.registry.marketplace.models import Listing, ListingQuery, Subscription
from knowledgepulse.registry.marketplace.tables import (
    marketplace_listings,
    marketplace_purchases,
    subscriptions,
)

__all__ = ["ListingStore", "SubscriptionStore"]

lc = marketplace_listings.c
sc = subscriptions.c


class ListingStore:
    """Listings by id and contributor, the insertion-ordered search, and purchase records."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def insert(self, listing: Listing) -> None:
        """Store a new listing (ids are server-generated, so no conflict handling)."""
        await self._conn.execute(
            marketplace_listings.insert().values(
                id=listing.id,
                knowledge_unit_id=listing.knowledge_unit_id,
                contributor_id=listing.contributor_id,
                price_credits=listing.price_credits,
                access_model=listing.access_model,
                domain=listing.domain,
                domain_lc=listing.domain.lower(),
                title=listing.title,
                description=listing.description,
                purchases=listing.purchases,
                created_at=listing.created_at,
                updated_at=listing.updated_at,
            )
        )

    async def get(self, listing_id: str) -> Listing | None:
        """The listing or None."""
        row = (
            await self._conn.execute(sa.select(marketplace_listings).where(lc.id == listing_id))
        ).first()
        return None if row is None else _listing(row)

    async def search(self, query: ListingQuery) -> tuple[list[Listing], int]:
        """AND of domain (case-insensitive), access model (exact) and `q`; insertion order.

        `q` is a case-insensitive substring of the title or the description, folded with
        Python's `str.lower()` on both sides (data-model.md §2.4). The table keeps no
        lower-cased copy of those two fields, so that filter runs here over the rows the
        SQL filters left; listings are few compared with units and skills.
        """
        conditions: list[Any] = []
        if query.domain:
            conditions.append(lc.domain_lc == query.domain.lower())
        if query.access_model:
            conditions.append(lc.access_model == query.access_model)
        order = [lc.created_at, lc.id]
        if not query.q:
            rows, total = await page(
                self._conn,
                marketplace_listings,
                [marketplace_listings],
                conditions,
                order,
                query.offset,
                query.limit,
            )
            return [_listing(row) for row in rows], total
        needle = query.q.lower()
        stmt = sa.select(marketplace_listings).where(*conditions).order_by(*order)
        matches = [
            _listing(row)
            for row in await self._conn.execute(stmt.execution_options(**SCAN))
            if needle in row.title.lower() or needle in row.description.lower()
        ]
        return matches[query.offset : query.offset + query.limit], len(matches)

    async def by_contributor(self, contributor_id: str) -> list[Listing]:
        """Every listing of one contributor, oldest first."""
        rows = await self._conn.execute(
            sa.select(marketplace_listings)
            .where(lc.contributor_id == contributor_id)
            .order_by(lc.created_at, lc.id)
        )
        return [_listing(row) for row in rows]

    async def record_purchase(
        self,
        listing_id: str,
        buyer_id: str,
        credits_spent: Decimal,
        *,
        via_subscription: bool,
        now: str,
    ) -> None:
        """Count one purchase on the listing (and touch `updated_at`), and record who bought."""
        await self._conn.execute(
            marketplace_listings.update()
            .where(lc.id == listing_id)
            .values(purchases=lc.purchases + 1, updated_at=now)
        )
        await self._conn.execute(
            marketplace_purchases.insert().values(
                listing_id=listing_id,
                buyer_id=buyer_id,
                credits_spent=credits_spent,
                via_subscription=via_subscription,
                created_at=now,
            )
        )


class SubscriptionStore:
    """One subscription row per (agent, domain), re-used when re-subscribing (X-27)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def subscribe(
        self, agent_id: str, domain: str, credits_per_month: Decimal, *, now: str, expires: str
    ) -> Subscription:
        """Start (or restart) the agent's subscription to `domain`; an existing row keeps its id."""
        stmt = dml.insert(self._conn, subscriptions).values(
            id=str(uuid.uuid4()),
            agent_id=agent_id,
            domain=domain,
            credits_per_month=credits_per_month,
            started_at=now,
            expires_at=expires,
            status="active",
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[sc.agent_id, sc.domain],
            set_={
                "credits_per_month": stmt.excluded.credits_per_month,
                "started_at": stmt.excluded.started_at,
                "expires_at": stmt.excluded.expires_at,
                "status": "active",
            },
        ).returning(*subscriptions.c)
        return _subscription((await self._conn.execute(stmt)).one())

    async def get(self, subscription_id: str) -> Subscription | None:
        """The subscription or None."""
        row = (
            await self._conn.execute(sa.select(subscriptions).where(sc.id == subscription_id))
        ).first()
        return None if row is None else _subscription(row)

    async def cancel(self, subscription_id: str) -> None:
        """Set the status to `cancelled` (no refund; cancelling twice is harmless)."""
        await self._conn.execute(
            subscriptions.update().where(sc.id == subscription_id).values(status="cancelled")
        )

    async def active(self, agent_id: str, now: str) -> list[Subscription]:
        """The agent's subscriptions with status `active` that have not expired yet."""
        rows = await self._conn.execute(
            sa.select(subscriptions)
            .where(sc.agent_id == agent_id, sc.status == "active", sc.expires_at > now)
            .order_by(sc.started_at, sc.id)
        )
        return [_subscription(row) for row in rows]

    async def has_access(self, agent_id: str, domain: str, now: str) -> bool:
        """True when the agent has an active, unexpired subscription to exactly `domain`."""
        row = (
            await self._conn.execute(
                sa.select(sc.id).where(
                    sc.agent_id == agent_id,
                    sc.domain == domain,
                    sc.status == "active",
                    sc.expires_at > now,
                )
            )
        ).first()
        return row is not None


def _listing(row: Any) -> Listing:
    return Listing(
        id=row.id,
        knowledge_unit_id=row.knowledge_unit_id,
        contributor_id=row.contributor_id,
        price_credits=row.price_credits,
        access_model=row.access_model,
        domain=row.domain,
        title=row.title,
        description=row.description,
        purchases=row.purchases,
        created_at=format_timestamp(row.created_at),
        updated_at=format_timestamp(row.updated_at),
    )


def _subscription(row: Any) -> Subscription:
    return Subscription(
        id=row.id,
        agent_id=row.agent_id,
        domain=row.domain,
        credits_per_month=row.credits_per_month,
        started_at=format_timestamp(row.started_at),
        expires_at=format_timestamp(row.expires_at),
        status=row.status,
    )
