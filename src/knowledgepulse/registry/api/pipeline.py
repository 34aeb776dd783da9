"""The request pipeline of registry-api.md §2 as one pure ASGI middleware.

One class instead of a stack of middlewares keeps the stage order explicit (Starlette
applies `add_middleware` in reverse) and costs one coroutine per request instead of one
per stage. Stages: CORS → credential (JWT / API key) → rate limit → schema headers →
body limit → idempotency → route handler → audit.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from knowledgepulse._lib import jsjson
from knowledgepulse.registry.api.client_identity import client_address
from knowledgepulse.registry.audit.models import AuditEvent
from knowledgepulse.registry.auth.models import ANONYMOUS, AuthContext
from knowledgepulse.registry.errors import RegistryError
from knowledgepulse.registry.infra import (
    IN_PROGRESS_ERROR,
    MISMATCH_ERROR,
    InProgress,
    Mismatch,
    Replay,
    Started,
    StoredResponse,
    action_for_method,
    body_fingerprint,
    idempotency_scope,
    select_headers,
    should_store,
)

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
_NUL_QUERY = re.compile(rb"%00|\x00")


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
        principal = auth.agent_id if auth.authenticated and auth.agent_id else address
        if not _exempt(method, path):
            verdict = await container.rate_limiter.check(
                principal, auth.tier, action_for_method(method)
            )
            headers.extend(
                (name.lower().encode(), value.encode()) for name, value in verdict.headers().items()
            )
            if not verdict.allowed:
                container.audit.record(
                    AuditEvent.rate_limited(auth, address, method, path, principal)
                )
                await _send_json(send, 429, verdict.body(), headers)
                return

        # 5. Schema headers (§9.7) on everything from here on.
        headers.append((b"kp-schema-version", b"v1"))
        requested = _header(scope, b"kp-schema-version")
        if requested is not None and requested != "v1":
            headers.append((b"kp-deprecated", b"true"))

        # U+0000 cannot be stored or compared on PostgreSQL; refuse it before any handler
        # turns it into a database error.
        if "\x00" in path or _NUL_QUERY.search(scope.get("query_string", b"")):
            await _send_json(send, 400, {"error": "Request contains a NUL character"}, headers)
            return

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
            key = _header(scope, b"idempotency-key")
            if (
                key is not None
                and method in ("POST", "PUT")
                and not path.endswith("/auth/register")
            ):
                await self._idempotent(
                    scope,
                    limited_receive,
                    send_with_headers,
                    headers,
                    idempotency_scope(principal, method, path, key),
                )
            else:
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

    async def _idempotent(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: list[tuple[bytes, bytes]],
        key_scope: str,
    ) -> None:
        """Run the handler once per scope; replay its stored answer afterwards ([FIX-S7])."""
        store = self.state.container.idempotency
        body = await _read_body(receive)
        outcome = await store.begin(key_scope, body_fingerprint(body))
        if isinstance(outcome, InProgress):
            await _send_json(send, 409, {"error": IN_PROGRESS_ERROR}, [])
            return
        if isinstance(outcome, Mismatch):
            await _send_json(send, 422, {"error": MISMATCH_ERROR}, [])
            return
        if isinstance(outcome, Replay):
            stored = outcome.response
            replay_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
            replay_headers.append((b"idempotency-replayed", b"true"))
            replay_headers.append((b"content-length", str(len(stored.body)).encode()))
            await send(
                {"type": "http.response.start", "status": stored.status, "headers": replay_headers}
            )
            await send({"type": "http.response.body", "body": stored.body})
            return
        assert isinstance(outcome, Started)
        captured: dict[str, Any] = {"status": 500, "headers": [], "body": bytearray()}

        async def replay_receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await store.abandon(key_scope, owner=outcome.owner)
            raise
        status = captured["status"]
        if should_store(status):
            kept = select_headers(
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in captured["headers"]
            )
            await store.complete(
                key_scope,
                StoredResponse(status=status, headers=kept, body=bytes(captured["body"])),
                owner=outcome.owner,
            )
        else:
            await store.abandon(key_scope, owner=outcome.owner)

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


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _exempt(method: str, path: str) -> bool:
    if method == "POST" and path.endswith("/auth/register"):
        return True
    return path == "/health" and method in ("GET", "HEAD")


def auth_of(scope: Scope) -> AuthContext:
    """The auth context the pipeline stored for this request."""
    return scope.get("state", {}).get("auth", ANONYMOUS)
