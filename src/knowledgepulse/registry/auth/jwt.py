"""Bearer JWTs verified against a remote JWKS (registry-api.md §2 stage 2, §3, §9.2).

`JwksVerifier` is the `JwtVerifier` hook of `Authenticator`: an async callable that turns
a token into an `AuthContext` or raises `Unauthorized("Invalid JWT token", details=...)`
(401) — or `Unavailable("Identity provider unavailable")` (503) when the JWKS cannot be
fetched and no usable cached key exists.

Rules, in the order they are applied:

* The token is at most `MAX_TOKEN_CHARS` long and is a compact JWS; a `crit` header is
  refused (no extension is understood).
* Algorithms come from an explicit allow-list: `RS256`, `ES256`, `EdDSA`. The header's
  `alg` only selects among keys; a key is used only when its own type agrees
  (`RS256` ↔ `kty` `RSA` of ≥ 2048 bits, `ES256` ↔ `EC`/`P-256`, `EdDSA` ↔ `OKP`/`Ed25519`
  or `Ed448`) and its optional `alg`, `use` and `key_ops` do too. `none`, `HS*` and every
  other algorithm are rejected before any key is touched; keys embedded in the token
  (`jwk`, `jku`, `x5u`, `x5c`) are never used.
* The key is found by `kid`; a token without `kid` is tried against every compatible key.
* Claims: `iss` equals the configured issuer, `aud` (string or list) contains the
  configured audience, `exp` is required, `exp`/`nbf`/`iat` are checked with a leeway of
  `LEEWAY_SECONDS` (30 s) for clock skew between the registry and the identity provider.
* Claim mapping (§3, [FIX-R3]): agent id = `agent_id`, else `sub` (a token with neither is
  refused); tier = `kp_tier` when it is `free`/`pro`/`enterprise`, `pro` when absent, `free`
  for any other value; scopes = the `scopes` claim (a list, or an OAuth-style space
  separated string) keeping only `read`/`write`/`admin`, default `["read","write"]` when
  the claim is absent or of another type; `key_prefix` is the literal `jwt`.

JWKS cache: fetched lazily on the first token, kept for `ttl` (600 s). A token naming an
unknown `kid` (or, without `kid`, finding no compatible key) triggers one refetch, but
fetches of any kind start at most once per `refetch_interval` (30 s), so a flood of forged
`kid`s cannot hammer the identity provider. Concurrent requests share one fetch.

When the JWKS endpoint is down (network error, timeout, non-200, oversized or malformed
document), cached keys keep verifying tokens for up to `max_stale` (1 h) past their TTL.
A token that needs a key the cache cannot supply while the last fetch failed — or any
token when nothing usable is cached — gets 503 `{"error":"Identity provider unavailable"}`.
The fetch uses its own `httpx.AsyncClient`: short timeouts, no redirects, no proxy from
the environment, and a cap on the (decoded) response size.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from knowledgepulse.registry.auth.models import SCOPES, TIERS, AuthContext
from knowledgepulse.registry.errors import Unauthorized, Unavailable

__all__ = [
    "ALLOWED_ALGORITHMS",
    "IDP_UNAVAILABLE",
    "INVALID_TOKEN",
    "JWKS_TTL_SECONDS",
    "LEEWAY_SECONDS",
    "MAX_JWKS_BYTES",
    "MAX_STALE_SECONDS",
    "REFETCH_INTERVAL_SECONDS",
    "JwksVerifier",
    "context_from_claims",
    "parse_jwks",
]

logger = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = ("RS256", "ES256", "EdDSA")
LEEWAY_SECONDS = 30.0
JWKS_TTL_SECONDS = 600.0
REFETCH_INTERVAL_SECONDS = 30.0
MAX_STALE_SECONDS = 3600.0
MAX_JWKS_BYTES = 256 * 1024
MAX_JWKS_KEYS = 100
MAX_TOKEN_CHARS = 16 * 1024
MIN_RSA_BITS = 2048
DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=3.0)

INVALID_TOKEN = "Invalid JWT token"
IDP_UNAVAILABLE = "Identity provider unavailable"
JWT_KEY_PREFIX = "jwt"
DEFAULT_TIER = "pro"
UNKNOWN_TIER = "free"
DEFAULT_SCOPES = ("read", "write")

_REQUIRED_CLAIMS = ["exp", "iss", "aud"]
_NO_KEY = "no applicable key found in the JSON Web Key Set"


@dataclass(frozen=True, slots=True)
class _Key:
    """One usable verification key from the JWKS."""

    kid: str | None
    algorithm: str
    key: Any  # a cryptography public key


class _FetchError(Exception):
    """The JWKS could not be fetched or parsed; the message says why."""


def _invalid(details: str) -> Unauthorized:
    return Unauthorized(INVALID_TOKEN, details=details)


def _algorithm_for(jwk: Mapping[str, Any]) -> str | None:
    """The one allowed algorithm a JWK of this type and curve may verify, if any."""
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "RSA":
        return "RS256"
    if kty == "EC" and crv == "P-256":
        return "ES256"
    if kty == "OKP" and crv in ("Ed25519", "Ed448"):
        return "EdDSA"
    return None


def _parse_jwk(entry: Any) -> _Key | None:
    """A verification key, or None for an entry this registry must not or cannot use."""
    if not isinstance(entry, dict):
        return None
    algorithm = _algorithm_for(entry)
    if algorithm is None:
        return None
    if entry.get("alg") is not None and entry["alg"] != algorithm:
        return None
    if entry.get("use") not in (None, "sig"):
        return None
    ops = entry.get("key_ops")
    if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
        return None
    if "d" in entry:  # private key material has no business in a published JWKS
        return None
    kid = entry.get("kid")
    if kid is not None and not isinstance(kid, str):
        return None
    try:
        key = jwt.PyJWK(entry, algorithm).key
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if isinstance(key, RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        return None
    return _Key(kid=kid, algorithm=algorithm, key=key)


def parse_jwks(document: Any) -> tuple[_Key, ...]:
    """The usable keys of a JWKS document; raises `_FetchError` when it is not a JWKS."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise _FetchError('the JWKS document has no "keys" array')
    entries = document["keys"][:MAX_JWKS_KEYS]
    keys = tuple(key for key in map(_parse_jwk, entries) if key is not None)
    if len(keys) < len(entries):
        logger.info("JWKS: ignored %d unusable key(s)", len(entries) - len(keys))
    return keys


