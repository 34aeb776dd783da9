"""Contract of the rate limiter, run on the in-process and the Redis implementation."""

from __future__ import annotations

import asyncio
import math
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledgepulse.registry.infra import (
    DEFAULT_TIERS,
    Action,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    TierLimits,
    action_for_method,
    limits_for,
)
from knowledgepulse.registry.infra.clock import ManualClock
from tests._services import redis_url, require_redis
from tests.registry.infra._infra import TEST_TIERS

NOW = 1_750_000_000


def test_tiers_have_the_budgets_of_the_spec() -> None:
    assert dict(DEFAULT_TIERS) == {
        "anonymous": TierLimits(read=60, write=0),
        "free": TierLimits(read=300, write=30),
        "pro": TierLimits(read=1000, write=200),
        "enterprise": TierLimits(read=10000, write=2000),
    }
    assert limits_for("platinum") == DEFAULT_TIERS["anonymous"]


@pytest.mark.parametrize(
    ("method", "action"),
    [("POST", Action.WRITE), ("post", Action.WRITE), ("GET", Action.READ), ("HEAD", Action.READ),
     ("PUT", Action.READ), ("PATCH", Action.READ), ("DELETE", Action.READ)],
)  # fmt: skip
def test_only_post_is_a_write(method: str, action: Action) -> None:
    assert action_for_method(method) is action


async def test_both_implementations_satisfy_the_port(limiter: RateLimiter) -> None:
    assert isinstance(limiter, RateLimiter)


async def test_a_new_bucket_admits_exactly_its_budget_then_denies(limiter: RateLimiter) -> None:
    decisions = [await limiter.check("agent-1", "tiny", Action.READ) for _ in range(21)]
    assert [d.allowed for d in decisions] == [True] * 20 + [False]
    assert [d.remaining for d in decisions[:3]] == [19, 18, 17]
    assert decisions[-1].retry_after == 3  # (1 - 0) / (20 / 60 per s)
    assert decisions[-1].violation


async def test_200_concurrent_checks_on_a_budget_of_20_admit_exactly_20(
    limiter: RateLimiter,
) -> None:
    async with asyncio.timeout(10):
        decisions = await asyncio.gather(
            *(limiter.check("agent-1", "tiny", Action.READ) for _ in range(200))
        )
    assert sum(d.allowed for d in decisions) == 20
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(20))


async def test_allowed_check_headers_follow_the_spec(limiter: RateLimiter) -> None:
    decision = await limiter.check("agent-1", "free", Action.READ)
    assert decision.headers() == {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "299",
        "X-RateLimit-Reset": str(NOW + 60),
    }


async def test_exhausted_free_write_bucket_answers_retry_after_2(
    limiter: RateLimiter, clock: ManualClock
) -> None:
    clock.advance(0.75)  # reset uses floor(now)
    for _ in range(30):
        assert (await limiter.check("agent-1", "free", Action.WRITE)).allowed
    denied = await limiter.check("agent-1", "free", Action.WRITE)
    assert denied.headers() == {
        "X-RateLimit-Limit": "30",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(NOW + 2),
        "Retry-After": "2",
    }
    assert denied.body() == {"error": "Rate limit exceeded", "retry_after": 2}
    assert (denied.identifier, denied.tier, denied.action) == ("agent-1", "free", Action.WRITE)


async def test_anonymous_writes_are_always_denied_without_touching_any_bucket(
    limiter: RateLimiter,
) -> None:
    for _ in range(3):
        denied = await limiter.check("203.0.113.9", "anonymous", Action.WRITE)
        assert denied.headers() == {
            "X-RateLimit-Limit": "0",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(NOW + 60),
            "Retry-After": "60",
        }
        assert denied.violation
    read = await limiter.check("203.0.113.9", "anonymous", Action.READ)
    assert (read.allowed, read.remaining) == (True, 59)


