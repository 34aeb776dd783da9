"""Cached GET responses: rendered JSON bytes keyed by request, invalidated by tag.

A hit answers without opening a transaction. A miss takes a cache stamp before reading the
store, so a value computed before a concurrent write's invalidation is never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from starlette.responses import Response

from knowledgepulse._lib import jsjson
from knowledgepulse.registry.container import Container, Services

__all__ = ["CACHE_TTL", "cached_json", "query_key"]

CACHE_TTL = 60.0  # seconds; correctness comes from invalidation, the TTL only bounds memory


def query_key(prefix: str, params: Mapping[str, Sequence[str]], *parts: object) -> str:
    """A compact cache key from the query string (first values) and extra parts."""
    canonical = "&".join(f"{k}={v[0]}" for k, v in sorted(params.items()) if v)
    digest = hashlib.blake2b(
        "\x1f".join([canonical, *map(str, parts)]).encode(), digest_size=16
    ).hexdigest()
    return f"{prefix}:{digest}"


async def cached_json(
    container: Container,
    key: str,
    tags: tuple[str, ...],
    produce: Callable[[Services], Awaitable[Any]],
) -> Response:
    """Serve `key` from the cache, or compute it in a read transaction and cache it."""
    cache = container.cache
    body = await cache.get(key)
    if body is None:
        stamp = await cache.stamp()
        async with container.unit_of_work(write=False) as services:
            payload = await produce(services)
        body = jsjson.dumps_bytes(payload)
        await cache.set(key, body, ttl=CACHE_TTL, tags=tags, stamp=stamp)
    return Response(body, media_type="application/json")
