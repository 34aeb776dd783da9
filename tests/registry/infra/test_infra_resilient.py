"""Fault injection: a private redis-server is killed and restarted under the wrappers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis

from knowledgepulse.registry.infra import (
    Action,
    Backends,
    IdempotencyUnavailable,
    Replay,
    Started,
    StoredResponse,
    connect_redis,
    redis_backends,
)
from knowledgepulse.registry.infra.clock import ManualClock
from tests.registry.infra._infra import OwnRedisServer

LOGGER = "knowledgepulse.registry.infra.resilient"
PASSWORD = "s3cret-pw"


@dataclass
class Rig:
    server: OwnRedisServer
    client: aioredis.Redis
    backends: Backends
    clock: ManualClock

    async def restart(self) -> None:
        await self.server.start()

    async def keys(self) -> list[bytes]:
        probe = await connect_redis(self.url)
        try:
            return sorted(await probe.keys("*"))
        finally:
            await probe.aclose()

    @property
    def url(self) -> str:
        return f"redis://:{PASSWORD}@127.0.0.1:{self.server.port}/0"


async def _rig(
    own_redis: Callable[..., Awaitable[OwnRedisServer]], *, fail_closed: bool = False
) -> Rig:
    server = await own_redis("--requirepass", PASSWORD)
    url = f"redis://:{PASSWORD}@127.0.0.1:{server.port}/0"
    client = await connect_redis(url)
    clock = ManualClock()
    backends = redis_backends(
        client,
        url=url,
        prefix="kp:",
        clock=clock,
        probe_interval=5.0,
        idempotency_fail_closed=fail_closed,
    )
    return Rig(server, client, backends, clock)


@pytest.fixture
async def rig(own_redis: Callable[..., Awaitable[OwnRedisServer]]) -> AsyncIterator[Rig]:
    rig = await _rig(own_redis)
    try:
        yield rig
    finally:
        await rig.backends.aclose()
        await rig.client.aclose()


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


async def test_rate_limits_fail_open_to_local_buckets_and_return_to_redis(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    limiter, failover = rig.backends.rate_limiter, rig.backends.failover
    assert failover is not None
    for _ in range(5):
        await limiter.check("agent-1", "free", Action.WRITE)
    assert await rig.keys() == [b"kp:ratelimit:bucket:agent-1:write"]

    await rig.server.kill()
    decisions = [await limiter.check("agent-1", "free", Action.WRITE) for _ in range(31)]
    # Fail open, not unlimited: the in-process bucket still enforces the budget.
    assert [d.allowed for d in decisions] == [True] * 30 + [False]
    assert (failover.healthy, failover.outages) == (False, 1)
    [warning] = _warnings(caplog)
    assert f"redis://:***@127.0.0.1:{rig.server.port}/0" in warning.getMessage()
    assert PASSWORD not in caplog.text

    await rig.restart()
    rig.clock.advance(4.9)  # the next probe is not due yet: Redis is left alone
    await limiter.check("agent-1", "free", Action.READ)
    assert await rig.keys() == []
    rig.clock.advance(0.1)
    back = await limiter.check("agent-1", "free", Action.WRITE)
    assert (back.allowed, back.remaining) == (True, 29)  # a fresh Redis bucket
    assert failover.healthy
    assert await rig.keys() == [b"kp:ratelimit:bucket:agent-1:write"]
    assert any("answers again" in r.getMessage() for r in caplog.records)

    await rig.server.kill()  # a second outage is a second warning
    await limiter.check("agent-1", "free", Action.READ)
    assert len(_warnings(caplog)) == 2
    assert failover.outages == 2


async def test_one_warning_per_outage_however_many_calls_and_ports_fail(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    b = rig.backends
    await b.cache.set("warm", b"1")
    await rig.server.kill()
    calls = []
    for i in range(30):
        calls += [
            b.rate_limiter.check(f"agent-{i}", "pro", Action.READ),
            b.idempotency.begin(f"scope-{i}", "fp"),
            b.cache.get(f"key-{i}"),
            b.cache.invalidate_tags(f"tag-{i}"),
        ]
    async with asyncio.timeout(30):
        await asyncio.gather(*calls)
        rig.clock.advance(5)
        await asyncio.gather(*(b.rate_limiter.check("x", "pro", Action.READ) for _ in range(10)))
    assert len(_warnings(caplog)) == 1
    assert b.failover is not None
    assert b.failover.fallback_calls >= 130


async def test_idempotency_falls_back_to_local_records_during_an_outage(rig: Rig) -> None:
    idem = rig.backends.idempotency
    before = await idem.begin("scope-before", "fp")
    assert isinstance(before, Started)
    assert before.owner.startswith("r:")

    await rig.server.kill()
    # The Redis-issued attempt cannot be recorded now; its marker lapses on its own.
    assert not await idem.complete("scope-before", StoredResponse(201), owner=before.owner)
    during = await idem.begin("scope-during", "fp")
    assert isinstance(during, Started)
    assert during.owner.startswith("m:")
    assert await idem.begin("scope-during", "fp") != during  # in progress locally
    assert await idem.complete("scope-during", StoredResponse(201, (), b"{}"), owner=during.owner)
    assert await idem.begin("scope-during", "fp") == Replay(StoredResponse(201, (), b"{}"))

    await rig.restart()
    rig.clock.advance(5)
    # Back on Redis, which never saw the local record: the documented, weaker guarantee.
    assert isinstance(await idem.begin("scope-during", "fp"), Started)


async def test_idempotency_can_fail_closed_while_rate_limits_stay_open(
    own_redis: Callable[..., Awaitable[OwnRedisServer]],
) -> None:
    rig = await _rig(own_redis, fail_closed=True)
    try:
        await rig.server.kill()
        with pytest.raises(IdempotencyUnavailable) as caught:
            await rig.backends.idempotency.begin("scope", "fp")
        assert caught.value.status == 503
        assert (await rig.backends.rate_limiter.check("a", "free", Action.READ)).allowed
    finally:
        await rig.backends.aclose()
        await rig.client.aclose()


async def test_the_cache_never_serves_what_was_invalidated_during_an_outage(rig: Rig) -> None:
    cache = rig.backends.cache
    await cache.set("knowledge:1", b"v1", tags=["unit:1"])
    await rig.client.save()  # the restarted server will come back with this entry
    await rig.server.kill()

    await cache.invalidate_tags("unit:1")  # only the in-process side can hear this
    assert await cache.get("knowledge:1") is None
    await cache.set("local-only", b"m", tags=["unit:2"])

    await rig.restart()
    rig.clock.advance(5)
    assert await cache.get("knowledge:1") is None  # Redis still holds v1; it is unreachable
    await cache.set("knowledge:1", b"v2", tags=["unit:1"])
    assert await cache.get("knowledge:1") == b"v2"

    await cache.invalidate_tags("unit:2")  # heard by Redis only
    await rig.server.kill()
    assert await cache.get("local-only") is None  # the local side was emptied, not stale


async def test_calls_keep_working_while_the_server_flaps(rig: Rig) -> None:
    b = rig.backends
    for _ in range(3):
        await rig.server.kill()
        assert (await b.rate_limiter.check("a", "pro", Action.READ)).allowed
        await rig.restart()
        rig.clock.advance(5)
        assert (await b.rate_limiter.check("a", "pro", Action.READ)).allowed
        assert b.failover is not None
        assert b.failover.healthy
