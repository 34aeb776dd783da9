"""Field constraints of §1.3–§1.6 with the issue messages of §1.7 and registry-api.md §6.3."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Annotated, Any

import pytest
from annotated_types import MaxLen

from knowledgepulse.sdk.errors import ValidationError
from knowledgepulse.sdk.models import DecisionTreeNode, WireModel
from knowledgepulse.sdk.models.examples import (
    full_expert_sop,
    full_reasoning_trace,
    full_tool_call_pattern,
    minimal_expert_sop,
    minimal_reasoning_trace,
)
from knowledgepulse.sdk.validation import (
    validate_expert_sop,
    validate_knowledge_unit,
    validate_model,
)

DELETE = object()
Make = Callable[[], dict[str, Any]]
TRACE, PATTERN, SOP = full_reasoning_trace, full_tool_call_pattern, full_expert_sop


def with_change(unit: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `unit` with the value at dot-path `path` replaced (or deleted)."""
    unit = copy.deepcopy(unit)
    *parents, last = path.split(".")
    target: Any = unit
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is DELETE:
        del target[key]
    else:
        target[key] = value
    return unit


def issues_after(make: Make, path: str, value: Any) -> list[tuple[str, str]]:
    result = validate_knowledge_unit(with_change(make(), path, value))
    return [(issue.path, issue.message) for issue in result.issues]


REQUIRED = [
    (TRACE, "id"),
    (TRACE, "metadata"),
    (TRACE, "metadata.created_at"),
    (TRACE, "metadata.task_domain"),
    (TRACE, "metadata.success"),
    (TRACE, "metadata.quality_score"),
    (TRACE, "metadata.visibility"),
    (TRACE, "metadata.privacy_level"),
    (TRACE, "task"),
    (TRACE, "task.objective"),
    (TRACE, "steps"),
    (TRACE, "steps.0.step_id"),
    (TRACE, "steps.0.type"),
    (TRACE, "steps.1.tool.name"),
    (TRACE, "outcome"),
    (TRACE, "outcome.result_summary"),
    (TRACE, "outcome.confidence"),
    (TRACE, "knowledge_graph_delta.entities"),
    (TRACE, "knowledge_graph_delta.relationships"),
    (TRACE, "knowledge_graph_delta.entities.0.type"),
    (TRACE, "knowledge_graph_delta.relationships.0.valid_from"),
    (PATTERN, "name"),
    (PATTERN, "description"),
    (PATTERN, "trigger_conditions"),
    (PATTERN, "trigger_conditions.task_types"),
    (PATTERN, "tool_sequence"),
    (PATTERN, "tool_sequence.0.step"),
    (PATTERN, "tool_sequence.0.execution"),
    (PATTERN, "tool_sequence.0.tools"),
    (PATTERN, "tool_sequence.0.tools.0.name"),
    (PATTERN, "performance.avg_ms"),
    (PATTERN, "performance.success_rate"),
    (PATTERN, "performance.uses"),
    (SOP, "name"),
    (SOP, "domain"),
    (SOP, "source"),
    (SOP, "source.expert_id"),
    (SOP, "source.credentials"),
    (SOP, "decision_tree"),
    (SOP, "decision_tree.0.step"),
    (SOP, "decision_tree.0.instruction"),
    (SOP, "decision_tree.1.conditions.sev1.action"),
    (SOP, "decision_tree.1.tool_suggestions.0.when"),
    (SOP, "validation.test_cases"),
    (SOP, "validation.test_cases.0.input"),
    (SOP, "validation.test_cases.0.expected_output"),
]


@pytest.mark.parametrize(("make", "path"), REQUIRED)
def test_a_missing_required_field_is_reported_as_required(make: Make, path: str) -> None:
    assert issues_after(make, path, DELETE) == [(path, "Required")]


OPTIONAL = [
    (TRACE, "source_skill"),
    (TRACE, "metadata.agent_id"),
    (TRACE, "metadata.framework"),
    (TRACE, "metadata.validated_by"),
    (TRACE, "task.input_schema"),
    (TRACE, "steps.1.content"),
    (TRACE, "steps.1.tool"),
    (TRACE, "steps.1.tool.mcp_server"),
    (TRACE, "steps.1.input"),
    (TRACE, "steps.1.output_summary"),
    (TRACE, "steps.1.latency_ms"),
    (TRACE, "knowledge_graph_delta"),
    (PATTERN, "trigger_conditions.required_tools"),
    (PATTERN, "tool_sequence.1.tools.0.query_template"),
    (PATTERN, "tool_sequence.1.tools.0.input_template"),
    (PATTERN, "tool_sequence.1.condition"),
    (SOP, "decision_tree.1.criteria"),
    (SOP, "decision_tree.1.conditions"),
    (SOP, "decision_tree.1.conditions.sev1.sla_min"),
    (SOP, "decision_tree.1.tool_suggestions"),
    (SOP, "validation"),
]


