"""Initial schema: every table of data-model.md (§18, with the fixes of §19) at once.

Revision ID: 5c0e3a1d9f42
Revises:
Create Date: 2026-11-26 00:29:00.610090

Hand-checked against the metadata; tests/registry/db/test_db_migrations.py asserts that an
autogenerate comparison with a database migrated by this script is empty on SQLite and
PostgreSQL. Column types come from knowledgepulse.registry.db.types; their storage (DDL) must
never change in place: a new storage form needs a new type and a new revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from knowledgepulse.registry.db import types as kp_types

revision: str = "5c0e3a1d9f42"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_hash", kp_types.Ident(), nullable=False),
        sa.Column("key_prefix", kp_types.Ident(), nullable=False),
        sa.Column("agent_id", kp_types.Ident(), nullable=False),
        sa.Column("scopes", kp_types.JSONDocument(), nullable=False),
        sa.Column("tier", kp_types.Ident(), server_default="free", nullable=False),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("revoked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("revoked_at", kp_types.UtcTimestamp(), nullable=True),
        sa.CheckConstraint(
            "tier IN ('free', 'pro', 'enterprise')", name=op.f("ck_api_keys_tier_enum")
        ),
        sa.CheckConstraint("length(key_hash) = 64", name=op.f("ck_api_keys_key_hash_sha256")),
        sa.CheckConstraint(
            "revoked = (revoked_at IS NOT NULL)", name=op.f("ck_api_keys_revoked_at_iff_revoked")
        ),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_prefix", name=op.f("uq_api_keys_key_prefix")),
    )
    op.create_index(op.f("ix_api_keys_agent_id"), "api_keys", ["agent_id"])

    op.create_table(
        "audit_log",
        sa.Column("seq", kp_types.SequenceId(), autoincrement=True, nullable=False),
        sa.Column("id", kp_types.Ident(), nullable=False),
        sa.Column("action", kp_types.Ident(), nullable=False),
        sa.Column("agent_id", kp_types.Ident(), nullable=False),
        sa.Column("resource_type", kp_types.Ident(), nullable=False),
        sa.Column("resource_id", sa.Text(), nullable=False),
        sa.Column("timestamp", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("ip", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("details", kp_types.JSONDocument(), nullable=True),
        sa.CheckConstraint(
            "action IN ('create', 'read', 'update', 'delete', 'export', 'validate', "
            "'rate_limited')",
            name=op.f("ck_audit_log_action_enum"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("id", name=op.f("uq_audit_log_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_audit_log_action_timestamp"), "audit_log", ["action", "timestamp"])
    op.create_index(op.f("ix_audit_log_agent_id_timestamp"), "audit_log", ["agent_id", "timestamp"])
    op.create_index(op.f("ix_audit_log_timestamp"), "audit_log", ["timestamp"])

    op.create_table(
        "badges",
        sa.Column("badge_id", kp_types.Ident(), nullable=False),
        sa.Column("agent_id", kp_types.Ident(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("level", kp_types.Ident(), nullable=False),
        sa.Column("granted_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("granted_by", kp_types.Ident(), nullable=False),
        sa.CheckConstraint(
            "level IN ('bronze', 'silver', 'gold', 'authority')", name=op.f("ck_badges_level_enum")
        ),
        sa.PrimaryKeyConstraint("badge_id", name=op.f("pk_badges")),
        sa.UniqueConstraint(
            "agent_id", "domain", "level", name=op.f("uq_badges_agent_id_domain_level")
        ),
    )
    op.create_table(
        "certification_proposals",
        sa.Column("proposal_id", kp_types.Ident(), nullable=False),
        sa.Column("agent_id", kp_types.Ident(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("target_level", kp_types.Ident(), nullable=False),
        sa.Column("proposed_by", kp_types.Ident(), nullable=False),
        sa.Column("status", kp_types.Ident(), server_default="open", nullable=False),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("closes_at", kp_types.UtcTimestamp(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'approved', 'rejected')",
            name=op.f("ck_certification_proposals_status_enum"),
        ),
        sa.CheckConstraint(
            "target_level IN ('gold', 'authority')",
            name=op.f("ck_certification_proposals_target_level_enum"),
        ),
        sa.CheckConstraint(
            "closes_at > created_at", name=op.f("ck_certification_proposals_closes_after_creation")
        ),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_certification_proposals")),
    )
    op.create_index(
        op.f("ix_certification_proposals_agent_id"), "certification_proposals", ["agent_id"]
    )
    op.create_index(
        op.f("ix_certification_proposals_status_created_at"),
        "certification_proposals",
        ["status", "created_at"],
    )

    op.create_table(
        "change_counters",
        sa.Column("name", kp_types.Ident(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("value >= 1", name=op.f("ck_change_counters_value_positive")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counters")),
    )
    op.create_table(
        "credit_balances",
        sa.Column("agent_id", kp_types.Ident(), nullable=False),
        sa.Column("balance", kp_types.CreditAmount(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_refill", kp_types.UtcTimestamp(), nullable=True),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_credit_balances_balance_non_negative")),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_credit_balances")),
    )
    op.create_table(
        "credit_transactions",
        sa.Column("seq", kp_types.SequenceId(), autoincrement=True, nullable=False),
        sa.Column("id", kp_types.Ident(), nullable=False),
        sa.Column("agent_id", kp_types.Ident(), nullable=False),
        sa.Column("amount", kp_types.CreditAmount(), nullable=False),
        sa.Column("type", kp_types.Ident(), nullable=False),
        sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("related_listing_id", kp_types.Ident(), nullable=True),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.CheckConstraint(
            "type IN ('purchase', 'earned', 'spent', 'payout', 'refill')",
            name=op.f("ck_credit_transactions_type_enum"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_credit_transactions")),
        sa.UniqueConstraint("id", name=op.f("uq_credit_transactions_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_credit_transactions_agent_id_seq"), "credit_transactions", ["agent_id", "seq"]
    )

    op.create_table(
        "knowledge_units",
        sa.Column("id", kp_types.Ident(), nullable=False),
        sa.Column("unit_json", kp_types.JSONDocument(), nullable=False),
        sa.Column("visibility", kp_types.Ident(), nullable=False),
        sa.Column("unit_type", kp_types.Ident(), nullable=False),
        sa.Column("task_domain_lc", sa.Text(), nullable=False),
        sa.Column("agent_id", kp_types.Ident(), nullable=True),
        sa.Column("quality_score", sa.Double(), nullable=False),
        sa.Column("search_text_lc", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("quarantine_status", kp_types.Ident(), nullable=True),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("updated_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "quarantine_status IN ('flagged', 'quarantined', 'cleared')",
            name=op.f("ck_knowledge_units_quarantine_status_enum"),
        ),
        sa.CheckConstraint(
            "unit_type IN ('ReasoningTrace', 'ToolCallPattern', 'ExpertSOP')",
            name=op.f("ck_knowledge_units_unit_type_enum"),
        ),
        sa.CheckConstraint(
            "visibility IN ('private', 'org', 'network')",
            name=op.f("ck_knowledge_units_visibility_enum"),
        ),
        sa.CheckConstraint(
            "quality_score >= 0 AND quality_score <= 1",
            name=op.f("ck_knowledge_units_quality_score_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_units")),
        sa.UniqueConstraint("change_seq", name=op.f("uq_knowledge_units_change_seq")),
    )
    op.create_index(op.f("ix_knowledge_units_agent_id"), "knowledge_units", ["agent_id"])
    op.create_index(op.f("ix_knowledge_units_quality_score"), "knowledge_units", ["quality_score"])
    op.create_index(
        op.f("ix_knowledge_units_quarantine_status"), "knowledge_units", ["quarantine_status"]
    )
    op.create_index(
        op.f("ix_knowledge_units_task_domain_lc"), "knowledge_units", ["task_domain_lc"]
    )
    op.create_index(op.f("ix_knowledge_units_unit_type"), "knowledge_units", ["unit_type"])
    op.create_index(
        op.f("ix_knowledge_units_visibility_created_at"),
        "knowledge_units",
        ["visibility", "created_at"],
    )

    op.create_table(
        "marketplace_listings",
        sa.Column("id", kp_types.Ident(), nullable=False),
        sa.Column("knowledge_unit_id", kp_types.Ident(), nullable=False),
        sa.Column("contributor_id", kp_types.Ident(), nullable=False),
        sa.Column(
            "price_credits", kp_types.CreditAmount(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("access_model", kp_types.Ident(), server_default="free", nullable=False),
        sa.Column("domain", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("domain_lc", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("purchases", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("updated_at", kp_types.UtcTimestamp(), nullable=False),
        sa.CheckConstraint(
            "access_model IN ('free', 'org', 'subscription')",
            name=op.f("ck_marketplace_listings_access_model_enum"),
        ),
        sa.CheckConstraint(
            "price_credits >= 0", name=op.f("ck_marketplace_listings_price_non_negative")
        ),
        sa.CheckConstraint(
            "purchases >= 0", name=op.f("ck_marketplace_listings_purchases_non_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_listings")),
    )
    op.create_index(
        op.f("ix_marketplace_listings_contributor_id"), "marketplace_listings", ["contributor_id"]
    )
    op.create_index(
        op.f("ix_marketplace_listings_created_at"), "marketplace_listings", ["created_at"]
    )
    op.create_index(
        op.f("ix_marketplace_listings_domain_lc"), "marketplace_listings", ["domain_lc"]
    )

    op.create_table(
        "providers",
        sa.Column("id", kp_types.Ident(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", kp_types.Ident(), server_default="unknown", nullable=False),
        sa.Column("last_heartbeat", kp_types.UtcTimestamp(), nullable=True),
        sa.Column("registered_at", kp_types.UtcTimestamp(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'unknown')", name=op.f("ck_providers_status_enum")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("url", name=op.f("uq_providers_url")),
    )
    op.create_table(
        "rate_limit_buckets",
        sa.Column("bucket_key", kp_types.Ident(), nullable=False),
        sa.Column("tokens", sa.Double(), nullable=False),
        sa.Column("last_refill", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bucket_key", name=op.f("pk_rate_limit_buckets")),
    )
    op.create_table(
        "rate_limit_violations",
        sa.Column("id", kp_types.SequenceId(), autoincrement=True, nullable=False),
        sa.Column("identifier", kp_types.Ident(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_violations")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_rate_limit_violations_identifier_timestamp"),
        "rate_limit_violations",
        ["identifier", "timestamp"],
    )

    op.create_table(
        "reputation",
        sa.Column("agent_id", kp_types.Ident(), nullable=False),
        sa.Column("score", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.Column("contributions", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("validations", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("updated_at", kp_types.UtcTimestamp(), nullable=False),
        sa.CheckConstraint(
            "contributions >= 0", name=op.f("ck_reputation_contributions_non_negative")
        ),
        sa.CheckConstraint("score >= 0", name=op.f("ck_reputation_score_non_negative")),
        sa.CheckConstraint("validations >= 0", name=op.f("ck_reputation_validations_non_negative")),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_reputation")),
    )
    op.create_index(op.f("ix_reputation_score"), "reputation", ["score"])

    op.create_table(
        "search_tombstones",
        sa.Column("entity", kp_types.Ident(), nullable=False),
        sa.Column("entity_id", kp_types.Ident(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", kp_types.UtcTimestamp(), nullable=False),
        sa.CheckConstraint(
            "entity IN ('skill', 'knowledge_unit', 'sop')",
            name=op.f("ck_search_tombstones_entity_enum"),
        ),
        sa.PrimaryKeyConstraint("entity", "entity_id", name=op.f("pk_search_tombstones")),
        sa.UniqueConstraint("change_seq", name=op.f("uq_search_tombstones_change_seq")),
    )
    op.create_table(
        "skills",
        sa.Column("id", kp_types.Ident(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("tags", kp_types.JSONDocument(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("files", kp_types.JSONDocument(), nullable=False),
        sa.Column("visibility", kp_types.Ident(), server_default="network", nullable=False),
        sa.Column("quality_score", sa.Double(), server_default=sa.text("0.5"), nullable=False),
        sa.Column("contributor_id", kp_types.Ident(), nullable=True),
        sa.Column("search_text_lc", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("updated_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "visibility IN ('private', 'org', 'network')", name=op.f("ck_skills_visibility_enum")
        ),
        sa.CheckConstraint(
            "quality_score >= 0 AND quality_score <= 1", name=op.f("ck_skills_quality_score_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("change_seq", name=op.f("uq_skills_change_seq")),
    )
    op.create_index(op.f("ix_skills_contributor_id"), "skills", ["contributor_id"])
    op.create_index(op.f("ix_skills_quality_score"), "skills", ["quality_score"])

    op.create_table(
        "sops",
        sa.Column("id", kp_types.Ident(), nullable=False),
        sa.Column("sop_json", kp_types.JSONDocument(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("previous_version_id", kp_types.Ident(), nullable=True),
        sa.Column("status", kp_types.Ident(), server_default="draft", nullable=False),
        sa.Column("visibility", kp_types.Ident(), nullable=False),
        sa.Column("approved_by", kp_types.Ident(), nullable=True),
        sa.Column("domain_lc", sa.Text(), nullable=False),
        sa.Column("agent_id", kp_types.Ident(), nullable=True),
        sa.Column("quality_score", sa.Double(), nullable=False),
        sa.Column("search_text_lc", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("updated_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'pending_review', 'approved', 'rejected')",
            name=op.f("ck_sops_status_enum"),
        ),
        sa.CheckConstraint(
            "visibility IN ('private', 'org', 'network')", name=op.f("ck_sops_visibility_enum")
        ),
        sa.CheckConstraint(
            "quality_score >= 0 AND quality_score <= 1", name=op.f("ck_sops_quality_score_range")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_sops_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sops")),
        sa.UniqueConstraint("change_seq", name=op.f("uq_sops_change_seq")),
    )
    op.create_index(op.f("ix_sops_agent_id"), "sops", ["agent_id"])
    op.create_index(op.f("ix_sops_domain_lc"), "sops", ["domain_lc"])
    op.create_index(op.f("ix_sops_quality_score"), "sops", ["quality_score"])
    op.create_index(op.f("ix_sops_status"), "sops", ["status"])

    op.create_table(
        "subscriptions",
        sa.Column("id", kp_types.Ident(), nullable=False),
        sa.Column("agent_id", kp_types.Ident(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("credits_per_month", kp_types.CreditAmount(), nullable=False),
        sa.Column("started_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("expires_at", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("status", kp_types.Ident(), server_default="active", nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'expired', 'cancelled')",
            name=op.f("ck_subscriptions_status_enum"),
        ),
        sa.CheckConstraint("credits_per_month > 0", name=op.f("ck_subscriptions_price_positive")),
        sa.CheckConstraint(
            "expires_at > started_at", name=op.f("ck_subscriptions_expires_after_start")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("agent_id", "domain", name=op.f("uq_subscriptions_agent_id_domain")),
    )
    op.create_table(
        "validation_votes",
        sa.Column("id", kp_types.SequenceId(), autoincrement=True, nullable=False),
        sa.Column("validator_id", kp_types.Ident(), nullable=False),
        sa.Column("target_id", kp_types.Ident(), nullable=False),
        sa.Column("unit_id", kp_types.Ident(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("timestamp", kp_types.UtcTimestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_votes")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_validation_votes_target_id"), "validation_votes", ["target_id"])
    op.create_index(op.f("ix_validation_votes_validator_id"), "validation_votes", ["validator_id"])

    op.create_table(
        "knowledge_validations",
        sa.Column("unit_id", kp_types.Ident(), nullable=False),
        sa.Column("validator_id", kp_types.Ident(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["knowledge_units.id"],
            name=op.f("fk_knowledge_validations_unit_id_knowledge_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", "validator_id", name=op.f("pk_knowledge_validations")),
    )
    op.create_index(
        op.f("ix_knowledge_validations_validator_id"), "knowledge_validations", ["validator_id"]
    )

    op.create_table(
        "marketplace_purchases",
        sa.Column("id", kp_types.SequenceId(), autoincrement=True, nullable=False),
        sa.Column("listing_id", kp_types.Ident(), nullable=False),
        sa.Column("buyer_id", kp_types.Ident(), nullable=False),
        sa.Column("credits_spent", kp_types.CreditAmount(), nullable=False),
        sa.Column("via_subscription", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.CheckConstraint(
            "credits_spent >= 0", name=op.f("ck_marketplace_purchases_credits_spent_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["marketplace_listings.id"],
            name=op.f("fk_marketplace_purchases_listing_id_marketplace_listings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_purchases")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_marketplace_purchases_buyer_id_listing_id"),
        "marketplace_purchases",
        ["buyer_id", "listing_id"],
    )
    op.create_index(
        op.f("ix_marketplace_purchases_listing_id"), "marketplace_purchases", ["listing_id"]
    )

    op.create_table(
        "proposal_votes",
        sa.Column("proposal_id", kp_types.Ident(), nullable=False),
        sa.Column("voter_id", kp_types.Ident(), nullable=False),
        sa.Column("approve", sa.Boolean(), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.Column("voted_at", kp_types.UtcTimestamp(), nullable=False),
        sa.CheckConstraint("weight >= 0", name=op.f("ck_proposal_votes_weight_non_negative")),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["certification_proposals.proposal_id"],
            name=op.f("fk_proposal_votes_proposal_id_certification_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "voter_id", name=op.f("pk_proposal_votes")),
    )
    op.create_table(
        "reputation_history",
        sa.Column("seq", kp_types.SequenceId(), autoincrement=True, nullable=False),
        sa.Column("agent_id", kp_types.Ident(), nullable=False),
        sa.Column("timestamp", kp_types.UtcTimestamp(), nullable=False),
        sa.Column("delta", sa.Double(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["reputation.agent_id"],
            name=op.f("fk_reputation_history_agent_id_reputation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_reputation_history")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_reputation_history_agent_id_seq"), "reputation_history", ["agent_id", "seq"]
    )

    op.create_table(
        "security_reports",
        sa.Column("id", kp_types.Ident(), nullable=False),
        sa.Column("unit_id", kp_types.Ident(), nullable=False),
        sa.Column("reporter_id", kp_types.Ident(), nullable=False),
        sa.Column("reason", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["knowledge_units.id"],
            name=op.f("fk_security_reports_unit_id_knowledge_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_reports")),
        sa.UniqueConstraint(
            "unit_id", "reporter_id", name=op.f("uq_security_reports_unit_id_reporter_id")
        ),
    )
    op.create_index(op.f("ix_security_reports_reporter_id"), "security_reports", ["reporter_id"])

    op.create_table(
        "skill_tags",
        sa.Column("skill_id", kp_types.Ident(), nullable=False),
        sa.Column("tag_lc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
            name=op.f("fk_skill_tags_skill_id_skills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("skill_id", "tag_lc", name=op.f("pk_skill_tags")),
    )
    op.create_index(op.f("ix_skill_tags_tag_lc"), "skill_tags", ["tag_lc"])

    op.create_table(
        "sop_versions",
        sa.Column("sop_id", kp_types.Ident(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("diff_summary", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("created_at", kp_types.UtcTimestamp(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_sop_versions_version_positive")),
        sa.ForeignKeyConstraint(
            ["sop_id"], ["sops.id"], name=op.f("fk_sop_versions_sop_id_sops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("sop_id", "version", name=op.f("pk_sop_versions")),
    )


def downgrade() -> None:
    # Children before parents; dropping a table drops its indexes too.
    op.drop_table("sop_versions")
    op.drop_table("skill_tags")
    op.drop_table("security_reports")
    op.drop_table("reputation_history")
    op.drop_table("proposal_votes")
    op.drop_table("marketplace_purchases")
    op.drop_table("knowledge_validations")
    op.drop_table("validation_votes")
    op.drop_table("subscriptions")
    op.drop_table("sops")
    op.drop_table("skills")
    op.drop_table("search_tombstones")
    op.drop_table("reputation")
    op.drop_table("rate_limit_violations")
    op.drop_table("rate_limit_buckets")
    op.drop_table("providers")
    op.drop_table("marketplace_listings")
    op.drop_table("knowledge_units")
    op.drop_table("credit_transactions")
    op.drop_table("credit_balances")
    op.drop_table("change_counters")
    op.drop_table("certification_proposals")
    op.drop_table("badges")
    op.drop_table("audit_log")
    op.drop_table("api_keys")
