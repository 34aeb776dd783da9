"""Constants and enumerations of the KnowledgeUnit JSON-LD schema (sdk-mcp-cli.md §1.1–§1.2)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

__all__ = [
    "EXPERT_SOURCE_TYPE",
    "KP_CONTEXT",
    "KP_SCHEMA_VERSION",
    "PATTERN_ID_PREFIX",
    "SKILL_ID_PREFIX",
    "SOP_ID_PREFIX",
    "TRACE_ID_PREFIX",
    "UNIT_ID_PREFIX",
    "ExecutionMode",
    "KnowledgeUnitType",
    "PrivacyLevel",
    "StepType",
    "Visibility",
]

KP_CONTEXT: Final = "https://openknowledgepulse.org/schema/v1"
"""The only accepted `@context` value."""

KP_SCHEMA_VERSION: Final = "v1"
"""The schema version label the registry speaks (`KP-Schema-Version` header)."""

TRACE_ID_PREFIX: Final = "kp:trace:"
PATTERN_ID_PREFIX: Final = "kp:pattern:"
SOP_ID_PREFIX: Final = "kp:sop:"
SKILL_ID_PREFIX: Final = "kp:skill:"
UNIT_ID_PREFIX: Final = "kp:unit:"
"""Fallback id prefix the standalone MCP bridge uses for a unit without `id`."""

EXPERT_SOURCE_TYPE: Final = "human_expert"
"""The only accepted ExpertSOP `source.type`."""


# Member order is the schema order: validation messages list the values in this order.


class KnowledgeUnitType(StrEnum):
    """The `@type` discriminator of a KnowledgeUnit."""

    REASONING_TRACE = "ReasoningTrace"
    TOOL_CALL_PATTERN = "ToolCallPattern"
    EXPERT_SOP = "ExpertSOP"


class PrivacyLevel(StrEnum):
    """How much of a captured conversation may leave the agent (`aggregated` by default)."""

    AGGREGATED = "aggregated"
    FEDERATED = "federated"
    PRIVATE = "private"


class Visibility(StrEnum):
    """Who may see a unit: the contributor, its organization, or everyone."""

    PRIVATE = "private"
    ORG = "org"
    NETWORK = "network"


class StepType(StrEnum):
    """The kind of a ReasoningTrace step."""

    THOUGHT = "thought"
    TOOL_CALL = "tool_call"
    OBSERVATION = "observation"
    ERROR_RECOVERY = "error_recovery"


class ExecutionMode(StrEnum):
    """How the tools of one ToolCallPattern sequence entry run."""

    PARALLEL = "parallel"
    SEQUENTIAL = "sequential"
