"""Query-string parsing with the corrected semantics of [FIX-R4] (HTTP-free).

Callers pass the raw multi-valued parameters; the first occurrence of a repeated parameter
wins, as in the reference (registry-api.md §5).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "Page",
    "first",
    "parse_float",
    "parse_list",
    "parse_page",
]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The largest OFFSET the SQL stores take (a signed 64-bit integer); larger ones used to 500.
MAX_OFFSET = 2**63 - 1
_BASE10 = re.compile(r"[+-]?\d+")

Params = Mapping[str, Sequence[str]]


@dataclass(frozen=True, slots=True)
class Page:
    """Effective pagination: `0 ≤ offset < 2⁶³`, `1 ≤ limit ≤ 100`."""

    offset: int = 0
    limit: int = DEFAULT_LIMIT

    def envelope(self, data: list[object], total: int) -> dict[str, object]:
        """The paginated response body `{data, total, offset, limit}`."""
        return {"data": data, "total": total, "offset": self.offset, "limit": self.limit}


def first(params: Params, name: str) -> str | None:
    """The first value of `name`, or None when absent."""
    values = params.get(name)
    return values[0] if values else None


def _int(value: str | None, default: int) -> int:
    if value is None or not _BASE10.fullmatch(value.strip()):
        return default
    try:
        return int(value.strip())
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        return default


def parse_page(params: Params) -> Page:
    """`limit`/`offset`: base-10 integers, defaults 20/0, clamped to 1..100 and 0..2⁶³-1."""
    limit = min(max(_int(first(params, "limit"), DEFAULT_LIMIT), 1), MAX_LIMIT)
    offset = min(max(_int(first(params, "offset"), 0), 0), MAX_OFFSET)
    return Page(offset=offset, limit=limit)


def parse_float(params: Params, name: str) -> float | None:
    """A finite number, or None when missing, empty or not a number (then: no filter)."""
    value = first(params, name)
    if value is None or value.strip() == "":
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_list(params: Params, name: str) -> list[str]:
    """A comma list: split on `,`, empty items dropped, items not trimmed (§5)."""
    value = first(params, name)
    if not value:
        return []
    return [item for item in value.split(",") if item]
