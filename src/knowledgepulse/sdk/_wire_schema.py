"""Compile the Pydantic models into wire-validator nodes (see `_wire_nodes`).

Pydantic's errors differ from the reference's in wording, order and count, so each model
is compiled once into a tree of nodes that reproduce the reference's issues. The same
tree renders the JSON Schema export, so the models stay the single declaration of the
schema.

Compilation rules: a field is required on the wire when the model gives it no default,
and always when it is a `Literal` (constants such as `@context` are defaulted only for
Python convenience). `X | None` means "may be absent"; a JSON `null` is still rejected.
Every constraint in the metadata must be one the nodes enforce, or compilation fails, so
Pydantic and the wire validator can never silently disagree.
"""

from __future__ import annotations

import functools
import types
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Le, MinLen
from pydantic import BaseModel, Strict
from pydantic.fields import FieldInfo

from knowledgepulse.sdk._wire_nodes import (
    ArrayNode,
    BooleanNode,
    EnumNode,
    FieldSpec,
    LiteralNode,
    Node,
    NumberNode,
    ObjectNode,
    RecordNode,
    StringNode,
    UnknownNode,
)
from knowledgepulse.sdk.models.wire_types import AcceptIntegralFloat, IsoDateTime, StartsWith

__all__ = ["compile_model"]

# Metadata that only steers Pydantic; the nodes implement the same behaviour natively.
_PYDANTIC_ONLY = (Strict, AcceptIntegralFloat)


def _split_annotated(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """Peel `Annotated` and `X | None` layers, collecting constraint metadata."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            for item in extra:
                metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif origin is Union or origin is types.UnionType:
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                raise TypeError(f"unsupported union in wire model: {annotation!r}")
            annotation = members[0]
        else:
            return annotation, metadata


def _compile(annotation: Any, metadata: list[Any]) -> Node:
    annotation, metadata = _split_annotated(annotation, list(metadata))
    constraints = [item for item in metadata if not isinstance(item, _PYDANTIC_ONLY)]
    origin = get_origin(annotation)
    node: Node
    if annotation is Any:
        node = UnknownNode()
    elif origin is Literal:
        values = get_args(annotation)
        node = LiteralNode(values[0]) if len(values) == 1 else EnumNode(tuple(values))
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        node = EnumNode(tuple(str(member.value) for member in annotation))
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        node = compile_model(annotation)
    elif annotation is str:
        checks = tuple(c for c in constraints if isinstance(c, MinLen | StartsWith | IsoDateTime))
        node = StringNode(checks)
        constraints = [c for c in constraints if c not in checks]
    elif annotation is bool:
        node = BooleanNode()
    elif annotation in (int, float):
        bounds = [c for c in constraints if isinstance(c, Ge | Le)]
        minimum = next((c.ge for c in bounds if isinstance(c, Ge)), None)
        maximum = next((c.le for c in bounds if isinstance(c, Le)), None)
        node = NumberNode(integer=annotation is int, minimum=minimum, maximum=maximum)
        constraints = [c for c in constraints if c not in bounds]
    elif origin is list:
        lengths = [c for c in constraints if isinstance(c, MinLen)]
        min_length = lengths[0].min_length if lengths else None
        node = ArrayNode(_compile(get_args(annotation)[0], []), min_length)
        constraints = [c for c in constraints if c not in lengths]
    elif origin is dict:
        key_type, value_type = get_args(annotation)
        if key_type is not str:
            raise TypeError(f"wire objects have string keys: {annotation!r}")
        node = RecordNode(_compile(value_type, []))
    else:
        raise TypeError(f"unsupported annotation in wire model: {annotation!r}")
    # Every constraint must be enforced here too, or the two validators would disagree.
    if constraints:
        raise TypeError(f"unsupported constraint(s) {constraints!r} on {annotation!r}")
    return node


def _is_literal(annotation: Any) -> bool:
    annotation, _ = _split_annotated(annotation, [])
    return get_origin(annotation) is Literal


@functools.cache
def compile_model(model: type[BaseModel]) -> ObjectNode:
    """Compile a Pydantic model (and the models it nests) into its wire-schema node.

    Raises:
        TypeError: the model uses an annotation or constraint the compiler does not know.
    """
    fields = []
    for name, info in model.model_fields.items():
        required = info.is_required() or _is_literal(info.annotation)
        node = _compile(info.annotation, list(info.metadata))
        fields.append(FieldSpec(key=info.alias or name, node=node, required=required))
    return ObjectNode(tuple(fields))
