"""The nodes of the wire validator: each reproduces one Zod schema type and its issues.

Zod's rules, which are part of the wire contract (sdk-mcp-cli.md §1.7, registry-api.md
§6.3): every issue is reported, in schema field order, with Zod's message texts; a
missing key is `Required` (a literal reports its expected value instead); unknown keys
are dropped; nothing is coerced. Each node also renders its draft-07 JSON Schema.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from annotated_types import MinLen

from knowledgepulse._lib.jsjson import dumps as js_dumps
from knowledgepulse._lib.jsjson import format_number
from knowledgepulse.sdk.issues import Issue
from knowledgepulse.sdk.models.wire_types import (
    INVALID_DATETIME,
    IsoDateTime,
    StartsWith,
    is_iso_datetime,
    starts_with_message,
)

__all__ = [
    "MISSING",
    "ArrayNode",
    "BooleanNode",
    "DiscriminatedUnionNode",
    "EnumNode",
    "FieldSpec",
    "LiteralNode",
    "Node",
    "NumberNode",
    "ObjectNode",
    "Path",
    "RecordNode",
    "StringNode",
    "UnknownNode",
    "received_type",
]

Path = tuple[str | int, ...]


class _Missing:
    """A key absent from its object (JavaScript's `undefined`)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def received_type(value: Any) -> str:
    """Zod's name for the type of `value` (`undefined`, `null`, `nan`, `array`, ...)."""
    if value is MISSING:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def _type_message(expected: str, value: Any) -> str:
    received = received_type(value)
    return "Required" if received == "undefined" else f"Expected {expected}, received {received}"


def _join_values(values: tuple[str, ...]) -> str:
    return " | ".join(f"'{value}'" for value in values)


def _add(issues: list[Issue], path: Path, message: str) -> None:
    issues.append(Issue(".".join(str(part) for part in path), message))


def _ecma_pattern_escape(text: str) -> str:
    # Escape only ECMAScript syntax characters: other escapes (e.g. `\:`) are invalid
    # under the Unicode-mode regexes that JSON Schema validators use.
    return "".join("\\" + char if char in "^$\\.*+?()[]{}|/" else char for char in text)


class Node(ABC):
    """One schema node: validates a value and renders its JSON Schema."""

    @abstractmethod
    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        """Append the issues of `value` at `path` and return its cleaned form."""

    @abstractmethod
    def json_schema(self) -> dict[str, Any]:
        """This node as a draft-07 JSON Schema fragment."""


class UnknownNode(Node):
    """Any value, kept as given (contents of free-form objects)."""

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        return value

    def json_schema(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class StringNode(Node):
    """A string with Zod's checks, each reported independently and in order."""

    checks: tuple[MinLen | StartsWith | IsoDateTime, ...] = ()

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if not isinstance(value, str):
            _add(issues, path, _type_message("string", value))
            return value
        for check in self.checks:
            if isinstance(check, MinLen):
                # JavaScript counts UTF-16 code units; only short strings need the count.
                if len(value) < check.min_length and _utf16_length(value) < check.min_length:
                    _add(
                        issues,
                        path,
                        f"String must contain at least {check.min_length} character(s)",
                    )
            elif isinstance(check, StartsWith):
                if not value.startswith(check.prefix):
                    _add(issues, path, starts_with_message(check.prefix))
            elif not is_iso_datetime(value):
                _add(issues, path, INVALID_DATETIME)
        return str(value)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        for check in self.checks:
            if isinstance(check, MinLen):
                schema["minLength"] = check.min_length
            elif isinstance(check, StartsWith):
                schema["pattern"] = "^" + _ecma_pattern_escape(check.prefix)
            else:
                schema["format"] = "date-time"
        return schema


def _is_infinite(value: int | float) -> bool:
    # An integer too large for a double is what a JavaScript parser reads as Infinity.
    try:
        return math.isinf(float(value))
    except OverflowError:
        return True


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


@dataclass(frozen=True)
class NumberNode(Node):
    """A JSON number (never a bool, never NaN), optionally integral and bounded."""

    integer: bool = False
    minimum: int | float | None = None
    maximum: int | float | None = None

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            _add(issues, path, _type_message("number", value))
            return value
        before = len(issues)
        if self.integer and isinstance(value, float) and not value.is_integer():
            _add(issues, path, "Expected integer, received float")
        if self.minimum is not None and value < self.minimum:
            bound = format_number(self.minimum)
            _add(issues, path, f"Number must be greater than or equal to {bound}")
        if self.maximum is not None and value > self.maximum:
            bound = format_number(self.maximum)
            _add(issues, path, f"Number must be less than or equal to {bound}")
        if len(issues) == before and _is_infinite(value):
            # Extension: JSON cannot carry ±Infinity, so a stored unit must not hold one.
            _add(issues, path, "Number must be finite")
        if self.integer and isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer" if self.integer else "number"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


class BooleanNode(Node):
    """A JSON boolean only: the string `"true"` and the number 1 are rejected."""

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if not isinstance(value, bool):
            _add(issues, path, _type_message("boolean", value))
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class LiteralNode(Node):
    """Exactly one string value; a missing key gets the literal message, not `Required`."""

    value: str

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if not (isinstance(value, str) and value == self.value):
            _add(issues, path, f"Invalid literal value, expected {js_dumps(self.value)}")
        return self.value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "const": self.value}


@dataclass(frozen=True)
class EnumNode(Node):
    """One of a fixed list of strings, listed in schema order in the messages."""

    values: tuple[str, ...]

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        expected = _join_values(self.values)
        if not isinstance(value, str):
            _add(issues, path, _type_message(expected, value))
            return value
        if value not in self.values:
            _add(issues, path, f"Invalid enum value. Expected {expected}, received '{value}'")
        return str(value)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


@dataclass(frozen=True)
class ArrayNode(Node):
    """A JSON array whose items are all checked, even when it is too short."""

    item: Node
    min_length: int | None = None

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if not isinstance(value, list | tuple):
            _add(issues, path, _type_message("array", value))
            return value
        if self.min_length is not None and len(value) < self.min_length:
            _add(issues, path, f"Array must contain at least {self.min_length} element(s)")
        return [self.item.parse(item, (*path, index), issues) for index, item in enumerate(value)]

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.item.json_schema()}
        if self.min_length is not None:
            schema["minItems"] = self.min_length
        return schema


