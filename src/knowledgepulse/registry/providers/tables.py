"""Federated registry providers; a URL can be registered once (X-31)."""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db.metadata import enum_check, metadata
from knowledgepulse.registry.db.types import Ident, UtcTimestamp

__all__ = ["PROVIDER_STATUSES", "providers"]

PROVIDER_STATUSES = ("active", "inactive", "unknown")

providers = sa.Table(
    "providers",
    metadata,
    sa.Column("id", Ident, primary_key=True),  # kp:provider:<uuid4>
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("status", Ident, nullable=False, server_default="unknown"),
    sa.Column("last_heartbeat", UtcTimestamp),
    sa.Column("registered_at", UtcTimestamp, nullable=False),
    sa.UniqueConstraint("url"),
    enum_check("status", PROVIDER_STATUSES),
)
