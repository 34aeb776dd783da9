"""`ReasoningTrace`: the steps an agent took on one task (sdk-mcp-cli.md §1.4)."""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import MinLen
from pydantic import Field

from knowledgepulse.sdk.models.base import WireModel
from knowledgepulse.sdk.models.constants import KP_CONTEXT, TRACE_ID_PREFIX
from knowledgepulse.sdk.models.meta import KnowledgeUnitMeta
from knowledgepulse.sdk.models.wire_types import (
    JSONObject,
    NonEmptyStr,
    NonNegativeFloat,
    NonNegativeInt,
    StartsWith,
    StepTypeField,
    UnitInterval,
)

__all__ = [
    "KnowledgeGraphDelta",
    "KnowledgeGraphEntity",
    "KnowledgeGraphRelationship",
    "ReasoningTrace",
    "ReasoningTraceStep",
    "StepTool",
    "TraceOutcome",
    "TraceTask",
]


class TraceTask(WireModel):
    """What the agent was asked to do."""

    objective: NonEmptyStr
    input_schema: JSONObject | None = None


class StepTool(WireModel):
    """The tool a step used."""

    name: str
    mcp_server: str | None = None


class ReasoningTraceStep(WireModel):
    """One step of a trace: a thought, a tool call, an observation or an error recovery."""

    step_id: NonNegativeInt
    type: StepTypeField
    content: str | None = None
    tool: StepTool | None = None
    input: JSONObject | None = None
    output_summary: str | None = None
    latency_ms: NonNegativeFloat | None = None


class TraceOutcome(WireModel):
    """How the task ended."""

    result_summary: str
    confidence: UnitInterval


class KnowledgeGraphEntity(WireModel):
    """An entity the trace introduced."""

    name: str
    type: str


class KnowledgeGraphRelationship(WireModel):
    """A fact the trace established; `valid_from` is free text."""

    fact: str
    valid_from: str


class KnowledgeGraphDelta(WireModel):
    """Entities and relationships learned during the trace (both lists required)."""

    entities: list[KnowledgeGraphEntity]
    relationships: list[KnowledgeGraphRelationship]


class ReasoningTrace(WireModel):
    """A KnowledgeUnit of `@type` `ReasoningTrace`."""

    context: Literal["https://openknowledgepulse.org/schema/v1"] = Field(
        default=KP_CONTEXT, alias="@context"
    )
    type: Literal["ReasoningTrace"] = Field(default="ReasoningTrace", alias="@type")
    id: Annotated[str, StartsWith(TRACE_ID_PREFIX)]
    source_skill: str | None = None
    metadata: KnowledgeUnitMeta
    task: TraceTask
    steps: Annotated[list[ReasoningTraceStep], MinLen(1)]
    outcome: TraceOutcome
    knowledge_graph_delta: KnowledgeGraphDelta | None = None
