"""`ToolCallPattern`: a reusable sequence of tool calls (sdk-mcp-cli.md §1.5)."""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import MinLen
from pydantic import Field

from knowledgepulse.sdk.models.base import WireModel
from knowledgepulse.sdk.models.constants import KP_CONTEXT, PATTERN_ID_PREFIX
from knowledgepulse.sdk.models.meta import KnowledgeUnitMeta
from knowledgepulse.sdk.models.wire_types import (
    ExecutionModeField,
    JSONObject,
    NonEmptyStr,
    NonNegativeFloat,
    NonNegativeInt,
    StartsWith,
    UnitInterval,
)

__all__ = [
    "PatternPerformance",
    "PatternTool",
    "ToolCallPattern",
    "ToolSequenceStep",
    "TriggerConditions",
]


class TriggerConditions(WireModel):
    """When the pattern applies."""

    task_types: Annotated[list[str], MinLen(1)]
    required_tools: list[str] | None = None


class PatternTool(WireModel):
    """One tool call inside a sequence step, with optional templates for its input."""

    name: str
    query_template: str | None = None
    input_template: JSONObject | None = None


class ToolSequenceStep(WireModel):
    """One stage of the pattern: its tools run in parallel or one after another."""

    step: str
    execution: ExecutionModeField
    tools: list[PatternTool]
    condition: str | None = None


class PatternPerformance(WireModel):
    """Observed performance of the pattern."""

    avg_ms: NonNegativeFloat
    success_rate: UnitInterval
    uses: NonNegativeInt


class ToolCallPattern(WireModel):
    """A KnowledgeUnit of `@type` `ToolCallPattern`."""

    context: Literal["https://openknowledgepulse.org/schema/v1"] = Field(
        default=KP_CONTEXT, alias="@context"
    )
    type: Literal["ToolCallPattern"] = Field(default="ToolCallPattern", alias="@type")
    id: Annotated[str, StartsWith(PATTERN_ID_PREFIX)]
    name: NonEmptyStr
    description: str
    metadata: KnowledgeUnitMeta
    trigger_conditions: TriggerConditions
    tool_sequence: Annotated[list[ToolSequenceStep], MinLen(1)]
    performance: PatternPerformance
