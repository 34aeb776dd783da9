"""Redis plumbing shared by the Redis implementations: connect, scripts, outage errors, backoff."""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

from knowledgepulse.registry.errors import Unavailable

__all__ = [
    "OUTAGE_ERRORS",
    "Backoff",
    "LuaScript",
    "RedisUnavailable",
    "connect_redis",
    "load_lua",
    "ping",
    "redact_url",
]

# What counts as "Redis is down" (fall back) rather than a bug (raise): the connection or the
# socket failed, the server is loading its dataset, or a failover left us on a replica.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ReadOnlyError,
    OSError,
    TimeoutError,
)


class RedisUnavailable(Unavailable):
    """Redis cannot be reached; `url` is the configured URL with its password redacted."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = redact_url(url)
        super().__init__(f"Redis is unavailable at {self.url}: {reason}")


def redact_url(url: str) -> str:
    """The URL with any password (in the authority or a `password=` query) shown as `***`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<unparseable Redis URL>"
    netloc = parts.netloc
    if parts.password is not None:
        host = parts.hostname or ""
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        netloc = f"{parts.username or ''}:***@{host}" + (f":{port}" if port is not None else "")
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, "***" if k.lower() == "password" else v) for k, v in pairs], safe="*"
        )
    # Built by hand: urlunsplit drops the "//" of `unix:///path` when the authority is empty.
    out = f"{parts.scheme}://{netloc}{parts.path}"
    return out + (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")


async def connect_redis(
    url: str,
    *,
    socket_timeout: float = 1.0,
    connect_timeout: float = 1.0,
    max_connections: int = 64,
) -> aioredis.Redis:
    """Open a client and PING it once so a bad `KP_REDIS_URL` stops start-up.

    One retry without backoff: enough to replace a pooled socket that died with a Redis
    restart, short enough that an outage is noticed in about one `connect_timeout`. The
    pool blocks (up to `socket_timeout`) when all `max_connections` are busy; the default
    pool would fail at once with a ConnectionError, which would look like an outage.

    Raises:
        RedisUnavailable: the URL is malformed or the server does not answer PING.
    """
    try:
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            retry=Retry(NoBackoff(), 1),
            max_connections=max_connections,
            timeout=socket_timeout,
            health_check_interval=0,
        )
    except ValueError as exc:
        raise RedisUnavailable(url, f"invalid URL ({exc})") from None
    client = aioredis.Redis.from_pool(pool)
    try:
        await client.ping()
    except OUTAGE_ERRORS as exc:
        await client.aclose()
        raise RedisUnavailable(url, f"{type(exc).__name__}: {exc}") from None
    except Exception:  # auth or protocol errors also mean "cannot use it"; close first
        await client.aclose()
        raise
    return client


async def ping(client: aioredis.Redis) -> bool:
    """True when the server answers PING; an outage error gives False, never an exception."""
    try:
        return bool(await client.ping())
    except OUTAGE_ERRORS:
        return False


def load_lua(name: str) -> str:
    """The text of `lua/<name>` shipped inside this package."""
    return (resources.files(__package__) / "lua" / name).read_text(encoding="utf-8")


class LuaScript:
    """A server-side script called by EVALSHA, loaded again when the server answers NOSCRIPT."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode("utf-8")).hexdigest()

    @classmethod
    def from_package(cls, name: str) -> LuaScript:
        """The script `lua/<name>` of this package."""
        return cls(load_lua(name))

    async def __call__(self, client: aioredis.Redis, keys: list[str], args: list[Any]) -> Any:
        """Run the script atomically; a flushed or restarted server costs one extra EVAL."""
        try:
            return await client.evalsha(self.sha, len(keys), *keys, *args)  # type: ignore[misc]
        except NoScriptError:
            # EVAL both runs and caches the script, so the next call's EVALSHA hits.
            return await client.eval(self.source, len(keys), *keys, *args)  # type: ignore[misc]


class Backoff:
    """When to try Redis again: `initial` seconds after a failure, growing to `maximum`."""

    def __init__(self, initial: float = 5.0, maximum: float = 5.0, factor: float = 2.0) -> None:
        if initial <= 0 or maximum < initial or factor < 1:
            raise ValueError("need 0 < initial <= maximum and factor >= 1")
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self._next = initial

    def next_delay(self) -> float:
        """The wait before the next attempt; each call grows the following one."""
        delay = self._next
        self._next = min(self.maximum, self._next * self.factor)
        return delay

    def reset(self) -> None:
        """Start again from `initial` (call after a success)."""
        self._next = self.initial
