"""Request bodies as services receive them: parsed JSON, or a marker for a malformed body.

Routes never decide when a bad body matters; the service checks auth first and only then
asks for the body, so error precedence follows the spec's tables ([FIX-R1]).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from knowledgepulse.registry.errors import Invalid

__all__ = ["MALFORMED", "MISSING", "object_body", "optional_object_body", "parse_json_body"]


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


MALFORMED: Final = _Marker("MALFORMED")  # bytes that are not JSON
MISSING: Final = _Marker("MISSING")  # an empty body


_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F][0-9a-fA-F]{2}")
# PostgreSQL text and JSONB cannot hold U+0000, so no backend accepts it.
_NUL_ESCAPE = re.compile(rb"\\[uU]0000")


class _NotFinite(ValueError):
    pass


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text)
    return value


def _reject_constant(name: str) -> Any:
    raise _NotFinite(name)


def parse_json_body(raw: bytes) -> Any:
    """Parse a body as JSON whatever its Content-Type (§1); markers for empty/invalid.

    Beyond syntax errors, these count as malformed because no store could keep them:
    NaN/Infinity (or numbers that overflow to them), lone UTF-16 surrogates, U+0000, and
    nesting deeper than the parser's recursion limit.
    """
    if not raw.strip():
        return MISSING
    try:
        value = json.loads(raw, parse_float=_finite, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return MALFORMED
    if _NUL_ESCAPE.search(raw) and _holds_nul(value):
        return MALFORMED
    if _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return MALFORMED
    return value


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def object_body(body: Any) -> dict[str, Any]:
    """A body the endpoint needs: missing, malformed or `null` → 400; non-objects → `{}`."""
    if body is MALFORMED or body is MISSING or body is None:
        raise Invalid("Invalid JSON body")
    return body if isinstance(body, dict) else {}


def optional_object_body(body: Any) -> dict[str, Any]:
    """A body the endpoint tolerates without: anything but an object counts as `{}`."""
    return body if isinstance(body, dict) else {}
