"""Validate KnowledgeUnits and ExpertSOPs exactly as the registry does (sdk-mcp-cli.md §1.7).

`validate_knowledge_unit` backs `POST /v1/knowledge` and `kp validate`; `validate_expert_sop`
backs `POST`/`PUT /v1/sop`. Neither raises: the result carries either the cleaned unit
(unknown keys stripped, absent optional fields omitted, ready to store and serialize) or
the issue list of registry-api.md §6.3, for the body
`{"error": "Invalid KnowledgeUnit", "issues": [{"path", "message"}]}`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from knowledgepulse.sdk._wire_nodes import DiscriminatedUnionNode, Node
from knowledgepulse.sdk._wire_schema import compile_model
from knowledgepulse.sdk.errors import ValidationError
from knowledgepulse.sdk.issues import Issue
from knowledgepulse.sdk.models.base import WireModel
from knowledgepulse.sdk.models.expert_sop import ExpertSOP
from knowledgepulse.sdk.models.knowledge_unit import KNOWLEDGE_UNIT_MODELS, AnyKnowledgeUnit

__all__ = [
    "EXPERT_SOP_SCHEMA",
    "KNOWLEDGE_UNIT_SCHEMA",
    "ValidationResult",
    "knowledge_unit_node",
    "parse_expert_sop",
    "parse_knowledge_unit",
    "parse_model",
    "validate_expert_sop",
    "validate_knowledge_unit",
    "validate_model",
]

KNOWLEDGE_UNIT_SCHEMA = "KnowledgeUnit"
EXPERT_SOP_SCHEMA = "ExpertSOP"

ModelT = TypeVar("ModelT", bound=WireModel)


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """The outcome of validating one document against a named schema.

    Attributes:
        ok: True when there are no issues.
        value: the cleaned document when `ok`, else None.
        issues: every problem found, in schema order (empty when `ok`).
        schema: the schema name, used in the error message (`Invalid <schema>`).
    """

    ok: bool
    value: dict[str, Any] | None
    issues: list[Issue] = field(default_factory=list)
    schema: str = KNOWLEDGE_UNIT_SCHEMA

    @property
    def error_message(self) -> str:
        """`Invalid KnowledgeUnit`, `Invalid ExpertSOP`, ... (the registry's `error` text)."""
        return f"Invalid {self.schema}"

    def error_body(self) -> dict[str, Any]:
        """The registry's 400 body: `{"error": "Invalid <schema>", "issues": [...]}`."""
        return {"error": self.error_message, "issues": [issue.to_dict() for issue in self.issues]}

    def unwrap(self) -> dict[str, Any]:
        """Return the cleaned document.

        Raises:
            ValidationError: the document is invalid; carries the message and issues.
        """
        if not self.ok or self.value is None:
            raise ValidationError(self.error_message, self.issues)
        return self.value


@functools.cache
def knowledge_unit_node() -> DiscriminatedUnionNode:
    """The compiled `KnowledgeUnit` union, discriminated by `@type`."""
    return DiscriminatedUnionNode(
        discriminator="@type",
        options={tag: compile_model(model) for tag, model in KNOWLEDGE_UNIT_MODELS.items()},
    )


def _run(node: Node, data: object, schema: str) -> ValidationResult:
    issues: list[Issue] = []
    value = node.parse(data, (), issues)
    if issues:
        return ValidationResult(ok=False, value=None, issues=issues, schema=schema)
    return ValidationResult(ok=True, value=value, issues=[], schema=schema)


def validate_knowledge_unit(data: object) -> ValidationResult:
    """Validate any KnowledgeUnit (ReasoningTrace, ToolCallPattern or ExpertSOP)."""
    return _run(knowledge_unit_node(), data, KNOWLEDGE_UNIT_SCHEMA)


def validate_expert_sop(data: object) -> ValidationResult:
    """Validate an ExpertSOP on its own, as `POST /v1/sop` does (no discriminator step)."""
    return _run(compile_model(ExpertSOP), data, EXPERT_SOP_SCHEMA)


def validate_model(
    model: type[WireModel], data: object, *, schema: str | None = None
) -> ValidationResult:
    """Validate `data` against any wire model, e.g. one `DecisionTreeNode`.

    Args:
        model: the model class; its annotations must be ones the wire compiler supports.
        data: the decoded JSON value.
        schema: the name used in `Invalid <schema>`; defaults to the class name.
    """
    return _run(compile_model(model), data, schema or model.__name__)


def parse_knowledge_unit(data: object) -> AnyKnowledgeUnit:
    """Validate `data` and return it as a `ReasoningTrace`, `ToolCallPattern` or `ExpertSOP`.

    Raises:
        ValidationError: `Invalid KnowledgeUnit`, with the issues.
    """
    value = validate_knowledge_unit(data).unwrap()
    model = KNOWLEDGE_UNIT_MODELS[value["@type"]]
    return cast(AnyKnowledgeUnit, model.model_validate(value))


def parse_expert_sop(data: object) -> ExpertSOP:
    """Validate `data` as an ExpertSOP and return the model.

    Raises:
        ValidationError: `Invalid ExpertSOP`, with the issues.
    """
    return ExpertSOP.model_validate(validate_expert_sop(data).unwrap())


def parse_model(model: type[ModelT], data: object, *, schema: str | None = None) -> ModelT:
    """Validate `data` with wire semantics and return an instance of `model`.

    Raises:
        ValidationError: `Invalid <schema>`, with the issues.
    """
    return model.model_validate(validate_model(model, data, schema=schema).unwrap())
