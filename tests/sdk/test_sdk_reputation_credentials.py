"""Ed25519 reputation credentials: the cross-language vector and tamper checks (§6.2)."""

from __future__ import annotations

import copy

from knowledgepulse._lib import jsjson
from knowledgepulse.sdk.reputation import (
    KeyPair,
    create_credential,
    generate_key_pair,
    public_key_for,
    sign_credential,
    verify_credential,
)

SEED = bytes(range(32))
PUBLIC_HEX = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
PROOF_VALUE = (
    "6d6jIW6jVTZvtXMDb7pznlH5O5zoHy9kJQH48L1nsML6PCEJTboIAaHY1DO6+3sevzfEQ0+wfxuqukPCGAnUBg=="
)
VECTOR_JSON = (
    '{"@context":["https://www.w3.org/2018/credentials/v1",'
    '"https://openknowledgepulse.org/credentials/v1"],'
    '"type":["VerifiableCredential","KPReputationCredential"],'
    '"issuer":"did:kp:registry-001","issuanceDate":"2026-01-01T00:00:00.000Z",'
    '"credentialSubject":{"id":"did:kp:agent-abc","score":0.85,"contributions":42,'
    '"validations":18,"domain":"typescript"}}'
)


def vector_credential() -> dict[str, object]:
    return create_credential(
        "did:kp:registry-001",
        "did:kp:agent-abc",
        0.85,
        42,
        18,
        "typescript",
        issuance_date="2026-01-01T00:00:00.000Z",
    )


def test_create_credential_has_the_exact_shape_and_key_order() -> None:
    assert jsjson.dumps(vector_credential()) == VECTOR_JSON


def test_domain_is_omitted_when_none_and_issuance_date_defaults_to_now() -> None:
    vc = create_credential("did:kp:r", "did:kp:a", 0.5, 10, 5)
    assert "domain" not in vc["credentialSubject"]
    assert "proof" not in vc
    assert vc["issuanceDate"].endswith("Z")
    assert len(vc["issuanceDate"]) == 24


def test_seed_vector_gives_the_published_public_key() -> None:
    assert public_key_for(SEED).hex() == PUBLIC_HEX


def test_signing_the_vector_gives_the_published_proof_value() -> None:
    signed = sign_credential(vector_credential(), SEED, "did:kp:registry-001#key-1")
    proof = signed["proof"]
    assert list(signed)[-1] == "proof"
    assert proof["proofValue"] == PROOF_VALUE
    assert proof["type"] == "Ed25519Signature2020"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == "did:kp:registry-001#key-1"
    assert verify_credential(signed, bytes.fromhex(PUBLIC_HEX))


def test_sign_returns_a_new_object_and_leaves_the_input_alone() -> None:
    vc = vector_credential()
    before = copy.deepcopy(vc)
    signed = sign_credential(vc, SEED, "did:kp:registry-001#key-1")
    assert vc == before
    signed["credentialSubject"]["score"] = 1
    assert vc == before


def test_generated_keys_are_32_bytes_and_round_trip() -> None:
    pair = generate_key_pair()
    assert isinstance(pair, KeyPair)
    assert len(pair.public_key) == len(pair.private_key) == 32
    assert public_key_for(pair.private_key) == pair.public_key
    signed = sign_credential(vector_credential(), pair.private_key, "did:kp:x#key-1")
    assert verify_credential(signed, pair.public_key)


def test_proof_created_is_not_signed() -> None:
    signed = sign_credential(vector_credential(), SEED, "did:kp:registry-001#key-1")
    signed["proof"]["created"] = "1999-01-01T00:00:00.000Z"
    assert verify_credential(signed, bytes.fromhex(PUBLIC_HEX))


def test_tampering_or_a_wrong_key_fails_verification() -> None:
    signed = sign_credential(vector_credential(), SEED, "did:kp:registry-001#key-1")
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["score"] = 0.99
    assert not verify_credential(tampered, bytes.fromhex(PUBLIC_HEX))
    assert not verify_credential(signed, generate_key_pair().public_key)


def test_malformed_or_missing_proofs_return_false() -> None:
    signed = sign_credential(vector_credential(), SEED, "did:kp:registry-001#key-1")
    public = bytes.fromhex(PUBLIC_HEX)
    assert not verify_credential(vector_credential(), public)
    for bad in ("!!not base64!!", "", "AAAA", 5):
        broken = copy.deepcopy(signed)
        broken["proof"]["proofValue"] = bad
        assert not verify_credential(broken, public)
    assert not verify_credential({**signed, "proof": "x"}, public)
    assert not verify_credential(signed, b"short")
    assert not verify_credential("not a credential", public)
