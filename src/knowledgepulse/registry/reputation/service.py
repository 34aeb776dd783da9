"""KP-REP changes (data-model.md §8.2–§8.3); runs inside the caller's transaction."""

from __future__ import annotations

from knowledgepulse._lib.timefmt import now_iso
from knowledgepulse.registry.reputation.models import ReputationRecord
from knowledgepulse.registry.reputation.store import ReputationStore

__all__ = ["ReputationService"]

BRONZE_CONTRIBUTIONS = 10
SILVER_CONTRIBUTIONS = 50
SILVER_VALIDATIONS = 20


class ReputationService:
    """Awards and reads KP-REP; evaluates automatic badges after contributions (§9.9)."""

    def __init__(self, store: ReputationStore) -> None:
        self._store = store

    async def get(self, agent_id: str) -> ReputationRecord | None:
        """The agent's record, or None when the agent never earned anything."""
        return await self._store.get(agent_id)

    async def exists(self, agent_id: str) -> bool:
        """True when the agent has a reputation record."""
        return await self._store.get(agent_id) is not None

    async def score(self, agent_id: str | None) -> float | None:
        """The agent's score, or None without a record."""
        if agent_id is None:
            return None
        record = await self._store.get(agent_id)
        return None if record is None else record.score

    async def award(self, agent_id: str, delta: float, reason: str) -> ReputationRecord:
        """Apply `delta` atomically and grant automatic badges when they are earned."""
        now = now_iso()
        record = await self._store.apply(agent_id, delta, reason, now)
        if "Contributed" in reason or "Created" in reason:
            await self._grant_auto_badges(record, now)
        return record

    async def _grant_auto_badges(self, record: ReputationRecord, now: str) -> None:
        if record.contributions >= BRONZE_CONTRIBUTIONS and record.score > 0:
            await self._store.grant_badge(record.agent_id, "general", "bronze", now, "system")
        if (
            record.contributions >= SILVER_CONTRIBUTIONS
            and record.validations >= SILVER_VALIDATIONS
        ):
            await self._store.grant_badge(record.agent_id, "general", "silver", now, "system")
