"""A byte-value cache with TTLs and invalidation by tag or key prefix.

Invalidation never scans: a counter (the invalidation sequence) is bumped and recorded
against each invalidated tag or prefix; an entry remembers the sequence it was written at
and is dead as soon as one of its tags, or a prefix of its key, carries a larger number.
So one O(1) step makes every older entry unreachable at once, on both implementations.

Read-through without a stale window: take `stamp()` before reading the source, then
`set(..., stamp=s)`; if an invalidation that hits the entry happened in between, the
value is dropped instead of stored.
"""

from __future__ import annotations

import json
import secrets
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import redis.asyncio as aioredis

from knowledgepulse.registry.infra.clock import Clock, SystemClock
from knowledgepulse.registry.infra.redis import LuaScript, load_lua

__all__ = [
    "DEFAULT_CACHE_TTL",
    "MAX_CACHE_TTL",
    "Cache",
    "CacheStamp",
    "MemoryCache",
    "RedisCache",
]

DEFAULT_CACHE_TTL = 300.0
# Invalidation records are kept this long, so no entry may live longer (TTLs are capped).
MAX_CACHE_TTL = 86_400.0


@dataclass(frozen=True, slots=True)
class CacheStamp:
    """The invalidation sequence when a read-through began; only its issuing cache accepts it."""

    seq: int
    origin: str


@runtime_checkable
class Cache(Protocol):
    """Values are bytes (serialise before `set`); keys and tags are non-empty strings.

    `ttl` defaults to `DEFAULT_CACHE_TTL` and is capped at `MAX_CACHE_TTL`; an expired or
    invalidated entry reads as a miss. `delete` of a missing key is a no-op. After
    `invalidate_tags`/`invalidate_prefix` returns, no reader sees an entry written before
    it that carries one of the tags or whose key starts with one of the prefixes
    (`invalidate_prefix("")` hits everything). Prefix invalidations are meant for a small
    set of namespaces (`"skills:"`); per-object invalidation should use tags.
    `RedisCache` raises redis/OS errors when the server fails; `ResilientCache` degrades
    to an in-process cache instead (fail open, never serving an invalidated entry).
    """

    async def get(self, key: str) -> bytes | None:
        """The value, or None when missing, expired or invalidated."""
        ...

    async def set(
        self,
        key: str,
        value: bytes,
        *,
        ttl: float | None = None,
        tags: Iterable[str] = (),
        stamp: CacheStamp | None = None,
    ) -> bool:
        """Store `value`; False (nothing stored) when `stamp` shows it may be stale."""
        ...

    async def delete(self, key: str) -> None:
        """Remove one entry."""
        ...

    async def stamp(self) -> CacheStamp:
        """A stamp to pass to `set` after computing a value from the source of truth."""
        ...

    async def invalidate_tags(self, *tags: str) -> None:
        """Make every entry carrying any of `tags` unreachable."""
        ...

    async def invalidate_prefix(self, *prefixes: str) -> None:
        """Make every entry whose key starts with any of `prefixes` unreachable."""
        ...

    async def aclose(self) -> None:
        """Release resources this object owns (never a client passed in)."""
        ...


@dataclass(slots=True)
class _Entry:
    value: bytes
    seq: int
    expires_at: float
    tags: tuple[str, ...]


def _ttl(ttl: float | None) -> float:
    if ttl is None:
        return DEFAULT_CACHE_TTL
    if ttl <= 0:
        raise ValueError("ttl must be positive")
    return min(ttl, MAX_CACHE_TTL)


