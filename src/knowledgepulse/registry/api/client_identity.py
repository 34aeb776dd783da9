"""Who is the client behind the socket ([FIX-S8])."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

__all__ = ["client_address"]


def client_address(scope: MutableMapping[str, Any], *, trust_proxy: bool) -> str:
    """Left-most `X-Forwarded-For` address when proxies are trusted, else the TCP peer."""
    if trust_proxy:
        for key, value in scope["headers"]:
            if key == b"x-forwarded-for":
                first = value.decode("latin-1").split(",", 1)[0].strip()
                if first:
                    return first
                break
    client = scope.get("client")
    if client and client[0]:
        return str(client[0])
    return "unknown"
