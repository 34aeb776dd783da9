"""Contract of the idempotency store, run on the in-process and the Redis implementation."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from knowledgepulse.registry.infra import (
    IdempotencyStore,
    InProgress,
    MemoryIdempotencyStore,
    Mismatch,
    RedisIdempotencyStore,
    Replay,
    Started,
    StoredResponse,
    body_fingerprint,
    idempotency_scope,
    select_headers,
    should_store,
)
from knowledgepulse.registry.infra.clock import ManualClock

SCOPE = idempotency_scope("agent-1", "POST", "/v1/knowledge", "key-1")
FP = body_fingerprint(b'{"id":"kp:1"}')
CREATED = StoredResponse(
    201, (("content-type", "application/json"), ("location", "/v1/é")), b'{"data":1}\xff'
)


def test_scope_separates_principal_method_path_and_key() -> None:
    scopes = {
        idempotency_scope("agent-1", "POST", "/v1/knowledge", "k"),
        idempotency_scope("agent-2", "POST", "/v1/knowledge", "k"),
        idempotency_scope("agent-1", "PUT", "/v1/knowledge", "k"),
        idempotency_scope("agent-1", "POST", "/v1/sop", "k"),
        idempotency_scope("agent-1", "POST", "/v1/knowledge", "k2"),
        idempotency_scope("a:b", "POST", "c", "k"),
        idempotency_scope("a", "POST", "b:c", "k"),
    }
    assert len(scopes) == 7
    assert idempotency_scope("agent-1", "post", "/v1/knowledge", "k") in scopes
    assert {len(s) for s in scopes} == {64}


@pytest.mark.parametrize(
    ("status", "stored"),
    [(200, True), (201, True), (400, True), (404, True), (409, False), (422, True),
     (429, False), (500, False), (503, False), (302, False)],
)  # fmt: skip
def test_recommended_rule_stores_2xx_and_4xx_except_409_and_429(status: int, stored: bool) -> None:
    assert should_store(status) is stored


def test_only_content_type_and_location_are_kept_by_default() -> None:
    headers = [("Content-Type", "application/json"), ("X-RateLimit-Remaining", "3"),
               ("Location", "/v1/x"), ("KP-Schema-Version", "1")]  # fmt: skip
    assert select_headers(headers) == (("Content-Type", "application/json"), ("Location", "/v1/x"))


async def test_both_implementations_satisfy_the_port(idem: IdempotencyStore) -> None:
    assert isinstance(idem, IdempotencyStore)


async def test_the_first_begin_owns_the_scope_and_a_duplicate_is_in_progress(
    idem: IdempotencyStore,
) -> None:
    assert isinstance(await idem.begin(SCOPE, FP), Started)
    assert await idem.begin(SCOPE, FP) == InProgress()


async def test_20_concurrent_begins_on_one_scope_give_exactly_one_started(
    idem: IdempotencyStore,
) -> None:
    async with asyncio.timeout(10):
        results = await asyncio.gather(*(idem.begin(SCOPE, FP) for _ in range(20)))
    assert sum(isinstance(r, Started) for r in results) == 1
    assert sum(r == InProgress() for r in results) == 19


async def test_a_different_body_is_a_mismatch_while_running_and_after(
    idem: IdempotencyStore,
) -> None:
    started = await idem.begin(SCOPE, FP)
    assert await idem.begin(SCOPE, body_fingerprint(b"{}")) == Mismatch()
    assert await idem.complete(SCOPE, CREATED, owner=started.owner)
    assert await idem.begin(SCOPE, body_fingerprint(b"{}")) == Mismatch()


async def test_a_completed_scope_replays_status_headers_and_exact_body(
    idem: IdempotencyStore,
) -> None:
    started = await idem.begin(SCOPE, FP)
    assert await idem.complete(SCOPE, CREATED, owner=started.owner)
    assert await idem.begin(SCOPE, FP) == Replay(CREATED)
    assert await idem.begin(SCOPE, FP) == Replay(CREATED)


async def test_abandon_lets_a_retry_run_again(idem: IdempotencyStore) -> None:
    first = await idem.begin(SCOPE, FP)
    assert await idem.abandon(SCOPE, owner=first.owner)
    retry = await idem.begin(SCOPE, body_fingerprint(b"a corrected body"))
    assert isinstance(retry, Started)
    assert retry.owner != first.owner


async def test_only_the_owner_can_complete_or_abandon(idem: IdempotencyStore) -> None:
    started = await idem.begin(SCOPE, FP)
    assert not await idem.complete(SCOPE, CREATED, owner="someone-else")
    assert not await idem.abandon(SCOPE, owner="someone-else")
    assert await idem.begin(SCOPE, FP) == InProgress()
    assert await idem.complete(SCOPE, CREATED, owner=started.owner)
    assert await idem.complete(SCOPE, StoredResponse(500), owner=started.owner)  # no-op
    assert not await idem.abandon(SCOPE, owner=started.owner)  # done records stay
    assert await idem.begin(SCOPE, FP) == Replay(CREATED)


async def test_unknown_scopes_cannot_be_completed_or_abandoned(idem: IdempotencyStore) -> None:
    assert not await idem.complete(SCOPE, CREATED, owner="x")
    assert not await idem.abandon(SCOPE, owner="x")
    assert isinstance(await idem.begin(SCOPE, FP), Started)


async def test_a_crashed_attempt_stops_blocking_after_60_seconds(
    idem: IdempotencyStore, clock: ManualClock
) -> None:
    crashed = await idem.begin(SCOPE, FP)
    clock.advance(59.999)
    assert await idem.begin(SCOPE, FP) == InProgress()
    clock.advance(0.001)
    takeover = await idem.begin(SCOPE, FP)
    assert isinstance(takeover, Started)
    assert not await idem.complete(SCOPE, StoredResponse(200), owner=crashed.owner)
    assert await idem.complete(SCOPE, CREATED, owner=takeover.owner)
    assert await idem.begin(SCOPE, FP) == Replay(CREATED)


async def test_completed_records_expire_after_24_hours(
    idem: IdempotencyStore, clock: ManualClock
) -> None:
    started = await idem.begin(SCOPE, FP)
    clock.advance(30)
    await idem.complete(SCOPE, CREATED, owner=started.owner)
    clock.advance(86_399.999)
    assert await idem.begin(SCOPE, FP) == Replay(CREATED)
    clock.advance(0.001)
    assert isinstance(await idem.begin(SCOPE, body_fingerprint(b"new")), Started)


async def test_memory_store_is_bounded(clock: ManualClock) -> None:
    store = MemoryIdempotencyStore(clock=clock, max_entries=10)
    for i in range(50):
        await store.begin(f"scope-{i}", FP)
    assert len(store) == 10


@pytest.mark.redis
async def test_redis_records_expire_and_live_in_their_namespace(
    redis_client: aioredis.Redis, key_prefix: str, clock: ManualClock
) -> None:
    store = RedisIdempotencyStore(redis_client, prefix=key_prefix, clock=clock)
    started = await store.begin(SCOPE, FP)
    key = f"{key_prefix}idempotency:{SCOPE}"
    assert 0 < await redis_client.pttl(key) <= 60_000
    await store.complete(SCOPE, CREATED, owner=started.owner)
    assert 60_000 < await redis_client.pttl(key) <= 86_400_000


@pytest.mark.redis
async def test_redis_begin_repeated_by_the_same_attempt_still_owns_the_scope(
    redis_client: aioredis.Redis, key_prefix: str
) -> None:
    # What a client-side retry after a lost reply sends: the same owner token again.
    store = RedisIdempotencyStore(redis_client, prefix=key_prefix)
    args = [FP, "owner-1", 1_750_000_000_000, 60_000]
    key = [store.key(SCOPE)]
    assert await store._begin(redis_client, key, args) == [b"started"]
    assert await store._begin(redis_client, key, args) == [b"started"]
    assert await store._begin(redis_client, key, [FP, "owner-2", *args[2:]]) == [b"in_progress"]


@pytest.mark.redis
async def test_redis_store_refuses_a_client_that_decodes_responses() -> None:
    client = aioredis.Redis(decode_responses=True)
    try:
        with pytest.raises(ValueError, match="decode_responses"):
            RedisIdempotencyStore(client)
    finally:
        await client.aclose()
