"""OpenAPI helpers: document raw-JSON request bodies and error responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from knowledgepulse.registry.api.schemas import ErrorOut

__all__ = ["errors", "request_body"]

_REASONS = {
    400: "Invalid input",
    401: "Missing, unknown or revoked credential",
    403: "The credential lacks the right",
    404: "Not found",
    409: "Conflict with stored state",
    413: "Request body too large",
    422: "Idempotency key reused with another body",
    429: "Rate limit exceeded",
    503: "A backing service is unavailable",
}


def request_body(model: type[BaseModel], example: Any, *, required: bool = True) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its JSON body itself (no 422 from FastAPI)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {
        "requestBody": {
            "required": required,
            "content": {"application/json": {"schema": schema, "example": example}},
        }
    }


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the error statuses a route can answer."""
    return {code: {"model": ErrorOut, "description": _REASONS[code]} for code in codes}
