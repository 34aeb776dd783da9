"""Append audit events off the request path, in batches, losing none on clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

from knowledgepulse.registry.audit.models import AuditEvent

__all__ = ["AuditSink"]

logger = logging.getLogger(__name__)

Writer = Callable[[Sequence[AuditEvent]], Awaitable[None]]


class AuditSink:
    """Buffers events in memory and writes them in batches from one background task.

    `record` never blocks and never raises, so auditing cannot slow down or break a
    request. When the store is unreachable, events wait in the buffer (bounded by
    `max_buffered`; beyond it the oldest are dropped and counted) and are retried.
    """

    def __init__(
        self,
        writer: Writer,
        *,
        flush_interval: float = 0.25,
        max_batch: int = 500,
        max_buffered: int = 100_000,
    ) -> None:
        self._writer = writer
        self._interval = flush_interval
        self._max_batch = max_batch
        self._buffer: deque[AuditEvent] = deque(maxlen=max_buffered)
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._failing = False
        self.dropped = 0

    def start(self) -> None:
        """Start the background writer (call once the event loop runs)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="audit-sink")

    def record(self, event: AuditEvent) -> None:
        """Queue one event; O(1), never raises."""
        if len(self._buffer) == self._buffer.maxlen:
            self.dropped += 1
        self._buffer.append(event)
        if len(self._buffer) >= self._max_batch:
            self._wake.set()

    async def flush(self) -> None:
        """Write everything buffered now (used at shutdown and by tests)."""
        while self._buffer:
            batch = [self._buffer.popleft() for _ in range(min(self._max_batch, len(self._buffer)))]
            try:
                await self._writer(batch)
            except Exception:
                self._buffer.extendleft(reversed(batch))
                raise
            if self._failing:
                self._failing = False
                logger.warning("audit log writes resumed")

    async def close(self) -> None:
        """Stop the background task and write what is left (best effort)."""
        if self._task is not None:
            # Not a cancel: a write in flight finishes first (see Periodic.stop for why).
            self._stopping = True
            self._wake.set()
            await self._task
            self._task = None
        try:
            await self.flush()
        except Exception:
            logger.exception("could not write %d audit events at shutdown", len(self._buffer))

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                if not self._failing:
                    self._failing = True
                    logger.warning(
                        "audit log write failed; %d events buffered, retrying",
                        len(self._buffer),
                        exc_info=True,
                    )
