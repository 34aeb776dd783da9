"""Security reports: one per (unit, reporter); the status itself is on the unit's row."""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db.metadata import metadata
from knowledgepulse.registry.db.types import Ident, UtcTimestamp
from knowledgepulse.registry.knowledge.tables import knowledge_units

__all__ = ["security_reports"]

security_reports = sa.Table(
    "security_reports",
    metadata,
    sa.Column("id", Ident, primary_key=True),  # kp:sr:<uuid4>
    # Erasing a unit erases its reports (registry-api.md R12).
    sa.Column(
        "unit_id",
        Ident,
        sa.ForeignKey(knowledge_units.c.id, ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("reporter_id", Ident, nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=sa.text("''")),
    sa.Column("created_at", UtcTimestamp, nullable=False),
    # The quarantine threshold counts distinct reporters; this also serves lookups by unit.
    sa.UniqueConstraint("unit_id", "reporter_id"),
    sa.Index(None, "reporter_id"),  # GDPR export of the reports an agent filed
)
