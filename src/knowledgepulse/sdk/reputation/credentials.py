"""Ed25519-signed reputation credentials (sdk-mcp-cli.md §6.2).

The proof borrows the name `Ed25519Signature2020` but is this ecosystem's own format: the
signature covers the compact JS JSON of the credential without `proof` (key order and
number formatting matter) and `proofValue` is padded standard base64, not multibase.
"""

from __future__ import annotations

import base64
import binascii
import copy
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from knowledgepulse._lib import jsjson
from knowledgepulse._lib.timefmt import now_iso

__all__ = [
    "CREDENTIAL_CONTEXT",
    "CREDENTIAL_TYPE",
    "PROOF_TYPE",
    "KeyPair",
    "create_credential",
    "generate_key_pair",
    "public_key_for",
    "sign_credential",
    "verify_credential",
]

CREDENTIAL_CONTEXT = [
    "https://www.w3.org/2018/credentials/v1",
    "https://openknowledgepulse.org/credentials/v1",
]
CREDENTIAL_TYPE = ["VerifiableCredential", "KPReputationCredential"]
PROOF_TYPE = "Ed25519Signature2020"
KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class KeyPair:
    """Raw Ed25519 keys: the 32-byte RFC 8032 seed and the 32-byte public key."""

    public_key: bytes
    private_key: bytes


def public_key_for(private_key: bytes) -> bytes:
    """The raw public key derived from a 32-byte seed."""
    public = Ed25519PrivateKey.from_private_bytes(private_key).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def generate_key_pair() -> KeyPair:
    """A fresh key pair from the operating system's CSPRNG."""
    seed = os.urandom(KEY_BYTES)
    return KeyPair(public_key=public_key_for(seed), private_key=seed)


def create_credential(
    issuer: str,
    agent_id: str,
    score: float,
    contributions: int,
    validations: int,
    domain: str | None = None,
    *,
    issuance_date: str | None = None,
) -> dict[str, Any]:
    """An unsigned credential; `agent_id` becomes `credentialSubject.id` verbatim.

    `issuance_date` defaults to now (UTC, milliseconds, `Z`); `domain` is omitted when None.
    """
    subject: dict[str, Any] = {
        "id": agent_id,
        "score": score,
        "contributions": contributions,
        "validations": validations,
    }
    if domain is not None:
        subject["domain"] = domain
    return {
        "@context": list(CREDENTIAL_CONTEXT),
        "type": list(CREDENTIAL_TYPE),
        "issuer": issuer,
        "issuanceDate": issuance_date if issuance_date is not None else now_iso(),
        "credentialSubject": subject,
    }


def _signed_bytes(vc: dict[str, Any]) -> bytes:
    return jsjson.dumps_bytes({key: value for key, value in vc.items() if key != "proof"})


def sign_credential(
    vc: dict[str, Any],
    private_key: bytes,
    verification_method: str,
    *,
    created: str | None = None,
) -> dict[str, Any]:
    """A copy of `vc` with a `proof` (last key); `vc` itself is left unchanged.

    `proof.created` (default: now) is not covered by the signature.
    """
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(_signed_bytes(vc))
    signed = {key: copy.deepcopy(value) for key, value in vc.items() if key != "proof"}
    signed["proof"] = {
        "type": PROOF_TYPE,
        "created": created if created is not None else now_iso(),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
        "proofValue": base64.b64encode(signature).decode("ascii"),
    }
    return signed


def verify_credential(vc: Any, public_key: bytes) -> bool:
    """True only for an intact credential signed by `public_key`; never raises (KD-22)."""
    try:
        proof = vc["proof"]
        signature = base64.b64decode(proof["proofValue"], validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, _signed_bytes(vc))
    except (InvalidSignature, binascii.Error, AttributeError, KeyError, TypeError, ValueError):
        return False
    return True