async def test_an_unknown_tier_gets_the_anonymous_budgets(limiter: RateLimiter) -> None:
    assert not (await limiter.check("agent-1", "gold", Action.WRITE)).allowed
    assert (await limiter.check("agent-1", "gold", Action.READ)).limit == 60


async def test_the_bucket_refills_continuously_with_the_clock(
    limiter: RateLimiter, clock: ManualClock
) -> None:
    for _ in range(30):
        await limiter.check("agent-1", "free", Action.WRITE)
    clock.advance(1.0)  # half a token at 0.5 tokens/s
    assert (await limiter.check("agent-1", "free", Action.WRITE)).retry_after == 1
    clock.advance(1.0)
    assert (await limiter.check("agent-1", "free", Action.WRITE)).allowed
    assert not (await limiter.check("agent-1", "free", Action.WRITE)).allowed
    clock.advance(3600)  # capped at capacity
    again = await limiter.check("agent-1", "free", Action.WRITE)
    assert (again.allowed, again.remaining) == (True, 29)


async def test_the_anonymous_read_example_of_the_data_model(
    limiter: RateLimiter, clock: ManualClock
) -> None:
    results = [await limiter.check("unknown", "anonymous", Action.READ) for _ in range(61)]
    assert sum(d.allowed for d in results) == 60
    assert results[-1].retry_after == 1
    for _ in range(5):  # sustained one per second
        clock.advance(1.0)
        assert (await limiter.check("unknown", "anonymous", Action.READ)).allowed
        assert not (await limiter.check("unknown", "anonymous", Action.READ)).allowed


async def test_read_and_write_budgets_and_identifiers_are_separate(limiter: RateLimiter) -> None:
    for _ in range(3):
        await limiter.check("agent-1", "tiny", Action.WRITE)
    assert not (await limiter.check("agent-1", "tiny", Action.WRITE)).allowed
    assert (await limiter.check("agent-1", "tiny", Action.READ)).remaining == 19
    assert (await limiter.check("agent-2", "tiny", Action.WRITE)).remaining == 2
    # identifiers that look like key suffixes do not collide with other buckets
    assert (await limiter.check("agent-1:write", "tiny", Action.WRITE)).remaining == 2


async def test_keys_of_one_agent_share_a_bucket_with_the_presented_tier_capacity(
    limiter: RateLimiter,
) -> None:
    await limiter.check("agent-1", "pro", Action.READ)
    shared = await limiter.check("agent-1", "free", Action.READ)
    assert (shared.limit, shared.remaining) == (300, 299)  # 999 tokens capped at 300


async def test_a_clock_stepping_back_refills_nothing(
    limiter: RateLimiter, clock: ManualClock
) -> None:
    for _ in range(30):
        await limiter.check("agent-1", "free", Action.WRITE)
    clock.set_wall(NOW - 30)
    assert not (await limiter.check("agent-1", "free", Action.WRITE)).allowed
    clock.set_wall(NOW + 1)
    assert not (await limiter.check("agent-1", "free", Action.WRITE)).allowed
    clock.set_wall(NOW + 2)
    assert (await limiter.check("agent-1", "free", Action.WRITE)).allowed


async def test_refill_rounds_like_the_reference_at_exactly_one_minute(
    limiter: RateLimiter, clock: ManualClock
) -> None:
    # (123 / 60) * 60 == 122.99999999999999 in binary floating point, as in the reference's
    # JavaScript; an implementation that treats a 60 s idle bucket as "new" would say 122.
    for _ in range(123):
        await limiter.check("agent-1", "odd", Action.READ)
    clock.advance(60)
    assert (await limiter.check("agent-1", "odd", Action.READ)).remaining == 121


async def test_idle_memory_buckets_are_dropped_and_memory_is_bounded(clock: ManualClock) -> None:
    limiter = MemoryRateLimiter(clock=clock, max_buckets=50)
    for i in range(10):
        await limiter.check(f"ip-{i}", "anonymous", Action.READ)
    clock.advance(60.001)
    await limiter.check("fresh", "anonymous", Action.READ)
    assert len(limiter) == 1  # idle buckets are full anyway, so forgetting them is exact
    for i in range(500):
        await limiter.check(f"flood-{i}", "anonymous", Action.READ)
    assert len(limiter) == 50


