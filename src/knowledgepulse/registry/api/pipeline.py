"""The request pipeline of registry-api.md §2 as one pure ASGI middleware.

One class instead of a stack of middlewares keeps the stage order explicit (Starlette
applies `add_middleware` in reverse) and costs one coroutine per request instead of one
per stage. Stages: CORS → credential (JWT / API key) → rate limit → schema headers →
body limit → idempotency → route handler → audit.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from knowledgepulse._lib import jsjson
from knowledgepulse.registry.api.client_identity import client_address
from knowledgepulse.registry.audit.models import AuditEvent
from knowledgepulse.registry.auth.models import ANONYMOUS, AuthContext
from knowledgepulse.registry.errors import RegistryError

__all__ = ["Pipeline"]

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CORS_ORIGIN = (b"access-control-allow-origin", b"*")
_ALLOW_METHODS = b"GET,HEAD,PUT,POST,DELETE,PATCH,QUERY"
_JSON = (b"content-type", b"application/json")


def _header(scope: Scope, name: bytes) -> str | None:
    # The first occurrence wins, as in the reference (which reads a single header value).
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


async def _send_json(
    send: Send, status: int, body: Any, headers: list[tuple[bytes, bytes]]
) -> None:
    payload = jsjson.dumps_bytes(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, _JSON, (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class _BodyTooLarge(Exception):
    """Raised from `receive` when the streamed body passes the configured limit."""


class Pipeline:
    """Wraps the FastAPI app; needs the container on `app.state` once the lifespan ran."""

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        container = self.state.container
        settings = container.settings
        method: str = scope["method"]
        request_id = uuid.uuid4().hex
        headers: list[tuple[bytes, bytes]] = [_CORS_ORIGIN]

        # 1. CORS: every OPTIONS is a preflight answered here (§9.8).
        if method == "OPTIONS":
            await self._preflight(scope, send)
            return

        # 2–3. Credential: a dead `kp_` key is a 401 before any token is spent ([FIX-S19]).
        try:
            auth = await container.authenticator.authenticate(_header(scope, b"authorization"))
        except RegistryError as exc:
            await _send_json(send, exc.status, exc.body(), headers)
            return
        address = client_address(scope, trust_proxy=settings.trust_proxy)
        state = scope.setdefault("state", {})
        state["auth"] = auth
        state["client_address"] = address
        state["request_id"] = request_id

        # 4. Rate limit (§9.3), except the register route and /health ([FIX-S17]).
        path: str = scope["path"]
        limiter = container.rate_limiter
        if limiter is not None and not _exempt(method, path):
            identity = auth.agent_id if auth.authenticated and auth.agent_id else address
            verdict = await limiter.check(identity, auth.tier, write=method == "POST")
            headers.extend(verdict.headers())
            if not verdict.allowed:
                container.audit.record(
                    AuditEvent.rate_limited(auth, address, method, path, identity)
                )
                await _send_json(
                    send,
                    429,
                    {"error": "Rate limit exceeded", "retry_after": verdict.retry_after},
                    [*headers, (b"retry-after", str(verdict.retry_after).encode())],
                )
                return

        # 5. Schema headers (§9.7) on everything from here on.
        headers.append((b"kp-schema-version", b"v1"))
        requested = _header(scope, b"kp-schema-version")
        if requested is not None and requested != "v1":
            headers.append((b"kp-deprecated", b"true"))

        status_holder = [500]
        started = [False]
        head = method == "HEAD"
        if head:
            # HEAD is GET without a body (§1); routes only declare GET.
            scope["method"] = "GET"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                started[0] = True
                status_holder[0] = message["status"]
                message["headers"] = [*message.get("headers", []), *headers]
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        limited_receive = self._limit_body(scope, receive, settings.max_body_bytes)
        began = time.perf_counter()
        try:
            declared = _header(scope, b"content-length")
            if (
                declared is not None
                and declared.isdigit()
                and int(declared) > settings.max_body_bytes
            ):
                raise _BodyTooLarge
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            if not started[0]:
                status_holder[0] = 413
                await _send_json(
                    send,
                    413,
                    {"error": f"Request body exceeds {settings.max_body_bytes} bytes"},
                    headers,
                )
        except Exception:
            logger.exception("unhandled error in %s %s (request %s)", method, path, request_id)
            if not started[0]:
                status_holder[0] = 500
                await _send_json(
                    send,
                    500,
                    {"error": "Internal Server Error", "request_id": request_id},
                    headers,
                )
        finally:
            # 6. Audit (§9.5): after the handler, off the request path.
            route = scope.get("route")
            container.audit.record(
                AuditEvent.for_request(
                    auth=state.get("auth", ANONYMOUS),
                    address=address,
                    method=method,
                    path=path,
                    route_path=getattr(route, "path", None),
                    status=status_holder[0],
                    duration_ms=(time.perf_counter() - began) * 1000,
                )
            )

    async def _preflight(self, scope: Scope, send: Send) -> None:
        headers = [_CORS_ORIGIN, (b"access-control-allow-methods", _ALLOW_METHODS)]
        requested = _header(scope, b"access-control-request-headers")
        if requested is not None:
            headers.append((b"access-control-allow-headers", requested.encode("latin-1")))
            headers.append((b"vary", b"Access-Control-Request-Headers"))
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    def _limit_body(scope: Scope, receive: Receive, limit: int) -> Receive:
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge
            return message

        return wrapped


def _exempt(method: str, path: str) -> bool:
    if method == "POST" and path.endswith("/auth/register"):
        return True
    return path == "/health" and method in ("GET", "HEAD")


def auth_of(scope: Scope) -> AuthContext:
    """The auth context the pipeline stored for this request."""
    return scope.get("state", {}).get("auth", ANONYMOUS)
