"""Pydantic models of the KnowledgeUnit JSON-LD schema (sdk-mcp-cli.md §1).

JSON field names are kept as they are on the wire; `@context` and `@type` are the
`context` and `type` attributes. Validate wire data with `knowledgepulse.sdk.validation`.
"""

from __future__ import annotations

from knowledgepulse.sdk.models.base import WireModel
from knowledgepulse.sdk.models.constants import (
    EXPERT_SOURCE_TYPE,
    KP_CONTEXT,
    KP_SCHEMA_VERSION,
    PATTERN_ID_PREFIX,
    SKILL_ID_PREFIX,
    SOP_ID_PREFIX,
    TRACE_ID_PREFIX,
    UNIT_ID_PREFIX,
    ExecutionMode,
    KnowledgeUnitType,
    PrivacyLevel,
    StepType,
    Visibility,
)
from knowledgepulse.sdk.models.expert_sop import (
    ConditionAction,
    DecisionTreeNode,
    ExpertSOP,
    SOPSource,
    SOPTestCase,
    SOPValidation,
    ToolSuggestion,
)
from knowledgepulse.sdk.models.knowledge_unit import (
    KNOWLEDGE_UNIT_MODELS,
    AnyKnowledgeUnit,
    KnowledgeUnit,
)
from knowledgepulse.sdk.models.meta import KnowledgeUnitMeta
from knowledgepulse.sdk.models.reasoning_trace import (
    KnowledgeGraphDelta,
    KnowledgeGraphEntity,
    KnowledgeGraphRelationship,
    ReasoningTrace,
    ReasoningTraceStep,
    StepTool,
    TraceOutcome,
    TraceTask,
)
from knowledgepulse.sdk.models.tool_call_pattern import (
    PatternPerformance,
    PatternTool,
    ToolCallPattern,
    ToolSequenceStep,
    TriggerConditions,
)

__all__ = [
    "EXPERT_SOURCE_TYPE",
    "KNOWLEDGE_UNIT_MODELS",
    "KP_CONTEXT",
    "KP_SCHEMA_VERSION",
    "PATTERN_ID_PREFIX",
    "SKILL_ID_PREFIX",
    "SOP_ID_PREFIX",
    "TRACE_ID_PREFIX",
    "UNIT_ID_PREFIX",
    "AnyKnowledgeUnit",
    "ConditionAction",
    "DecisionTreeNode",
    "ExecutionMode",
    "ExpertSOP",
    "KnowledgeGraphDelta",
    "KnowledgeGraphEntity",
    "KnowledgeGraphRelationship",
    "KnowledgeUnit",
    "KnowledgeUnitMeta",
    "KnowledgeUnitType",
    "PatternPerformance",
    "PatternTool",
    "PrivacyLevel",
    "ReasoningTrace",
    "ReasoningTraceStep",
    "SOPSource",
    "SOPTestCase",
    "SOPValidation",
    "StepTool",
    "StepType",
    "ToolCallPattern",
    "ToolSequenceStep",
    "ToolSuggestion",
    "TraceOutcome",
    "TraceTask",
    "TriggerConditions",
    "Visibility",
    "WireModel",
]