@pytest.mark.parametrize(("make", "path"), OPTIONAL)
def test_an_optional_field_may_be_left_out_and_stays_out(make: Make, path: str) -> None:
    unit = with_change(make(), path, DELETE)
    result = validate_knowledge_unit(unit)
    assert result.ok, result.issues
    assert result.value == unit


NON_EMPTY_STRINGS = [
    (TRACE, "metadata.task_domain"),
    (TRACE, "task.objective"),
    (PATTERN, "name"),
    (SOP, "name"),
    (SOP, "domain"),
]


@pytest.mark.parametrize(("make", "path"), NON_EMPTY_STRINGS)
def test_non_empty_strings_need_one_character(make: Make, path: str) -> None:
    assert issues_after(make, path, "") == [(path, "String must contain at least 1 character(s)")]
    assert issues_after(make, path, "é") == []
    assert issues_after(make, path, "😀") == []


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (TRACE, "outcome.result_summary"),
        (TRACE, "knowledge_graph_delta.relationships.0.valid_from"),
        (PATTERN, "description"),
        (PATTERN, "tool_sequence.0.step"),
        (SOP, "source.expert_id"),
        (SOP, "decision_tree.0.instruction"),
    ],
)
def test_other_strings_may_be_empty(make: Make, path: str) -> None:
    assert issues_after(make, path, "") == []


NON_EMPTY_ARRAYS = [
    (TRACE, "steps"),
    (PATTERN, "trigger_conditions.task_types"),
    (PATTERN, "tool_sequence"),
    (SOP, "decision_tree"),
]


@pytest.mark.parametrize(("make", "path"), NON_EMPTY_ARRAYS)
def test_non_empty_arrays_need_one_element(make: Make, path: str) -> None:
    assert issues_after(make, path, []) == [(path, "Array must contain at least 1 element(s)")]
    assert issues_after(make, path, {}) == [(path, "Expected array, received object")]


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (TRACE, "metadata.validated_by"),
        (TRACE, "knowledge_graph_delta.entities"),
        (PATTERN, "trigger_conditions.required_tools"),
        (PATTERN, "tool_sequence.0.tools"),
        (SOP, "source.credentials"),
        (SOP, "validation.test_cases"),
    ],
)
def test_other_arrays_may_be_empty(make: Make, path: str) -> None:
    assert issues_after(make, path, []) == []


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (TRACE, "metadata.validated_by"),
        (PATTERN, "trigger_conditions.task_types"),
        (PATTERN, "trigger_conditions.required_tools"),
        (SOP, "source.credentials"),
    ],
)
def test_string_array_items_are_checked_with_their_index(make: Make, path: str) -> None:
    assert issues_after(make, path, ["ok", 5]) == [
        (f"{path}.1", "Expected string, received number")
    ]


BOUNDED = [
    (TRACE, "metadata.quality_score", 0, 1),
    (TRACE, "outcome.confidence", 0, 1),
    (TRACE, "steps.1.latency_ms", 0, None),
    (PATTERN, "performance.avg_ms", 0, None),
    (PATTERN, "performance.success_rate", 0, 1),
    (PATTERN, "performance.uses", 0, None),
]


@pytest.mark.parametrize(("make", "path", "low", "high"), BOUNDED)
def test_numbers_respect_their_bounds(make: Make, path: str, low: int, high: int | None) -> None:
    assert issues_after(make, path, low) == []
    assert issues_after(make, path, low - 1) == [
        (path, f"Number must be greater than or equal to {low}")
    ]
    if high is not None:
        assert issues_after(make, path, high) == []
        assert issues_after(make, path, high + 0.01) == [
            (path, f"Number must be less than or equal to {high}")
        ]
    else:
        assert issues_after(make, path, 10**9) == []


def test_sla_minutes_are_any_number() -> None:
    assert issues_after(SOP, "decision_tree.1.conditions.sev1.sla_min", -2.5) == []
    assert issues_after(SOP, "decision_tree.1.conditions.sev1.sla_min", "5") == [
        ("decision_tree.1.conditions.sev1.sla_min", "Expected number, received string")
    ]


def test_uses_must_be_an_integer() -> None:
    assert issues_after(PATTERN, "performance.uses", 14.0) == []
    assert issues_after(PATTERN, "performance.uses", 2.5) == [
        ("performance.uses", "Expected integer, received float")
    ]


ENUMS = [
    (TRACE, "steps.0.type", "'thought' | 'tool_call' | 'observation' | 'error_recovery'"),
    (TRACE, "metadata.visibility", "'private' | 'org' | 'network'"),
    (TRACE, "metadata.privacy_level", "'aggregated' | 'federated' | 'private'"),
    (PATTERN, "tool_sequence.0.execution", "'parallel' | 'sequential'"),
]


