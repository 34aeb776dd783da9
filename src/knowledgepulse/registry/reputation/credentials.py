"""The registry's credential-signing identity: a DID and an Ed25519 key kept on disk."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from knowledgepulse.sdk.reputation import public_key_for

__all__ = ["REGISTRY_DID", "CredentialIssuer", "load_or_create_signing_key", "subject_did"]

REGISTRY_DID = "did:kp:registry"
_SEED_BYTES = 32


@dataclass(frozen=True, slots=True)
class CredentialIssuer:
    """Who signs reputation credentials, and with which key."""

    did: str
    private_key: bytes

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key verifiers need."""
        return public_key_for(self.private_key)

    @property
    def verification_method(self) -> str:
        """`<did>#key-1`, the key reference written into every proof."""
        return f"{self.did}#key-1"


def subject_did(agent_id: str) -> str:
    """`kp:agent:alice` → `did:kp:agent:alice`; other ids get the `did:kp:` prefix."""
    if agent_id.startswith("did:"):
        return agent_id
    if agent_id.startswith("kp:"):
        return f"did:{agent_id}"
    return f"did:kp:{agent_id}"


def load_or_create_signing_key(path: Path) -> bytes:
    """The hex seed stored at `path`, generated (mode 0600) on first use.

    Creation is race-free across worker processes: the seed is written to a private
    temporary file and hard-linked into place, so every process ends up with the key
    that won the link.

    Raises:
        ValueError: the file exists but does not hold a 32-byte hex seed.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_hex(_SEED_BYTES) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    seed = bytes.fromhex(path.read_text(encoding="utf-8").strip())
    if len(seed) != _SEED_BYTES:
        raise ValueError(f"{path} must hold a {_SEED_BYTES}-byte hex Ed25519 seed")
    return seed
