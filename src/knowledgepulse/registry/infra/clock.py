"""Injectable clocks: the system clock in production, a hand-driven one in tests."""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "ManualClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Two readings: wall time for stored expiries and headers, monotonic for local timers."""

    def time(self) -> float:
        """Seconds since the Unix epoch (may jump when the host clock is corrected)."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin that never goes backwards (process-local)."""
        ...


class SystemClock:
    """The host's clocks (`time.time`, `time.monotonic`)."""

    def time(self) -> float:
        """Seconds since the Unix epoch."""
        return time.time()

    def monotonic(self) -> float:
        """Process-local monotonic seconds."""
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told to; wall and monotonic readings move together."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._wall = float(start)
        self._mono = 0.0

    def time(self) -> float:
        """The current fake wall time."""
        return self._wall

    def monotonic(self) -> float:
        """The current fake monotonic time (starts at 0)."""
        return self._mono

    def advance(self, seconds: float) -> None:
        """Move both readings forward; a negative value is refused (monotonic cannot go back)."""
        if seconds < 0:
            raise ValueError("advance() takes a non-negative number of seconds")
        self._wall += seconds
        self._mono += seconds

    def set_wall(self, epoch_seconds: float) -> None:
        """Jump the wall reading only (e.g. an NTP step backwards); monotonic is untouched."""
        self._wall = float(epoch_seconds)
