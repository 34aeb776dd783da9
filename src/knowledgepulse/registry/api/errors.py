"""Map domain errors and framework errors to the wire's JSON error bodies, once."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from knowledgepulse.registry.api.responses import JSONResponse, json_response
from knowledgepulse.registry.errors import RateLimited, RegistryError

__all__ = ["error_response", "install_error_handlers"]

logger = logging.getLogger(__name__)


def error_response(exc: RegistryError) -> JSONResponse:
    """The response for a domain error: its status, its body, `Retry-After` when limited."""
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return json_response(exc.body(), exc.status, headers)


async def _registry_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RegistryError)
    return error_response(exc)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # Unknown paths and unsupported methods are both "not found" on this API (§1: never 405).
    if exc.status_code in (404, 405):
        return json_response({"error": "Not found"}, 404)
    return json_response({"error": str(exc.detail)}, exc.status_code)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = [
        {"path": ".".join(str(p) for p in err["loc"][1:]), "message": err["msg"]}
        for err in exc.errors()
    ]
    return json_response({"error": "Invalid request", "issues": issues}, 400)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into the spec's JSON errors."""
    app.add_exception_handler(RegistryError, _registry_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
