"""Reputation utilities: EigenTrust and Ed25519 reputation credentials (sdk-mcp-cli.md §6)."""

from knowledgepulse.sdk.reputation.credentials import (
    KeyPair,
    create_credential,
    generate_key_pair,
    public_key_for,
    sign_credential,
    verify_credential,
)
from knowledgepulse.sdk.reputation.eigentrust import EigenTrustResult, compute_eigentrust

__all__ = [
    "EigenTrustResult",
    "KeyPair",
    "compute_eigentrust",
    "create_credential",
    "generate_key_pair",
    "public_key_for",
    "sign_credential",
    "verify_credential",
]
