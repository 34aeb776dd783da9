"""`/v1/export`: GDPR Art. 20 data export (registry-api.md §8.10 with [FIX-S18])."""

from __future__ import annotations

from fastapi import APIRouter

from knowledgepulse.registry.api import schemas_export as schemas
from knowledgepulse.registry.api.deps import Caller, Tx
from knowledgepulse.registry.api.docs import errors
from knowledgepulse.registry.api.responses import JSONResponse, json_response
from knowledgepulse.registry.api.routing import DirectRoute

__all__ = ["router"]

router = APIRouter(prefix="/v1/export", tags=["export"], route_class=DirectRoute)


@router.get(
    "/{agent_id}",
    response_model=schemas.ExportOut,
    responses=errors(401, 403, 429),
    summary="Export an agent's data (GDPR Art. 20)",
)
async def export_agent(agent_id: str, caller: Caller, tx: Tx) -> JSONResponse:
    """The agent itself or an admin: units, reputation, keys, SOPs, credits and more."""
    return json_response({"data": await tx.export.export(caller, agent_id)})
