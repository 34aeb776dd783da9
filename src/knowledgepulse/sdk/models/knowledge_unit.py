"""The `KnowledgeUnit` union, discriminated by `@type` (sdk-mcp-cli.md §1)."""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import Field

from knowledgepulse.sdk.models.base import WireModel
from knowledgepulse.sdk.models.constants import KnowledgeUnitType
from knowledgepulse.sdk.models.expert_sop import ExpertSOP
from knowledgepulse.sdk.models.reasoning_trace import ReasoningTrace
from knowledgepulse.sdk.models.tool_call_pattern import ToolCallPattern

__all__ = ["KNOWLEDGE_UNIT_MODELS", "AnyKnowledgeUnit", "KnowledgeUnit"]

AnyKnowledgeUnit = ReasoningTrace | ToolCallPattern | ExpertSOP
"""Any of the three unit models (for annotations)."""

KnowledgeUnit = Annotated[AnyKnowledgeUnit, Field(discriminator="type")]
"""The discriminated union, usable as a Pydantic field type or with a `TypeAdapter`."""

# Insertion order is the order the discriminator error message lists the types in.
KNOWLEDGE_UNIT_MODELS: Final[dict[str, type[WireModel]]] = {
    KnowledgeUnitType.REASONING_TRACE.value: ReasoningTrace,
    KnowledgeUnitType.TOOL_CALL_PATTERN.value: ToolCallPattern,
    KnowledgeUnitType.EXPERT_SOP.value: ExpertSOP,
}
"""`@type` value → model class."""
