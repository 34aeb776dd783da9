"""SOP lifecycle rules (registry-api.md §8.7 with [FIX-S3], S4, S10, S11, F6, R1, R11)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any, Protocol

from knowledgepulse._lib.timefmt import format_iso
from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.bodies import MALFORMED, MISSING
from knowledgepulse.registry.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from knowledgepulse.registry.infra.clock import Clock, SystemClock
from knowledgepulse.registry.reputation.service import ReputationService
from knowledgepulse.registry.skills.service import SkillService
from knowledgepulse.registry.sop.export import render_skill
from knowledgepulse.registry.sop.models import SopQuery, SopVersion, StoredSop
from knowledgepulse.registry.sop.store import SopStore
from knowledgepulse.sdk.validation import validate_expert_sop

__all__ = ["MIN_REP_FOR_SOP", "SOP_REWARD", "SopSearch", "SopService"]

MIN_REP_FOR_SOP = 0.3
SOP_REWARD = 0.15


class SopSearch(Protocol):
    """The one search interface for SOPs (SQL text matching now, hybrid later)."""

    async def search_sops(self, query: SopQuery) -> tuple[list[StoredSop], int]:
        """One page of matches and the total number of matches."""
        ...


class SopService:
    """Runs inside the caller's transaction; never commits."""

    def __init__(
        self,
        store: SopStore,
        search: SopSearch,
        reputation: ReputationService,
        skills: SkillService,
        *,
        clock: Clock | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self._store = store
        self._search = search
        self._reputation = reputation
        self._skills = skills

    async def create(self, caller: AuthContext, payload: Any) -> StoredSop:
        """Validate and store a new SOP at version 1; an existing id is a conflict ([FIX-S3])."""
        if not caller.authenticated or caller.agent_id is None:
            raise Unauthorized("Authentication required")
        if not caller.can_write:
            raise Forbidden("Write or admin scope required")
        score = await self._reputation.score(caller.agent_id)
        if score is None or score < MIN_REP_FOR_SOP:
            raise Forbidden("Minimum KP-REP score of 0.3 required to create SOPs")
        sop = _validated(payload)
        metadata = sop["metadata"]
        owner = metadata.get("agent_id")
        if owner is None:
            metadata["agent_id"] = caller.agent_id
        elif owner != caller.agent_id and not caller.is_admin:
            raise Forbidden("metadata.agent_id must match the authenticated agent")
        now = self._now()
        stored = StoredSop(
            id=sop["id"],
            sop=sop,
            version=1,
            status="draft",
            visibility=metadata["visibility"],
            created_at=now,
            updated_at=now,
        )
        if not await self._store.insert(stored):
            raise Conflict("SOP already exists")
        await self._store.add_version(SopVersion(stored.id, 1, "Initial version", now))
        await self._reputation.award(caller.agent_id, SOP_REWARD, "Contributed ExpertSOP")
        return stored

    async def search(
        self, caller: AuthContext, query: SopQuery, *, mine: bool = False
    ) -> tuple[list[StoredSop], int]:
        """One page of visible SOPs and the total; `mine` filters before paging ([FIX-F6])."""
        if mine:
            if not caller.authenticated or caller.agent_id is None:
                raise Unauthorized("Authentication required")
            query = dataclasses.replace(query, owner=caller.agent_id)
        return await self._search.search_sops(query)

    async def get(self, caller: AuthContext, sop_id: str) -> StoredSop:
        """The SOP if the caller may see it (private: owner and admins); else `NotFound`."""
        return await self._visible(caller, sop_id)

    async def versions(self, caller: AuthContext, sop_id: str) -> list[SopVersion]:
        """The version summaries of a visible SOP, oldest first."""
        await self._visible(caller, sop_id)
        return await self._store.versions(sop_id)

    async def update(self, caller: AuthContext, sop_id: str, payload: Any) -> StoredSop:
        """Store a full new body as the next version, back in `draft` ([FIX-R11], S4)."""
        if not caller.authenticated:
            raise Unauthorized("Authentication required")
        # Locked: concurrent updates of one SOP get consecutive version numbers.
        current = await self._visible(caller, sop_id, for_update=True)
        if not (caller.is_admin or caller.owns(current.owner)):
            raise Forbidden("Forbidden: only owner or admin can update")
        sop = _validated(payload)
        if sop["id"] != sop_id:
            raise Invalid("SOP id in body must match URL")
        metadata = sop["metadata"]
        owner = metadata.get("agent_id")
        if owner is None:
            if current.owner is not None:
                metadata["agent_id"] = current.owner
        elif owner != current.owner and not caller.is_admin:
            raise Forbidden("metadata.agent_id must match the authenticated agent")
        version = current.version + 1
        now = self._now()
        updated = StoredSop(
            id=sop_id,
            sop=sop,
            version=version,
            status="draft",
            visibility=metadata["visibility"],
            created_at=current.created_at,
            updated_at=now,
            previous_version_id=sop_id,  # the reference's value, pinned by its tests
            approved_by=current.approved_by,
        )
        await self._store.replace(updated)
        await self._store.add_version(
            SopVersion(sop_id, version, f"Updated to version {version}", now)
        )
        return updated

    async def approve(self, caller: AuthContext, sop_id: str) -> StoredSop:
        """Admin only: mark the SOP `approved` by the caller, from any status."""
        if not caller.authenticated:
            raise Unauthorized("Authentication required")
        if not caller.is_admin:
            raise Forbidden("Admin scope required")
        current = await self._visible(caller, sop_id, for_update=True)
        approved = dataclasses.replace(
            current, status="approved", approved_by=caller.agent_id, updated_at=self._now()
        )
        await self._store.replace(approved)
        return approved

    async def export_skill(self, caller: AuthContext, sop_id: str) -> dict[str, Any]:
        """Render the SOP as a SKILL.md and store it as a new skill (write scope, [FIX-S11])."""
        if not caller.authenticated:
            raise Unauthorized("Authentication required")
        if not caller.can_write:
            raise Forbidden("Write or admin scope required")
        stored = await self._visible(caller, sop_id)
        exported = render_skill(stored.sop, version=stored.version, visibility=stored.visibility)
        skill = await self._skills.store_generated(
            name=exported.name,
            description=exported.description,
            version=exported.version,
            author=exported.author,
            tags=exported.tags,
            content=exported.content,
            visibility=stored.visibility,
            quality_score=stored.quality_score,
            contributor_id=caller.agent_id,
        )
        return {
            "skill_id": skill.id,
            "skill_md": exported.content,
            "sop_id": stored.id,
            "sop_version": stored.version,
        }

    async def delete(self, caller: AuthContext, sop_id: str) -> dict[str, Any]:
        """Owner or admin: delete the SOP with its version history."""
        if not caller.authenticated:
            raise Unauthorized("Authentication required")
        current = await self._visible(caller, sop_id)
        if not (caller.is_admin or caller.owns(current.owner)):
            raise Forbidden("Forbidden: only owner or admin can delete")
        now = self._now()
        await self._store.delete(sop_id, now)
        return {"deleted": True, "sop_id": sop_id, "deleted_at": now, "deleted_by": caller.agent_id}

    def _now(self) -> str:
        return format_iso(datetime.fromtimestamp(self._clock.time(), UTC))

    async def _visible(
        self, caller: AuthContext, sop_id: str, *, for_update: bool = False
    ) -> StoredSop:
        stored = await self._store.get(sop_id, for_update=for_update)
        # `org` has no organisation model yet and behaves like `network` ([FIX-S10]).
        if stored is None or (
            stored.visibility == "private" and not (caller.is_admin or caller.owns(stored.owner))
        ):
            raise NotFound("SOP not found")
        return stored


def _validated(payload: Any) -> dict[str, Any]:
    """The stripped ExpertSOP, or 400 with the issue list ([FIX-R1] for unreadable bodies)."""
    if payload is MALFORMED or payload is MISSING:
        raise Invalid("Invalid JSON body")
    result = validate_expert_sop(payload)
    if not result.ok or result.value is None:
        raise Invalid(result.error_message, issues=[issue.to_dict() for issue in result.issues])
    return result.value
