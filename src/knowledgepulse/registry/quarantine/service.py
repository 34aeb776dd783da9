"""Reports and quarantine (registry-api.md §8.5 with [FIX-F4], R6, R8, R12)."""

from __future__ import annotations

import uuid
from typing import Any

from knowledgepulse._lib.timefmt import now_iso
from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.bodies import object_body, optional_object_body
from knowledgepulse.registry.errors import Forbidden, Invalid, NotFound, Unauthorized
from knowledgepulse.registry.knowledge.service import KnowledgeService
from knowledgepulse.registry.quarantine.store import ReportStore

__all__ = ["QuarantineService"]


class QuarantineService:
    """Runs inside the caller's transaction; never commits."""

    def __init__(self, store: ReportStore, knowledge: KnowledgeService, *, threshold: int) -> None:
        self._store = store
        self._knowledge = knowledge
        self._threshold = threshold

    async def report(self, caller: AuthContext, unit_id: str, payload: Any) -> dict[str, Any]:
        """One report per (unit, reporter); `threshold` distinct reporters quarantine."""
        if not caller.authenticated or caller.agent_id is None:
            raise Unauthorized("Authentication required")
        await self._knowledge.get(caller, unit_id)
        body = optional_object_body(payload)
        reason = body.get("reason", "")
        if not isinstance(reason, str):
            raise Invalid("reason must be a string")
        report = await self._store.upsert_report(
            report_id=f"kp:sr:{uuid.uuid4()}",
            unit_id=unit_id,
            reporter_id=caller.agent_id,
            reason=reason,
            created_at=now_iso(),
        )
        count = await self._store.count_reports(unit_id)
        status = "quarantined" if count >= self._threshold else "flagged"
        await self._knowledge.set_quarantine_status(unit_id, status)
        return {
            "data": report,
            "report_count": count,
            "threshold": self._threshold,
            "quarantine_status": status,
        }

    async def list_reported(self, caller: AuthContext) -> dict[str, Any]:
        """Every unit with reports: count descending, ties by earliest report ([FIX-F4])."""
        _require_admin(caller)
        entries = await self._store.reported_units()
        return {"data": entries, "total": len(entries)}

    async def resolve(self, caller: AuthContext, unit_id: str, payload: Any) -> dict[str, Any]:
        """`keep` clears the unit, `remove` deletes it; both drop its reports."""
        _require_admin(caller)
        body = object_body(payload)
        verdict = body.get("verdict")
        if verdict not in ("keep", "remove"):
            raise Invalid("verdict must be 'keep' or 'remove'")
        if not await self._knowledge.exists(unit_id):
            raise NotFound("Knowledge unit not found")
        await self._store.delete_reports(unit_id)
        if verdict == "keep":
            await self._knowledge.set_quarantine_status(unit_id, "cleared")
        else:
            await self._knowledge.remove(unit_id)
        return {"unit_id": unit_id, "verdict": verdict, "resolved": True}

    async def reports_filed_by(self, agent_id: str) -> list[dict[str, Any]]:
        """Security reports the agent filed, oldest first (GDPR export)."""
        return await self._store.filed_by(agent_id)


def _require_admin(caller: AuthContext) -> None:
    if not caller.is_admin:
        raise Forbidden("Admin scope required")