class MemoryCache:
    """An LRU dict of at most `max_entries` entries and `max_bytes` of values (one event
    loop; not thread-safe). The byte budget matters more than the count: a page of 20 full
    knowledge units is tens of kilobytes, and unique query strings would otherwise fill the
    process with them."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        max_entries: int = 10_000,
        max_bytes: int = 64 * 2**20,
    ) -> None:
        self._clock = clock or SystemClock()
        self._max = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._origin = secrets.token_hex(8)
        self._seq = 0
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        # name -> (sequence, wall time of the invalidation); oldest first
        self._tags: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._prefixes: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _stale(self, key: str, seq: int, tags: Iterable[str]) -> bool:
        for tag in tags:
            hit = self._tags.get(tag)
            if hit is not None and hit[0] > seq:
                return True
        return any(s > seq and key.startswith(p) for p, (s, _) in self._prefixes.items())

    async def get(self, key: str) -> bytes | None:
        """See `Cache.get`."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires_at <= self._clock.time() or self._stale(key, entry.seq, entry.tags):
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry.value

    async def set(
        self,
        key: str,
        value: bytes,
        *,
        ttl: float | None = None,
        tags: Iterable[str] = (),
        stamp: CacheStamp | None = None,
    ) -> bool:
        """See `Cache.set`."""
        tags = tuple(tags)
        seq = self._seq
        if stamp is not None:
            if stamp.origin != self._origin or stamp.seq > seq:
                return False
            if stamp.seq < seq and self._stale(key, stamp.seq, tags):
                return False
            seq = stamp.seq
        self._drop(key)
        if len(value) > self._max_bytes:
            return False
        self._entries[key] = _Entry(bytes(value), seq, self._clock.time() + _ttl(ttl), tags)
        self._bytes += len(value)
        while len(self._entries) > self._max or self._bytes > self._max_bytes:
            self._drop(next(iter(self._entries)))
        return True

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry.value)

    @property
    def size_bytes(self) -> int:
        """The bytes of cached values held now."""
        return self._bytes

    async def delete(self, key: str) -> None:
        """See `Cache.delete`."""
        self._drop(key)

    async def stamp(self) -> CacheStamp:
        """See `Cache.stamp`."""
        return CacheStamp(self._seq, self._origin)

    async def invalidate_tags(self, *tags: str) -> None:
        """See `Cache.invalidate_tags`."""
        self._record(self._tags, tags)

    async def invalidate_prefix(self, *prefixes: str) -> None:
        """See `Cache.invalidate_prefix`."""
        self._record(self._prefixes, prefixes)

    def _record(self, table: OrderedDict[str, tuple[int, float]], names: Iterable[str]) -> None:
        names = tuple(names)
        if not names:
            return
        now = self._clock.time()
        self._seq += 1
        for name in names:
            table[name] = (self._seq, now)
            table.move_to_end(name)
        # Every entry an old record could hide has expired (TTLs are capped at MAX_CACHE_TTL).
        while table and next(iter(table.values()))[1] <= now - MAX_CACHE_TTL:
            table.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry (used when this cache takes over from Redis)."""
        self._entries.clear()
        self._bytes = 0

    async def aclose(self) -> None:
        """Nothing to release."""


class RedisCache:
    """Entries as hashes `<prefix>cache:entry:<key>`, invalidation state beside them.

    Also `<prefix>cache:seq` (the sequence; no expiry, and if it is lost anyway the next
    invalidation restarts above the server clock in µs, above every earlier number),
    `<prefix>cache:tag:<tag>` (per-tag sequence, expiring after `MAX_CACHE_TTL`) and
    `<prefix>cache:prefixes` + `:prefixes:at`. The scripts compute tag keys themselves, so
    this needs a standalone Redis, not Redis Cluster.
    """

    _lib = load_lua("cache_lib.lua")
    _get = LuaScript(_lib + load_lua("cache_get.lua"))
    _set = LuaScript(_lib + load_lua("cache_set.lua"))
    _invalidate = LuaScript.from_package("cache_invalidate.lua")

    def __init__(
        self, client: aioredis.Redis, *, prefix: str = "kp:", clock: Clock | None = None
    ) -> None:
        self._client = client
        self._clock = clock or SystemClock()
        self._origin = f"redis:{prefix}"
        base = f"{prefix}cache:"
        self._entry = base + "entry:"
        self._tag = base + "tag:"
        self._seq_key = base + "seq"
        self._prefixes = base + "prefixes"
        self._prefixes_at = base + "prefixes:at"

    def _now_ms(self) -> int:
        return int(self._clock.time() * 1000)

    async def get(self, key: str) -> bytes | None:
        """See `Cache.get`."""
        args = [self._now_ms(), self._tag, self._prefixes, key]
        value = await self._get(self._client, [self._entry + key], args)
        return None if value is None else bytes(value)

    async def set(
        self,
        key: str,
        value: bytes,
        *,
        ttl: float | None = None,
        tags: Iterable[str] = (),
        stamp: CacheStamp | None = None,
    ) -> bool:
        """See `Cache.set`."""
        if stamp is not None and stamp.origin != self._origin:
            return False
        tags_json = json.dumps(list(tags), ensure_ascii=False)
        args = [
            bytes(value),
            int(_ttl(ttl) * 1000),
            self._now_ms(),
            -1 if stamp is None else stamp.seq,
            tags_json,
            self._tag,
            self._prefixes,
            key,
        ]
        return bool(await self._set(self._client, [self._entry + key, self._seq_key], args))

    async def delete(self, key: str) -> None:
        """See `Cache.delete`."""
        await self._client.delete(self._entry + key)

    async def stamp(self) -> CacheStamp:
        """See `Cache.stamp`."""
        raw = await self._client.get(self._seq_key)
        return CacheStamp(int(raw or 0), self._origin)

    async def invalidate_tags(self, *tags: str) -> None:
        """See `Cache.invalidate_tags`."""
        await self._run_invalidate("tag", tags)

    async def invalidate_prefix(self, *prefixes: str) -> None:
        """See `Cache.invalidate_prefix`."""
        await self._run_invalidate("prefix", prefixes)

    async def _run_invalidate(self, mode: str, names: tuple[str, ...]) -> None:
        if not names:
            return
        keys = [self._seq_key, self._prefixes, self._prefixes_at]
        args = [mode, self._now_ms(), int(MAX_CACHE_TTL * 1000), self._tag, *names]
        await self._invalidate(self._client, keys, args)

    async def aclose(self) -> None:
        """The client belongs to the caller; nothing to release."""
