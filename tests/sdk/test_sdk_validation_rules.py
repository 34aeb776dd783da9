"""The validation semantics of sdk-mcp-cli.md §1.7, one valid and one invalid case per rule."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledgepulse.sdk.issues import Issue
from knowledgepulse.sdk.models.examples import (
    full_expert_sop,
    full_reasoning_trace,
    full_tool_call_pattern,
    minimal_expert_sop,
    minimal_reasoning_trace,
    minimal_tool_call_pattern,
)
from knowledgepulse.sdk.validation import validate_knowledge_unit

DELETE = object()
DISCRIMINATOR = (
    "Invalid discriminator value. Expected 'ReasoningTrace' | 'ToolCallPattern' | 'ExpertSOP'"
)


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


def issues_of(data: object) -> list[tuple[str, str]]:
    result = validate_knowledge_unit(data)
    assert result.ok is (not result.issues)
    return [(issue.path, issue.message) for issue in result.issues]


def trace_with(path: str, value: Any) -> dict[str, Any]:
    return with_change(full_reasoning_trace(), path, value)


# --- Discriminated union ---------------------------------------------------------------


@pytest.mark.parametrize(
    "unit",
    [minimal_reasoning_trace(), minimal_tool_call_pattern(), minimal_expert_sop()],
    ids=["trace", "pattern", "sop"],
)
def test_each_unit_type_is_selected_by_its_at_type(unit: dict[str, Any]) -> None:
    assert issues_of(unit) == []


@pytest.mark.parametrize("type_value", [DELETE, "Skill", "reasoningtrace", 5, None, ["ExpertSOP"]])
def test_a_missing_or_unknown_at_type_gives_one_discriminator_issue(type_value: Any) -> None:
    unit = with_change(minimal_reasoning_trace(), "@type", type_value)
    unit["id"] = 42  # would be an issue for any option: proves no option was tried
    assert issues_of(unit) == [("@type", DISCRIMINATOR)]


@pytest.mark.parametrize(
    ("data", "received"),
    [([], "array"), (None, "null"), ("x", "string"), (1.5, "number"), (True, "boolean")],
)
def test_a_body_that_is_not_an_object_is_one_issue_at_the_root(data: Any, received: str) -> None:
    assert issues_of(data) == [("", f"Expected object, received {received}")]


# --- Unknown properties are accepted and stripped -------------------------------------


@pytest.mark.parametrize(
    ("make_unit", "container"),
    [
        (full_reasoning_trace, ""),
        (full_reasoning_trace, "metadata"),
        (full_reasoning_trace, "task"),
        (full_reasoning_trace, "steps.1"),
        (full_reasoning_trace, "steps.1.tool"),
        (full_reasoning_trace, "outcome"),
        (full_reasoning_trace, "knowledge_graph_delta"),
        (full_reasoning_trace, "knowledge_graph_delta.entities.0"),
        (full_reasoning_trace, "knowledge_graph_delta.relationships.0"),
        (full_tool_call_pattern, "trigger_conditions"),
        (full_tool_call_pattern, "tool_sequence.1"),
        (full_tool_call_pattern, "tool_sequence.1.tools.0"),
        (full_tool_call_pattern, "performance"),
        (full_expert_sop, "source"),
        (full_expert_sop, "decision_tree.1"),
        (full_expert_sop, "decision_tree.1.conditions.sev1"),
        (full_expert_sop, "decision_tree.1.tool_suggestions.0"),
        (full_expert_sop, "validation"),
        (full_expert_sop, "validation.test_cases.0"),
    ],
)
def test_unknown_keys_are_dropped_at_every_level(make_unit: Any, container: str) -> None:
    unit = make_unit()
    polluted = with_change(unit, f"{container}.x_extra" if container else "x_extra", {"a": 1})
    result = validate_knowledge_unit(polluted)
    assert result.ok, result.issues
    assert result.value == unit


@pytest.mark.parametrize(
    ("make_unit", "record"),
    [
        (full_reasoning_trace, "task.input_schema"),
        (full_reasoning_trace, "steps.1.input"),
        (full_tool_call_pattern, "tool_sequence.1.tools.0.input_template"),
        (full_expert_sop, "validation.test_cases.0.input"),
        (full_expert_sop, "validation.test_cases.0.expected_output"),
    ],
)
def test_free_form_objects_keep_all_their_keys(make_unit: Any, record: str) -> None:
    unit = with_change(make_unit(), f"{record}.anything", {"nested": [1, None], "x": "y"})
    assert validate_knowledge_unit(unit).value == unit


def test_criteria_keep_their_keys_but_values_must_be_strings() -> None:
    unit = with_change(full_expert_sop(), "decision_tree.1.criteria.region", "EU")
    assert validate_knowledge_unit(unit).value == unit
    unit = with_change(full_expert_sop(), "decision_tree.1.criteria.region", 3)
    assert issues_of(unit) == [
        ("decision_tree.1.criteria.region", "Expected string, received number")
    ]


@settings(max_examples=50)
@given(
    st.dictionaries(
        st.text(min_size=1).filter(lambda key: key not in minimal_reasoning_trace()),
        st.none() | st.integers() | st.text(),
        max_size=5,
    )
)
def test_extra_top_level_keys_never_change_the_outcome(extra: dict[str, Any]) -> None:
    result = validate_knowledge_unit(minimal_reasoning_trace() | extra)
    assert result.value == minimal_reasoning_trace()


# --- Strict scalar types --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("metadata.success", "true", "Expected boolean, received string"),
        ("metadata.success", 1, "Expected boolean, received number"),
        ("metadata.quality_score", "1", "Expected number, received string"),
        ("metadata.quality_score", True, "Expected number, received boolean"),
        ("metadata.quality_score", None, "Expected number, received null"),
        ("metadata.quality_score", math.nan, "Expected number, received nan"),
        ("steps.0.step_id", False, "Expected number, received boolean"),
        ("steps.1.latency_ms", [1], "Expected number, received array"),
        ("outcome.confidence", {"v": 1}, "Expected number, received object"),
        ("task.objective", 7, "Expected string, received number"),
        ("outcome.result_summary", None, "Expected string, received null"),
        ("metadata.validated_by", "kp:validator:bob", "Expected array, received string"),
    ],
)
def test_scalars_are_never_coerced(path: str, value: Any, message: str) -> None:
    assert issues_of(trace_with(path, value)) == [(path, message)]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("metadata.success", False),
        ("metadata.quality_score", 0),
        ("metadata.quality_score", 1),
        ("metadata.quality_score", 0.5),
        ("steps.1.latency_ms", 0),
        ("steps.1.latency_ms", 3.25),
    ],
)
def test_scalars_of_the_right_json_type_are_accepted(path: str, value: Any) -> None:
    assert issues_of(trace_with(path, value)) == []


@pytest.mark.parametrize("path", ["source_skill", "metadata.agent_id", "steps.1.content"])
def test_an_optional_field_may_be_absent_but_not_null(path: str) -> None:
    assert issues_of(trace_with(path, DELETE)) == []
    assert issues_of(trace_with(path, None)) == [(path, "Expected string, received null")]


# --- Integers ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 3, 3.0, 1e3])
def test_an_integer_field_accepts_any_integral_number(value: Any) -> None:
    result = validate_knowledge_unit(trace_with("steps.1.step_id", value))
    assert result.ok
    assert result.value is not None
    assert result.value["steps"][1]["step_id"] == value
    assert type(result.value["steps"][1]["step_id"]) is int


@pytest.mark.parametrize(
    ("path", "value", "messages"),
    [
        ("steps.0.step_id", 1.5, ["Expected integer, received float"]),
        ("steps.0.step_id", -1, ["Number must be greater than or equal to 0"]),
        (
            "steps.0.step_id",
            -0.5,
            ["Expected integer, received float", "Number must be greater than or equal to 0"],
        ),
    ],
)
def test_an_integer_field_rejects_fractions_and_negatives(
    path: str, value: Any, messages: list[str]
) -> None:
    assert issues_of(trace_with(path, value)) == [(path, message) for message in messages]


# --- created_at --------------------------------------------------------------------------

VALID_DATETIMES = [
    "2025-06-15T10:00:00.000Z",
    "2025-06-15T10:00:00Z",
    "2025-06-15T10:00Z",
    "2025-06-15T23:59:59.123456789Z",
    "2024-02-29T00:00:00Z",
    "2000-02-29T12:00Z",
    "2025-12-31T23:59:59.9Z",
    "0000-02-29T00:00Z",
]
INVALID_DATETIMES = [
    "2025-06-15T10:00:00+00:00",
    "2025-06-15T10:00:00.000+01:00",
    "2025-06-15",
    "2025-06-15 10:00:00Z",
    "2025-06-15T10:00:00.000z",
    "2025-06-15T10:00:00",
    "2025-02-30T00:00:00Z",
    "2025-04-31T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2025-13-01T00:00:00Z",
    "2025-00-10T00:00:00Z",
    "2025-06-00T00:00:00Z",
    "2025-06-15T24:00:00Z",
    "2025-06-15T10:60Z",
    "2025-06-15T10:00:60Z",
    "2025-06-15T10:00.5Z",
    "2025-06-15T10:00:00.Z",
    "2025-6-15T10:00:00Z",
    "२०२५-06-15T10:00:00Z",
    "2025-06-15T10:00:00Z\n",
    "",
]


@pytest.mark.parametrize("value", VALID_DATETIMES)
def test_created_at_accepts_utc_datetimes_with_optional_seconds(value: str) -> None:
    assert issues_of(trace_with("metadata.created_at", value)) == []


@pytest.mark.parametrize("value", INVALID_DATETIMES)
def test_created_at_rejects_offsets_dates_and_impossible_days(value: str) -> None:
    assert issues_of(trace_with("metadata.created_at", value)) == [
        ("metadata.created_at", "Invalid datetime")
    ]


def test_created_at_must_be_a_string() -> None:
    assert issues_of(trace_with("metadata.created_at", 1718445600)) == [
        ("metadata.created_at", "Expected string, received number")
    ]


# --- Object-typed fields -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_unit", "path"),
    [
        (full_reasoning_trace, "task.input_schema"),
        (full_reasoning_trace, "steps.1.input"),
        (full_tool_call_pattern, "tool_sequence.1.tools.0.input_template"),
        (full_expert_sop, "validation.test_cases.0.input"),
        (full_expert_sop, "validation.test_cases.0.expected_output"),
        (full_expert_sop, "decision_tree.1.criteria"),
        (full_expert_sop, "decision_tree.1.conditions"),
    ],
)
def test_object_fields_reject_arrays_and_null(make_unit: Any, path: str) -> None:
    assert issues_of(with_change(make_unit(), path, {})) == []
    assert issues_of(with_change(make_unit(), path, [])) == [
        (path, "Expected object, received array")
    ]
    assert issues_of(with_change(make_unit(), path, None)) == [
        (path, "Expected object, received null")
    ]


# --- Issue format ---------------------------------------------------------------------------


def test_every_issue_is_reported_in_schema_order() -> None:
    # The registry example of registry-api.md §6.3, plus issues in nested arrays.
    unit = minimal_reasoning_trace()
    unit["steps"].append({"step_id": 1, "type": "guess"})
    unit["metadata"]["quality_score"] = 1.5
    unit["metadata"]["created_at"] = "yesterday"
    unit["id"] = "trace-1"
    assert issues_of(unit) == [
        ("id", 'Invalid input: must start with "kp:trace:"'),
        ("metadata.created_at", "Invalid datetime"),
        ("metadata.quality_score", "Number must be less than or equal to 1"),
        (
            "steps.1.type",
            "Invalid enum value. Expected 'thought' | 'tool_call' | 'observation' | "
            "'error_recovery', received 'guess'",
        ),
    ]


def test_issues_serialize_to_path_and_message() -> None:
    result = validate_knowledge_unit(trace_with("steps.1.tool.name", DELETE))
    assert result.issues == [Issue("steps.1.tool.name", "Required")]
    assert result.error_body() == {
        "error": "Invalid KnowledgeUnit",
        "issues": [{"path": "steps.1.tool.name", "message": "Required"}],
    }


def test_the_cleaned_unit_is_a_fresh_object_in_schema_key_order() -> None:
    unit = minimal_reasoning_trace()
    shuffled = dict(reversed(list(unit.items())))
    shuffled["metadata"] = dict(reversed(list(unit["metadata"].items())))
    result = validate_knowledge_unit(shuffled)
    assert result.value is not None
    assert list(result.value) == list(unit)
    assert list(result.value["metadata"]) == list(unit["metadata"])
    result.value["metadata"]["agent_id"] = "kp:agent:x"
    assert "agent_id" not in shuffled["metadata"]


def test_an_infinite_number_is_rejected_as_not_finite() -> None:
    # Extension: JSON cannot carry Infinity; a bounded field reports its bound as Zod does.
    assert issues_of(trace_with("steps.1.latency_ms", math.inf)) == [
        ("steps.1.latency_ms", "Number must be finite")
    ]
    assert issues_of(trace_with("outcome.confidence", math.inf)) == [
        ("outcome.confidence", "Number must be less than or equal to 1")
    ]
    assert issues_of(trace_with("steps.1.latency_ms", 10**400)) == [
        ("steps.1.latency_ms", "Number must be finite")
    ]
