"""SDK errors (sdk-mcp-cli.md §0.6) and the HTTP status mapping (§4.4, KD-18)."""

from __future__ import annotations

import pytest

from knowledgepulse.sdk.errors import (
    AuthenticationError,
    HTTPResponseError,
    KPError,
    MigrationError,
    NotFoundError,
    RateLimitError,
    SanitizationError,
    ValidationError,
    error_from_response,
)
from knowledgepulse.sdk.issues import Issue


def test_kp_error_carries_message_and_code() -> None:
    error = KPError("boom", "SOME_CODE")
    assert isinstance(error, Exception)
    assert (str(error), error.message, error.code) == ("boom", "boom", "SOME_CODE")


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (ValidationError("Invalid KnowledgeUnit"), "VALIDATION_ERROR", "Invalid KnowledgeUnit"),
        (SanitizationError("bad", field="body"), "SANITIZATION_ERROR", "bad"),
        (AuthenticationError(), "AUTHENTICATION_ERROR", "Authentication required"),
        (AuthenticationError("Invalid key"), "AUTHENTICATION_ERROR", "Invalid key"),
        (RateLimitError(30), "RATE_LIMIT_ERROR", "Rate limit exceeded. Retry after 30s"),
        (NotFoundError("Skill", "kp:skill:x"), "NOT_FOUND", "Skill not found: kp:skill:x"),
        (HTTPResponseError("Failed: 500 x", 500, "x"), "HTTP_ERROR", "Failed: 500 x"),
        (MigrationError("No migration path"), "MIGRATION_ERROR", "No migration path"),
    ],
)
def test_every_error_is_a_kp_error_with_its_code_and_message(
    error: KPError, code: str, message: str
) -> None:
    assert isinstance(error, KPError)
    assert (error.code, error.message, str(error)) == (code, message, message)


def test_error_attributes_are_kept() -> None:
    assert SanitizationError("bad", field="body").field == "body"
    assert SanitizationError("bad").field is None
    assert RateLimitError(7).retry_after == 7
    not_found = NotFoundError("Skill", "kp:skill:x")
    assert (not_found.resource, not_found.resource_id) == ("Skill", "kp:skill:x")
    http = HTTPResponseError("m", status=502, body="upstream")
    assert (http.status, http.body) == (502, "upstream")


def test_validation_error_accepts_issue_objects_and_mappings() -> None:
    error = ValidationError("Invalid", [Issue("a", "Required"), {"path": "b.0", "message": "x"}])
    assert error.issues == [Issue("a", "Required"), Issue("b.0", "x")]
    assert [issue.to_dict() for issue in error.issues][1] == {"path": "b.0", "message": "x"}
    assert ValidationError("Invalid").issues == []


@pytest.mark.parametrize(
    ("status", "body", "header", "expected_type", "expected_message"),
    [
        (
            401,
            '{"error":"Invalid or revoked API key"}',
            None,
            AuthenticationError,
            "Invalid or revoked API key",
        ),
        (
            403,
            '{"error":"Write scope required"}',
            None,
            AuthenticationError,
            "Write scope required",
        ),
        (401, "not json", None, AuthenticationError, "Authentication required"),
        (404, '{"error":"Skill not found"}', None, NotFoundError, "Skill not found: kp:skill:1"),
        (
            429,
            '{"error":"Rate limit exceeded","retry_after":12}',
            "5",
            RateLimitError,
            "Rate limit exceeded. Retry after 5s",
        ),
        (
            429,
            '{"error":"Rate limit exceeded","retry_after":12}',
            None,
            RateLimitError,
            "Rate limit exceeded. Retry after 12s",
        ),
        (
            429,
            "{}",
            "Wed, 21 Oct 2026 07:28:00 GMT",
            RateLimitError,
            "Rate limit exceeded. Retry after 60s",
        ),
        (
            400,
            '{"error":"Invalid KnowledgeUnit","issues":[{"path":"id","message":"Required"}]}',
            None,
            ValidationError,
            "Invalid KnowledgeUnit",
        ),
        (
            400,
            '{"error":"Invalid JSON body"}',
            None,
            HTTPResponseError,
            'Failed to contribute: 400 {"error":"Invalid JSON body"}',
        ),
        (
            500,
            "Internal Server Error",
            None,
            HTTPResponseError,
            "Failed to contribute: 500 Internal Server Error",
        ),
    ],
)
def test_error_from_response_maps_statuses_as_the_sdk_table_says(
    status: int,
    body: str,
    header: str | None,
    expected_type: type[KPError],
    expected_message: str,
) -> None:
    error = error_from_response(
        status,
        body,
        prefix="Failed to contribute",
        retry_after_header=header,
        resource="Skill",
        resource_id="kp:skill:1",
    )
    assert type(error) is expected_type
    assert error.message == expected_message


def test_error_from_response_keeps_the_registry_issues() -> None:
    body = '{"error":"Invalid ExpertSOP","issues":[{"path":"name","message":"Required"}]}'
    error = error_from_response(400, body, prefix="Failed")
    assert isinstance(error, ValidationError)
    assert error.issues == [Issue("name", "Required")]


def test_error_from_response_exposes_status_and_body_of_other_failures() -> None:
    error = error_from_response(503, "down", prefix="Failed to search")
    assert isinstance(error, HTTPResponseError)
    assert (error.code, error.status, error.body) == ("HTTP_ERROR", 503, "down")
