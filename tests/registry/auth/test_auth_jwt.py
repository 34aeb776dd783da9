"""JWT / OIDC sign-in (registry-api.md §2, §3, §9.2, [FIX-R3]) against a real JWKS server.

The JWKS is served over HTTP by a `ThreadingHTTPServer` on 127.0.0.1 (a free port per
test), with RSA, EC P-256 and Ed25519 keys made by `cryptography`. The verifier is tested
directly (with a manual clock for the cache rules) and end to end through the app.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from knowledgepulse.registry.auth.jwt import (
    JWKS_TTL_SECONDS,
    LEEWAY_SECONDS,
    MAX_STALE_SECONDS,
    REFETCH_INTERVAL_SECONDS,
    JwksVerifier,
    context_from_claims,
    parse_jwks,
)
from knowledgepulse.registry.errors import Unauthorized, Unavailable
from tests.registry._units import reasoning_trace
from tests.registry.api._api import Api

ISSUER = "https://idp.example.test/realms/kp"
AUDIENCE = "knowledgepulse-registry"
INVALID = "Invalid JWT token"


# --------------------------------------------------------------------------- keys and tokens


class Keys:
    """Signing keys of the test identity provider (and an attacker's), made once per module."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.rsa_next = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.ed = ed25519.Ed25519PrivateKey.generate()
        self.private = {"rsa-1": self.rsa, "rsa-2": self.rsa_next, "ec-1": self.ec, "ed-1": self.ed}
        self.algorithm = {"rsa-1": "RS256", "rsa-2": "RS256", "ec-1": "ES256", "ed-1": "EdDSA"}

    def jwk(self, kid: str, **extra: Any) -> dict[str, Any]:
        """The public JWK of `kid`, with `kid`, `use` and `alg` set."""
        return public_jwk(self.private[kid], kid=kid, alg=self.algorithm[kid], use="sig", **extra)

    def jwks(self, *kids: str) -> dict[str, Any]:
        return {"keys": [self.jwk(kid) for kid in kids]}


def public_jwk(private_key: Any, **extra: Any) -> dict[str, Any]:
    public = private_key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        data = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
    elif isinstance(public, ec.EllipticCurvePublicKey):
        data = jwt.algorithms.ECAlgorithm.to_jwk(public, as_dict=True)
    else:
        data = jwt.algorithms.OKPAlgorithm.to_jwk(public, as_dict=True)
    return {**data, **extra}


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-123",
        "agent_id": "kp:agent:jwt-alice",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def sign(keys: Keys, kid: str = "rsa-1", header_kid: str | None = "", **overrides: Any) -> str:
    """A token signed by `kid`'s private key; `header_kid=None` leaves the `kid` out."""
    headers = {} if header_kid is None else {"kid": header_kid or kid}
    return jwt.encode(
        claims(**overrides), keys.private[kid], algorithm=keys.algorithm[kid], headers=headers
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    return (
        f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}.{b64(signature)}"
    )


def hs256_with_public_key(keys: Keys) -> str:
    """The classic confusion attack: HMAC keyed with the RSA public key's PEM."""
    secret = keys.rsa.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims()).encode())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def tampered(keys: Keys) -> str:
    head, _, signature = sign(keys).split(".")
    payload = b64(json.dumps(claims(agent_id="kp:agent:root", scopes=["admin"])).encode())
    return f"{head}.{payload}.{signature}"


def embedded_attacker_key(keys: Keys) -> str:
    """Signed by the attacker, who also ships the key in the header (`jwk`) with a known kid."""
    headers = {"kid": "rsa-1", "jwk": public_jwk(keys.attacker)}
    return jwt.encode(claims(), keys.attacker, algorithm="RS256", headers=headers)


# --------------------------------------------------------------------------- the JWKS server