@dataclass(frozen=True)
class RecordNode(Node):
    """A JSON object with arbitrary string keys and values of one kind."""

    value: Node

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if not isinstance(value, dict):
            _add(issues, path, _type_message("object", value))
            return value
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                _add(issues, (*path, key), _type_message("string", key))
                continue
            out[key] = self.value.parse(item, (*path, key), issues)
        return out

    def json_schema(self) -> dict[str, Any]:
        if isinstance(self.value, UnknownNode):
            return {"type": "object"}
        return {"type": "object", "additionalProperties": self.value.json_schema()}


@dataclass(frozen=True)
class FieldSpec:
    """One property of an object node."""

    key: str
    node: Node
    required: bool


@dataclass(frozen=True)
class ObjectNode(Node):
    """A JSON object: known keys checked in declaration order, unknown keys dropped."""

    fields: tuple[FieldSpec, ...]

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if not isinstance(value, dict):
            _add(issues, path, _type_message("object", value))
            return value
        out: dict[str, Any] = {}
        for spec in self.fields:
            if spec.key in value:
                out[spec.key] = spec.node.parse(value[spec.key], (*path, spec.key), issues)
            elif spec.required:
                spec.node.parse(MISSING, (*path, spec.key), issues)
        return out

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {spec.key: spec.node.json_schema() for spec in self.fields},
        }
        required = [spec.key for spec in self.fields if spec.required]
        if required:
            schema["required"] = required
        # KD-25: unknown keys are accepted (and stripped), so the schema must allow them.
        schema["additionalProperties"] = True
        return schema


@dataclass(frozen=True)
class DiscriminatedUnionNode(Node):
    """Objects told apart by one key; an unknown tag is a single issue at that key."""

    discriminator: str
    options: dict[str, ObjectNode]

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if not isinstance(value, dict):
            _add(issues, path, _type_message("object", value))
            return value
        tag = value.get(self.discriminator, MISSING)
        option = self.options.get(tag) if isinstance(tag, str) else None
        if option is None:
            expected = _join_values(tuple(self.options))
            _add(
                issues,
                (*path, self.discriminator),
                f"Invalid discriminator value. Expected {expected}",
            )
            return value
        return option.parse(value, path, issues)

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [option.json_schema() for option in self.options.values()]}
