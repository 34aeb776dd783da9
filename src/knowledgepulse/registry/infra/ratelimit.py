"""Token-bucket rate limiting per principal and read/write class (registry-api.md §9.3).

`RateLimiter` is the port; `MemoryRateLimiter` keeps buckets in this process and
`RedisRateLimiter` shares them between processes through one Lua script per check. Both run
the same arithmetic, so the same sequence of checks gives the same decisions on either.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol, runtime_checkable

import redis.asyncio as aioredis

from knowledgepulse.registry.infra.clock import Clock, SystemClock
from knowledgepulse.registry.infra.redis import LuaScript

__all__ = [
    "DEFAULT_TIERS",
    "RATE_LIMIT_ERROR",
    "Action",
    "MemoryRateLimiter",
    "RateLimitDecision",
    "RateLimiter",
    "RedisRateLimiter",
    "TierLimits",
    "action_for_method",
    "limits_for",
]

RATE_LIMIT_ERROR = "Rate limit exceeded"
# A bucket refills from empty to full in exactly this long (capacity / (capacity / 60 s)),
# so a bucket idle for longer is indistinguishable from a missing one and may be dropped.
_FULL_REFILL_MS = 60_000


class Action(StrEnum):
    """The budget a request draws on: POST writes, every other method reads (§9.3)."""

    READ = "read"
    WRITE = "write"


def action_for_method(method: str) -> Action:
    """`POST` → write; GET, HEAD, PUT, PATCH, DELETE and the rest → read (spec D-16)."""
    return Action.WRITE if method.upper() == "POST" else Action.READ


@dataclass(frozen=True, slots=True)
class TierLimits:
    """Per-minute budgets of one tier; a budget is also the bucket capacity."""

    read: int
    write: int

    def budget(self, action: Action) -> int:
        """The budget for `action`."""
        return self.write if action is Action.WRITE else self.read


DEFAULT_TIERS: Mapping[str, TierLimits] = MappingProxyType(
    {
        "anonymous": TierLimits(read=60, write=0),
        "free": TierLimits(read=300, write=30),
        "pro": TierLimits(read=1000, write=200),
        "enterprise": TierLimits(read=10000, write=2000),
    }
)


def limits_for(tier: str, tiers: Mapping[str, TierLimits] = DEFAULT_TIERS) -> TierLimits:
    """The tier's limits; an unknown tier string gets the `anonymous` limits (§9.3)."""
    return tiers.get(tier) or tiers["anonymous"]


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    """The outcome of one check, with everything the HTTP layer needs to answer.

    `reset` is epoch seconds; `retry_after` is whole seconds (0 when allowed). A denial is a
    violation to be written to the audit log (action `rate_limited`, FIX-S20); nothing is
    ever revoked here.
    """

    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: int
    identifier: str
    tier: str
    action: Action

    @property
    def violation(self) -> bool:
        """True when the request must be answered 429 and recorded for the audit log."""
        return not self.allowed

    def headers(self) -> dict[str, str]:
        """`X-RateLimit-Limit/Remaining/Reset`, plus `Retry-After` on a denial (§9.3)."""
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out

    def body(self) -> dict[str, object]:
        """The 429 body `{"error": "Rate limit exceeded", "retry_after": n}`."""
        return {"error": RATE_LIMIT_ERROR, "retry_after": self.retry_after}


@runtime_checkable
class RateLimiter(Protocol):
    """Consumes one token from the bucket of (identifier, read|write) under a tier's budget.

    A new bucket starts full; it refills continuously at budget/60 tokens per second; a
    check needs one whole token. A budget of 0 (anonymous writes) is always denied with
    `limit=0`, `retry_after=60`, without touching any state. Buckets of one identifier are
    shared by all tiers; the capacity is that of the tier presented with each check.
    Implementations are safe under any number of concurrent checks: exactly `budget`
    checks are admitted from a full bucket when the clock does not move.
    """

    async def check(self, identifier: str, tier: str, action: Action) -> RateLimitDecision:
        """Take one token if there is one and say what to answer.

        Raises:
            redis.exceptions.RedisError / OSError: Redis implementation only, when the
                server fails; wrap it in `ResilientRateLimiter` to fail open instead.
        """
        ...

    async def aclose(self) -> None:
        """Release resources this object owns (never a client passed in)."""
        ...


def _decision(
    identifier: str,
    tier: str,
    action: Action,
    values: tuple[int, int, int, int, int],
) -> RateLimitDecision:
    allowed, limit, remaining, reset, retry_after = values
    return RateLimitDecision(
        allowed=bool(allowed),
        limit=int(limit),
        remaining=int(remaining),
        reset=int(reset),
        retry_after=int(retry_after),
        identifier=identifier,
        tier=tier,
        action=action,
    )


