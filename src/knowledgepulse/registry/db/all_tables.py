"""Load every domain's tables so `metadata` holds the whole schema (migrations and tests only)."""

from __future__ import annotations

from knowledgepulse.registry.audit import tables as audit_tables
from knowledgepulse.registry.auth import tables as auth_tables
from knowledgepulse.registry.credits import tables as credits_tables
from knowledgepulse.registry.db import changes
from knowledgepulse.registry.db.metadata import metadata
from knowledgepulse.registry.knowledge import tables as knowledge_tables
from knowledgepulse.registry.marketplace import tables as marketplace_tables
from knowledgepulse.registry.providers import tables as providers_tables
from knowledgepulse.registry.quarantine import tables as quarantine_tables
from knowledgepulse.registry.ratelimit import tables as ratelimit_tables
from knowledgepulse.registry.reputation import tables as reputation_tables
from knowledgepulse.registry.skills import tables as skills_tables
from knowledgepulse.registry.sop import tables as sop_tables

__all__ = ["TABLE_MODULES", "metadata"]

TABLE_MODULES = (
    audit_tables,
    auth_tables,
    changes,
    credits_tables,
    knowledge_tables,
    marketplace_tables,
    providers_tables,
    quarantine_tables,
    ratelimit_tables,
    reputation_tables,
    skills_tables,
    sop_tables,
)
