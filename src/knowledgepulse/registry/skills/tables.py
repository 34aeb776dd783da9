"""Skills and their lower-cased tags (for the case-insensitive any-of tag filter)."""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db.metadata import enum_check, metadata
from knowledgepulse.registry.db.types import (
    Ident,
    JSONDocument,
    OrderedJSONDocument,
    UtcTimestamp,
)
from knowledgepulse.registry.knowledge.tables import VISIBILITIES

__all__ = ["skill_tags", "skills"]

skills = sa.Table(
    "skills",
    metadata,
    sa.Column("id", Ident, primary_key=True),  # kp:skill:<uuid4>
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("version", sa.Text),
    sa.Column("author", sa.Text),  # SKILL.md frontmatter, free text
    sa.Column("tags", JSONDocument, nullable=False),  # as written, original case
    sa.Column("content", sa.Text, nullable=False),  # the sanitised SKILL.md
    sa.Column("files", OrderedJSONDocument, nullable=False),  # {relative path: text}, {} when none
    sa.Column("visibility", Ident, nullable=False, server_default="network"),
    sa.Column("quality_score", sa.Double, nullable=False, server_default=sa.text("0.5")),
    sa.Column("contributor_id", Ident),  # the authenticated agent that posted it (D-21)
    sa.Column("search_text_lc", sa.Text, nullable=False, server_default=sa.text("''")),
    sa.Column("created_at", UtcTimestamp, nullable=False),
    sa.Column("updated_at", UtcTimestamp, nullable=False),
    sa.Column("change_seq", sa.BigInteger, nullable=False),  # see db/changes.py
    # The security scanner's verdict on the submitted text, kept for admin review.
    sa.Column("scan_verdict", Ident, nullable=False, server_default="clean"),
    sa.Column("scan_score", sa.Double, nullable=False, server_default="0"),
    sa.Column("scan_findings", JSONDocument),
    sa.UniqueConstraint("change_seq"),
    sa.Index(None, "quality_score"),
    sa.Index(None, "scan_verdict"),
    enum_check("scan_verdict", ("clean", "suspicious", "reject")),
    sa.Index(None, "contributor_id"),
    enum_check("visibility", VISIBILITIES),
    sa.CheckConstraint("quality_score >= 0 AND quality_score <= 1", name="quality_score_range"),
)

skill_tags = sa.Table(
    "skill_tags",
    metadata,
    sa.Column("skill_id", Ident, sa.ForeignKey(skills.c.id, ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_lc", sa.Text, primary_key=True),  # str.lower() of one tag
    sa.Index(None, "tag_lc"),
)
