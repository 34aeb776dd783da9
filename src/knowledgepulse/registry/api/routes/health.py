"""`GET /health` (registry-api.md §8.1)."""

from __future__ import annotations

from fastapi import APIRouter

from knowledgepulse.registry.api.responses import JSONResponse, json_response
from knowledgepulse.registry.api.routing import DirectRoute
from knowledgepulse.registry.api.schemas import HealthOut

__all__ = ["WIRE_VERSION", "router"]

# The reference reports this version on /health regardless of its package version.
WIRE_VERSION = "0.1.0"

router = APIRouter(tags=["health"], route_class=DirectRoute)


@router.get(
    "/health",
    response_model=HealthOut,
    response_class=JSONResponse,
    summary="Liveness probe",
)
async def health() -> JSONResponse:
    """Always `{"status":"ok","version":"0.1.0"}`; never rate-limited ([FIX-S17])."""
    return json_response({"status": "ok", "version": WIRE_VERSION})
