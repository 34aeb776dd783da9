"""Degrade on purpose: use Redis while it answers, the in-process backends while it does not.

One `Failover` per Redis server is shared by the wrappers below, so an outage is logged
once (one WARNING line), counted, and ended for all of them together: while Redis is down
the first call after each probe interval tries Redis again and, if it answers, switches
everyone back (one INFO line). Only outage errors (`OUTAGE_ERRORS`) switch; anything else
(a script bug, a wrong type) propagates.

Per feature:
* rate limiting fails open to in-process buckets: limits stay enforced per process, so
  with N workers a client may get up to N times its budget during the outage;
* idempotency falls back to in-process records by default (a retry that reaches another
  worker, or comes after the outage, may run again; duplicate ids still get 409 from the
  stores); `fail_closed=True` raises `IdempotencyUnavailable` (503) instead;
* the cache falls back to an in-process cache that is emptied when an outage starts, and
  if anything was invalidated during the outage, the whole Redis cache is invalidated
  before it is read again, so neither side can serve an entry the other invalidated.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import redis.asyncio as aioredis

from knowledgepulse.registry.infra.cache import Cache, CacheStamp, MemoryCache, RedisCache
from knowledgepulse.registry.infra.clock import Clock, SystemClock
from knowledgepulse.registry.infra.idempotency import (
    BeginResult,
    IdempotencyStore,
    IdempotencyUnavailable,
    MemoryIdempotencyStore,
    RedisIdempotencyStore,
    Started,
    StoredResponse,
)
from knowledgepulse.registry.infra.ratelimit import (
    Action,
    MemoryRateLimiter,
    RateLimitDecision,
    RateLimiter,
    RedisRateLimiter,
)
from knowledgepulse.registry.infra.redis import OUTAGE_ERRORS, Backoff, redact_url

__all__ = [
    "Backends",
    "Failover",
    "ResilientCache",
    "ResilientIdempotencyStore",
    "ResilientRateLimiter",
    "memory_backends",
    "redis_backends",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Failover:
    """Outage state of one Redis server: healthy, or down until the next probe is due.

    `outages` counts outages and `fallback_calls` the calls served in-process, for metrics.
    Probe times use the clock's monotonic reading.
    """

    def __init__(
        self,
        *,
        url: str = "redis",
        clock: Clock | None = None,
        probe_interval: float = 5.0,
        max_probe_interval: float | None = None,
    ) -> None:
        self.url = redact_url(url)
        self._clock = clock or SystemClock()
        self._backoff = Backoff(probe_interval, max_probe_interval or probe_interval)
        self._healthy = True
        self._next_probe = 0.0
        self._down_since = 0.0
        self._probing = False
        self.outages = 0
        self.fallback_calls = 0

    @property
    def healthy(self) -> bool:
        """False from the first failed call until a probe succeeds."""
        return self._healthy

    async def run(
        self,
        primary: Callable[[], Awaitable[T]],
        fallback: Callable[[], Awaitable[T]],
    ) -> T:
        """`primary()` while healthy or when a probe is due, else (or on failure) `fallback()`."""
        if self._healthy:
            try:
                return await primary()
            except OUTAGE_ERRORS as exc:
                self._went_down(exc)
            return await self._fall_back(fallback)
        if self._probing or self._clock.monotonic() < self._next_probe:
            return await self._fall_back(fallback)
        self._probing = True  # only this call probes; concurrent ones stay in-process
        try:
            result = await primary()
        except OUTAGE_ERRORS:
            self._next_probe = self._clock.monotonic() + self._backoff.next_delay()
        else:
            self._came_back()
            return result
        finally:
            self._probing = False
        return await self._fall_back(fallback)

    async def _fall_back(self, fallback: Callable[[], Awaitable[T]]) -> T:
        self.fallback_calls += 1
        return await fallback()

    def _went_down(self, exc: BaseException) -> None:
        if not self._healthy:  # a straggler of an outage already reported
            return
        self._healthy = False
        self.outages += 1
        now = self._clock.monotonic()
        self._down_since = now
        self._backoff.reset()
        delay = self._backoff.next_delay()
        self._next_probe = now + delay
        logger.warning(
            "Redis at %s is unreachable (%s: %s); using in-process rate limits, idempotency "
            "records and cache until it answers again (retrying every %g s)",
            self.url,
            type(exc).__name__,
            exc,
            delay,
        )

    def _came_back(self) -> None:
        self._healthy = True
        self._backoff.reset()
        logger.info(
            "Redis at %s answers again after %.1f s; back to shared state",
            self.url,
            self._clock.monotonic() - self._down_since,
        )


class ResilientRateLimiter:
    """`RateLimiter` on Redis that fails open to in-process buckets during an outage."""

    def __init__(self, primary: RateLimiter, fallback: RateLimiter, failover: Failover) -> None:
        self._primary = primary
        self._fallback = fallback
        self._failover = failover

    async def check(self, identifier: str, tier: str, action: Action) -> RateLimitDecision:
        """See `RateLimiter.check`; never raises for an outage."""
        return await self._failover.run(
            lambda: self._primary.check(identifier, tier, action),
            lambda: self._fallback.check(identifier, tier, action),
        )

    async def aclose(self) -> None:
        """Close both implementations."""
        await self._primary.aclose()
        await self._fallback.aclose()


def _tag_owner(result: BeginResult, side: str) -> BeginResult:
    return Started(f"{side}:{result.owner}") if isinstance(result, Started) else result


class ResilientIdempotencyStore:
    """`IdempotencyStore` on Redis that falls back to in-process records (or fails closed).

    Owners are tagged with the side that issued them, so `complete`/`abandon` go where
    `begin` went. A Redis-issued attempt that ends during an outage cannot be recorded:
    `complete` returns False and the marker lapses after the in-progress lifetime.
    """

    def __init__(
        self,
        primary: IdempotencyStore,
        fallback: IdempotencyStore,
        failover: Failover,
        *,
        fail_closed: bool = False,
    ) -> None:
        self._primary = primary
        self._fallback = fallback
        self._failover = failover
        self._fail_closed = fail_closed

    async def begin(self, scope: str, fingerprint: str) -> BeginResult:
        """See `IdempotencyStore.begin`.

        Raises:
            IdempotencyUnavailable: Redis is down and the store was built `fail_closed`.
        """

        async def primary() -> BeginResult:
            return _tag_owner(await self._primary.begin(scope, fingerprint), "r")

        async def fallback() -> BeginResult:
            if self._fail_closed:
                raise IdempotencyUnavailable()
            return _tag_owner(await self._fallback.begin(scope, fingerprint), "m")

        return await self._failover.run(primary, fallback)

    async def complete(self, scope: str, response: StoredResponse, *, owner: str) -> bool:
        """See `IdempotencyStore.complete`."""
        side, _, inner = owner.partition(":")
        if side == "m":
            return await self._fallback.complete(scope, response, owner=inner)
        return await self._failover.run(
            lambda: self._primary.complete(scope, response, owner=inner), _false
        )

    async def abandon(self, scope: str, *, owner: str) -> bool:
        """See `IdempotencyStore.abandon`."""
        side, _, inner = owner.partition(":")
        if side == "m":
            return await self._fallback.abandon(scope, owner=inner)
        return await self._failover.run(lambda: self._primary.abandon(scope, owner=inner), _false)

    async def aclose(self) -> None:
        """Close both implementations."""
        await self._primary.aclose()
        await self._fallback.aclose()


async def _false() -> bool:
    return False


class ResilientCache:
    """`Cache` on Redis with an in-process stand-in that never serves what was invalidated."""

    def __init__(self, primary: Cache, fallback: MemoryCache, failover: Failover) -> None:
        self._primary = primary
        self._fallback = fallback
        self._failover = failover
        self._seen_outage = 0
        self._redis_needs_flush = False
        self._flush_lock = asyncio.Lock()

    async def _on_primary(self, op: Callable[[Cache], Awaitable[T]]) -> T:
        if self._redis_needs_flush:
            async with self._flush_lock:
                if self._redis_needs_flush:
                    await self._primary.invalidate_prefix("")
                    self._redis_needs_flush = False
        return await op(self._primary)

    async def _on_fallback(self, op: Callable[[Cache], Awaitable[T]], invalidates: bool) -> T:
        if self._seen_outage != self._failover.outages:
            # Entries kept from an earlier outage missed every invalidation since then.
            self._seen_outage = self._failover.outages
            self._fallback.clear()
        if invalidates:
            self._redis_needs_flush = True
        return await op(self._fallback)

    async def _run(self, op: Callable[[Cache], Awaitable[T]], *, invalidates: bool = False) -> T:
        return await self._failover.run(
            lambda: self._on_primary(op), lambda: self._on_fallback(op, invalidates)
        )

    async def get(self, key: str) -> bytes | None:
        """See `Cache.get`."""
        return await self._run(lambda c: c.get(key))

    async def set(
        self,
        key: str,
        value: bytes,
        *,
        ttl: float | None = None,
        tags: Iterable[str] = (),
        stamp: CacheStamp | None = None,
    ) -> bool:
        """See `Cache.set`; a stamp taken on the other side is refused (returns False)."""
        tags = tuple(tags)
        return await self._run(lambda c: c.set(key, value, ttl=ttl, tags=tags, stamp=stamp))

    async def delete(self, key: str) -> None:
        """See `Cache.delete`."""
        await self._run(lambda c: c.delete(key), invalidates=True)

    async def stamp(self) -> CacheStamp:
        """See `Cache.stamp`."""
        return await self._run(lambda c: c.stamp())

    async def invalidate_tags(self, *tags: str) -> None:
        """See `Cache.invalidate_tags`."""
        await self._run(lambda c: c.invalidate_tags(*tags), invalidates=True)

    async def invalidate_prefix(self, *prefixes: str) -> None:
        """See `Cache.invalidate_prefix`."""
        await self._run(lambda c: c.invalidate_prefix(*prefixes), invalidates=True)

    async def aclose(self) -> None:
        """Close both implementations."""
        await self._primary.aclose()
        await self._fallback.aclose()


@dataclass(frozen=True, slots=True)
class Backends:
    """The three ports the request pipeline uses, plus the failover state when on Redis."""

    rate_limiter: RateLimiter
    idempotency: IdempotencyStore
    cache: Cache
    failover: Failover | None = None

    async def aclose(self) -> None:
        """Close the three backends (a Redis client passed in stays open)."""
        await self.rate_limiter.aclose()
        await self.idempotency.aclose()
        await self.cache.aclose()


def memory_backends(clock: Clock | None = None) -> Backends:
    """In-process backends, for deployments without `KP_REDIS_URL`."""
    clock = clock or SystemClock()
    return Backends(
        MemoryRateLimiter(clock=clock),
        MemoryIdempotencyStore(clock=clock),
        MemoryCache(clock=clock),
    )


def redis_backends(
    client: aioredis.Redis,
    *,
    url: str,
    prefix: str = "kp:",
    clock: Clock | None = None,
    probe_interval: float = 5.0,
    idempotency_fail_closed: bool = False,
) -> Backends:
    """Redis backends behind one shared `Failover`, each with its in-process stand-in."""
    clock = clock or SystemClock()
    failover = Failover(url=url, clock=clock, probe_interval=probe_interval)
    return Backends(
        ResilientRateLimiter(
            RedisRateLimiter(client, prefix=prefix, clock=clock),
            MemoryRateLimiter(clock=clock),
            failover,
        ),
        ResilientIdempotencyStore(
            RedisIdempotencyStore(client, prefix=prefix, clock=clock),
            MemoryIdempotencyStore(clock=clock),
            failover,
            fail_closed=idempotency_fail_closed,
        ),
        ResilientCache(
            RedisCache(client, prefix=prefix, clock=clock), MemoryCache(clock=clock), failover
        ),
        failover,
    )
