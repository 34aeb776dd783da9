"""Valid example KnowledgeUnits as plain wire dicts, for documentation and tests.

Each function returns a fresh dict, so callers may mutate it. The `minimal_*` examples
carry only required fields (the ReasoningTrace is sdk-mcp-cli.md §1.8 verbatim); the
`full_*` examples set every optional field as well.
"""

from __future__ import annotations

from typing import Any

from knowledgepulse.sdk.models.constants import KP_CONTEXT

__all__ = [
    "full_expert_sop",
    "full_reasoning_trace",
    "full_tool_call_pattern",
    "minimal_expert_sop",
    "minimal_reasoning_trace",
    "minimal_tool_call_pattern",
]


def _metadata(domain: str, quality: float, visibility: str) -> dict[str, Any]:
    return {
        "created_at": "2025-06-15T10:00:00.000Z",
        "task_domain": domain,
        "success": True,
        "quality_score": quality,
        "visibility": visibility,
        "privacy_level": "aggregated",
    }


def minimal_reasoning_trace() -> dict[str, Any]:
    """The minimal valid ReasoningTrace of sdk-mcp-cli.md §1.8."""
    return {
        "@context": KP_CONTEXT,
        "@type": "ReasoningTrace",
        "id": "kp:trace:550e8400-e29b-41d4-a716-446655440000",
        "metadata": _metadata("code-review", 0.92, "network"),
        "task": {"objective": "Review the pull request"},
        "steps": [{"step_id": 0, "type": "thought", "content": "Analyzing changes"}],
        "outcome": {"result_summary": "No issues found", "confidence": 0.95},
    }


def minimal_tool_call_pattern() -> dict[str, Any]:
    """A ToolCallPattern with only its required fields."""
    return {
        "@context": KP_CONTEXT,
        "@type": "ToolCallPattern",
        "id": "kp:pattern:4b1e9c2e-0000-4000-8000-000000000002",
        "name": "Parallel web search",
        "description": "Fan out three searches then merge",
        "metadata": _metadata("research", 0.75, "org"),
        "trigger_conditions": {"task_types": ["research"]},
        "tool_sequence": [
            {"step": "search", "execution": "parallel", "tools": [{"name": "web_search"}]}
        ],
        "performance": {"avg_ms": 1200, "success_rate": 0.9, "uses": 14},
    }


def minimal_expert_sop() -> dict[str, Any]:
    """An ExpertSOP with only its required fields."""
    return {
        "@context": KP_CONTEXT,
        "@type": "ExpertSOP",
        "id": "kp:sop:4b1e9c2e-0000-4000-8000-000000000003",
        "name": "Incident triage",
        "domain": "devops",
        "metadata": _metadata("devops", 0.9, "org"),
        "source": {"type": "human_expert", "expert_id": "kp:expert:carol", "credentials": []},
        "decision_tree": [{"step": "Assess", "instruction": "Check severity"}],
    }


def full_reasoning_trace() -> dict[str, Any]:
    """A ReasoningTrace that sets every optional field (keys in schema order)."""
    minimal = minimal_reasoning_trace()
    return {
        "@context": KP_CONTEXT,
        "@type": "ReasoningTrace",
        "id": minimal["id"],
        "source_skill": "kp:skill:code-review:1.0.0",
        "metadata": {
            "created_at": "2025-06-15T10:00:00.000Z",
            "agent_id": "kp:agent:alice",
            "framework": "langgraph",
            "task_domain": "code-review",
            "success": True,
            "quality_score": 0.92,
            "visibility": "network",
            "privacy_level": "aggregated",
            "validated_by": ["kp:validator:bob"],
        },
        "task": {
            "objective": "Review the pull request",
            "input_schema": {"type": "object", "properties": {"pr": {"type": "string"}}},
        },
        "steps": [
            *minimal["steps"],
            {
                "step_id": 1,
                "type": "tool_call",
                "content": "Search for usages",
                "tool": {"name": "grep", "mcp_server": "filesystem"},
                "input": {"pattern": "TODO", "paths": ["src"], "limit": None},
                "output_summary": "Found 3 matches",
                "latency_ms": 12.5,
            },
        ],
        "outcome": minimal["outcome"],
        "knowledge_graph_delta": {
            "entities": [{"name": "PR 42", "type": "pull_request"}],
            "relationships": [{"fact": "PR 42 touches the parser", "valid_from": "2025-06-15"}],
        },
    }


def full_tool_call_pattern() -> dict[str, Any]:
    """A ToolCallPattern that sets every optional field."""
    unit = minimal_tool_call_pattern()
    unit["trigger_conditions"]["required_tools"] = ["web_search"]
    unit["tool_sequence"].append(
        {
            "step": "merge",
            "execution": "sequential",
            "tools": [
                {
                    "name": "summarize",
                    "query_template": "Summarize {results}",
                    "input_template": {"max_words": 200},
                }
            ],
            "condition": "results are not empty",
        }
    )
    return unit


def full_expert_sop() -> dict[str, Any]:
    """An ExpertSOP that sets every optional field."""
    unit = minimal_expert_sop()
    unit["source"]["credentials"] = ["kp:sbt:sre-cert"]
    unit["decision_tree"].append(
        {
            "step": "Escalate",
            "instruction": "Page the on-call engineer",
            "criteria": {"severity": "SEV1 or SEV2"},
            "conditions": {
                "sev1": {"action": "page immediately", "sla_min": 5},
                "sev2": {"action": "page within the hour"},
            },
            "tool_suggestions": [{"name": "pagerduty", "when": "severity is SEV1"}],
        }
    )
    unit["validation"] = {
        "test_cases": [{"input": {"severity": "SEV1"}, "expected_output": {"paged": True}}]
    }
    return unit
