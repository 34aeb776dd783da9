"""`ExpertSOP`: a human expert's standard operating procedure (sdk-mcp-cli.md §1.6)."""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import MinLen
from pydantic import Field

from knowledgepulse.sdk.models.base import WireModel
from knowledgepulse.sdk.models.constants import KP_CONTEXT, SOP_ID_PREFIX
from knowledgepulse.sdk.models.meta import KnowledgeUnitMeta
from knowledgepulse.sdk.models.wire_types import JSONObject, NonEmptyStr, StartsWith

__all__ = [
    "ConditionAction",
    "DecisionTreeNode",
    "ExpertSOP",
    "SOPSource",
    "SOPTestCase",
    "SOPValidation",
    "ToolSuggestion",
]


class SOPSource(WireModel):
    """Where the procedure comes from; always a human expert."""

    type: Literal["human_expert"] = "human_expert"
    expert_id: str
    credentials: list[str]


class ConditionAction(WireModel):
    """What to do when a condition holds, with an optional SLA in minutes."""

    action: str
    sla_min: float | None = None


class ToolSuggestion(WireModel):
    """A tool worth using at this step, and when."""

    name: str
    when: str


class DecisionTreeNode(WireModel):
    """One step of the procedure."""

    step: str
    instruction: str
    criteria: dict[str, str] | None = None
    conditions: dict[str, ConditionAction] | None = None
    tool_suggestions: list[ToolSuggestion] | None = None


class SOPTestCase(WireModel):
    """An input and the output the procedure should produce for it."""

    input: JSONObject
    expected_output: JSONObject


class SOPValidation(WireModel):
    """Test cases that check the procedure."""

    test_cases: list[SOPTestCase]


class ExpertSOP(WireModel):
    """A KnowledgeUnit of `@type` `ExpertSOP`, also the body of `POST /v1/sop`."""

    context: Literal["https://openknowledgepulse.org/schema/v1"] = Field(
        default=KP_CONTEXT, alias="@context"
    )
    type: Literal["ExpertSOP"] = Field(default="ExpertSOP", alias="@type")
    id: Annotated[str, StartsWith(SOP_ID_PREFIX)]
    name: NonEmptyStr
    domain: NonEmptyStr
    metadata: KnowledgeUnitMeta
    source: SOPSource
    decision_tree: Annotated[list[DecisionTreeNode], MinLen(1)]
    validation: SOPValidation | None = None
