"""Reading the audit log (admin extension `GET /v1/admin/audit`) and its retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from knowledgepulse._lib.timefmt import format_iso, parse_iso, utcnow
from knowledgepulse.registry.audit.models import AuditEvent
from knowledgepulse.registry.audit.store import AuditStore
from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.errors import Forbidden, Invalid

__all__ = ["RETENTION", "AuditQuery", "AuditService"]

RETENTION = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Filters of the admin audit endpoint; `since`/`until` are ISO-8601 strings."""

    agent_id: str | None = None
    action: str | None = None
    resource_type: str | None = None
    since: str | None = None
    until: str | None = None
    offset: int = 0
    limit: int = 20


class AuditService:
    """Admin-only reads; retention purge for the background job."""

    def __init__(self, store: AuditStore) -> None:
        self._store = store

    async def query(self, caller: AuthContext, query: AuditQuery) -> tuple[list[AuditEvent], int]:
        """One page of entries, newest first."""
        if not caller.is_admin:
            raise Forbidden("Admin scope required")
        return await self._store.query(
            agent_id=query.agent_id,
            action=query.action,
            resource_type=query.resource_type,
            since=_instant(query.since, "from"),
            until=_instant(query.until, "to"),
            offset=query.offset,
            limit=query.limit,
        )

    async def purge_expired(self) -> int:
        """Delete entries older than 90 days."""
        return await self._store.purge_before(format_iso(utcnow() - RETENTION))


def _instant(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return format_iso(parse_iso(value))
    except (ValueError, OverflowError):  # OverflowError: e.g. 0001-01-01T00:00:00+01:00
        raise Invalid(f"{name} must be an ISO-8601 timestamp") from None
