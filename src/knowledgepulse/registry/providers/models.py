"""Provider records (registry-api.md §6.1 ProviderRecord, data-model.md §15)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

__all__ = ["ProviderRecord"]


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    """A federated registry; `last_heartbeat` is None until its first heartbeat."""

    id: str
    url: str
    name: str
    status: str
    registered_at: str
    last_heartbeat: str | None = None

    @property
    def last_seen(self) -> str:
        """The last heartbeat, or the registration time when it never sent one."""
        return self.last_heartbeat or self.registered_at

    def as_stale(self) -> ProviderRecord:
        """The same record reported `inactive` (staleness is derived, never stored)."""
        return replace(self, status="inactive")

    def to_wire(self) -> dict[str, Any]:
        """The ProviderRecord JSON object; `last_heartbeat` is explicitly nullable."""
        return {
            "id": self.id,
            "url": self.url,
            "name": self.name,
            "status": self.status,
            "last_heartbeat": self.last_heartbeat,
            "registered_at": self.registered_at,
        }
