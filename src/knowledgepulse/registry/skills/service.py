"""Skill rules: sanitize, authorise, parse, store, reward (registry-api.md §8.3)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from knowledgepulse._lib.timefmt import now_iso
from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.bodies import MALFORMED, MISSING
from knowledgepulse.registry.errors import Forbidden, Invalid, NotFound, Unauthorized
from knowledgepulse.registry.invalidation import SKILLS_TAG, Touched
from knowledgepulse.registry.reputation.service import ReputationService
from knowledgepulse.registry.skills.models import SkillQuery, StoredSkill
from knowledgepulse.registry.skills.store import SkillStore
from knowledgepulse.sdk.errors import ValidationError
from knowledgepulse.sdk.security import GateRejection, ScanReport, publish_gate
from knowledgepulse.sdk.skillmd import parse_skill_md

__all__ = ["Contribution", "SkillSearch", "SkillService"]

VISIBILITIES = ("private", "org", "network")
DEFAULT_QUALITY = 0.5


class SkillSearch(Protocol):
    """The one search interface for skills (SQL text matching now, hybrid later)."""

    async def search_skills(self, query: SkillQuery) -> tuple[list[StoredSkill], int]:
        """One page of matches and the total number of matches."""
        ...


@dataclass(frozen=True, slots=True)
class Contribution:
    """A stored skill and the sanitizer's warnings (returned only when non-empty)."""

    skill: StoredSkill
    warnings: list[str] = field(default_factory=list)


class SkillService:
    """Runs inside the caller's transaction; never commits."""

    def __init__(
        self,
        store: SkillStore,
        search: SkillSearch,
        reputation: ReputationService,
        touched: Touched,
    ) -> None:
        self._store = store
        self._search = search
        self._reputation = reputation
        self._touched = touched

    async def get(self, skill_id: str) -> StoredSkill:
        """The skill with its files; `NotFound` when absent."""
        skill = await self._store.get(skill_id)
        if skill is None:
            raise NotFound("Skill not found")
        return skill

    async def search(self, query: SkillQuery) -> tuple[list[StoredSkill], int]:
        """One page of skills matching the query, and the total."""
        return await self._search.search_skills(query)

    async def flagged(
        self, caller: AuthContext, offset: int, limit: int
    ) -> tuple[list[StoredSkill], int]:
        """Skills accepted with scanner findings, for admin review."""
        if not caller.is_admin:
            raise Forbidden("Admin scope required")
        return await self._store.flagged(offset, limit)

    async def contribute(self, caller: AuthContext, payload: Any) -> Contribution:
        """Store a SKILL.md; the sanitizer runs before the auth checks, as §2 pins."""
        if payload is MALFORMED or payload is MISSING or payload is None:
            raise Invalid("Sanitization failed", message="Request body is not valid JSON")
        body: dict[str, Any] = payload if isinstance(payload, dict) else {}
        content = body.get("skill_md_content")
        warnings: list[str] = []
        report: ScanReport | None = None
        if isinstance(content, str):
            content, warnings, report = _gate(content)

        if not caller.authenticated:
            raise Unauthorized("Authentication required for write operations")
        if not caller.can_write:
            raise Forbidden("Write scope required")
        if not isinstance(content, str):
            raise Invalid("skill_md_content is required")
        visibility = body.get("visibility", "network")
        if visibility not in VISIBILITIES:
            raise Invalid("visibility must be one of private, org, network")
        files = _parse_files(body.get("files"))
        try:
            front = parse_skill_md(content).frontmatter
        except ValidationError as exc:
            raise Invalid("Invalid SKILL.md format", details=str(exc)) from None

        now = now_iso()
        skill = StoredSkill(
            id=f"kp:skill:{uuid.uuid4()}",
            name=front.name,
            description=front.description,
            version=front.version,
            author=front.author,
            tags=list(front.tags or ()),
            content=content,
            files=files,
            visibility=visibility,
            quality_score=_quality(caller, body.get("quality_score")),
            created_at=now,
            updated_at=now,
            contributor_id=caller.agent_id,
            scan_verdict=report.verdict.value if report else "clean",
            scan_score=report.score if report else 0.0,
            findings=[f.to_dict() for f in report.findings] if report else [],
        )
        await self._store.insert(skill)
        self._touched.touch(SKILLS_TAG)
        if caller.agent_id is not None:
            await self._reputation.award(caller.agent_id, 0.1, "Contributed skill")
        return Contribution(skill=skill, warnings=warnings)

    async def store_generated(
        self,
        *,
        name: str,
        description: str,
        version: str | None,
        author: str | None,
        tags: list[str],
        content: str,
        visibility: str,
        quality_score: float,
        contributor_id: str | None,
    ) -> StoredSkill:
        """Store a SKILL.md the registry generated itself (SOP export, §8.7) as a new skill.

        No sanitizer, no parse and no reputation reward: the caller built `content` from
        already validated data and passes the frontmatter fields alongside it.
        """
        now = now_iso()
        skill = StoredSkill(
            id=f"kp:skill:{uuid.uuid4()}",
            name=name,
            description=description,
            version=version,
            author=author,
            tags=list(tags),
            content=content,
            visibility=visibility,
            quality_score=quality_score,
            created_at=now,
            updated_at=now,
            contributor_id=contributor_id,
        )
        await self._store.insert(skill)
        self._touched.touch(SKILLS_TAG)
        return skill


def _gate(content: str) -> tuple[str, list[str], ScanReport]:
    try:
        result = publish_gate(content)
    except GateRejection as exc:
        findings = [f.to_dict() for f in exc.findings]
        raise Invalid("Sanitization failed", message=exc.message, findings=findings) from None
    return result.content, list(result.warnings), result.report


def _parse_files(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise Invalid("files must be an object mapping paths to strings")
    return dict(value)


def _quality(caller: AuthContext, value: object) -> float:
    # Only admins may set a score; everyone else gets the neutral 0.5 (§8.3).
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if caller.is_admin and numeric and math.isfinite(value):  # type: ignore[arg-type]
        return float(min(max(value, 0.0), 1.0))  # type: ignore[type-var]
    return DEFAULT_QUALITY
