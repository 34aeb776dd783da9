"""Contract of the cache, run on the in-process and the Redis implementation."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from knowledgepulse.registry.infra import Cache, CacheStamp, MemoryCache, RedisCache
from knowledgepulse.registry.infra.clock import ManualClock


async def test_both_implementations_satisfy_the_port(cache: Cache) -> None:
    assert isinstance(cache, Cache)


async def test_a_value_reads_back_as_the_same_bytes(cache: Cache) -> None:
    assert await cache.get("skills:1") is None
    assert await cache.set("skills:1", b'{"x":"\xc3\xa9"}\x00\xff')
    assert await cache.get("skills:1") == b'{"x":"\xc3\xa9"}\x00\xff'
    await cache.set("skills:1", b"v2")
    assert await cache.get("skills:1") == b"v2"


async def test_entries_expire_after_their_ttl_on_the_clock(
    cache: Cache, clock: ManualClock
) -> None:
    await cache.set("default", b"a")
    await cache.set("short", b"b", ttl=10)
    await cache.set("huge", b"c", ttl=10 * 86_400)
    clock.advance(9.999)
    assert await cache.get("short") == b"b"
    clock.advance(0.001)
    assert await cache.get("short") is None
    clock.advance(289.999)
    assert await cache.get("default") == b"a"
    clock.advance(0.001)
    assert await cache.get("default") is None
    clock.advance(86_400 - 300)
    assert await cache.get("huge") is None  # capped at one day


async def test_delete_removes_one_entry_and_ignores_missing_keys(cache: Cache) -> None:
    await cache.set("a", b"1")
    await cache.set("b", b"2")
    await cache.delete("a")
    await cache.delete("never-set")
    assert (await cache.get("a"), await cache.get("b")) == (None, b"2")


async def test_invalidating_a_tag_hides_every_entry_carrying_it(cache: Cache) -> None:
    await cache.set("knowledge:1", b"1", tags=["unit:1", "agent:a"])
    await cache.set("knowledge:2", b"2", tags=["unit:2", "agent:a"])
    await cache.set("knowledge:3", b"3", tags=["unit:3", "agent:b"])
    await cache.invalidate_tags("agent:a")
    assert [await cache.get(f"knowledge:{i}") for i in (1, 2, 3)] == [None, None, b"3"]
    await cache.set("knowledge:1", b"new", tags=["unit:1", "agent:a"])
    assert await cache.get("knowledge:1") == b"new"


async def test_invalidating_a_prefix_hides_every_key_under_it(cache: Cache) -> None:
    for key in ("skills:1", "skills:list?q=é", "skill", "sop:1"):
        await cache.set(key, key.encode())
    await cache.invalidate_prefix("skills:")
    got = {k: await cache.get(k) for k in ("skills:1", "skills:list?q=é", "skill", "sop:1")}
    assert got == {"skills:1": None, "skills:list?q=é": None, "skill": b"skill", "sop:1": b"sop:1"}
    await cache.set("skills:1", b"fresh")
    assert await cache.get("skills:1") == b"fresh"
    await cache.invalidate_prefix("")
    assert (await cache.get("skills:1"), await cache.get("sop:1")) == (None, None)


async def test_no_reader_sees_an_entry_after_its_invalidation_returns(cache: Cache) -> None:
    keys = [f"list:{i}" for i in range(100)]
    for key in keys:
        await cache.set(key, b"old", tags=["lists"])
    async with asyncio.timeout(10):
        before = await asyncio.gather(*(cache.get(k) for k in keys))
        await cache.invalidate_tags("lists")
        after = await asyncio.gather(*(cache.get(k) for k in keys))
    assert set(before) == {b"old"}
    assert set(after) == {None}


async def test_a_value_read_before_an_invalidation_is_not_stored_after_it(cache: Cache) -> None:
    stamp = await cache.stamp()
    await cache.invalidate_tags("unit:1")  # a write lands while the value is computed
    assert not await cache.set("knowledge:1", b"stale", tags=["unit:1"], stamp=stamp)
    assert await cache.get("knowledge:1") is None

    stamp = await cache.stamp()
    await cache.invalidate_prefix("knowledge:")
    assert not await cache.set("knowledge:1", b"stale", stamp=stamp)

    stamp = await cache.stamp()
    await cache.invalidate_tags("unrelated")
    assert await cache.set("knowledge:1", b"fine", tags=["unit:1"], stamp=stamp)
    assert await cache.get("knowledge:1") == b"fine"
    await cache.invalidate_tags("unit:1")  # the stamped entry still obeys later invalidations
    assert await cache.get("knowledge:1") is None


async def test_a_stamp_from_another_cache_is_refused(cache: Cache) -> None:
    foreign = CacheStamp(0, "elsewhere")
    assert not await cache.set("k", b"v", stamp=foreign)
    assert await cache.get("k") is None


async def test_memory_cache_keeps_at_most_max_entries_least_recently_used_first(
    clock: ManualClock,
) -> None:
    cache = MemoryCache(clock=clock, max_entries=3)
    for key in ("a", "b", "c"):
        await cache.set(key, key.encode())
    assert await cache.get("a") == b"a"  # now most recently used
    await cache.set("d", b"d")
    assert len(cache) == 3
    assert [await cache.get(k) for k in ("a", "b", "c", "d")] == [b"a", None, b"c", b"d"]


async def test_memory_cache_keeps_within_its_byte_budget_least_recently_used_first(
    clock: ManualClock,
) -> None:
    cache = MemoryCache(clock=clock, max_bytes=300)
    for key in ("a", "b", "c"):
        await cache.set(key, key.encode() * 100)
    assert cache.size_bytes == 300
    assert await cache.get("a") == b"a" * 100  # now most recently used
    await cache.set("b", b"B" * 50)  # replacing a value frees the old one's bytes
    assert cache.size_bytes == 250
    await cache.set("d", b"d" * 100)  # over budget: "c" is the least recently used
    assert [await cache.get(k) is not None for k in ("a", "b", "c", "d")] == [
        True,
        True,
        False,
        True,
    ]
    assert cache.size_bytes == 250
    assert not await cache.set("huge", b"x" * 301)  # larger than the whole budget
    assert await cache.get("huge") is None
    await cache.delete("a")
    assert cache.size_bytes == 150


async def test_a_non_positive_ttl_is_refused(cache: Cache) -> None:
    with pytest.raises(ValueError, match="ttl"):
        await cache.set("k", b"v", ttl=0)


@pytest.mark.redis
async def test_redis_entries_expire_and_live_in_their_namespace(
    redis_client: aioredis.Redis, key_prefix: str, clock: ManualClock
) -> None:
    cache = RedisCache(redis_client, prefix=key_prefix, clock=clock)
    await cache.set("skills:1", b"v", ttl=120, tags=["t"])
    assert 0 < await redis_client.pttl(f"{key_prefix}cache:entry:skills:1") <= 120_000
    await cache.invalidate_tags("t")
    assert 0 < await redis_client.ttl(f"{key_prefix}cache:tag:t") <= 86_400


@pytest.mark.redis
async def test_redis_refuses_a_stamp_from_before_a_counter_reset(
    redis_client: aioredis.Redis, key_prefix: str, clock: ManualClock
) -> None:
    cache = RedisCache(redis_client, prefix=key_prefix, clock=clock)
    await cache.invalidate_tags("a", "b")
    stamp = await cache.stamp()
    await redis_client.delete(f"{key_prefix}cache:seq")  # e.g. evicted or a restarted server
    assert not await cache.set("k", b"v", stamp=stamp)
    assert await cache.set("k", b"v")


@pytest.mark.redis
async def test_redis_invalidation_still_wins_after_the_counter_key_is_lost(
    redis_client: aioredis.Redis, key_prefix: str, clock: ManualClock
) -> None:
    cache = RedisCache(redis_client, prefix=key_prefix, clock=clock)
    await cache.invalidate_tags("warm-up")
    await cache.set("knowledge:1", b"v1", tags=["unit:1"])
    await redis_client.delete(f"{key_prefix}cache:seq")  # evicted under memory pressure
    await cache.invalidate_tags("unit:1")
    assert await cache.get("knowledge:1") is None
