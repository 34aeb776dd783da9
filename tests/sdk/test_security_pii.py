"""§5.4 PII cleaner: the golden table, levels and ordering."""

from __future__ import annotations

import pytest

from knowledgepulse.sdk.security import clean_pii

GOLDEN = [
    (
        "My key is sk-abc123def456ghi789jkl012mno345",
        "aggregated",
        "My key is [REDACTED:api_key]",
        [("api_key", 1)],
    ),
    ("password=mysecretpass123", "aggregated", "password=[REDACTED:password]", [("password", 1)]),
    (
        "DB_URL=postgresql://admin:secret@db.example.com:5432/mydb",
        "aggregated",
        "DB_URL=[REDACTED:connection_string]",
        [("connection_string", 1)],
    ),
    (
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
        "aggregated",
        "Authorization: Bearer [REDACTED:bearer_token]",
        [("bearer_token", 1)],
    ),
    ("Call me at (555) 123-4567", "aggregated", "Call me at [REDACTED:phone]", [("phone", 1)]),
    ("WhatsApp: +441234567890", "aggregated", "WhatsApp: [REDACTED:phone]", [("phone", 1)]),
    (
        "File: C:\\Users\\charlie\\Desktop\\report.xlsx",
        "aggregated",
        "File: [REDACTED:filepath]",
        [("filepath", 1)],
    ),
    (
        "Server 192.168.1.1 with password=secret123",
        "private",
        "Server 192.168.1.1 with password=[REDACTED:password]",
        [("password", 1)],
    ),
    (
        "api_key: \"abc\" secret=[REDACTED:x] token='q'",
        "aggregated",
        "api_key: [REDACTED:password] secret=[REDACTED:x] token=[REDACTED:password]",
        [("password", 2)],
    ),
    (
        "Contact alice@example.com or call 555-123-4567. Token: sk-abc123def456ghi789",
        "aggregated",
        "Contact [REDACTED:email] or call [REDACTED:phone]. Token: [REDACTED:password]",
        [("password", 1), ("email", 1), ("phone", 1)],
    ),
]


@pytest.mark.parametrize(("text", "level", "cleaned", "redactions"), GOLDEN)
def test_golden_vectors(text, level, cleaned, redactions):
    result = clean_pii(text, level)
    assert result.cleaned == cleaned
    assert [(r.type, r.count) for r in result.redactions] == redactions


def test_kp_bearer_tokens_are_left_to_the_kp_key_rule():
    result = clean_pii("Authorization: Bearer kp_0123456789abcdef0123")
    assert result.cleaned == "Authorization: Bearer [REDACTED:api_key]"


def test_identifiers_are_kept_at_private_but_secrets_are_not():
    text = "mail bob@example.org from 10.0.0.1, key AKIAABCDEFGHIJKLMNOP"
    result = clean_pii(text, "private")
    assert result.cleaned == "mail bob@example.org from 10.0.0.1, key [REDACTED:api_key]"


def test_federated_redacts_like_aggregated():
    text = "reach me at bob@example.org or /home/bob/notes.txt"
    assert clean_pii(text, "federated") == clean_pii(text, "aggregated")


def test_empty_text_has_no_redactions():
    assert clean_pii("").to_dict() == {"cleaned": "", "redactions": []}


def test_unknown_level_is_refused():
    with pytest.raises(ValueError):
        clean_pii("x", "public")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("ghp_" + "a" * 36, "[REDACTED:api_key]"),
        ("xoxb-123-abc", "[REDACTED:api_key]"),
        ("redis://:pw@cache:6379/0", "[REDACTED:connection_string]"),
        ("version 1.2.3.4", "version [REDACTED:ip]"),
        ("ghu_" + "a" * 36, "ghu_" + "a" * 36),
        ("/Users/ann/x.txt; next", "[REDACTED:filepath]; next"),
    ],
)
def test_other_patterns_and_documented_gaps(text, cleaned):
    assert clean_pii(text).cleaned == cleaned
