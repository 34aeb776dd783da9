"""Expert SOPs (full JSON plus filter columns) and their version summaries."""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db.metadata import enum_check, metadata
from knowledgepulse.registry.db.types import Ident, OrderedJSONDocument, UtcTimestamp
from knowledgepulse.registry.knowledge.tables import VISIBILITIES

__all__ = ["SOP_STATUSES", "sop_versions", "sops"]

SOP_STATUSES = ("draft", "pending_review", "approved", "rejected")

sops = sa.Table(
    "sops",
    metadata,
    sa.Column("id", Ident, primary_key=True),  # kp:sop:… chosen by the client
    # The latest ExpertSOP body; key order kept on both dialects (criteria and conditions
    # are rendered in the author's order by the SKILL.md export).
    sa.Column("sop_json", OrderedJSONDocument, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
    sa.Column("previous_version_id", Ident),
    sa.Column("status", Ident, nullable=False, server_default="draft"),
    sa.Column("visibility", Ident, nullable=False),
    sa.Column("approved_by", Ident),
    # Denormalised from sop_json by the store on every write.
    sa.Column("domain_lc", sa.Text, nullable=False),  # sop.domain, str.lower()
    sa.Column("agent_id", Ident),  # sop.metadata.agent_id: the owner
    sa.Column("quality_score", sa.Double, nullable=False),
    sa.Column("search_text_lc", sa.Text, nullable=False, server_default=sa.text("''")),
    sa.Column("created_at", UtcTimestamp, nullable=False),
    sa.Column("updated_at", UtcTimestamp, nullable=False),
    sa.Column("change_seq", sa.BigInteger, nullable=False),  # see db/changes.py
    sa.UniqueConstraint("change_seq"),
    sa.Index(None, "domain_lc"),
    sa.Index(None, "status"),
    sa.Index(None, "agent_id"),
    sa.Index(None, "quality_score"),
    enum_check("status", SOP_STATUSES),
    enum_check("visibility", VISIBILITIES),
    sa.CheckConstraint("version >= 1", name="version_positive"),
    sa.CheckConstraint("quality_score >= 0 AND quality_score <= 1", name="quality_score_range"),
)

sop_versions = sa.Table(
    "sop_versions",
    metadata,
    sa.Column("sop_id", Ident, sa.ForeignKey(sops.c.id, ondelete="CASCADE"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("diff_summary", sa.Text, nullable=False, server_default=sa.text("''")),
    sa.Column("created_at", UtcTimestamp, nullable=False),
    sa.CheckConstraint("version >= 1", name="version_positive"),
)
