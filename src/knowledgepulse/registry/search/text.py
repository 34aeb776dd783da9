"""Denormalised lower-cased search text and LIKE patterns (data-model.md §2.4)."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["FIELD_SEPARATOR", "like_pattern", "search_text"]

# U+001F cannot occur in a (control-stripped) query, so a match never spans two fields.
FIELD_SEPARATOR = "\x1f"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def search_text(fields: Iterable[object]) -> str:
    """The searchable string fields, lower-cased with `str.lower()`, joined by U+001F."""
    return FIELD_SEPARATOR.join(_CONTROL.sub(" ", f).lower() for f in fields if isinstance(f, str))


def like_pattern(query: str) -> str:
    """`%query%` for `LIKE … ESCAPE '\\'`: lower-cased, wildcards escaped, controls removed."""
    cleaned = _CONTROL.sub("", query).lower()
    escaped = cleaned.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