class JwksServer:
    """A JWKS endpoint on 127.0.0.1 whose document, status and speed the test controls."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document: dict[str, Any] = document
        self.status = 200
        self.raw: bytes | None = None  # served instead of the document when set
        self.delay = 0.0
        self.hits = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.hits += 1
                if server.delay:
                    time.sleep(server.delay)
                body = server.raw if server.raw is not None else json.dumps(server.document)
                payload = body if isinstance(body, bytes) else body.encode()
                try:
                    self.send_response(server.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/.well-known/jwks.json"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self._running = True

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)


class ManualClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


@pytest.fixture
def server(keys: Keys) -> Iterator[JwksServer]:
    running = JwksServer(keys.jwks("rsa-1", "ec-1", "ed-1"))
    yield running
    running.stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def verifier(server: JwksServer, clock: ManualClock) -> AsyncIterator[JwksVerifier]:
    made = JwksVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=server.url, clock=clock)
    yield made
    await made.aclose()


async def rejected(verifier: JwksVerifier, token: str) -> str:
    """Verify `token`, expect the 401 and return its `details`."""
    with pytest.raises(Unauthorized) as caught:
        await verifier(token)
    body = caught.value.body()
    assert caught.value.status == 401
    assert body["error"] == INVALID
    assert isinstance(body["details"], str)
    assert body["details"]
    return body["details"]


# --------------------------------------------------------------------------- verifier: happy paths


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1", "ed-1"])
async def test_rs256_es256_and_eddsa_tokens_verify_and_map_to_a_jwt_context(
    verifier: JwksVerifier, keys: Keys, kid: str
) -> None:
    context = await verifier(sign(keys, kid))
    assert context.authenticated
    assert context.method == "jwt"
    assert context.key_prefix == "jwt"
    assert context.agent_id == "kp:agent:jwt-alice"
    assert context.tier == "pro"
    assert context.scopes == ("read", "write")


async def test_a_token_without_kid_is_tried_against_the_compatible_keys(
    server: JwksServer, verifier: JwksVerifier, keys: Keys
) -> None:
    server.document = keys.jwks("rsa-2", "rsa-1")  # two RSA keys: the second one matches
    context = await verifier(sign(keys, "rsa-1", header_kid=None))
    assert context.agent_id == "kp:agent:jwt-alice"


async def test_aud_may_be_a_list_containing_the_audience(
    verifier: JwksVerifier, keys: Keys
) -> None:
    token = sign(keys, aud=["another-api", AUDIENCE])
    assert (await verifier(token)).authenticated


@pytest.mark.parametrize("field", ["exp", "nbf"])
async def test_clock_skew_within_the_leeway_is_tolerated(
    verifier: JwksVerifier, keys: Keys, field: str
) -> None:
    now = int(time.time())
    skew = int(LEEWAY_SECONDS) - 10
    value = now - skew if field == "exp" else now + skew
    overrides = {field: value, "iat": now - 60 if field == "exp" else now}
    assert (await verifier(sign(keys, **overrides))).authenticated


# --------------------------------------------------------------------------- verifier: claim mapping


@pytest.mark.parametrize(
    ("overrides", "agent_id"),
    [
        ({}, "kp:agent:jwt-alice"),
        ({"agent_id": None}, "user-123"),
        ({"agent_id": ""}, "user-123"),
        ({"agent_id": 42}, "user-123"),
    ],
)
def test_agent_id_comes_from_agent_id_else_sub(overrides: dict, agent_id: str) -> None:
    assert context_from_claims(claims(**overrides)).agent_id == agent_id


def test_a_token_without_agent_id_and_sub_is_refused() -> None:
    with pytest.raises(Unauthorized) as caught:
        context_from_claims(claims(agent_id=None, sub=None))
    assert caught.value.body() == {
        "error": INVALID,
        "details": 'the token has neither an "agent_id" nor a "sub" claim',
    }


@pytest.mark.parametrize(
    ("kp_tier", "tier"),
    [
        (None, "pro"),  # absent: the §3 default
        ("free", "free"),
        ("pro", "pro"),
        ("enterprise", "enterprise"),
        ("platinum", "free"),  # [FIX-R3]: unknown → free
        ("Enterprise", "free"),
        (7, "free"),
        (["pro"], "free"),
    ],
)
def test_kp_tier_is_validated_and_unknown_values_become_free(kp_tier: Any, tier: str) -> None:
    assert context_from_claims(claims(kp_tier=kp_tier)).tier == tier


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        (None, ("read", "write")),  # absent: the default
        (["read"], ("read",)),
        (["admin", "fly", "read", "admin", 3], ("admin", "read")),  # unknown values dropped
        (["fly"], ()),  # nothing known left: no rights, never the default
        ([], ()),
        ("read admin", ("read", "admin")),  # an OAuth-style string is split, not defaulted
        ({"write": True}, ("read", "write")),
        (5, ("read", "write")),
    ],
)
def test_scopes_keep_known_values_and_default_to_read_write(
    scopes: Any, expected: tuple[str, ...]
) -> None:
    assert context_from_claims(claims(scopes=scopes)).scopes == expected


async def test_claims_are_mapped_from_a_verified_token(verifier: JwksVerifier, keys: Keys) -> None:
    token = sign(keys, "ec-1", agent_id=None, sub="oidc|bob", kp_tier="gold", scopes=["read"])
    context = await verifier(token)
    assert (context.agent_id, context.tier, context.scopes) == ("oidc|bob", "free", ("read",))


# --------------------------------------------------------------------------- verifier: rejections


def rejection_cases(keys: Keys) -> dict[str, tuple[str, str | tuple[str, ...]]]:
    """name → (token, expected details, or the acceptable ones)."""
    now = int(time.time())
    late = int(LEEWAY_SECONDS) + 90
    return {
        "alg none": (
            forge({"alg": "none", "typ": "JWT", "kid": "rsa-1"}, claims()),
            '"alg" (Algorithm) Header Parameter value not allowed',
        ),
        "alg none, upper case": (
            forge({"alg": "NONE", "kid": "rsa-1"}, claims()),
            '"alg" (Algorithm) Header Parameter value not allowed',
        ),
        "HS256 keyed with the public key": (
            hs256_with_public_key(keys),
            '"alg" (Algorithm) Header Parameter value not allowed',
        ),
        "RS384 (not on the allow-list)": (
            jwt.encode(claims(), keys.rsa, algorithm="RS384", headers={"kid": "rsa-1"}),
            '"alg" (Algorithm) Header Parameter value not allowed',
        ),
        "ES256 header on an RSA key": (
            jwt.encode(claims(), keys.ec, algorithm="ES256", headers={"kid": "rsa-1"}),
            "no applicable key found in the JSON Web Key Set",
        ),
        "expired": (
            sign(keys, exp=now - late, iat=now - 600, nbf=now - 600),
            '"exp" claim timestamp check failed',
        ),
        "not yet valid": (
            sign(keys, nbf=now + late),
            '"nbf" claim timestamp check failed',
        ),
        "no exp": (sign(keys, exp=None), 'missing required "exp" claim'),
        "wrong issuer": (
            sign(keys, iss="https://evil.example.test/realms/kp"),
            'unexpected "iss" claim value',
        ),
        "issuer with a suffix": (sign(keys, iss=ISSUER + "x"), 'unexpected "iss" claim value'),
        "issuer prefix only": (sign(keys, iss=ISSUER[:-3]), 'unexpected "iss" claim value'),
        "no issuer": (sign(keys, iss=None), 'missing required "iss" claim'),
        "wrong audience": (sign(keys, aud="another-api"), 'unexpected "aud" claim value'),
        "audience list without ours": (
            sign(keys, aud=["a", "b"]),
            'unexpected "aud" claim value',
        ),
        "no audience": (sign(keys, aud=None), 'missing required "aud" claim'),
        "unknown kid": (
            sign(keys, "rsa-2"),
            "no applicable key found in the JSON Web Key Set",
        ),
        "tampered payload": (tampered(keys), "signature verification failed"),
        "attacker key embedded in the header": (
            embedded_attacker_key(keys),
            "signature verification failed",
        ),
        "crit header": (
            jwt.encode(
                claims(), keys.rsa, algorithm="RS256", headers={"kid": "rsa-1", "crit": ["exp"]}
            ),
            # PyJWT refuses unknown critical extensions itself; the verifier would too.
            ("Unsupported critical extension: exp", '"crit" Header Parameter not supported'),
        ),
        "garbage": ("not-a-jwt", "Invalid Compact JWS"),
        "garbage with dots": ("a.b.c", "Invalid Compact JWS"),
        "oversized": ("x" * 20_000, "the token is too large"),
    }


def acceptable(details: str | tuple[str, ...]) -> tuple[str, ...]:
    return details if isinstance(details, tuple) else (details,)


REJECTIONS = [
    "alg none",
    "alg none, upper case",
    "HS256 keyed with the public key",
    "RS384 (not on the allow-list)",
    "ES256 header on an RSA key",
    "expired",
    "not yet valid",
    "no exp",
    "wrong issuer",
    "issuer with a suffix",
    "issuer prefix only",
    "no issuer",
    "wrong audience",
    "audience list without ours",
    "no audience",
    "unknown kid",
    "tampered payload",
    "attacker key embedded in the header",
    "crit header",
    "garbage",
    "garbage with dots",
    "oversized",
]


@pytest.mark.parametrize("case", REJECTIONS)
async def test_bad_tokens_are_refused_with_401(
    verifier: JwksVerifier, keys: Keys, case: str
) -> None:
    token, details = rejection_cases(keys)[case]
    assert await rejected(verifier, token) in acceptable(details)


def test_the_rejection_list_covers_every_case(keys: Keys) -> None:
    assert sorted(rejection_cases(keys)) == sorted(REJECTIONS)


async def test_a_jwks_with_an_hmac_key_still_never_accepts_hs256(
    server: JwksServer, verifier: JwksVerifier, keys: Keys
) -> None:
    secret = b"0123456789abcdef0123456789abcdef"
    server.document = {"keys": [{"kty": "oct", "kid": "hs", "k": b64(secret), "alg": "HS256"}]}
    token = jwt.encode(claims(), secret, algorithm="HS256", headers={"kid": "hs"})
    assert await rejected(verifier, token) == (
        '"alg" (Algorithm) Header Parameter value not allowed'
    )


def test_unusable_jwks_entries_are_skipped(keys: Keys) -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    private_rsa = jwt.algorithms.RSAAlgorithm.to_jwk(keys.rsa, as_dict=True)
    document = {
        "keys": [
            keys.jwk("rsa-1"),
            {**keys.jwk("rsa-2"), "use": "enc"},
            {**keys.jwk("ec-1"), "alg": "RS256"},  # alg disagrees with the key type
            {**keys.jwk("ed-1"), "key_ops": ["encrypt"]},
            {**private_rsa, "kid": "private"},  # private material is never used
            public_jwk(small, kid="small"),  # RSA below 2048 bits
            public_jwk(ec.generate_private_key(ec.SECP384R1()), kid="p384"),
            {"kty": "oct", "kid": "hs", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
            "not an object",
        ]
    }
    assert [key.kid for key in parse_jwks(document)] == ["rsa-1"]


# --------------------------------------------------------------------------- verifier: JWKS cache


async def test_keys_are_cached_for_the_ttl_then_refetched(
    server: JwksServer, verifier: JwksVerifier, keys: Keys, clock: ManualClock
) -> None:
    for kid in ("rsa-1", "ec-1", "ed-1", "rsa-1"):
        await verifier(sign(keys, kid))
    assert server.hits == 1
    clock.advance(JWKS_TTL_SECONDS - 1)
    await verifier(sign(keys))
    assert server.hits == 1
    clock.advance(2)
    await verifier(sign(keys))
    assert server.hits == 2


async def test_concurrent_first_requests_share_one_fetch(
    server: JwksServer, verifier: JwksVerifier, keys: Keys
) -> None:
    server.delay = 0.2
    contexts = await asyncio.gather(*(verifier(sign(keys, kid)) for kid in ["ec-1"] * 8))
    assert all(c.authenticated for c in contexts)
    assert server.hits == 1


async def test_key_rotation_an_unknown_kid_triggers_one_refetch_then_verifies(
    server: JwksServer, verifier: JwksVerifier, keys: Keys, clock: ManualClock
) -> None:
    await verifier(sign(keys, "rsa-1"))
    server.document = keys.jwks("rsa-2", "ec-1")  # the IdP rotated rsa-1 → rsa-2
    clock.advance(REFETCH_INTERVAL_SECONDS)  # still well inside the cache TTL
    context = await verifier(sign(keys, "rsa-2"))
    assert context.agent_id == "kp:agent:jwt-alice"
    assert server.hits == 2
    # The rotated-out key is gone from the cache with the refetch.
    assert await rejected(verifier, sign(keys, "rsa-1")) == (
        "no applicable key found in the JSON Web Key Set"
    )


async def test_refetches_for_unknown_kids_happen_at_most_once_per_interval(
    server: JwksServer, verifier: JwksVerifier, keys: Keys, clock: ManualClock
) -> None:
    await verifier(sign(keys))
    assert server.hits == 1
    # Right after a fetch, even an unknown kid waits for the interval: no refetch.
    await rejected(verifier, sign(keys, "rsa-1", header_kid="forged"))
    assert server.hits == 1
    clock.advance(REFETCH_INTERVAL_SECONDS)
    for _ in range(5):  # a flood of forged kids costs one refetch
        await rejected(verifier, sign(keys, "rsa-1", header_kid="forged"))
    assert server.hits == 2
    server.document = keys.jwks("rsa-1", "rsa-2")  # the new key appears within the interval
    clock.advance(REFETCH_INTERVAL_SECONDS - 1)
    await rejected(verifier, sign(keys, "rsa-2"))
    assert server.hits == 2
    clock.advance(1)
    assert (await verifier(sign(keys, "rsa-2"))).authenticated
    assert server.hits == 3


async def test_a_known_kid_of_another_key_type_does_not_refetch(
    server: JwksServer, verifier: JwksVerifier, keys: Keys
) -> None:
    await verifier(sign(keys))
    token = jwt.encode(claims(), keys.ed, algorithm="EdDSA", headers={"kid": "ec-1"})
    assert await rejected(verifier, token) == "no applicable key found in the JSON Web Key Set"
    assert server.hits == 1


# --------------------------------------------------------------------------- verifier: JWKS down


def break_server(server: JwksServer, how: str) -> None:
    if how == "stopped":
        server.stop()
    elif how == "500":
        server.status = 500
    elif how == "not json":
        server.raw = b"<html>oops</html>"
    elif how == "not a jwks":
        server.raw = b'{"keys": "nope"}'
    elif how == "oversized":
        server.raw = b'{"keys": [], "pad": "' + b"x" * 300_000 + b'"}'
    elif how == "slow":
        server.delay = 1.0


DOWN = ["stopped", "500", "not json", "not a jwks", "oversized", "slow"]


@pytest.mark.parametrize("how", DOWN)
async def test_an_unreachable_jwks_without_cached_keys_is_a_503(
    server: JwksServer, keys: Keys, clock: ManualClock, how: str
) -> None:
    verifier = JwksVerifier(
        issuer=ISSUER,
        audience=AUDIENCE,
        jwks_url=server.url,
        clock=clock,
        timeout=httpx.Timeout(0.3),
    )
    try:
        break_server(server, how)
        for _ in range(2):  # the second attempt is inside the refetch interval: no new fetch
            with pytest.raises(Unavailable) as caught:
                await verifier(sign(keys))
            assert caught.value.status == 503
            assert caught.value.body() == {"error": "Identity provider unavailable"}
        assert verifier.fetch_count == 1
    finally:
        await verifier.aclose()


async def test_cached_keys_keep_verifying_while_the_jwks_is_down(
    server: JwksServer, verifier: JwksVerifier, keys: Keys, clock: ManualClock
) -> None:
    await verifier(sign(keys))
    server.stop()
    clock.advance(JWKS_TTL_SECONDS + 1)  # expired: a refresh is tried and fails
    assert (await verifier(sign(keys, "ec-1"))).authenticated
    assert verifier.fetch_count == 2
    # A key the cache cannot supply while the provider is down: 503, not a 401.
    with pytest.raises(Unavailable):
        await verifier(sign(keys, "rsa-2"))
    # Bad tokens are still 401s.
    await rejected(verifier, sign(keys, iss="https://evil.example.test"))
    # Stale keys are served for at most MAX_STALE_SECONDS past the TTL.
    clock.advance(MAX_STALE_SECONDS)
    with pytest.raises(Unavailable):
        await verifier(sign(keys))


async def test_the_verifier_recovers_when_the_jwks_comes_back(
    server: JwksServer, verifier: JwksVerifier, keys: Keys, clock: ManualClock
) -> None:
    server.status = 503
    with pytest.raises(Unavailable):
        await verifier(sign(keys))
    server.status = 200
    clock.advance(REFETCH_INTERVAL_SECONDS)
    assert (await verifier(sign(keys))).authenticated
    assert server.hits == 2


def test_the_jwks_url_must_be_http_or_https() -> None:
    with pytest.raises(ValueError, match="KP_OIDC_JWKS_URL"):
        JwksVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url="file:///etc/jwks.json")


# --------------------------------------------------------------------------- end to end


@pytest.fixture
async def oidc_api(make_api: Any, server: JwksServer) -> Api:
    return await make_api(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_url=server.url)


def skill_md(name: str) -> str:
    return f"---\nname: {name}\ndescription: Does a useful thing\n---\n# {name}\n\nBody.\n"


def assert_pre_pipeline_answer(response: httpx.Response) -> None:
    """Answered at the JWT stage: only the CORS header, no rate-limit or schema headers."""
    assert response.headers["access-control-allow-origin"] == "*"
    assert not [name for name in response.headers if name.lower().startswith("x-ratelimit")]
    assert "kp-schema-version" not in response.headers


async def test_e2e_a_jwt_reads_writes_and_maps_identity_tier_and_scopes(
    oidc_api: Api, keys: Keys
) -> None:
    api = oidc_api
    token = sign(keys, "ed-1")
    listed = await api.request("GET", "/v1/skills", token)
    assert listed.status_code == 200
    assert listed.headers["x-ratelimit-limit"] == "1000"  # kp_tier absent → pro
    assert listed.headers["kp-schema-version"] == "v1"

    # §9.2: no reputation record, so the KP-REP gate of POST /v1/knowledge refuses.
    unit = reasoning_trace(task_domain="DevOps")
    knowledge = await api.request("POST", "/v1/knowledge", token, json=unit)
    assert knowledge.status_code == 403
    assert knowledge.json() == {
        "error": "Minimum KP-REP score of 0.1 required to contribute knowledge"
    }

    # The write scope (default read+write) lets the JWT user contribute a skill.
    created = await api.request(
        "POST", "/v1/skills", token, json={"skill_md_content": skill_md("jwt-skill")}
    )
    assert created.status_code == 201, created.text

    # Agent id: the caller owns its own export and nobody else's.
    own = await api.request("GET", "/v1/export/kp:agent:jwt-alice", token)
    assert own.status_code == 200, own.text
    other = await api.request("GET", "/v1/export/kp:agent:someone-else", token)
    assert other.status_code == 403

    # Scopes: read-only cannot write, admin reaches admin routes, a plain user does not.
    reader = sign(keys, "ec-1", agent_id="kp:agent:reader", scopes=["read"])
    denied = await api.request(
        "POST", "/v1/skills", reader, json={"skill_md_content": skill_md("nope")}
    )
    assert denied.status_code == 403
    assert denied.json() == {"error": "Write scope required"}
    assert (await api.request("GET", "/v1/admin/quarantine", token)).status_code == 403
    admin = sign(keys, "rsa-1", agent_id="kp:agent:ops", scopes=["read", "admin", "root"])
    assert (await api.request("GET", "/v1/admin/quarantine", admin)).status_code == 200

    # Tiers ([FIX-R3]): a known kp_tier is used, an unknown one becomes free.
    enterprise = sign(keys, agent_id="kp:agent:big", kp_tier="enterprise")
    assert (await api.request("GET", "/v1/skills", enterprise)).headers[
        "x-ratelimit-limit"
    ] == "10000"
    odd = sign(keys, agent_id="kp:agent:odd", kp_tier="platinum")
    assert (await api.request("GET", "/v1/skills", odd)).headers["x-ratelimit-limit"] == "300"


async def test_e2e_bad_tokens_get_401_on_every_path_before_rate_limiting(
    oidc_api: Api, keys: Keys
) -> None:
    api = oidc_api
    cases = rejection_cases(keys)
    for name in REJECTIONS:
        token, details = cases[name]
        for method, path in (
            ("GET", "/health"),
            ("GET", "/v1/skills"),
            ("POST", "/v1/auth/register"),
        ):
            body = {"agent_id": "x"} if method == "POST" else None
            response = await api.request(method, path, token, json=body)
            assert response.status_code == 401, (name, path, response.text)
            assert response.json()["error"] == INVALID, name
            assert response.json()["details"] in acceptable(details), name
            assert set(response.json()) == {"error", "details"}
            assert_pre_pipeline_answer(response)


async def test_e2e_api_keys_keep_working_beside_jwts(oidc_api: Api, keys: Keys) -> None:
    api = oidc_api
    key = await api.key("kp:agent:keyholder")
    created = await api.request(
        "POST", "/v1/skills", key, json={"skill_md_content": skill_md("by-key")}
    )
    assert created.status_code == 201
    assert (await api.request("GET", "/v1/skills", sign(keys))).status_code == 200
    # A dead kp_ key is still the API-key 401 ([FIX-S19]), never a JWT verification.
    dead = await api.request("GET", "/v1/skills", "kp_" + "0" * 64)
    assert dead.status_code == 401
    assert dead.json() == {"error": "Invalid or revoked API key"}


async def test_e2e_jwks_down_is_a_503_never_a_500_and_api_keys_still_work(
    make_api: Any, server: JwksServer, keys: Keys
) -> None:
    server.stop()
    api = await make_api(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_url=server.url)
    response = await api.request("GET", "/v1/skills", sign(keys))
    assert response.status_code == 503
    assert response.json() == {"error": "Identity provider unavailable"}
    assert_pre_pipeline_answer(response)
    # Garbage is refused before any key is needed.
    garbage = await api.request("GET", "/v1/skills", "not-a-jwt")
    assert garbage.status_code == 401
    key = await api.key("kp:agent:keyholder")
    assert (await api.request("GET", "/v1/skills", key)).status_code == 200


async def test_e2e_without_oidc_settings_bearer_jwts_are_anonymous(
    make_api: Any, server: JwksServer, keys: Keys
) -> None:
    # Two of the three settings are not enough (§9.2).
    api = await make_api(oidc_issuer=ISSUER, oidc_jwks_url=server.url)
    token = sign(keys)
    read = await api.request("GET", "/v1/skills", token)
    assert read.status_code == 200
    assert read.headers["x-ratelimit-limit"] == "60"  # anonymous
    write = await api.request(
        "POST", "/v1/skills", token, json={"skill_md_content": skill_md("anon")}
    )
    assert write.status_code == 429
    assert server.hits == 0
