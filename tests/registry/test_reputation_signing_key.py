"""The registry's credential-signing key file and DID helpers."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from knowledgepulse.registry.reputation.credentials import (
    CredentialIssuer,
    load_or_create_signing_key,
    subject_did,
)
from knowledgepulse.sdk.reputation import public_key_for


def test_the_key_is_created_once_privately_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "credential-signing.key"
    seed = load_or_create_signing_key(path)
    assert len(seed) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_signing_key(path) == seed
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_a_corrupt_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text("abcd\n", encoding="utf-8")
    with pytest.raises(ValueError, match="32-byte"):
        load_or_create_signing_key(path)


def test_issuer_derives_its_public_key_and_verification_method() -> None:
    issuer = CredentialIssuer(did="did:kp:registry", private_key=bytes(range(32)))
    assert issuer.public_key == public_key_for(bytes(range(32)))
    assert issuer.verification_method == "did:kp:registry#key-1"


@pytest.mark.parametrize(
    ("agent_id", "did"),
    [
        ("kp:agent:alice", "did:kp:agent:alice"),
        ("agent-abc", "did:kp:agent-abc"),
        ("did:web:example.org", "did:web:example.org"),
    ],
)
def test_subject_did(agent_id: str, did: str) -> None:
    assert subject_did(agent_id) == did
