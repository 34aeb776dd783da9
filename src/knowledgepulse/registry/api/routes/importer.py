"""`/v1/import`: Notion and Confluence pages to a ParseResult (registry-api.md §8.12).

No database transaction: the upstream fetch can take seconds and must not hold one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from knowledgepulse.registry.api import schemas_import as schemas
from knowledgepulse.registry.api.deps import Body, Caller, Registry
from knowledgepulse.registry.api.docs import errors, request_body
from knowledgepulse.registry.api.responses import JSONResponse, json_response
from knowledgepulse.registry.api.routing import DirectRoute
from knowledgepulse.registry.api.schemas import ErrorOut

__all__ = ["router"]

router = APIRouter(prefix="/v1/import", tags=["import"], route_class=DirectRoute)

_UPSTREAM_FAILED: dict[int | str, dict[str, Any]] = {
    502: {"model": ErrorOut, "description": "The upstream failed or answered unusably"}
}


@router.post(
    "/notion",
    response_model=schemas.ParseResultOut,
    responses={**errors(400, 401, 429), **_UPSTREAM_FAILED},
    openapi_extra=request_body(schemas.NotionIn, {"pageId": "0b7c2f4e1d2a", "token": "secret_…"}),
    summary="Import a Notion page",
)
async def import_notion(caller: Caller, body: Body, registry: Registry) -> JSONResponse:
    """Reads the page's direct children through the Notion API."""
    return json_response((await registry.importer.notion(caller, body)).to_wire())


@router.post(
    "/confluence",
    response_model=schemas.ParseResultOut,
    responses={**errors(400, 401, 429), **_UPSTREAM_FAILED},
    openapi_extra=request_body(
        schemas.ConfluenceIn,
        {
            "pageId": "123456",
            "baseUrl": "https://example.atlassian.net",
            "token": "me@example.com:api-token",
        },
    ),
    summary="Import a Confluence page",
)
async def import_confluence(caller: Caller, body: Body, registry: Registry) -> JSONResponse:
    """Reads one page (ADF body); `baseUrl` must pass the SSRF guard ([FIX-S9])."""
    return json_response((await registry.importer.confluence(caller, body)).to_wire())
