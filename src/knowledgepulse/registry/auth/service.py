"""Registration and revocation rules ([FIX-S1], S2, S13, R2, R3, R10)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledgepulse._lib.timefmt import now_iso
from knowledgepulse.registry.auth.keys import hash_key, new_raw_key, prefix_of
from knowledgepulse.registry.auth.models import SCOPES, TIERS, ApiKeyRecord, AuthContext
from knowledgepulse.registry.auth.store import ApiKeyStore
from knowledgepulse.registry.bodies import object_body
from knowledgepulse.registry.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from knowledgepulse.registry.reputation.service import ReputationService

__all__ = ["REGISTRATION_MESSAGE", "AuthService", "Registration"]

REGISTRATION_MESSAGE = "Store this API key securely — it cannot be retrieved again"
REGISTRATION_BONUS = 0.1
_PREFIX_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class Registration:
    """A freshly minted key: the raw key exists only in this object and the response."""

    raw_key: str
    record: ApiKeyRecord


class AuthService:
    """Business rules for API keys; runs inside the caller's transaction."""

    def __init__(
        self, keys: ApiKeyStore, reputation: ReputationService, *, open_admin: bool
    ) -> None:
        self._keys = keys
        self._reputation = reputation
        self._open_admin = open_admin

    async def register(self, caller: AuthContext, payload: Any) -> Registration:
        """Create a key for `payload["agent_id"]` after the checks of §8.2 and its fixes."""
        body = object_body(payload)
        agent_id = body.get("agent_id")
        if not isinstance(agent_id, str) or agent_id == "":
            raise Invalid("agent_id is required")
        scopes = _parse_scopes(body.get("scopes", ["read"]))
        tier = body.get("tier", "free")
        if tier not in TIERS:
            raise Invalid("tier must be one of free, pro, enterprise")
        if "admin" in scopes and not (caller.is_admin or self._open_admin):
            raise Forbidden("admin scope requires an admin credential")
        if await self._keys.has_active_key(agent_id) and not (
            caller.is_admin or caller.owns(agent_id)
        ):
            raise Conflict("agent_id already registered")
        registration = await self._mint(agent_id, tuple(scopes), tier)
        if not await self._reputation.exists(agent_id):
            await self._reputation.award(agent_id, REGISTRATION_BONUS, "Initial registration bonus")
        return registration

    async def create_admin_key(self, agent_id: str, tier: str = "enterprise") -> Registration:
        """Bootstrap path for `kp-registry keys create --admin` (no caller to check)."""
        if not agent_id:
            raise Invalid("agent_id is required")
        registration = await self._mint(agent_id, ("read", "write", "admin"), tier)
        if not await self._reputation.exists(agent_id):
            await self._reputation.award(agent_id, REGISTRATION_BONUS, "Initial registration bonus")
        return registration

    async def revoke(self, caller: AuthContext, payload: Any) -> str:
        """Revoke the caller's own key by prefix (admins: any key); returns the prefix."""
        if not caller.authenticated:
            raise Unauthorized("Authentication required")
        body = object_body(payload)
        prefix = body.get("key_prefix")
        if not isinstance(prefix, str) or prefix == "":
            raise Invalid("key_prefix is required")
        record = await self._keys.get_by_prefix(prefix)
        # Someone else's key answers exactly like a missing one: existence is not disclosed.
        if record is None or not (caller.is_admin or caller.owns(record.agent_id)):
            raise NotFound("Key not found")
        await self._keys.revoke(prefix, now_iso())
        return prefix

    async def keys_for_agent(self, agent_id: str) -> list[ApiKeyRecord]:
        """All of an agent's keys, revoked included, oldest first (GDPR export)."""
        return await self._keys.list_for_agent(agent_id)

    async def _mint(self, agent_id: str, scopes: tuple[str, ...], tier: str) -> Registration:
        for _ in range(_PREFIX_ATTEMPTS):
            raw = new_raw_key()
            if await self._keys.get_by_prefix(prefix_of(raw)) is None:
                break
        else:  # 32-bit prefixes: eight collisions in a row means something is badly wrong
            raise Conflict("could not allocate a unique key prefix; retry")
        record = ApiKeyRecord(
            key_hash=hash_key(raw),
            key_prefix=prefix_of(raw),
            agent_id=agent_id,
            scopes=scopes,
            tier=tier,
            created_at=now_iso(),
        )
        await self._keys.insert(record)
        return Registration(raw_key=raw, record=record)


def _parse_scopes(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise Invalid("scopes must be an array of strings")
    # Unknown scopes are dropped; order and duplicates are kept as the reference does.
    kept = [s for s in value if s in SCOPES]
    if not kept:
        raise Invalid("At least one valid scope required (read, write, admin)")
    return kept
