"""Collaboration presence over HTTP (registry-api.md §8.8); public, no transaction.

The WebSocket on `/v1/sop/{id}/collaborate` comes with a later issue; it will share the
container's `CollabService` (and so its room registry) with these endpoints.
"""

from __future__ import annotations

from fastapi import APIRouter

from knowledgepulse.registry.api import schemas_sop as schemas
from knowledgepulse.registry.api.deps import Registry
from knowledgepulse.registry.api.docs import errors
from knowledgepulse.registry.api.responses import JSONResponse, json_response
from knowledgepulse.registry.api.routing import DirectRoute

__all__ = ["router"]

router = APIRouter(prefix="/v1/sop", tags=["collaboration"], route_class=DirectRoute)


@router.get(
    "/collaborate/rooms",
    response_model=schemas.RoomsOut,
    responses=errors(429),
    summary="List open collaboration rooms",
)
async def list_rooms(registry: Registry) -> JSONResponse:
    """Every room with at least one peer, in creation order."""
    return json_response(await registry.collab.overview())


@router.get(
    "/{id}/collaborate/presence",
    response_model=schemas.PresenceOut,
    responses=errors(429),
    summary="Who is editing an SOP",
)
async def presence(id: str, registry: Registry) -> JSONResponse:
    """The peers of one room in join order (the SOP need not exist)."""
    return json_response(await registry.collab.presence(id))


@router.get(
    "/{id}/collaborate",
    response_model=schemas.CollabInfoOut,
    responses=errors(429),
    summary="How to join an SOP's collaboration room",
)
async def collaboration_info(id: str, registry: Registry) -> JSONResponse:
    """The WebSocket path and protocol name, plus the current peers."""
    return json_response(await registry.collab.info(id))
