"""Raw API keys: generation, hashing, prefix (registry-api.md §9.1)."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["BEARER_KP", "PREFIX_LENGTH", "hash_key", "new_raw_key", "prefix_of"]

BEARER_KP = "Bearer kp_"
PREFIX_LENGTH = 11


def new_raw_key() -> str:
    """`kp_` + 64 lower-case hex characters from 32 CSPRNG bytes."""
    return "kp_" + secrets.token_hex(32)


def hash_key(raw_key: str) -> str:
    """Lower-case hex SHA-256 of the raw key's UTF-8 bytes: the only form ever stored."""
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def prefix_of(raw_key: str) -> str:
    """The first 11 characters (`kp_` + 8 hex), shown to users and used to revoke."""
    return raw_key[:PREFIX_LENGTH]
