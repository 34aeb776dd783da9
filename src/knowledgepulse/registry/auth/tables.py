"""The `api_keys` table; the raw key is never stored, only its SHA-256."""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db.metadata import enum_check, metadata
from knowledgepulse.registry.db.types import Ident, JSONDocument, UtcTimestamp

__all__ = ["TIERS", "api_keys"]

TIERS = ("free", "pro", "enterprise")

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("key_hash", Ident, primary_key=True),  # lowercase hex SHA-256 of the raw key
    sa.Column("key_prefix", Ident, nullable=False),  # first 11 chars: kp_ + 8 hex
    sa.Column("agent_id", Ident, nullable=False),
    sa.Column("scopes", JSONDocument, nullable=False),  # list of read / write / admin
    sa.Column("tier", Ident, nullable=False, server_default="free"),
    sa.Column("created_at", UtcTimestamp, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("revoked_at", UtcTimestamp),
    # Prefix-based revocation must hit exactly one key (registry-api.md R10).
    sa.UniqueConstraint("key_prefix"),
    sa.Index(None, "agent_id"),
    enum_check("tier", TIERS),
    sa.CheckConstraint("length(key_hash) = 64", name="key_hash_sha256"),
    sa.CheckConstraint("revoked = (revoked_at IS NOT NULL)", name="revoked_at_iff_revoked"),
)