@pytest.mark.parametrize(("make", "path", "expected"), ENUMS)
def test_enums_list_their_options_in_the_message(make: Make, path: str, expected: str) -> None:
    assert issues_after(make, path, "public") == [
        (path, f"Invalid enum value. Expected {expected}, received 'public'")
    ]
    assert issues_after(make, path, 3) == [(path, f"Expected {expected}, received number")]
    assert issues_after(make, path, expected.split("'")[1]) == []


@pytest.mark.parametrize(
    ("make", "path", "literal"),
    [
        (TRACE, "@context", "https://openknowledgepulse.org/schema/v1"),
        (SOP, "source.type", "human_expert"),
    ],
)
def test_literals_report_the_expected_value_even_when_missing(
    make: Make, path: str, literal: str
) -> None:
    message = f'Invalid literal value, expected "{literal}"'
    assert issues_after(make, path, "http://example.org/v1") == [(path, message)]
    assert issues_after(make, path, DELETE) == [(path, message)]
    assert issues_after(make, path, 1) == [(path, message)]


@pytest.mark.parametrize(
    ("make", "prefix", "other"),
    [
        (TRACE, "kp:trace:", "kp:sop:1"),
        (PATTERN, "kp:pattern:", "kp:trace:1"),
        (SOP, "kp:sop:", ""),
    ],
)
def test_ids_must_start_with_the_prefix_of_their_type(make: Make, prefix: str, other: str) -> None:
    assert issues_after(make, "id", prefix) == []  # an empty suffix is accepted
    assert issues_after(make, "id", prefix + "anything") == []
    assert issues_after(make, "id", other) == [("id", f'Invalid input: must start with "{prefix}"')]
    assert issues_after(make, "id", None) == [("id", "Expected string, received null")]


def test_a_knowledge_graph_delta_needs_both_lists() -> None:
    assert issues_after(TRACE, "knowledge_graph_delta", {}) == [
        ("knowledge_graph_delta.entities", "Required"),
        ("knowledge_graph_delta.relationships", "Required"),
    ]


def test_the_registry_example_of_section_6_3_gives_the_observed_issues() -> None:
    unit = minimal_reasoning_trace()
    unit["id"] = "trace-without-prefix"
    unit["metadata"]["created_at"] = "2025-06-15T10:00:00+02:00"
    unit["metadata"]["quality_score"] = 2
    assert validate_knowledge_unit(unit).error_body() == {
        "error": "Invalid KnowledgeUnit",
        "issues": [
            {"path": "id", "message": 'Invalid input: must start with "kp:trace:"'},
            {"path": "metadata.created_at", "message": "Invalid datetime"},
            {"path": "metadata.quality_score", "message": "Number must be less than or equal to 1"},
        ],
    }


def test_validate_expert_sop_accepts_only_expert_sops() -> None:
    assert validate_expert_sop(full_expert_sop()).value == full_expert_sop()
    result = validate_expert_sop(minimal_reasoning_trace())
    assert result.error_message == "Invalid ExpertSOP"
    assert [(i.path, i.message) for i in result.issues][:2] == [
        ("@type", 'Invalid literal value, expected "ExpertSOP"'),
        ("id", 'Invalid input: must start with "kp:sop:"'),
    ]
    assert [(i.path, i.message) for i in validate_expert_sop(None).issues] == [
        ("", "Expected object, received null")
    ]


def test_validate_expert_sop_strips_unknown_keys() -> None:
    sop = minimal_expert_sop() | {"status": "approved"}
    assert validate_expert_sop(sop).value == minimal_expert_sop()


def test_a_result_unwraps_to_its_value_or_raises_with_its_issues() -> None:
    assert validate_knowledge_unit(minimal_expert_sop()).unwrap() == minimal_expert_sop()
    with pytest.raises(ValidationError) as caught:
        validate_knowledge_unit({"@type": "ExpertSOP"}).unwrap()
    assert caught.value.message == "Invalid KnowledgeUnit"
    assert caught.value.issues[0].path == "@context"


def test_any_nested_model_can_be_validated_on_its_own() -> None:
    result = validate_model(DecisionTreeNode, {"step": "s", "instruction": 1, "extra": True})
    assert result.error_body() == {
        "error": "Invalid DecisionTreeNode",
        "issues": [{"path": "instruction", "message": "Expected string, received number"}],
    }
    assert validate_model(DecisionTreeNode, {"step": "s", "instruction": "i"}).value == {
        "step": "s",
        "instruction": "i",
    }


def test_the_wire_compiler_refuses_constraints_it_cannot_enforce() -> None:
    class Capped(WireModel):
        code: Annotated[str, MaxLen(3)]

    class Either(WireModel):
        value: str | int

    with pytest.raises(TypeError, match="unsupported constraint"):
        validate_model(Capped, {"code": "abc"})
    with pytest.raises(TypeError, match="unsupported union"):
        validate_model(Either, {"value": "a"})
