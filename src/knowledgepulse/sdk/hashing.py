"""SHA-256 helpers for idempotency keys and content fingerprints (sdk-mcp-cli.md §5.5)."""

from __future__ import annotations

import hashlib
from typing import Any

from knowledgepulse._lib import jsjson

__all__ = ["sha256", "sha256_json"]


def sha256(text: str | bytes) -> str:
    """Lowercase hex SHA-256 of `text` (a `str` is hashed as its UTF-8 bytes)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def sha256_json(value: Any) -> str:
    """SHA-256 of `value` serialized as compact JS JSON, e.g. a unit's `Idempotency-Key`."""
    return hashlib.sha256(jsjson.dumps_bytes(value)).hexdigest()
