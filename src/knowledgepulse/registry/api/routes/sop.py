"""`/v1/sop`: the ExpertSOP lifecycle (registry-api.md §8.7 and its fixes)."""

from __future__ import annotations

from fastapi import APIRouter

from knowledgepulse.registry.api import schemas_sop as schemas
from knowledgepulse.registry.api.deps import Body, Caller, QueryParams, Tx
from knowledgepulse.registry.api.docs import (
    PAGE,
    SEARCH_Q,
    SORT,
    Param,
    errors,
    query_params,
    request_body,
)
from knowledgepulse.registry.api.responses import JSONResponse, json_response
from knowledgepulse.registry.api.routing import DirectRoute
from knowledgepulse.registry.query import first, parse_page
from knowledgepulse.registry.sop.models import SopQuery
from knowledgepulse.sdk.models.examples import minimal_expert_sop

__all__ = ["router"]

router = APIRouter(prefix="/v1/sop", tags=["sop"], route_class=DirectRoute)

_EXAMPLE_SOP = minimal_expert_sop()


@router.post(
    "",
    status_code=201,
    response_model=schemas.SopOut,
    responses=errors(400, 401, 403, 409, 429),
    openapi_extra=schemas.expert_sop_body(_EXAMPLE_SOP),
    summary="Create an SOP (KP-REP ≥ 0.3)",
)
async def create_sop(caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """Validate an ExpertSOP and store it as version 1 in `draft`."""
    stored = await tx.sops.create(caller, body)
    return json_response({"data": stored.to_wire()}, 201)


@router.get(
    "",
    response_model=schemas.SopPage,
    responses=errors(400, 401, 429),
    openapi_extra=query_params(
        SEARCH_Q,
        Param("domain", "Exact, case-insensitive match on `sop.domain`."),
        Param(
            "status",
            "Exact match on the stored status; other values match nothing.",
            {"type": "string", "enum": ["draft", "pending_review", "approved", "rejected"]},
        ),
        Param(
            "mine",
            "`true`: only the caller's own SOPs, filtered before paging (401 when "
            "anonymous); any other value: no filter.",
            {"type": "string", "enum": ["true", "false"]},
        ),
        SORT,
        *PAGE,
    ),
    summary="Search SOPs",
)
async def search_sops(caller: Caller, params: QueryParams, tx: Tx) -> JSONResponse:
    """Filters `q`, `domain`, `status`, `mine=true` (the caller's own, before paging);
    `sort=quality` orders matches of `q` by quality instead of relevance."""
    page = parse_page(params)
    query = SopQuery(
        q=first(params, "q") or None,
        domain=first(params, "domain") or None,
        status=first(params, "status") or None,
        offset=page.offset,
        limit=page.limit,
        viewer=caller.agent_id if caller.authenticated else None,
        viewer_is_admin=caller.is_admin,
        sort=first(params, "sort"),
    )
    mine = first(params, "mine") == "true"
    sops, total = await tx.sops.search(caller, query, mine=mine)
    body = page.envelope([s.to_wire() for s in sops], int(total))
    if getattr(total, "capped", False):
        body["total_capped"] = True  # §9.12: there may be more matches than `total`
    return json_response(body)


@router.get(
    "/{id}",
    response_model=schemas.SopOut,
    responses=errors(404, 429),
    summary="Get an SOP",
)
async def get_sop(id: str, caller: Caller, tx: Tx) -> JSONResponse:
    """The latest version; private SOPs only for their owner and admins."""
    return json_response({"data": (await tx.sops.get(caller, id)).to_wire()})


@router.put(
    "/{id}",
    response_model=schemas.SopOut,
    responses=errors(400, 401, 403, 404, 429),
    openapi_extra=schemas.expert_sop_body(_EXAMPLE_SOP),
    summary="Update an SOP (new version)",
)
async def update_sop(id: str, caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """Owner or admin; the full new body becomes the next version, back in `draft`."""
    return json_response({"data": (await tx.sops.update(caller, id, body)).to_wire()})


@router.get(
    "/{id}/versions",
    response_model=schemas.SopVersionsOut,
    responses=errors(404, 429),
    summary="List an SOP's versions",
)
async def list_versions(id: str, caller: Caller, tx: Tx) -> JSONResponse:
    """Version summaries, oldest first."""
    versions = await tx.sops.versions(caller, id)
    return json_response({"data": [v.to_wire() for v in versions]})


@router.post(
    "/{id}/approve",
    response_model=schemas.SopOut,
    responses=errors(401, 403, 404, 429),
    openapi_extra=request_body(schemas.EmptyIn, {}, required=False),
    summary="Approve an SOP (admin)",
)
async def approve_sop(id: str, caller: Caller, tx: Tx) -> JSONResponse:
    """Sets `approved` and `approved_by`; the body is ignored."""
    return json_response({"data": (await tx.sops.approve(caller, id)).to_wire()})


@router.post(
    "/{id}/export-skill",
    response_model=schemas.SopExportOut,
    responses=errors(401, 403, 404, 429),
    openapi_extra=request_body(schemas.EmptyIn, {}, required=False),
    summary="Export an SOP as a SKILL.md skill",
)
async def export_skill(id: str, caller: Caller, tx: Tx) -> JSONResponse:
    """Write scope; every call stores a new skill and returns its SKILL.md."""
    return json_response({"data": await tx.sops.export_skill(caller, id)})


@router.delete(
    "/{id}",
    response_model=schemas.SopDeletedOut,
    responses=errors(401, 403, 404, 429),
    summary="Delete an SOP",
)
async def delete_sop(id: str, caller: Caller, tx: Tx) -> JSONResponse:
    """Owner or admin; the version history goes with it."""
    return json_response(await tx.sops.delete(caller, id))
