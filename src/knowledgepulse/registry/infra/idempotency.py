"""Idempotency records: claim a request scope, then store or release its response (§9.4, S7).

Flow for the HTTP layer: build `scope = idempotency_scope(principal, method, path, key)`,
then `begin(scope, body_fingerprint(body))`:

* `Started(owner)`: run the handler; if `should_store(status)` call `complete(...)`,
  otherwise (5xx, 409, 429, crash) call `abandon(...)` so a retry runs again;
* `InProgress` → 409 `{"error": IN_PROGRESS_ERROR}`;
* `Mismatch` → 422 `{"error": MISMATCH_ERROR}`;
* `Replay(response)` → send it with `Idempotency-Replayed: true`.

`POST /v1/auth/register` must never be stored (its body holds a raw API key, S7/S16).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import redis.asyncio as aioredis

from knowledgepulse.registry.errors import Unavailable
from knowledgepulse.registry.infra.clock import Clock, SystemClock
from knowledgepulse.registry.infra.redis import LuaScript

__all__ = [
    "IDEMPOTENCY_TTL",
    "IN_PROGRESS_ERROR",
    "IN_PROGRESS_TTL",
    "MISMATCH_ERROR",
    "REPLAYED_HEADER",
    "BeginResult",
    "IdempotencyStore",
    "IdempotencyUnavailable",
    "InProgress",
    "MemoryIdempotencyStore",
    "Mismatch",
    "RedisIdempotencyStore",
    "Replay",
    "Started",
    "StoredResponse",
    "body_fingerprint",
    "idempotency_scope",
    "select_headers",
    "should_store",
]

IDEMPOTENCY_TTL = 86_400.0
# An attempt that neither completes nor abandons within this long (a crashed or hung worker)
# stops blocking its key. 60 s matches common proxy read timeouts: by then the client has
# been told 502/504 and its retry should be allowed to run.
IN_PROGRESS_TTL = 60.0
IN_PROGRESS_ERROR = "Request with this Idempotency-Key is in progress"
MISMATCH_ERROR = "Idempotency-Key reused with a different request body"
REPLAYED_HEADER = ("Idempotency-Replayed", "true")


class IdempotencyUnavailable(Unavailable):
    """The idempotency store cannot be used and the deployment chose to fail closed (503)."""

    def __init__(self) -> None:
        super().__init__("Idempotency store unavailable")


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """What a replay sends back: status, the kept headers and the exact body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class Started:
    """The caller owns the scope; pass `owner` to `complete` or `abandon`."""

    owner: str


@dataclass(frozen=True, slots=True)
class InProgress:
    """Another attempt with the same scope and body is running (→ 409)."""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """The scope was used with a different body fingerprint (→ 422)."""


@dataclass(frozen=True, slots=True)
class Replay:
    """The scope completed before; answer with `response`."""

    response: StoredResponse


BeginResult = Started | InProgress | Mismatch | Replay


def idempotency_scope(principal: str, method: str, path: str, key: str) -> str:
    """A fixed-length scope id for principal + method + path + `Idempotency-Key` (FIX-S7).

    `principal` is the agent id, or the client address for anonymous callers. Hashing a
    JSON array keeps the parts unambiguous whatever characters they contain.
    """
    parts = json.dumps([principal, method.upper(), path, key], ensure_ascii=False)
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()


def body_fingerprint(body: bytes) -> str:
    """SHA-256 of the raw request body; byte-different bodies count as different requests."""
    return hashlib.sha256(body).hexdigest()


def should_store(status: int) -> bool:
    """Recommended rule: keep 2xx and 4xx except 409 and 429, which a retry may cure."""
    return 200 <= status < 300 or (400 <= status < 500 and status not in (409, 429))


def select_headers(
    headers: Iterable[tuple[str, str]], keep: Iterable[str] = ("content-type", "location")
) -> tuple[tuple[str, str], ...]:
    """The response headers worth replaying; hop-by-hop, rate-limit and schema headers are
    produced fresh for the replaying request, so they are not kept."""
    wanted = {name.lower() for name in keep}
    return tuple((k, v) for k, v in headers if k.lower() in wanted)


@runtime_checkable
class IdempotencyStore(Protocol):
    """Records per scope: pending (owned by one attempt) or done (holds the response).

    A pending record expires `in_progress_ttl` seconds after `begin`, a done one
    `IDEMPOTENCY_TTL` (24 h) after `complete`; an expired record counts as absent. A
    fingerprint mismatch wins over in-progress. All methods are atomic: of any number of
    concurrent `begin` calls on a new scope exactly one gets `Started`.
    """

    async def begin(self, scope: str, fingerprint: str) -> BeginResult:
        """Claim `scope`, or report why not.

        Raises:
            redis.exceptions.RedisError / OSError: Redis implementation, server failure.
        """
        ...

    async def complete(self, scope: str, response: StoredResponse, *, owner: str) -> bool:
        """Store the response if `owner` still holds the scope; False otherwise (no-op)."""
        ...

    async def abandon(self, scope: str, *, owner: str) -> bool:
        """Drop `owner`'s pending record so a retry can run; False if it was not theirs."""
        ...

    async def aclose(self) -> None:
        """Release resources this object owns (never a client passed in)."""
        ...


