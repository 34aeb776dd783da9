"""Timestamps in the wire format: UTC ISO-8601 with exactly three fractional digits and `Z`."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_iso", "now_iso", "parse_iso", "utcnow"]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def format_iso(moment: datetime) -> str:
    """`2026-11-24T18:07:14.485Z` (milliseconds truncated, as JavaScript prints them)."""
    m = moment.astimezone(UTC)
    # Field by field: faster than strftime, and "%Y" does not zero-pad years below 1000.
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T"
        f"{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond // 1000:03d}Z"
    )


def now_iso() -> str:
    """The current time in the wire format."""
    return format_iso(utcnow())


def parse_iso(text: str) -> datetime:
    """Parse a wire timestamp (or any ISO-8601 string with `Z` or an offset) to aware UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