@pytest.mark.redis
async def test_redis_bucket_keys_live_in_their_namespace_and_expire(
    redis_client: aioredis.Redis, key_prefix: str, clock: ManualClock
) -> None:
    limiter = RedisRateLimiter(redis_client, prefix=key_prefix, clock=clock)
    await limiter.check("10.0.0.1", "anonymous", Action.READ)
    await limiter.check("10.0.0.1", "anonymous", Action.WRITE)  # budget 0: no key
    keys = sorted([k async for k in redis_client.scan_iter(match=key_prefix + "*")])
    assert keys == [f"{key_prefix}ratelimit:bucket:10.0.0.1:read".encode()]
    assert 0 < await redis_client.ttl(keys[0]) <= 300


@pytest.mark.redis
async def test_redis_server_time_mode_uses_the_servers_clock(
    redis_client: aioredis.Redis, key_prefix: str
) -> None:
    limiter = RedisRateLimiter(redis_client, prefix=key_prefix, server_time=True)
    decision = await limiter.check("agent-1", "free", Action.READ)
    assert decision.allowed
    assert abs(decision.reset - (time.time() + 60)) < 5


@pytest.mark.redis
async def test_two_processes_share_one_budget_exactly(
    redis_client: aioredis.Redis, key_prefix: str
) -> None:
    worker = Path(__file__).with_name("_infra_rl_worker.py")
    go_key = f"{key_prefix}go"
    args = [str(worker), redis_url(), key_prefix, go_key, "100", str(NOW)]
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(2)
    ]
    try:
        async with asyncio.timeout(60):
            for proc in procs:
                assert proc.stdout is not None
                assert (await proc.stdout.readline()).strip() == b"ready"
            await redis_client.rpush(go_key, "go", "go")  # release both at once
            outputs = [await proc.communicate() for proc in procs]
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    admitted = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
        admitted.append(int(out.split()[-1]))
    assert sum(admitted) == 20, admitted


@pytest.fixture
def redis_url_checked() -> str:
    require_redis()
    return redis_url()


_ops = st.lists(
    st.tuples(
        st.one_of(  # clock jump in ms: small, backwards, or around a full refill
            st.integers(min_value=-3_000, max_value=8_000),
            st.sampled_from([59_999, 60_000, 60_001, 301_000]),
        ),
        st.sampled_from(["a", "b"]),
        st.sampled_from(["tiny", "odd", "free", "anonymous", "gold"]),
        st.sampled_from([Action.READ, Action.WRITE]),
    ),
    max_size=80,
)


@pytest.mark.redis
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=_ops)
def test_memory_and_redis_give_identical_decisions(redis_url_checked: str, ops: list) -> None:
    async def run() -> None:
        client = aioredis.Redis.from_url(redis_url_checked)
        prefix = f"kptest:{uuid.uuid4().hex}:"
        clock = ManualClock(NOW)
        memory = MemoryRateLimiter(clock=clock, tiers=TEST_TIERS)
        shared = RedisRateLimiter(client, prefix=prefix, clock=clock, tiers=TEST_TIERS)
        try:
            for jump, ident, tier, action in ops:
                clock.set_wall(clock.time() + jump / 1000)
                expected = await memory.check(ident, tier, action)
                assert await shared.check(ident, tier, action) == expected
        finally:
            keys = [k async for k in client.scan_iter(match=prefix + "*")]
            if keys:
                await client.delete(*keys)
            await client.aclose()

    asyncio.run(run())


def test_retry_after_formula_matches_the_spec_example() -> None:
    # ceil((1 - tokens) / (budget / 60)) for an empty free write bucket
    assert math.ceil((1 - 0) / (30 / 60)) == 2