@dataclass(slots=True)
class _Record:
    fingerprint: str
    owner: str
    expires_at: float
    response: StoredResponse | None = None


class MemoryIdempotencyStore:
    """Records in a dict of this process (one event loop; not thread-safe).

    Bounded by `max_entries`: expired records go first, then the least recently written,
    whose retries would then run again.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        ttl: float = IDEMPOTENCY_TTL,
        in_progress_ttl: float = IN_PROGRESS_TTL,
        max_entries: int = 100_000,
    ) -> None:
        self._clock = clock or SystemClock()
        self._ttl = ttl
        self._lock_ttl = in_progress_ttl
        self._max = max_entries
        self._records: OrderedDict[str, _Record] = OrderedDict()

    def __len__(self) -> int:
        return len(self._records)

    async def begin(self, scope: str, fingerprint: str) -> BeginResult:
        """See `IdempotencyStore.begin`."""
        now = self._clock.time()
        self._prune(now)
        # No await in here: the check and the claim are one step on the event loop.
        rec = self._records.get(scope)
        if rec is not None and rec.expires_at > now:
            if rec.fingerprint != fingerprint:
                return Mismatch()
            if rec.response is not None:
                return Replay(rec.response)
            return InProgress()
        owner = secrets.token_hex(8)
        self._records[scope] = _Record(fingerprint, owner, now + self._lock_ttl)
        self._records.move_to_end(scope)
        return Started(owner)

    async def complete(self, scope: str, response: StoredResponse, *, owner: str) -> bool:
        """See `IdempotencyStore.complete`."""
        rec = self._records.get(scope)
        if rec is None or rec.owner != owner:
            return False
        if rec.response is None:
            rec.response = response
            rec.expires_at = self._clock.time() + self._ttl
            self._records.move_to_end(scope)
        return True

    async def abandon(self, scope: str, *, owner: str) -> bool:
        """See `IdempotencyStore.abandon`."""
        rec = self._records.get(scope)
        if rec is None or rec.owner != owner or rec.response is not None:
            return False
        del self._records[scope]
        return True

    def _prune(self, now: float) -> None:
        records = self._records
        while records:
            scope, rec = next(iter(records.items()))
            if rec.expires_at > now and len(records) < self._max:
                break
            del records[scope]

    async def aclose(self) -> None:
        """Nothing to release."""


class RedisIdempotencyStore:
    """Records as Redis hashes `<prefix>idempotency:<scope>`, changed only by Lua scripts.

    The client must return bytes (`decode_responses=False`), as `connect_redis` sets up.
    """

    _begin = LuaScript.from_package("idempotency_begin.lua")
    _complete = LuaScript.from_package("idempotency_complete.lua")
    _abandon = LuaScript.from_package("idempotency_abandon.lua")

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        prefix: str = "kp:",
        clock: Clock | None = None,
        ttl: float = IDEMPOTENCY_TTL,
        in_progress_ttl: float = IN_PROGRESS_TTL,
    ) -> None:
        if client.connection_pool.connection_kwargs.get("decode_responses"):
            raise ValueError("RedisIdempotencyStore needs a client with decode_responses=False")
        self._client = client
        self._prefix = prefix
        self._clock = clock or SystemClock()
        self._ttl_ms = int(ttl * 1000)
        self._lock_ms = int(in_progress_ttl * 1000)

    def key(self, scope: str) -> str:
        """The Redis key of a scope's record."""
        return f"{self._prefix}idempotency:{scope}"

    def _now_ms(self) -> int:
        return int(self._clock.time() * 1000)

    async def begin(self, scope: str, fingerprint: str) -> BeginResult:
        """See `IdempotencyStore.begin`."""
        owner = secrets.token_hex(8)
        reply = await self._begin(
            self._client, [self.key(scope)], [fingerprint, owner, self._now_ms(), self._lock_ms]
        )
        kind = reply[0]
        if kind == b"started":
            return Started(owner)
        if kind == b"in_progress":
            return InProgress()
        if kind == b"mismatch":
            return Mismatch()
        status, headers, body = reply[1], reply[2], reply[3]
        pairs = tuple((str(k), str(v)) for k, v in json.loads(headers))
        return Replay(StoredResponse(int(status), pairs, bytes(body)))

    async def complete(self, scope: str, response: StoredResponse, *, owner: str) -> bool:
        """See `IdempotencyStore.complete`."""
        headers = json.dumps([list(pair) for pair in response.headers], ensure_ascii=False)
        args = [owner, self._now_ms(), self._ttl_ms, response.status, headers, response.body]
        return bool(await self._complete(self._client, [self.key(scope)], args))

    async def abandon(self, scope: str, *, owner: str) -> bool:
        """See `IdempotencyStore.abandon`."""
        return bool(await self._abandon(self._client, [self.key(scope)], [owner]))

    async def aclose(self) -> None:
        """The client belongs to the caller; nothing to release."""
