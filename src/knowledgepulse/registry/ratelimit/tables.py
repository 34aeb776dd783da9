"""Token buckets and 429 records for a SQL-backed limiter (times are epoch milliseconds)."""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db.metadata import metadata
from knowledgepulse.registry.db.types import Ident, SequenceId

__all__ = ["rate_limit_buckets", "rate_limit_violations"]

rate_limit_buckets = sa.Table(
    "rate_limit_buckets",
    metadata,
    sa.Column("bucket_key", Ident, primary_key=True),  # <identifier>:read / :write
    sa.Column("tokens", sa.Double, nullable=False),
    sa.Column("last_refill", sa.BigInteger, nullable=False),  # epoch ms
)

rate_limit_violations = sa.Table(
    "rate_limit_violations",
    metadata,
    sa.Column("id", SequenceId, primary_key=True, autoincrement=True),
    sa.Column("identifier", Ident, nullable=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),  # epoch ms; pruned after 1 h
    sa.Index(None, "identifier", "timestamp"),
    sqlite_autoincrement=True,
)