def _tier(claims: Mapping[str, Any]) -> str:
    if "kp_tier" not in claims or claims["kp_tier"] is None:
        return DEFAULT_TIER
    value = claims["kp_tier"]
    return value if isinstance(value, str) and value in TIERS else UNKNOWN_TIER


def _scopes(claims: Mapping[str, Any]) -> tuple[str, ...]:
    value = claims.get("scopes")
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list):
        return DEFAULT_SCOPES
    kept: list[str] = []
    for item in value:
        if isinstance(item, str) and item in SCOPES and item not in kept:
            kept.append(item)
    return tuple(kept)


def context_from_claims(claims: Mapping[str, Any]) -> AuthContext:
    """The auth context of verified claims (§3, §9.2, [FIX-R3])."""
    agent_id = claims.get("agent_id")
    if not isinstance(agent_id, str) or not agent_id:
        agent_id = claims.get("sub")
    if not isinstance(agent_id, str) or not agent_id:
        raise _invalid('the token has neither an "agent_id" nor a "sub" claim')
    return AuthContext(
        authenticated=True,
        tier=_tier(claims),
        agent_id=agent_id,
        scopes=_scopes(claims),
        key_prefix=JWT_KEY_PREFIX,
        method="jwt",
    )


def _describe(exc: jwt.PyJWTError) -> str:
    """The `details` text of a verification failure (close to the reference's wording)."""
    if isinstance(exc, jwt.ExpiredSignatureError):
        return '"exp" claim timestamp check failed'
    if isinstance(exc, jwt.ImmatureSignatureError):
        return '"nbf" claim timestamp check failed'
    if isinstance(exc, jwt.InvalidIssuedAtError):
        return '"iat" claim timestamp check failed'
    if isinstance(exc, jwt.InvalidIssuerError):
        return 'unexpected "iss" claim value'
    if isinstance(exc, jwt.InvalidAudienceError):
        return 'unexpected "aud" claim value'
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f'missing required "{exc.claim}" claim'
    if isinstance(exc, jwt.InvalidSignatureError):
        return "signature verification failed"
    if isinstance(exc, jwt.InvalidAlgorithmError):
        return '"alg" (Algorithm) Header Parameter value not allowed'
    if isinstance(exc, jwt.DecodeError):
        return "Invalid Compact JWS"
    return str(exc) or "the token could not be verified"


