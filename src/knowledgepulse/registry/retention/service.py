"""The retention sweep ([FIX-F10], data-model.md §14.3); runs in the caller's transaction.

A unit is deleted when `now − created_at` exceeds the period of its visibility (strictly).
A period of zero days or less means "keep forever" for every visibility, so the documented
`KP_RETENTION_NETWORK_DAYS=-1` never deletes anything. Units are removed through the
knowledge service, so reports, validations and search tombstones follow the unit
([FIX-R12]); quarantined units are swept like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from knowledgepulse._lib.timefmt import format_iso
from knowledgepulse.registry.infra.clock import Clock, SystemClock
from knowledgepulse.registry.knowledge.service import KnowledgeService
from knowledgepulse.registry.knowledge.tables import VISIBILITIES

__all__ = ["DEFAULT_BATCH", "RetentionPolicy", "RetentionService"]

DEFAULT_BATCH = 500


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Days a unit of each visibility is kept; `<= 0` means forever."""

    network_days: int = -1
    org_days: int = 730
    private_days: int = 365

    def max_age(self, visibility: str) -> timedelta | None:
        """The retention period of `visibility`, or None when such units are kept forever."""
        days = {
            "network": self.network_days,
            "org": self.org_days,
            "private": self.private_days,
        }.get(visibility, 0)
        if days <= 0:
            return None
        try:
            return timedelta(days=days)
        except OverflowError:
            return None


class RetentionService:
    """Deletes expired knowledge units in bounded batches."""

    def __init__(
        self,
        knowledge: KnowledgeService,
        policy: RetentionPolicy,
        *,
        clock: Clock | None = None,
    ) -> None:
        self._knowledge = knowledge
        self._policy = policy
        self._clock = clock or SystemClock()

    async def sweep(self, batch_size: int = DEFAULT_BATCH) -> int:
        """Delete up to `batch_size` expired units; returns how many were deleted.

        Callers repeat in fresh transactions until a sweep returns less than `batch_size`.
        """
        now = datetime.fromtimestamp(self._clock.time(), UTC)
        deleted = 0
        for visibility in VISIBILITIES:
            max_age = self._policy.max_age(visibility)
            if max_age is None or deleted >= batch_size:
                continue
            try:
                cutoff = format_iso(now - max_age)
            except OverflowError:  # a period longer than the calendar: nothing is that old
                continue
            for unit_id in await self._knowledge.expired_unit_ids(
                visibility, cutoff, batch_size - deleted
            ):
                await self._knowledge.remove(unit_id)
                deleted += 1
        return deleted
