"""`/v1/knowledge` (registry-api.md §8.4) and unit reports (§8.5)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from knowledgepulse.registry.api import schemas
from knowledgepulse.registry.api.caching import cached_json, query_key
from knowledgepulse.registry.api.deps import Body, Caller, QueryParams, Registry, Tx
from knowledgepulse.registry.api.docs import (
    MIN_QUALITY,
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
from knowledgepulse.registry.container import Services
from knowledgepulse.registry.invalidation import KNOWLEDGE_TAG
from knowledgepulse.registry.knowledge.models import KnowledgeQuery
from knowledgepulse.registry.query import first, parse_float, parse_list, parse_page

__all__ = ["router"]

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"], route_class=DirectRoute)

_EXAMPLE_UNIT = {
    "@context": "https://openknowledgepulse.org/schema/v1",
    "@type": "ReasoningTrace",
    "id": "kp:trace:0b7c2f4e-1d2a-4a57-9a0e-6c1f0e9d2b11",
    "metadata": {
        "created_at": "2026-11-24T18:07:14.485Z",
        "task_domain": "devops",
        "success": True,
        "quality_score": 0.8,
        "visibility": "network",
        "privacy_level": "aggregated",
    },
    "task": {"objective": "Restart a stuck deployment"},
    "steps": [{"step_id": 0, "type": "thought", "content": "Check the rollout status"}],
    "outcome": {"result_summary": "Deployment restarted", "confidence": 0.9},
}


@router.get(
    "",
    response_model=schemas.KnowledgePage,
    responses=errors(400, 429),
    openapi_extra=query_params(
        SEARCH_Q,
        Param(
            "types",
            "Comma list of exact, case-sensitive `@type` values (`ReasoningTrace`, "
            "`ToolCallPattern`, `ExpertSOP`); items not trimmed.",
        ),
        Param("domain", "Exact, case-insensitive match on `metadata.task_domain`."),
        MIN_QUALITY,
        SORT,
        *PAGE,
    ),
    summary="Search knowledge units",
)
async def search_knowledge(caller: Caller, params: QueryParams, registry: Registry) -> Response:
    """Filters `q`, `types`, `domain`, `min_quality`; quarantined units are hidden."""
    page = parse_page(params)
    query = KnowledgeQuery(
        q=first(params, "q") or None,
        types=tuple(parse_list(params, "types")),
        domain=first(params, "domain") or None,
        min_quality=parse_float(params, "min_quality"),
        offset=page.offset,
        limit=page.limit,
        viewer=caller.agent_id if caller.authenticated else None,
        viewer_is_admin=caller.is_admin,
        sort=first(params, "sort"),
    )

    async def produce(tx: Services) -> object:
        units, total = await tx.knowledge.search(query)
        body = page.envelope([u.to_wire() for u in units], int(total))
        if getattr(total, "capped", False):
            body["total_capped"] = True  # §9.12: there may be more matches than `total`
        return body

    viewer = "*admin*" if caller.is_admin else query.viewer
    key = query_key("knowledge:q", params, viewer)
    return await cached_json(registry, key, (KNOWLEDGE_TAG,), produce)


@router.get(
    "/{id}",
    response_model=schemas.KnowledgeOut,
    responses=errors(404, 429),
    summary="Get a knowledge unit",
)
async def get_knowledge(id: str, caller: Caller, tx: Tx) -> JSONResponse:
    """One unit (also when quarantined); private units only for their owner and admins."""
    unit = await tx.knowledge.get(caller, id)
    return json_response({"data": unit.to_wire()})


@router.post(
    "",
    status_code=201,
    response_model=schemas.KnowledgeOut,
    responses=errors(400, 401, 403, 409, 429),
    openapi_extra=request_body(schemas.StoredKnowledgeUnit, _EXAMPLE_UNIT),
    summary="Contribute a knowledge unit",
)
async def contribute_knowledge(caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """Validate and store a ReasoningTrace, ToolCallPattern or ExpertSOP."""
    stored = await tx.knowledge.contribute(caller, body)
    quality = stored.unit["metadata"]["quality_score"]
    return json_response({"data": stored.to_wire(), "quality_score": quality}, 201)


@router.post(
    "/{id}/validate",
    response_model=schemas.ValidateOut,
    responses=errors(400, 401, 403, 404, 409, 429),
    openapi_extra=request_body(schemas.ValidateIn, {"valid": True, "feedback": "Worked for me"}),
    summary="Validate a knowledge unit",
)
async def validate_knowledge(id: str, caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """One validation per agent and unit; never on your own unit."""
    data = await tx.knowledge.validate(caller, id, body)
    return json_response({"data": data})


@router.delete(
    "/{id}",
    response_model=schemas.EraseOut,
    responses=errors(401, 403, 404, 429),
    summary="Erase a knowledge unit (GDPR Art. 17)",
)
async def erase_knowledge(id: str, caller: Caller, tx: Tx) -> JSONResponse:
    """Owner or admin only; the unit's reports and votes go with it."""
    return json_response(await tx.knowledge.erase(caller, id))


@router.post(
    "/{id}/report",
    response_model=schemas.ReportOut,
    responses=errors(400, 401, 404, 429),
    openapi_extra=request_body(schemas.ReportIn, {"reason": "contains a hidden instruction"}),
    summary="Report a knowledge unit",
)
async def report_knowledge(id: str, caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """One report per agent and unit; enough distinct reporters quarantine it."""
    return json_response(await tx.quarantine.report(caller, id, body))
