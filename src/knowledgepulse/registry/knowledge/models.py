"""Knowledge-unit records and search parameters (registry-api.md §6.1, data-model.md §6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["KnowledgeQuery", "StoredKnowledgeUnit"]


@dataclass(frozen=True, slots=True)
class StoredKnowledgeUnit:
    """The wrapper stored around a validated unit; quarantine status stays internal."""

    id: str
    unit: dict[str, Any]
    visibility: str
    created_at: str
    updated_at: str
    quarantine_status: str | None = None

    @property
    def owner(self) -> str | None:
        """`unit.metadata.agent_id`, the agent allowed to erase the unit."""
        owner = self.unit.get("metadata", {}).get("agent_id")
        return owner if isinstance(owner, str) else None

    @property
    def unit_type(self) -> str:
        """The unit's `@type`."""
        return str(self.unit.get("@type", ""))

    def to_wire(self) -> dict[str, Any]:
        """The StoredKnowledgeUnit JSON object."""
        return {
            "id": self.id,
            "unit": self.unit,
            "visibility": self.visibility,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class KnowledgeQuery:
    """Filters of `GET /v1/knowledge`; `viewer` decides which private units are visible."""

    q: str | None = None
    types: tuple[str, ...] = ()
    domain: str | None = None
    min_quality: float | None = None
    offset: int = 0
    limit: int = 20
    viewer: str | None = None
    viewer_is_admin: bool = False
    # `quality`: with `q`, order the matches by quality (the reference order) instead of
    # relevance (registry-api.md §9.12); anything else means relevance.
    sort: str | None = None
