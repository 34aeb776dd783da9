"""Knowledge-unit rules (registry-api.md §8.4 with [FIX-S3], S4, S10, S12, F2, F3, R1, R12)."""

from __future__ import annotations

from typing import Any, Protocol

from knowledgepulse._lib import jsjson
from knowledgepulse._lib.timefmt import now_iso
from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.bodies import MALFORMED, MISSING, object_body
from knowledgepulse.registry.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from knowledgepulse.registry.invalidation import KNOWLEDGE_TAG, Touched
from knowledgepulse.registry.knowledge.models import KnowledgeQuery, StoredKnowledgeUnit
from knowledgepulse.registry.knowledge.store import KnowledgeStore
from knowledgepulse.registry.reputation.service import ReputationService
from knowledgepulse.sdk.validation import validate_knowledge_unit

__all__ = ["KnowledgeSearch", "KnowledgeService"]

CONTRIBUTION_REWARD = 0.2
VALIDATION_REWARD = 0.05


class KnowledgeSearch(Protocol):
    """The one search interface for knowledge units (SQL text matching now, hybrid later)."""

    async def search_knowledge(
        self, query: KnowledgeQuery
    ) -> tuple[list[StoredKnowledgeUnit], int]:
        """One page of matches and the total number of matches."""
        ...


class KnowledgeService:
    """Runs inside the caller's transaction; never commits."""

    def __init__(
        self,
        store: KnowledgeStore,
        search: KnowledgeSearch,
        reputation: ReputationService,
        touched: Touched,
        *,
        min_rep_for_write: float,
    ) -> None:
        self._store = store
        self._search = search
        self._reputation = reputation
        self._touched = touched
        self._min_rep = min_rep_for_write

    async def get(self, caller: AuthContext, unit_id: str) -> StoredKnowledgeUnit:
        """A unit (even quarantined) if the caller may see it; else `NotFound`."""
        unit = await self._store.get(unit_id)
        if unit is None or not _visible(caller, unit):
            raise NotFound("Knowledge unit not found")
        return unit

    async def search(self, query: KnowledgeQuery) -> tuple[list[StoredKnowledgeUnit], int]:
        """One page of visible, non-quarantined units matching the query, and the total."""
        return await self._search.search_knowledge(query)

    async def contribute(self, caller: AuthContext, payload: Any) -> StoredKnowledgeUnit:
        """Validate and store a new unit; an existing id is a conflict ([FIX-S3])."""
        if not caller.authenticated:
            raise Unauthorized("Authentication required for write operations")
        if not caller.can_write:
            raise Forbidden("Write scope required")
        score = await self._reputation.score(caller.agent_id)
        if score is None or score < self._min_rep:
            raise Forbidden(
                f"Minimum KP-REP score of {jsjson.format_number(self._min_rep)} "
                "required to contribute knowledge"
            )
        if payload is MALFORMED or payload is MISSING:
            raise Invalid("Invalid JSON body")
        result = validate_knowledge_unit(payload)
        if not result.ok or result.value is None:
            raise Invalid(
                "Invalid KnowledgeUnit", issues=[issue.to_dict() for issue in result.issues]
            )
        unit = result.value
        metadata = unit["metadata"]
        owner = metadata.get("agent_id")
        if owner is None:
            metadata["agent_id"] = caller.agent_id
        elif owner != caller.agent_id and not caller.is_admin:
            raise Forbidden("metadata.agent_id must match the authenticated agent")
        now = now_iso()
        stored = StoredKnowledgeUnit(
            id=unit["id"],
            unit=unit,
            visibility=metadata["visibility"],
            created_at=now,
            updated_at=now,
        )
        if not await self._store.insert(stored):
            raise Conflict("Knowledge unit already exists")
        self._touched.touch(KNOWLEDGE_TAG)
        assert caller.agent_id is not None
        await self._reputation.award(
            caller.agent_id, CONTRIBUTION_REWARD, f"Contributed {stored.unit_type}"
        )
        return stored

    async def validate(self, caller: AuthContext, unit_id: str, payload: Any) -> dict[str, Any]:
        """Record one validation per (unit, agent) and reward it ([FIX-S12], F2, F3)."""
        if not caller.authenticated or caller.agent_id is None:
            raise Unauthorized("Authentication required")
        unit = await self.get(caller, unit_id)
        body = object_body(payload)
        valid = body.get("valid", True)
        if not isinstance(valid, bool):
            raise Invalid("valid must be a boolean")
        if unit.owner is not None and unit.owner == caller.agent_id:
            raise Forbidden("Cannot validate your own contribution")
        if not await self._store.add_validation(
            unit_id, caller.agent_id, unit.owner, valid, now_iso()
        ):
            raise Conflict("Already validated this unit")
        self._touched.touch(KNOWLEDGE_TAG)
        await self._reputation.award(caller.agent_id, VALIDATION_REWARD, "Validated knowledge unit")
        data: dict[str, Any] = {"id": unit_id, "validated": True}
        if "feedback" in body:
            data["feedback"] = body["feedback"]
        return data

    async def erase(self, caller: AuthContext, unit_id: str) -> dict[str, Any]:
        """GDPR Art. 17: delete the unit with its reports and votes (owner or admin)."""
        if not caller.authenticated:
            raise Unauthorized("Authentication required")
        unit = await self.get(caller, unit_id)
        if not (caller.is_admin or caller.owns(unit.owner)):
            raise Forbidden("Forbidden: can only delete your own contributions")
        now = now_iso()
        await self._store.delete(unit_id, now)
        self._touched.touch(KNOWLEDGE_TAG)
        return {
            "deleted": True,
            "unit_id": unit_id,
            "deleted_at": now,
            "deleted_by": caller.agent_id,
        }

    async def exists(self, unit_id: str) -> bool:
        """True when a unit with this id is stored (visibility aside; for admins)."""
        return await self._store.get(unit_id) is not None

    async def set_quarantine_status(self, unit_id: str, status: str | None) -> None:
        """Set the unit's quarantine status (the quarantine service decides which)."""
        await self._store.set_quarantine_status(unit_id, status)
        self._touched.touch(KNOWLEDGE_TAG)

    async def remove(self, unit_id: str) -> None:
        """Delete a unit without owner checks (an admin verdict already decided)."""
        await self._store.delete(unit_id, now_iso())
        self._touched.touch(KNOWLEDGE_TAG)

    async def list_for_agent(self, agent_id: str) -> list[StoredKnowledgeUnit]:
        """Every unit the agent owns, private and quarantined ones included (GDPR export)."""
        return await self._store.list_for_agent(agent_id)

    async def expired_unit_ids(self, visibility: str, created_before: str, limit: int) -> list[str]:
        """Ids of units of `visibility` received before `created_before`, oldest first."""
        return await self._store.ids_created_before(visibility, created_before, limit)


def _visible(caller: AuthContext, unit: StoredKnowledgeUnit) -> bool:
    # `org` has no organisation model yet and behaves like `network` ([FIX-S10]).
    return unit.visibility != "private" or caller.is_admin or caller.owns(unit.owner)
