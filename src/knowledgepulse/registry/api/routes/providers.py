"""`/v1/providers`: federated registry discovery (registry-api.md §8.11 with [FIX-S15])."""

from __future__ import annotations

from fastapi import APIRouter

from knowledgepulse.registry.api import schemas_providers as schemas
from knowledgepulse.registry.api.deps import Body, Caller, Tx
from knowledgepulse.registry.api.docs import errors, request_body
from knowledgepulse.registry.api.responses import JSONResponse, json_response
from knowledgepulse.registry.api.routing import DirectRoute

__all__ = ["router"]

router = APIRouter(prefix="/v1/providers", tags=["providers"], route_class=DirectRoute)


@router.get(
    "",
    response_model=schemas.ProviderList,
    responses=errors(429),
    summary="List registry providers",
)
async def list_providers(tx: Tx) -> JSONResponse:
    """Registration order; an `active` provider without recent heartbeats shows `inactive`."""
    records = await tx.providers.list_providers()
    return json_response({"data": [r.to_wire() for r in records], "total": len(records)})


@router.post(
    "",
    status_code=201,
    response_model=schemas.ProviderOut,
    responses=errors(400, 401, 403, 409, 429),
    openapi_extra=request_body(
        schemas.ProviderIn,
        {"url": "https://registry.example.org", "name": "Example registry", "status": "active"},
    ),
    summary="Register a provider (admin)",
)
async def register_provider(caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """A URL can be registered once; `status` is `active`, `inactive` or `unknown`."""
    record = await tx.providers.register(caller, body)
    return json_response({"data": record.to_wire()}, 201)


@router.post(
    "/{id}/heartbeat",
    response_model=schemas.HeartbeatOut,
    responses=errors(401, 404, 429),
    openapi_extra=request_body(schemas.HeartbeatIn, {}, required=False),
    summary="Record a provider heartbeat",
)
async def heartbeat(id: str, caller: Caller, tx: Tx) -> JSONResponse:
    """Marks the provider `active` now; any authenticated caller may send it."""
    return json_response({"data": await tx.providers.heartbeat(caller, id)})
