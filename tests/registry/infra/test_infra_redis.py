"""Redis plumbing: start-up errors, URL redaction, script reloading, probe backoff."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from knowledgepulse.registry.errors import Unavailable
from knowledgepulse.registry.infra import (
    Action,
    RedisRateLimiter,
    RedisUnavailable,
    connect_redis,
    redact_url,
)
from knowledgepulse.registry.infra.redis import Backoff, ping
from tests.registry.infra._infra import OwnRedisServer, free_port


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:s3cret@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("rediss://kp:s3cret@[::1]:7000/2", "rediss://kp:***@[::1]:7000/2"),
        ("unix:///run/r.sock?db=1&password=s3cret", "unix:///run/r.sock?db=1&password=***"),
        ("redis://kp@cache.internal", "redis://kp@cache.internal"),
    ],
)
def test_urls_are_shown_without_their_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown


async def test_an_unreachable_url_stops_start_up_with_a_clear_redacted_error() -> None:
    port = free_port()
    url = f"redis://kp:s3cret@127.0.0.1:{port}/0"
    with pytest.raises(RedisUnavailable) as caught:
        await connect_redis(url, connect_timeout=2.0)
    err = caught.value
    assert isinstance(err, Unavailable)
    assert err.status == 503
    assert err.url == f"redis://kp:***@127.0.0.1:{port}/0"
    assert str(err).startswith(f"Redis is unavailable at redis://kp:***@127.0.0.1:{port}/0: ")
    assert "s3cret" not in str(err)


async def test_a_malformed_url_is_reported_as_unavailable_too() -> None:
    with pytest.raises(RedisUnavailable, match="invalid URL"):
        await connect_redis("http://127.0.0.1:6379/0")


async def test_a_wrong_password_is_reported_without_the_password(
    own_redis: Callable[..., Awaitable[OwnRedisServer]],
) -> None:
    server = await own_redis("--requirepass", "right-one")
    url = f"redis://:wrong-one@127.0.0.1:{server.port}/0"
    with pytest.raises(RedisUnavailable) as caught:
        await connect_redis(url)
    assert "wrong-one" not in str(caught.value)
    assert f":***@127.0.0.1:{server.port}" in str(caught.value)


async def test_ping_reports_a_dead_server_as_false(
    own_redis: Callable[..., Awaitable[OwnRedisServer]],
) -> None:
    server = await own_redis()
    client = await connect_redis(server.url)
    try:
        assert await ping(client)
        await server.kill()
        assert not await ping(client)
    finally:
        await client.aclose()


async def test_a_flushed_script_cache_is_reloaded_on_demand(
    own_redis: Callable[..., Awaitable[OwnRedisServer]],
) -> None:
    server = await own_redis()
    client = await connect_redis(server.url)
    try:
        limiter = RedisRateLimiter(client, prefix="kp:")
        assert (await limiter.check("a", "free", Action.READ)).remaining == 299
        await client.script_flush()  # what a restart or failover does to cached scripts
        assert (await limiter.check("a", "free", Action.READ)).remaining == 298
        assert (await client.script_exists(RedisRateLimiter._script.sha)) == [True]
    finally:
        await client.aclose()


def test_backoff_grows_to_its_maximum_and_resets() -> None:
    backoff = Backoff(initial=1.0, maximum=5.0)
    assert [backoff.next_delay() for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    backoff.reset()
    assert backoff.next_delay() == 1.0
    with pytest.raises(ValueError, match="initial"):
        Backoff(initial=0)
