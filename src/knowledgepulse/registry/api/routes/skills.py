"""`/v1/skills` (registry-api.md §8.3)."""

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
from knowledgepulse.registry.invalidation import SKILLS_TAG
from knowledgepulse.registry.query import first, parse_float, parse_list, parse_page
from knowledgepulse.registry.skills.models import SkillQuery

__all__ = ["router"]

router = APIRouter(prefix="/v1/skills", tags=["skills"], route_class=DirectRoute)

_EXAMPLE_SKILL = "---\nname: hello-world\ndescription: Greets the user politely\n---\nSay hello.\n"


@router.get(
    "",
    response_model=schemas.SkillPage,
    responses=errors(400, 429),
    openapi_extra=query_params(
        SEARCH_Q,
        Param(
            "tags",
            "Comma list (split on `,`, items not trimmed): skills having any of these tags, "
            "case-insensitively.",
        ),
        MIN_QUALITY,
        SORT,
        *PAGE,
    ),
    summary="Search skills",
)
async def search_skills(params: QueryParams, registry: Registry) -> Response:
    """Filters `q`, `tags` (comma list, any-of), `min_quality`; `limit` 1..100, `offset`."""
    page = parse_page(params)
    query = SkillQuery(
        q=first(params, "q") or None,
        tags=tuple(parse_list(params, "tags")),
        min_quality=parse_float(params, "min_quality"),
        offset=page.offset,
        limit=page.limit,
        sort=first(params, "sort"),
    )

    async def produce(tx: Services) -> object:
        skills, total = await tx.skills.search(query)
        body = page.envelope([s.to_wire(with_files=False) for s in skills], int(total))
        if getattr(total, "capped", False):
            body["total_capped"] = True  # §9.12: there may be more matches than `total`
        return body

    return await cached_json(registry, query_key("skills:q", params), (SKILLS_TAG,), produce)


@router.get(
    "/{id}",
    response_model=schemas.SkillOut,
    responses=errors(404, 429),
    summary="Get a skill with its files",
)
async def get_skill(id: str, registry: Registry) -> Response:
    """One skill, including `files` when it has any."""

    async def produce(tx: Services) -> object:
        return {"data": (await tx.skills.get(id)).to_wire()}

    return await cached_json(registry, f"skills:id:{id}", (SKILLS_TAG,), produce)


@router.post(
    "",
    status_code=201,
    response_model=schemas.SkillCreatedOut,
    responses=errors(400, 401, 403, 429),
    openapi_extra=request_body(schemas.SkillIn, {"skill_md_content": _EXAMPLE_SKILL}),
    summary="Contribute a SKILL.md",
)
async def contribute_skill(caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """Sanitize, parse and store a SKILL.md; needs the `write` or `admin` scope."""
    result = await tx.skills.contribute(caller, body)
    payload: dict[str, object] = {"data": result.skill.to_wire()}
    if result.warnings:
        payload["warnings"] = result.warnings
    return json_response(payload, 201)
