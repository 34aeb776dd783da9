"""JSON rendering as the wire contract wants it (registry-api.md §1).

Compact separators, raw UTF-8, integral floats printed as integers (the reference has a
single number type), media type exactly `application/json`.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse as StarletteJSONResponse

from knowledgepulse._lib import jsjson

__all__ = ["JSONResponse", "json_response"]


class JSONResponse(StarletteJSONResponse):
    """A JSON response rendered with the reference's number and spacing rules.

    Subclassing Starlette's JSON response tells FastAPI to document route response models.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return jsjson.dumps_bytes(content)


def json_response(
    content: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Build a wire-format JSON response."""
    return JSONResponse(content, status_code=status_code, headers=headers)
