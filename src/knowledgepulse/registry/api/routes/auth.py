"""`/v1/auth`: register and revoke API keys (registry-api.md §8.2)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from knowledgepulse.registry.api import schemas
from knowledgepulse.registry.api.deps import Body, Caller, Tx
from knowledgepulse.registry.api.docs import errors, request_body
from knowledgepulse.registry.api.responses import JSONResponse, json_response
from knowledgepulse.registry.api.routing import DirectRoute
from knowledgepulse.registry.auth.service import REGISTRATION_MESSAGE

__all__ = ["router"]

router = APIRouter(prefix="/v1/auth", tags=["auth"], route_class=DirectRoute)


@router.post(
    "/register",
    status_code=201,
    response_model=schemas.RegisterOut,
    responses=errors(400, 401, 403, 409),
    openapi_extra=request_body(
        schemas.RegisterIn, {"agent_id": "kp:agent:alice", "scopes": ["read", "write"]}
    ),
    summary="Create an API key",
)
async def register(request: Request, caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """Mint a key; the raw key appears once in this response and is never stored."""
    registration = await tx.auth.register(caller, body)
    record = registration.record
    return json_response(
        {
            "data": {
                "api_key": registration.raw_key,
                "key_prefix": record.key_prefix,
                "scopes": list(record.scopes),
                "tier": record.tier,
                "created_at": record.created_at,
            },
            "message": REGISTRATION_MESSAGE,
        },
        201,
    )


@router.post(
    "/revoke",
    response_model=schemas.RevokeOut,
    responses=errors(400, 401, 404, 429),
    openapi_extra=request_body(schemas.RevokeIn, {"key_prefix": "kp_7644b17e"}),
    summary="Revoke one of your API keys",
)
async def revoke(request: Request, caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """Revoke by prefix: your own keys, or any key with the admin scope."""
    prefix = await tx.auth.revoke(caller, body)
    # Evict cached keys only once the revocation is durable, or a concurrent request
    # could cache the still-live row again in between.
    tx.on_commit(request.app.state.container.authenticator.forget)
    return json_response({"data": {"revoked": True, "key_prefix": prefix}})
