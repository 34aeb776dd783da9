"""The base class of every KnowledgeUnit model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["WireModel"]


class WireModel(BaseModel):
    """A Pydantic model of a wire object: JSON names kept, unknown keys dropped, no coercion.

    Optional fields are `None` when absent and are left out of `to_wire()`. Wire
    validation with the registry's exact issues is `knowledgepulse.sdk.validation`;
    `model_validate` is close but accepts `null` for optional fields.
    """

    model_config = ConfigDict(
        strict=True,
        extra="ignore",
        allow_inf_nan=False,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """This object as a JSON-ready dict: wire key names, absent optional fields omitted."""
        return self.model_dump(mode="json", exclude_none=True)
