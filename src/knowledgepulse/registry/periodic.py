"""Background jobs that run every N seconds for the life of the process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

__all__ = ["Periodic"]

logger = logging.getLogger(__name__)


class Periodic:
    """Runs `job` now and then every `interval` seconds until `stop()`; failures are logged."""

    def __init__(self, name: str, interval: float, job: Callable[[], Awaitable[object]]) -> None:
        self.name = name
        self._interval = interval
        self._job = job
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        """Schedule the loop on the running event loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Let a run in progress finish, then end the loop.

        Not a cancel: cancelling a coroutine that waits on a database driver's thread
        leaves that thread reporting to an event loop that may be gone by then.
        """
        if self._task is not None:
            self._stopping.set()
            await self._task
            self._task = None

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._job()
            except Exception:
                logger.warning("periodic job %s failed; retrying later", self.name, exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._interval)
