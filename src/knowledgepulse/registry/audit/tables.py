"""The audit log; entries older than 90 days are purged."""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db.metadata import enum_check, metadata
from knowledgepulse.registry.db.types import Ident, JSONDocument, SequenceId, UtcTimestamp

__all__ = ["AUDIT_ACTIONS", "audit_log"]

# `rate_limited` records 429s instead of revoking keys (registry-api.md S20).
AUDIT_ACTIONS = ("create", "read", "update", "delete", "export", "validate", "rate_limited")

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", SequenceId, primary_key=True, autoincrement=True),  # order within a ms
    sa.Column("id", Ident, nullable=False),  # uuid4
    sa.Column("action", Ident, nullable=False),
    sa.Column("agent_id", Ident, nullable=False),  # "anonymous" when unauthenticated
    sa.Column("resource_type", Ident, nullable=False),
    sa.Column("resource_id", sa.Text, nullable=False),
    sa.Column("timestamp", UtcTimestamp, nullable=False),
    sa.Column("ip", sa.Text, nullable=False, server_default=sa.text("''")),
    sa.Column("details", JSONDocument),
    sa.UniqueConstraint("id"),
    sa.Index(None, "agent_id", "timestamp"),
    sa.Index(None, "action", "timestamp"),
    sa.Index(None, "timestamp"),  # range queries and the 90-day purge
    enum_check("action", AUDIT_ACTIONS),
    sqlite_autoincrement=True,
)
