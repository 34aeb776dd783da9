"""Records of the auth domain: API keys and the per-request auth context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["ANONYMOUS", "SCOPES", "TIERS", "ApiKeyRecord", "AuthContext"]

SCOPES = ("read", "write", "admin")
TIERS = ("free", "pro", "enterprise")


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """A stored API key; the raw key is never kept, only its SHA-256."""

    key_hash: str
    key_prefix: str
    agent_id: str
    scopes: tuple[str, ...]
    tier: str
    created_at: str
    revoked: bool = False
    revoked_at: str | None = None

    def summary(self) -> dict[str, object]:
        """The export shape (ApiKeySummary): never contains the hash."""
        out: dict[str, object] = {
            "key_prefix": self.key_prefix,
            "agent_id": self.agent_id,
            "scopes": list(self.scopes),
            "tier": self.tier,
            "created_at": self.created_at,
            "revoked": self.revoked,
        }
        if self.revoked_at:
            out["revoked_at"] = self.revoked_at
        return out


@dataclass(frozen=True, slots=True)
class AuthContext:
    """Who is calling: anonymous, an API key or a JWT (registry-api.md §3)."""

    authenticated: bool
    tier: str = "anonymous"
    agent_id: str | None = None
    scopes: tuple[str, ...] = field(default_factory=tuple)
    key_prefix: str | None = None
    method: Literal["anonymous", "api_key", "jwt"] = "anonymous"

    @property
    def is_admin(self) -> bool:
        """True when the credential carries the `admin` scope."""
        return "admin" in self.scopes

    @property
    def can_write(self) -> bool:
        """True when the credential carries `write` or `admin`."""
        return "write" in self.scopes or "admin" in self.scopes

    def owns(self, agent_id: str | None) -> bool:
        """True when the caller is the given agent (a missing owner is nobody's)."""
        return self.authenticated and agent_id is not None and agent_id == self.agent_id


ANONYMOUS = AuthContext(authenticated=False)
