"""Resolve the `Authorization` header to an auth context, with a short-lived key cache."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from knowledgepulse.registry.auth.keys import BEARER_KP, hash_key
from knowledgepulse.registry.auth.models import ANONYMOUS, ApiKeyRecord, AuthContext
from knowledgepulse.registry.errors import Unauthorized

__all__ = ["Authenticator", "JwtVerifier"]

KeyLookup = Callable[[str], Awaitable[ApiKeyRecord | None]]
JwtVerifier = Callable[[str], Awaitable[AuthContext]]


class Authenticator:
    """API keys ([FIX-S19]: a dead `kp_` key is a 401) and, when configured, JWTs.

    Key lookups are cached for `ttl` seconds so a hot key costs no query per request.
    Revocation in this process evicts the entry at once (`forget`); other processes see a
    revocation after at most `ttl` seconds.
    """

    def __init__(
        self,
        lookup: KeyLookup,
        *,
        jwt: JwtVerifier | None = None,
        ttl: float = 5.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup = lookup
        self._jwt = jwt
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, ApiKeyRecord | None]] = OrderedDict()

    async def authenticate(self, header: str | None) -> AuthContext:
        """The caller's context; raises `Unauthorized` for an unknown or revoked `kp_` key."""
        if header is None:
            return ANONYMOUS
        if header.startswith(BEARER_KP):
            record = await self._record(hash_key(header[len("Bearer ") :]))
            if record is None or record.revoked:
                raise Unauthorized("Invalid or revoked API key")
            return AuthContext(
                authenticated=True,
                tier=record.tier,
                agent_id=record.agent_id,
                scopes=record.scopes,
                key_prefix=record.key_prefix,
                method="api_key",
            )
        if self._jwt is not None and header.startswith("Bearer "):
            return await self._jwt(header[len("Bearer ") :])
        return ANONYMOUS

    def forget(self, key_hash: str | None = None) -> None:
        """Drop one cached key (or all): called after a revocation."""
        if key_hash is None:
            self._cache.clear()
        else:
            self._cache.pop(key_hash, None)

    async def _record(self, key_hash: str) -> ApiKeyRecord | None:
        now = self._clock()
        cached = self._cache.get(key_hash)
        if cached is not None and cached[0] > now:
            return cached[1]
        record = await self._lookup(key_hash)
        self._cache[key_hash] = (now + self._ttl, record)
        self._cache.move_to_end(key_hash)
        if len(self._cache) > self._max:
            self._cache.popitem(last=False)
        return record
