"""KP-REP scores with their history, validation votes, badges and certification proposals."""

from __future__ import annotations

import sqlalchemy as sa

from knowledgepulse.registry.db.metadata import enum_check, metadata
from knowledgepulse.registry.db.types import Ident, SequenceId, UtcTimestamp

__all__ = [
    "BADGE_LEVELS",
    "PROPOSAL_LEVELS",
    "PROPOSAL_STATUSES",
    "badges",
    "certification_proposals",
    "proposal_votes",
    "reputation",
    "reputation_history",
    "validation_votes",
]

BADGE_LEVELS = ("bronze", "silver", "gold", "authority")
PROPOSAL_LEVELS = ("gold", "authority")
PROPOSAL_STATUSES = ("open", "approved", "rejected")

reputation = sa.Table(
    "reputation",
    metadata,
    sa.Column("agent_id", Ident, primary_key=True),
    sa.Column("score", sa.Double, nullable=False, server_default=sa.text("0")),
    sa.Column("contributions", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("validations", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("created_at", UtcTimestamp, nullable=False),  # first upsert; drives can_vote
    sa.Column("updated_at", UtcTimestamp, nullable=False),
    sa.Index(None, "score"),
    sa.CheckConstraint("score >= 0", name="score_non_negative"),
    sa.CheckConstraint("contributions >= 0", name="contributions_non_negative"),
    sa.CheckConstraint("validations >= 0", name="validations_non_negative"),
)

# The record's `history` list, one row per upsert: appending is an INSERT, so the score
# update stays a single atomic statement instead of a read-modify-write of a JSON array.
reputation_history = sa.Table(
    "reputation_history",
    metadata,
    sa.Column("seq", SequenceId, primary_key=True, autoincrement=True),
    sa.Column(
        "agent_id",
        Ident,
        sa.ForeignKey(reputation.c.agent_id, ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("timestamp", UtcTimestamp, nullable=False),
    sa.Column("delta", sa.Double, nullable=False),  # raw, unclamped
    sa.Column("reason", sa.Text, nullable=False),
    sa.Index(None, "agent_id", "seq"),
    sqlite_autoincrement=True,
)

# EigenTrust input (registry-api.md F2). No foreign key to the unit: the trust between two
# agents outlives the unit, so deleting a unit cannot wash away votes against its owner.
validation_votes = sa.Table(
    "validation_votes",
    metadata,
    sa.Column("id", SequenceId, primary_key=True, autoincrement=True),
    sa.Column("validator_id", Ident, nullable=False),
    sa.Column("target_id", Ident, nullable=False),
    sa.Column("unit_id", Ident, nullable=False),
    sa.Column("valid", sa.Boolean, nullable=False),
    sa.Column("timestamp", UtcTimestamp, nullable=False),
    sa.Index(None, "validator_id"),
    sa.Index(None, "target_id"),
    sqlite_autoincrement=True,
)

badges = sa.Table(
    "badges",
    metadata,
    sa.Column("badge_id", Ident, primary_key=True),  # badge-<agent>-<domain>-<level>
    sa.Column("agent_id", Ident, nullable=False),
    sa.Column("domain", sa.Text, nullable=False),
    sa.Column("level", Ident, nullable=False),
    sa.Column("granted_at", UtcTimestamp, nullable=False),
    sa.Column("granted_by", Ident, nullable=False),  # system, community-vote or an agent id
    # The id is built by joining with "-", which can collide; the triple cannot.
    sa.UniqueConstraint("agent_id", "domain", "level"),
    enum_check("level", BADGE_LEVELS),
)

certification_proposals = sa.Table(
    "certification_proposals",
    metadata,
    sa.Column("proposal_id", Ident, primary_key=True),  # prop-<uuid4>
    sa.Column("agent_id", Ident, nullable=False),
    sa.Column("domain", sa.Text, nullable=False),
    sa.Column("target_level", Ident, nullable=False),
    sa.Column("proposed_by", Ident, nullable=False),
    sa.Column("status", Ident, nullable=False, server_default="open"),
    sa.Column("created_at", UtcTimestamp, nullable=False),
    sa.Column("closes_at", UtcTimestamp, nullable=False),
    sa.Index(None, "status", "created_at"),
    sa.Index(None, "agent_id"),
    enum_check("target_level", PROPOSAL_LEVELS),
    enum_check("status", PROPOSAL_STATUSES),
    sa.CheckConstraint("closes_at > created_at", name="closes_after_creation"),
)

proposal_votes = sa.Table(
    "proposal_votes",
    metadata,
    sa.Column(
        "proposal_id",
        Ident,
        sa.ForeignKey(certification_proposals.c.proposal_id, ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("voter_id", Ident, primary_key=True),  # one vote per voter; a re-vote replaces
    sa.Column("approve", sa.Boolean, nullable=False),
    sa.Column("weight", sa.Double, nullable=False),  # sqrt(voter score)
    sa.Column("voted_at", UtcTimestamp, nullable=False),  # read order: voted_at, voter_id
    sa.CheckConstraint("weight >= 0", name="weight_non_negative"),
)
