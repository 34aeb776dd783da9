"""OpenAPI helpers: document raw-JSON request bodies, query parameters and error responses.

The routes read their body (`Body`) and query string (`QueryParams`) themselves, so FastAPI
sees neither; `request_body(...)` and `query_params(...)` describe them in `openapi_extra`, and
`merge(...)` combines the two for a route that has both. Documentation only: nothing here
changes how a request is parsed or validated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from knowledgepulse.registry.api.schemas import ErrorOut
from knowledgepulse.registry.query import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET

__all__ = [
    "LIMIT",
    "MIN_QUALITY",
    "OFFSET",
    "PAGE",
    "SEARCH_Q",
    "SORT",
    "Param",
    "errors",
    "merge",
    "query_params",
    "request_body",
]

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


def _string() -> dict[str, Any]:
    return {"type": "string"}


@dataclass(frozen=True, slots=True)
class Param:
    """One optional query parameter: its name, one-line description and JSON schema."""

    name: str
    description: str
    schema: Mapping[str, Any] = field(default_factory=_string)

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI Parameter Object (`in: query`, never required)."""
        return {
            "name": self.name,
            "in": "query",
            "required": False,
            "schema": dict(self.schema),
            "description": self.description,
        }


def query_params(*params: Param) -> dict[str, Any]:
    """`openapi_extra` for a route that reads these query parameters itself (`QueryParams`)."""
    return {"parameters": [param.openapi() for param in params]}


def merge(*extras: Mapping[str, Any]) -> dict[str, Any]:
    """Combine `openapi_extra` dicts, e.g. `merge(request_body(...), query_params(...))`.

    `parameters` lists are concatenated; any other key may appear in one part only.
    """
    out: dict[str, Any] = {}
    for extra in extras:
        for key, value in extra.items():
            if key == "parameters":
                out["parameters"] = [*out.get("parameters", []), *value]
            elif key in out:
                raise ValueError(f"openapi_extra key {key!r} given twice")
            else:
                out[key] = value
    return out


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


# Paging as `parse_page` reads it (registry-api.md §5, [FIX-R4]): never a 4xx.
OFFSET = Param(
    "offset",
    "Items to skip: a base-10 integer, default 0, clamped to 0..2⁶³-1; "
    "anything unparseable uses the default.",
    {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
)
LIMIT = Param(
    "limit",
    f"Page size: a base-10 integer, default {DEFAULT_LIMIT}, clamped to 1..{MAX_LIMIT}; "
    "anything unparseable (e.g. `1.5`, `1e1`) uses the default.",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
)
PAGE = (OFFSET, LIMIT)

# The hybrid search of skills, knowledge units and SOPs (§9.12).
SEARCH_Q = Param(
    "q",
    "Search text: full-text or semantic match (§9.12), ranked by relevance; empty means "
    "no filter. `total_capped: true` in the response marks `total` as a lower bound.",
)
SORT = Param(
    "sort",
    "`quality`: order the matches of `q` by quality (descending, then insertion) instead "
    "of relevance; other values are ignored.",
    {"type": "string", "enum": ["quality"]},
)
MIN_QUALITY = Param(
    "min_quality",
    "Keep items with `quality_score >=` this number; missing, empty or non-numeric: no filter.",
    {"type": "number"},
)