def _zero_budget(identifier: str, tier: str, action: Action, now_ms: int) -> RateLimitDecision:
    return _decision(identifier, tier, action, (0, 0, 0, now_ms // 1000 + 60, 60))


class MemoryRateLimiter:
    """Buckets in a dict of this process (one event loop; not thread-safe).

    Idle buckets (full anyway) are dropped after over 60 s of clock time; beyond `max_buckets`
    live ones the least recently used is dropped, which hands that identifier a full
    bucket again, the price of bounded memory under a flood of distinct identifiers.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        tiers: Mapping[str, TierLimits] = DEFAULT_TIERS,
        max_buckets: int = 100_000,
    ) -> None:
        self._clock = clock or SystemClock()
        self._tiers = tiers
        self._max = max_buckets
        # key -> [tokens, last refill ms]; order = least recently checked first
        self._buckets: OrderedDict[tuple[str, Action], list[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    async def check(self, identifier: str, tier: str, action: Action) -> RateLimitDecision:
        """Take a token; see `RateLimiter.check`."""
        action = Action(action)
        now = int(self._clock.time() * 1000)
        limit = limits_for(tier, self._tiers).budget(action)
        if limit <= 0:
            return _zero_budget(identifier, tier, action, now)
        self._prune(now)
        # No await between reading and writing the bucket: checks are atomic on one loop.
        key = (identifier, action)
        rate = limit / 60
        state = self._buckets.get(key)
        if state is None:
            tokens, last = float(limit), now
        else:
            tokens, last = state
            elapsed = now - last
            if elapsed < 0:
                elapsed = 0
            else:
                last = now
            tokens = min(limit, tokens + elapsed / 1000 * rate)
        sec = now // 1000
        if tokens < 1:
            retry = math.ceil((1 - tokens) / rate)
            values = (0, limit, 0, sec + retry, retry)
        else:
            tokens -= 1
            values = (1, limit, math.floor(tokens), sec + 60, 0)
        self._buckets[key] = [tokens, last]
        self._buckets.move_to_end(key)
        return _decision(identifier, tier, action, values)

    def _prune(self, now: int) -> None:
        buckets = self._buckets
        while buckets:
            key, (_, last) = next(iter(buckets.items()))
            # Strictly more than 60 s: at exactly 60 s, (L / 60) * 60 can round to 1 ulp
            # below L for some budgets, and the kept bucket would not quite be full.
            if now - last <= _FULL_REFILL_MS and len(buckets) < self._max:
                break
            del buckets[key]

    async def aclose(self) -> None:
        """Nothing to release."""


class RedisRateLimiter:
    """Buckets in Redis, shared by every process that uses the same server and prefix.

    Each check is one EVALSHA of `lua/token_bucket.lua` (refill, take, store and expire in
    one atomic step, so concurrent checks from any number of processes never race). Time
    comes from the injected clock, passed as an argument: it makes refill testable and keeps
    `X-RateLimit-Reset` consistent with the caller. Hosts must run NTP; a host whose clock
    lags refills nothing for the lag and can never mint tokens. `server_time=True` uses
    Redis `TIME` instead (one clock for all hosts; the injected clock is then ignored).
    Keys: `<prefix>ratelimit:bucket:<identifier>:<read|write>`, expiring `bucket_ttl` s
    after the last check (the spec's 300 s).
    """

    _script = LuaScript.from_package("token_bucket.lua")

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        prefix: str = "kp:",
        clock: Clock | None = None,
        tiers: Mapping[str, TierLimits] = DEFAULT_TIERS,
        server_time: bool = False,
        bucket_ttl: int = 300,
    ) -> None:
        if bucket_ttl * 1000 < _FULL_REFILL_MS:
            raise ValueError("bucket_ttl must be at least 60 s so expiry equals a full bucket")
        self._client = client
        self._prefix = prefix
        self._clock = clock or SystemClock()
        self._tiers = tiers
        self._server_time = server_time
        self._ttl = bucket_ttl

    def key(self, identifier: str, action: Action) -> str:
        """The Redis key of a bucket (distinct from the spec's `ratelimit:429:` namespace)."""
        return f"{self._prefix}ratelimit:bucket:{identifier}:{Action(action).value}"

    async def check(self, identifier: str, tier: str, action: Action) -> RateLimitDecision:
        """Take a token; see `RateLimiter.check`."""
        action = Action(action)
        limit = limits_for(tier, self._tiers).budget(action)
        if limit <= 0:
            return _zero_budget(identifier, tier, action, int(self._clock.time() * 1000))
        now = -1 if self._server_time else int(self._clock.time() * 1000)
        result = await self._script(
            self._client, [self.key(identifier, action)], [limit, now, self._ttl]
        )
        return _decision(identifier, tier, action, tuple(int(v) for v in result[:5]))  # type: ignore[arg-type]

    async def aclose(self) -> None:
        """The client belongs to the caller; nothing to release."""
