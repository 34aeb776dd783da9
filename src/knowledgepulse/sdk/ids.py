"""Identifier generators: `<prefix><uuid4>` in lowercase canonical form (sdk-mcp-cli.md §1.2)."""

from __future__ import annotations

import uuid

from knowledgepulse.sdk.models.constants import (
    PATTERN_ID_PREFIX,
    SKILL_ID_PREFIX,
    SOP_ID_PREFIX,
    TRACE_ID_PREFIX,
    UNIT_ID_PREFIX,
)

__all__ = [
    "generate_pattern_id",
    "generate_skill_id",
    "generate_sop_id",
    "generate_trace_id",
    "generate_unit_id",
]


def generate_trace_id() -> str:
    """A fresh ReasoningTrace id, `kp:trace:<uuid4>`."""
    return f"{TRACE_ID_PREFIX}{uuid.uuid4()}"


def generate_pattern_id() -> str:
    """A fresh ToolCallPattern id, `kp:pattern:<uuid4>`."""
    return f"{PATTERN_ID_PREFIX}{uuid.uuid4()}"


def generate_sop_id() -> str:
    """A fresh ExpertSOP id, `kp:sop:<uuid4>`."""
    return f"{SOP_ID_PREFIX}{uuid.uuid4()}"


def generate_skill_id() -> str:
    """A fresh skill id, `kp:skill:<uuid4>` (the registry assigns these)."""
    return f"{SKILL_ID_PREFIX}{uuid.uuid4()}"


def generate_unit_id() -> str:
    """A fresh fallback unit id, `kp:unit:<uuid4>`, for units that arrive without one."""
    return f"{UNIT_ID_PREFIX}{uuid.uuid4()}"
