"""Marketplace listings, the purchases made of them, and domain subscriptions."""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db.metadata import enum_check, metadata
from knowledgepulse.registry.db.types import CreditAmount, Ident, SequenceId, UtcTimestamp

__all__ = [
    "ACCESS_MODELS",
    "SUBSCRIPTION_STATUSES",
    "marketplace_listings",
    "marketplace_purchases",
    "subscriptions",
]

ACCESS_MODELS = ("free", "org", "subscription")
SUBSCRIPTION_STATUSES = ("active", "expired", "cancelled")

marketplace_listings = sa.Table(
    "marketplace_listings",
    metadata,
    sa.Column("id", Ident, primary_key=True),  # kp:listing:<uuid4>
    # Plain text, no foreign key: erasing a unit must not erase the sales record of it.
    sa.Column("knowledge_unit_id", Ident, nullable=False),
    sa.Column("contributor_id", Ident, nullable=False),
    sa.Column("price_credits", CreditAmount, nullable=False, server_default=sa.text("0")),
    sa.Column("access_model", Ident, nullable=False, server_default="free"),
    sa.Column("domain", sa.Text, nullable=False, server_default=sa.text("''")),
    sa.Column(
        "domain_lc", sa.Text, nullable=False, server_default=sa.text("''")
    ),  # str.lower(domain)
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=sa.text("''")),
    sa.Column("purchases", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("created_at", UtcTimestamp, nullable=False),
    sa.Column("updated_at", UtcTimestamp, nullable=False),
    sa.Index(None, "domain_lc"),
    sa.Index(None, "contributor_id"),
    sa.Index(None, "created_at"),  # search order: insertion
    enum_check("access_model", ACCESS_MODELS),
    sa.CheckConstraint("price_credits >= 0", name="price_non_negative"),
    sa.CheckConstraint("purchases >= 0", name="purchases_non_negative"),
)

# Who bought what, so access can be checked and repeat charges refused if the product
# decides so (D-14); no unique (listing, buyer) because the reference charges repeats.
marketplace_purchases = sa.Table(
    "marketplace_purchases",
    metadata,
    sa.Column("id", SequenceId, primary_key=True, autoincrement=True),
    # No cascade: a listing with sales cannot silently disappear.
    sa.Column("listing_id", Ident, sa.ForeignKey(marketplace_listings.c.id), nullable=False),
    sa.Column("buyer_id", Ident, nullable=False),
    sa.Column("credits_spent", CreditAmount, nullable=False),
    sa.Column("via_subscription", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", UtcTimestamp, nullable=False),
    sa.Index(None, "buyer_id", "listing_id"),
    sa.Index(None, "listing_id"),
    sa.CheckConstraint("credits_spent >= 0", name="credits_spent_non_negative"),
    sqlite_autoincrement=True,
)

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("id", Ident, primary_key=True),  # uuid4; kept when re-subscribing
    sa.Column("agent_id", Ident, nullable=False),
    sa.Column("domain", sa.Text, nullable=False),
    sa.Column("credits_per_month", CreditAmount, nullable=False),
    sa.Column("started_at", UtcTimestamp, nullable=False),
    sa.Column("expires_at", UtcTimestamp, nullable=False),
    sa.Column("status", Ident, nullable=False, server_default="active"),
    # One row per (agent, domain); also serves lookups by agent.
    sa.UniqueConstraint("agent_id", "domain"),
    enum_check("status", SUBSCRIPTION_STATUSES),
    sa.CheckConstraint("credits_per_month > 0", name="price_positive"),  # registry-api.md S6
    sa.CheckConstraint("expires_at > started_at", name="expires_after_start"),
)
