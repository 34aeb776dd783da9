"""`KnowledgeUnitMeta`: the `metadata` object every unit carries (sdk-mcp-cli.md §1.3)."""

from __future__ import annotations

from knowledgepulse.sdk.models.base import WireModel
from knowledgepulse.sdk.models.wire_types import (
    IsoDateTimeStr,
    NonEmptyStr,
    PrivacyLevelField,
    UnitInterval,
    VisibilityField,
)

__all__ = ["KnowledgeUnitMeta"]


class KnowledgeUnitMeta(WireModel):
    """Who made a unit, when, for which domain, and who may see it."""

    created_at: IsoDateTimeStr
    agent_id: str | None = None
    framework: str | None = None
    task_domain: NonEmptyStr
    success: bool
    quality_score: UnitInterval
    visibility: VisibilityField
    privacy_level: PrivacyLevelField
    validated_by: list[str] | None = None
