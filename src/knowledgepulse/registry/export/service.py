"""GDPR Art. 20 export (registry-api.md §8.10 with [FIX-S18]); runs in the caller's transaction.

The reference's fields come first and keep their shapes; [FIX-S18] adds the agent's SOPs,
listings, credit ledger, subscriptions, badges and filed security reports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from knowledgepulse._lib.timefmt import format_iso
from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.auth.service import AuthService
from knowledgepulse.registry.errors import Forbidden, Unauthorized
from knowledgepulse.registry.export.store import ExportStore
from knowledgepulse.registry.infra.clock import Clock, SystemClock
from knowledgepulse.registry.knowledge.service import KnowledgeService
from knowledgepulse.registry.quarantine.service import QuarantineService
from knowledgepulse.registry.reputation.service import ReputationService

__all__ = ["EXPORT_CONTEXT", "ExportService"]

EXPORT_CONTEXT = "https://openknowledgepulse.org/export/v1"


class ExportService:
    """Gathers everything the registry holds about one agent."""

    def __init__(
        self,
        store: ExportStore,
        *,
        knowledge: KnowledgeService,
        reputation: ReputationService,
        auth: AuthService,
        quarantine: QuarantineService,
        clock: Clock | None = None,
    ) -> None:
        self._store = store
        self._knowledge = knowledge
        self._reputation = reputation
        self._auth = auth
        self._quarantine = quarantine
        self._clock = clock or SystemClock()

    async def export(self, caller: AuthContext, agent_id: str) -> dict[str, Any]:
        """The agent's data; only the agent itself or an admin may ask."""
        if not caller.authenticated:
            raise Unauthorized("Authentication required")
        if not (caller.is_admin or caller.owns(agent_id)):
            raise Forbidden("Forbidden: can only export your own data")
        units = await self._knowledge.list_for_agent(agent_id)
        record = await self._reputation.get(agent_id)
        reputation = (
            record.to_wire()
            if record is not None
            else {"score": 0, "contributions": 0, "validations": 0, "history": []}
        )
        return {
            "@context": EXPORT_CONTEXT,
            "agent_id": agent_id,
            "exported_at": format_iso(datetime.fromtimestamp(self._clock.time(), UTC)),
            "total_contributions": len(units),
            "knowledge_units": [unit.unit for unit in units],
            "reputation": reputation,
            "api_keys": [key.summary() for key in await self._auth.keys_for_agent(agent_id)],
            "sops": await self._store.sops_owned_by(agent_id),
            "marketplace_listings": await self._store.listings_by(agent_id),
            "credit_transactions": await self._store.transactions_of(agent_id),
            "subscriptions": await self._store.subscriptions_of(agent_id),
            "badges": [badge.to_wire() for badge in await self._reputation.badges(agent_id)],
            "security_reports": await self._quarantine.reports_filed_by(agent_id),
        }
