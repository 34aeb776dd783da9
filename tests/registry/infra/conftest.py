"""Fixtures for the infra contract suites: clocks, per-test Redis prefixes, own servers."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from knowledgepulse.registry.infra import (
    MemoryCache,
    MemoryIdempotencyStore,
    MemoryRateLimiter,
    RedisCache,
    RedisIdempotencyStore,
    RedisRateLimiter,
)
from knowledgepulse.registry.infra.clock import ManualClock
from tests._services import service_missing
from tests.registry.infra._infra import BACKENDS, TEST_TIERS, OwnRedisServer, connect_test_redis


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=1_750_000_000.0)


@pytest.fixture
def key_prefix() -> str:
    return f"kptest:{uuid.uuid4().hex}:"


@pytest.fixture
async def redis_client(key_prefix: str) -> AsyncIterator[aioredis.Redis]:
    client = await connect_test_redis()
    try:
        yield client
    finally:
        keys = [key async for key in client.scan_iter(match=key_prefix + "*", count=500)]
        if keys:
            await client.delete(*keys)
        await client.aclose()


def _client(request: pytest.FixtureRequest) -> aioredis.Redis:
    # Requested lazily (and from a sync fixture, outside the test's loop) so that the
    # memory half of a suite never needs a server.
    return request.getfixturevalue("redis_client")


@pytest.fixture(params=BACKENDS)
def limiter(request: pytest.FixtureRequest, clock: ManualClock, key_prefix: str):
    if request.param == "memory":
        return MemoryRateLimiter(clock=clock, tiers=TEST_TIERS)
    client = _client(request)
    return RedisRateLimiter(client, prefix=key_prefix, clock=clock, tiers=TEST_TIERS)


@pytest.fixture(params=BACKENDS)
def idem(request: pytest.FixtureRequest, clock: ManualClock, key_prefix: str):
    if request.param == "memory":
        return MemoryIdempotencyStore(clock=clock)
    client = _client(request)
    return RedisIdempotencyStore(client, prefix=key_prefix, clock=clock)


@pytest.fixture(params=BACKENDS)
def cache(request: pytest.FixtureRequest, clock: ManualClock, key_prefix: str):
    if request.param == "memory":
        return MemoryCache(clock=clock)
    client = _client(request)
    return RedisCache(client, prefix=key_prefix, clock=clock)


@pytest.fixture
async def own_redis(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[OwnRedisServer]]]:
    """A factory of private `redis-server`s (skip or fail if the binary is missing).

    `start()` again after `kill()` restarts on the same port, loading `dump.rdb` from the
    server's work dir if the test ran SAVE first.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        service_missing("the fault-injection tests need the redis-server binary on PATH")
    servers: list[OwnRedisServer] = []

    async def make(*extra_args: str) -> OwnRedisServer:
        for attempt in range(3):  # another process may take the port between probe and bind
            workdir = tmp_path / f"redis-{len(servers)}-{attempt}"
            workdir.mkdir()
            server = OwnRedisServer(binary, workdir, *extra_args)
            try:
                await server.start()
            except RuntimeError:
                await server.kill()
                continue
            servers.append(server)
            return server
        raise RuntimeError("could not start redis-server on a free port")

    try:
        yield make
    finally:
        for server in servers:
            await server.kill()
