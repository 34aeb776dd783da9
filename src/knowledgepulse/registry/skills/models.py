"""Skill records and search parameters (registry-api.md §6.1, data-model.md §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["SkillQuery", "StoredSkill"]


@dataclass(frozen=True, slots=True)
class StoredSkill:
    """A stored skill; `files` is empty when the skill has none."""

    id: str
    name: str
    description: str
    content: str
    visibility: str
    quality_score: float
    created_at: str
    updated_at: str
    tags: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    version: str | None = None
    author: str | None = None
    contributor_id: str | None = None
    scan_verdict: str = "clean"
    scan_score: float = 0.0
    findings: list[dict[str, Any]] = field(default_factory=list)

    def review(self) -> dict[str, Any]:
        """The admin review shape: id, name, contributor and the scanner's findings."""
        out: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.contributor_id is not None:
            out["contributor_id"] = self.contributor_id
        out.update(
            verdict=self.scan_verdict,
            score=self.scan_score,
            findings=self.findings,
            created_at=self.created_at,
        )
        return out

    def to_wire(self, *, with_files: bool = True) -> dict[str, Any]:
        """The StoredSkill JSON object; absent optional fields are omitted."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "description": self.description}
        if self.version is not None:
            out["version"] = self.version
        if self.author is not None:
            out["author"] = self.author
        out["tags"] = list(self.tags)
        out["content"] = self.content
        if with_files and self.files:
            out["files"] = dict(self.files)
        out["visibility"] = self.visibility
        out["quality_score"] = self.quality_score
        out["created_at"] = self.created_at
        out["updated_at"] = self.updated_at
        return out


@dataclass(frozen=True, slots=True)
class SkillQuery:
    """Filters of `GET /v1/skills` (AND-combined); `domain` is accepted and ignored."""

    q: str | None = None
    tags: tuple[str, ...] = ()
    min_quality: float | None = None
    offset: int = 0
    limit: int = 20
    # `quality`: with `q`, order the matches by quality (the reference order) instead of
    # relevance (registry-api.md §9.12); anything else means relevance.
    sort: str | None = None
