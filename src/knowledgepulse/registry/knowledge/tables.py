"""Knowledge units (full JSON plus the columns search filters on) and per-agent validations."""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db.metadata import enum_check, metadata
from knowledgepulse.registry.db.types import (
    Ident,
    OrderedJSONDocument,
    UtcTimestamp,
)

__all__ = [
    "QUARANTINE_STATUSES",
    "UNIT_TYPES",
    "VISIBILITIES",
    "knowledge_units",
    "knowledge_validations",
]

VISIBILITIES = ("private", "org", "network")
UNIT_TYPES = ("ReasoningTrace", "ToolCallPattern", "ExpertSOP")
QUARANTINE_STATUSES = ("flagged", "quarantined", "cleared")

knowledge_units = sa.Table(
    "knowledge_units",
    metadata,
    sa.Column("id", Ident, primary_key=True),  # equals unit_json["id"]
    sa.Column(
        "unit_json", OrderedJSONDocument, nullable=False
    ),  # the stored KnowledgeUnit document
    # Denormalised from unit_json by the store on every write, so both dialects filter alike.
    sa.Column("visibility", Ident, nullable=False),
    sa.Column("unit_type", Ident, nullable=False),  # @type
    sa.Column("task_domain_lc", sa.Text, nullable=False),  # metadata.task_domain, str.lower()
    sa.Column("agent_id", Ident),  # metadata.agent_id: the owner
    sa.Column("quality_score", sa.Double, nullable=False),
    sa.Column("search_text_lc", sa.Text, nullable=False, server_default=sa.text("''")),
    # Lives on the row (not beside it) so it dies with the unit and survives a re-upsert.
    sa.Column("quarantine_status", Ident),
    sa.Column("created_at", UtcTimestamp, nullable=False),  # receipt time; drives retention
    sa.Column("updated_at", UtcTimestamp, nullable=False),
    sa.Column("change_seq", sa.BigInteger, nullable=False),  # see db/changes.py
    sa.UniqueConstraint("change_seq"),
    sa.Index(None, "unit_type"),
    sa.Index(None, "task_domain_lc"),
    sa.Index(None, "agent_id"),
    sa.Index(None, "quality_score"),
    sa.Index(None, "quarantine_status"),
    sa.Index(None, "visibility", "created_at"),  # the retention sweep
    enum_check("visibility", VISIBILITIES),
    enum_check("unit_type", UNIT_TYPES),
    enum_check("quarantine_status", QUARANTINE_STATUSES),
    sa.CheckConstraint("quality_score >= 0 AND quality_score <= 1", name="quality_score_range"),
)

# One row per (unit, validator): a repeated validation is refused by the primary key
# (registry-api.md S12). Rows go with the unit; the EigenTrust vote log in
# reputation.validation_votes keeps the agent-to-agent history.
knowledge_validations = sa.Table(
    "knowledge_validations",
    metadata,
    sa.Column(
        "unit_id",
        Ident,
        sa.ForeignKey(knowledge_units.c.id, ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("validator_id", Ident, primary_key=True),
    sa.Column("valid", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcTimestamp, nullable=False),
    sa.Index(None, "validator_id"),
)
