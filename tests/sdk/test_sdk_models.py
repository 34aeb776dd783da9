"""KnowledgeUnit Pydantic models and constants (sdk-mcp-cli.md §1.1–§1.6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

import pytest
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from knowledgepulse.sdk.errors import ValidationError
from knowledgepulse.sdk.models import (
    KNOWLEDGE_UNIT_MODELS,
    KP_CONTEXT,
    ExecutionMode,
    ExpertSOP,
    KnowledgeUnit,
    KnowledgeUnitMeta,
    KnowledgeUnitType,
    PrivacyLevel,
    ReasoningTrace,
    ReasoningTraceStep,
    StepType,
    ToolCallPattern,
    TraceOutcome,
    TraceTask,
    Visibility,
)
from knowledgepulse.sdk.models.examples import (
    full_expert_sop,
    full_reasoning_trace,
    full_tool_call_pattern,
    minimal_expert_sop,
    minimal_reasoning_trace,
    minimal_tool_call_pattern,
)
from knowledgepulse.sdk.validation import parse_expert_sop, parse_knowledge_unit

EXAMPLES: list[Callable[[], dict[str, Any]]] = [
    minimal_reasoning_trace,
    full_reasoning_trace,
    minimal_tool_call_pattern,
    full_tool_call_pattern,
    minimal_expert_sop,
    full_expert_sop,
]


def test_constants_have_the_spec_values() -> None:
    assert KP_CONTEXT == "https://openknowledgepulse.org/schema/v1"
    for model in (ReasoningTrace, ToolCallPattern, ExpertSOP):
        assert get_args(model.model_fields["context"].annotation) == (KP_CONTEXT,)


@pytest.mark.parametrize(
    ("enum", "values"),
    [
        (KnowledgeUnitType, ["ReasoningTrace", "ToolCallPattern", "ExpertSOP"]),
        (PrivacyLevel, ["aggregated", "federated", "private"]),
        (Visibility, ["private", "org", "network"]),
        (StepType, ["thought", "tool_call", "observation", "error_recovery"]),
        (ExecutionMode, ["parallel", "sequential"]),
    ],
)
def test_enums_list_their_values_in_schema_order(enum: Any, values: list[str]) -> None:
    assert [member.value for member in enum] == values


def test_the_discriminator_maps_each_type_name_to_its_model() -> None:
    assert {
        "ReasoningTrace": ReasoningTrace,
        "ToolCallPattern": ToolCallPattern,
        "ExpertSOP": ExpertSOP,
    } == KNOWLEDGE_UNIT_MODELS


@pytest.mark.parametrize("make_unit", EXAMPLES)
def test_parsed_units_serialize_back_to_the_same_wire_dict(
    make_unit: Callable[[], dict[str, Any]],
) -> None:
    unit = parse_knowledge_unit(make_unit())
    assert isinstance(unit, KNOWLEDGE_UNIT_MODELS[make_unit()["@type"]])
    assert unit.to_wire() == make_unit()
    assert list(unit.to_wire()) == list(make_unit())


def test_the_knowledge_unit_union_discriminates_on_at_type() -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(KnowledgeUnit)
    assert isinstance(adapter.validate_python(minimal_tool_call_pattern()), ToolCallPattern)
    assert isinstance(adapter.validate_python(minimal_expert_sop()), ExpertSOP)


def test_models_can_be_built_in_python_with_constants_filled_in() -> None:
    trace = ReasoningTrace(
        id="kp:trace:1",
        metadata=KnowledgeUnitMeta(
            created_at="2025-06-15T10:00Z",
            task_domain="testing",
            success=True,
            quality_score=1,
            visibility=Visibility.NETWORK,
            privacy_level=PrivacyLevel.AGGREGATED,
        ),
        task=TraceTask(objective="Test"),
        steps=[ReasoningTraceStep(step_id=0, type=StepType.THOUGHT)],
        outcome=TraceOutcome(result_summary="", confidence=0.5),
    )
    wire = trace.to_wire()
    assert (wire["@context"], wire["@type"]) == (KP_CONTEXT, "ReasoningTrace")
    assert wire["steps"] == [{"step_id": 0, "type": "thought"}]
    assert "source_skill" not in wire
    assert parse_knowledge_unit(wire) == trace


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quality_score", "1"),
        ("quality_score", True),
        ("success", "true"),
        ("success", 1),
        ("quality_score", float("nan")),
        ("visibility", "public"),
        ("created_at", "2025-06-15"),
        ("task_domain", ""),
    ],
)
def test_models_do_not_coerce_wire_values(field: str, value: Any) -> None:
    metadata = minimal_reasoning_trace()["metadata"] | {field: value}
    with pytest.raises(PydanticValidationError):
        KnowledgeUnitMeta.model_validate(metadata)


def test_model_validation_accepts_an_integral_float_for_an_integer() -> None:
    step = ReasoningTraceStep.model_validate({"step_id": 2.0, "type": "observation"})
    assert step.step_id == 2
    assert type(step.step_id) is int
    with pytest.raises(PydanticValidationError):
        ReasoningTraceStep.model_validate({"step_id": 2.5, "type": "observation"})


def test_model_validation_checks_id_prefixes() -> None:
    unit = minimal_reasoning_trace() | {"id": "kp:pattern:1"}
    with pytest.raises(PydanticValidationError):
        ReasoningTrace.model_validate(unit)


def test_parse_functions_raise_the_sdk_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_knowledge_unit({"@type": "Nope"})
    assert caught.value.message == "Invalid KnowledgeUnit"
    assert [issue.path for issue in caught.value.issues] == ["@type"]
    with pytest.raises(ValidationError) as caught_sop:
        parse_expert_sop(minimal_reasoning_trace())
    assert caught_sop.value.message == "Invalid ExpertSOP"


def test_parse_expert_sop_returns_the_model_without_unknown_keys() -> None:
    sop = parse_expert_sop(full_expert_sop() | {"extra": 1})
    assert isinstance(sop, ExpertSOP)
    assert sop.to_wire() == full_expert_sop()