class JwksVerifier:
    """Verify bearer JWTs against the identity provider's JWKS; see the module docstring."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str,
        ttl: float = JWKS_TTL_SECONDS,
        refetch_interval: float = REFETCH_INTERVAL_SECONDS,
        max_stale: float = MAX_STALE_SECONDS,
        leeway: float = LEEWAY_SECONDS,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_JWKS_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        parts = urlsplit(jwks_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"KP_OIDC_JWKS_URL must be an http(s) URL, got {jwks_url!r}")
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "::1", "localhost"):
            logger.warning("KP_OIDC_JWKS_URL uses plain http: keys can be tampered with in transit")
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self._ttl = ttl
        self._refetch_interval = refetch_interval
        self._max_stale = max_stale
        self._leeway = leeway
        self._max_bytes = max_bytes
        self._clock = clock
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None  # opened on the first fetch
        self._lock = asyncio.Lock()
        self._keys: tuple[_Key, ...] = ()
        self._fetched_at: float | None = None  # last successful fetch
        self._attempted_at: float | None = None  # last fetch started, successful or not
        self._failure: str | None = None  # why the last fetch failed; None after a success
        self.fetch_count = 0  # fetches started (for tests and diagnostics)

    async def __call__(self, token: str) -> AuthContext:
        """The caller's context; raises `Unauthorized` (401) or `Unavailable` (503)."""
        try:
            claims = await self._verified_claims(token)
        except (Unauthorized, Unavailable):
            raise
        except jwt.PyJWTError as exc:
            raise _invalid(_describe(exc)) from None
        except Exception:
            # Fail closed: a token the library chokes on is refused, never a 500.
            logger.exception("JWT verification raised unexpectedly")
            raise _invalid("the token could not be verified") from None
        return context_from_claims(claims)

    async def aclose(self) -> None:
        """Close the HTTP client (if a fetch ever opened it)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _verified_claims(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_CHARS:
            raise _invalid("the token is too large")
        header = jwt.get_unverified_header(token)
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise _invalid('"alg" (Algorithm) Header Parameter value not allowed')
        if "crit" in header:
            raise _invalid('"crit" Header Parameter not supported')
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise _invalid('"kid" Header Parameter must be a string')
        failure: jwt.PyJWTError | None = None
        for key in await self._candidates(kid, algorithm):
            try:
                return jwt.decode(
                    token,
                    key.key,
                    algorithms=[key.algorithm],
                    audience=self.audience,
                    issuer=self.issuer,
                    leeway=self._leeway,
                    options={"require": _REQUIRED_CLAIMS},
                )
            except jwt.InvalidSignatureError as exc:
                failure = exc  # without a kid, another compatible key may still match
        assert failure is not None
        raise failure

    async def _candidates(self, kid: str | None, algorithm: str) -> list[_Key]:
        """Keys that may verify a token with this `kid` and `alg`; refetches at most once."""
        keys = await self._current_keys()
        found = _select(keys, kid, algorithm)
        if found:
            return found
        if kid is not None and any(key.kid == kid for key in keys):
            raise _invalid(_NO_KEY)  # the kid is known but belongs to another key type
        # Unknown kid (or no compatible key at all): the provider may have rotated its keys.
        await self._maybe_refresh()
        found = _select(self._keys, kid, algorithm)
        if found:
            return found
        if self._failure is not None:
            raise Unavailable(IDP_UNAVAILABLE)
        raise _invalid(_NO_KEY)

    async def _current_keys(self) -> tuple[_Key, ...]:
        """The cached keys, refreshed when expired (or served stale while the IdP is down)."""
        if self._fresh():
            return self._keys
        if self._fetched_at is None or not self._lock.locked():
            # With stale keys in hand, do not queue behind a refresh already in flight.
            await self._maybe_refresh()
        if self._fetched_at is None:
            raise Unavailable(IDP_UNAVAILABLE)
        if self._clock() - self._fetched_at >= self._ttl + self._max_stale:
            raise Unavailable(IDP_UNAVAILABLE)
        return self._keys

    def _fresh(self) -> bool:
        return self._fetched_at is not None and self._clock() - self._fetched_at < self._ttl

    async def _maybe_refresh(self) -> None:
        """Fetch the JWKS unless one started less than `refetch_interval` ago.

        Single flight: a request arriving while a fetch runs waits for it and uses its
        result instead of starting another.
        """
        async with self._lock:
            now = self._clock()
            if self._attempted_at is not None and now - self._attempted_at < self._refetch_interval:
                return
            self._attempted_at = now
            self.fetch_count += 1
            try:
                keys = parse_jwks(await self._fetch())
            except _FetchError as exc:
                self._failure = str(exc)
                logger.warning("JWKS fetch from %s failed: %s", self.jwks_url, exc)
                return
            self._keys = keys
            self._fetched_at = self._clock()
            self._failure = None

    async def _fetch(self) -> Any:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self._timeout,
                follow_redirects=False,
                trust_env=False,
                headers={"Accept": "application/json"},
            )
        try:
            async with self._client.stream("GET", self.jwks_url) as response:
                if response.status_code != 200:
                    raise _FetchError(f"the JWKS endpoint answered {response.status_code}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self._max_bytes:
                    raise _FetchError(f"the JWKS is larger than {self._max_bytes} bytes")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > self._max_bytes:
                        raise _FetchError(f"the JWKS is larger than {self._max_bytes} bytes")
        except httpx.HTTPError as exc:
            raise _FetchError(f"{type(exc).__name__}: {exc}") from None
        try:
            return json.loads(bytes(body))
        except (ValueError, RecursionError):
            raise _FetchError("the JWKS is not valid JSON") from None


def _select(keys: tuple[_Key, ...], kid: str | None, algorithm: str) -> list[_Key]:
    return [key for key in keys if key.algorithm == algorithm and (kid is None or key.kid == kid)]
