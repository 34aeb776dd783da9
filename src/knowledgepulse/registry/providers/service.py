"""Provider rules (registry-api.md §8.11 with [FIX-S15], data-model.md §15, G-13).

Staleness is derived at read time: an `active` provider whose last heartbeat (or, before
the first one, its registration) is older than `stale_after` is reported `inactive`. The
stored status is never rewritten, so the next heartbeat makes it `active` again.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from knowledgepulse._lib.timefmt import format_iso
from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.bodies import object_body
from knowledgepulse.registry.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from knowledgepulse.registry.infra.clock import Clock, SystemClock
from knowledgepulse.registry.providers.models import ProviderRecord
from knowledgepulse.registry.providers.store import ProviderStore
from knowledgepulse.registry.providers.tables import PROVIDER_STATUSES

__all__ = ["DEFAULT_STALE_AFTER", "ProviderService"]

DEFAULT_STALE_AFTER = timedelta(hours=1)


class ProviderService:
    """Registers providers, records heartbeats and lists them (the MCP discovery data)."""

    def __init__(
        self,
        store: ProviderStore,
        *,
        clock: Clock | None = None,
        stale_after: timedelta | None = DEFAULT_STALE_AFTER,
    ) -> None:
        self._store = store
        self._clock = clock or SystemClock()
        self._stale_after = stale_after

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock.time(), UTC)

    async def list_providers(self) -> list[ProviderRecord]:
        """Every provider in registration order, stale `active` ones reported `inactive`."""
        records = await self._store.list_all()
        if self._stale_after is None:
            return records
        cutoff = format_iso(self._now() - self._stale_after)
        return [
            r.as_stale() if r.status == "active" and r.last_seen < cutoff else r for r in records
        ]

    async def register(self, caller: AuthContext, payload: Any) -> ProviderRecord:
        """Admin: add a provider; its URL must not be registered yet."""
        if not caller.authenticated:
            raise Unauthorized("Authentication required")
        if not caller.is_admin:
            raise Forbidden("Admin scope required")
        body = object_body(payload)
        url = body.get("url")
        name = body.get("name")
        if not (isinstance(url, str) and url and isinstance(name, str) and name):
            raise Invalid("url and name are required")
        status = body.get("status")
        if status is None:
            status = "unknown"
        elif status not in PROVIDER_STATUSES:
            raise Invalid("status must be one of active, inactive, unknown")
        record = ProviderRecord(
            id=f"kp:provider:{uuid.uuid4()}",
            url=url,
            name=name,
            status=status,
            registered_at=format_iso(self._now()),
        )
        if not await self._store.insert(record):
            raise Conflict("Provider already registered")
        return record

    async def heartbeat(self, caller: AuthContext, provider_id: str) -> dict[str, Any]:
        """Mark the provider `active` now; any authenticated caller may (S15 default)."""
        if not caller.authenticated:
            raise Unauthorized("Authentication required")
        now = format_iso(self._now())
        if not await self._store.heartbeat(provider_id, now):
            raise NotFound("Provider not found")
        return {"id": provider_id, "heartbeat": now}
