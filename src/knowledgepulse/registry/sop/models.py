"""SOP records, version summaries and search parameters (registry-api.md §6.1, data-model.md §9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["SopQuery", "SopVersion", "StoredSop"]


@dataclass(frozen=True, slots=True)
class StoredSop:
    """The stored wrapper around the latest ExpertSOP body."""

    id: str
    sop: dict[str, Any]
    version: int
    status: str
    visibility: str
    created_at: str
    updated_at: str
    previous_version_id: str | None = None
    approved_by: str | None = None

    @property
    def owner(self) -> str | None:
        """`sop.metadata.agent_id`: the agent allowed to update and delete the SOP."""
        owner = self.sop.get("metadata", {}).get("agent_id")
        return owner if isinstance(owner, str) else None

    @property
    def quality_score(self) -> float:
        """`sop.metadata.quality_score` (validated to lie in 0..1)."""
        return float(self.sop["metadata"]["quality_score"])

    def to_wire(self) -> dict[str, Any]:
        """The StoredSOP JSON object; absent optional fields are omitted."""
        out: dict[str, Any] = {"id": self.id, "sop": self.sop, "version": self.version}
        if self.previous_version_id is not None:
            out["previous_version_id"] = self.previous_version_id
        out["status"] = self.status
        out["visibility"] = self.visibility
        if self.approved_by is not None:
            out["approved_by"] = self.approved_by
        out["created_at"] = self.created_at
        out["updated_at"] = self.updated_at
        return out


@dataclass(frozen=True, slots=True)
class SopVersion:
    """One entry of an SOP's version history (a summary; no content snapshot is kept)."""

    sop_id: str
    version: int
    diff_summary: str
    created_at: str

    def to_wire(self) -> dict[str, Any]:
        """The SOPVersion JSON object."""
        return {
            "sop_id": self.sop_id,
            "version": self.version,
            "diff_summary": self.diff_summary,
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class SopQuery:
    """Filters of `GET /v1/sop` (AND-combined).

    `owner` restricts to one agent's SOPs (`mine=true`, applied before pagination,
    [FIX-F6]); `viewer` and `viewer_is_admin` decide which private SOPs are visible
    ([FIX-S10]).
    """

    q: str | None = None
    domain: str | None = None
    status: str | None = None
    owner: str | None = None
    offset: int = 0
    limit: int = 20
    viewer: str | None = None
    viewer_is_admin: bool = False
    # `quality`: with `q`, order the matches by quality (the reference order) instead of
    # relevance (registry-api.md §9.12); anything else means relevance.
    sort: str | None = None
