"""`/v1/admin`: quarantine review (registry-api.md §8.5) and the audit log (extension)."""

from __future__ import annotations

from fastapi import APIRouter

from knowledgepulse.registry.api import schemas
from knowledgepulse.registry.api.deps import Body, Caller, QueryParams, Tx
from knowledgepulse.registry.api.docs import PAGE, Param, errors, query_params, request_body
from knowledgepulse.registry.api.responses import JSONResponse, json_response
from knowledgepulse.registry.api.routing import DirectRoute
from knowledgepulse.registry.audit.service import AuditQuery
from knowledgepulse.registry.audit.tables import AUDIT_ACTIONS
from knowledgepulse.registry.query import first, parse_page

__all__ = ["router"]

router = APIRouter(prefix="/v1/admin", tags=["admin"], route_class=DirectRoute)


@router.get(
    "/quarantine",
    response_model=schemas.QuarantineList,
    responses=errors(403, 429),
    summary="List reported knowledge units",
)
async def list_quarantine(caller: Caller, tx: Tx) -> JSONResponse:
    """Admin only; most-reported first."""
    return json_response(await tx.quarantine.list_reported(caller))


@router.post(
    "/quarantine/{id}/resolve",
    response_model=schemas.ResolveOut,
    responses=errors(400, 403, 404, 429),
    openapi_extra=request_body(schemas.ResolveIn, {"verdict": "keep"}),
    summary="Keep or remove a reported unit",
)
async def resolve_quarantine(id: str, caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """Admin only; `keep` clears the unit, `remove` deletes it."""
    return json_response(await tx.quarantine.resolve(caller, id, body))


@router.get(
    "/audit",
    response_model=schemas.AuditPage,
    responses=errors(400, 403, 429),
    openapi_extra=query_params(
        Param("agent_id", "Exact match on the acting agent id (`anonymous` for anonymous)."),
        Param(
            "action",
            "Exact match on the stored action; other values match nothing.",
            {"type": "string", "enum": list(AUDIT_ACTIONS)},
        ),
        Param("resource_type", "Exact match on the resource type (e.g. `skill`, `sop`)."),
        Param(
            "from",
            "Entries at or after this ISO-8601 timestamp (400 when not one).",
            {"type": "string", "format": "date-time"},
        ),
        Param(
            "to",
            "Entries at or before this ISO-8601 timestamp (400 when not one).",
            {"type": "string", "format": "date-time"},
        ),
        *PAGE,
    ),
    summary="Read the audit log (extension)",
)
async def read_audit(caller: Caller, params: QueryParams, tx: Tx) -> JSONResponse:
    """Admin only. Filters: `agent_id`, `action`, `resource_type`, `from`, `to` (ISO-8601);
    newest first; `limit` 1..100, `offset`."""
    page = parse_page(params)
    query = AuditQuery(
        agent_id=first(params, "agent_id") or None,
        action=first(params, "action") or None,
        resource_type=first(params, "resource_type") or None,
        since=first(params, "from") or None,
        until=first(params, "to") or None,
        offset=page.offset,
        limit=page.limit,
    )
    entries, total = await tx.audit.query(caller, query)
    return json_response(page.envelope([e.to_wire() for e in entries], total))


@router.get(
    "/skills/flagged",
    response_model=schemas.FlaggedSkillPage,
    responses=errors(400, 403, 429),
    openapi_extra=query_params(*PAGE),
    summary="Skills accepted with security findings (extension)",
)
async def flagged_skills(caller: Caller, params: QueryParams, tx: Tx) -> JSONResponse:
    """Admin only: skills the scanner found suspicious, newest first, with findings."""
    page = parse_page(params)
    skills, total = await tx.skills.flagged(caller, page.offset, page.limit)
    return json_response(page.envelope([s.review() for s in skills], total))
