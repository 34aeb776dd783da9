"""Errors raised by the SDK (sdk-mcp-cli.md §0.6 and §4.4).

Every class carries a stable `code` that callers branch on; messages are for humans.

    Exception
    └── KPError(message, code)                       code given by the caller
        ├── ValidationError(message, issues)         VALIDATION_ERROR   .issues: list[Issue]
        ├── SanitizationError(message, field)        SANITIZATION_ERROR .field
        ├── AuthenticationError(message)             AUTHENTICATION_ERROR
        ├── RateLimitError(retry_after)              RATE_LIMIT_ERROR   .retry_after (seconds)
        ├── NotFoundError(resource, id)              NOT_FOUND          .resource, .resource_id
        ├── HTTPResponseError(message, status, body) HTTP_ERROR         .status, .body  (KD-18)
        └── MigrationError(message)                  MIGRATION_ERROR    (extension, §1.10)

`error_from_response` applies the HTTP status mapping of §4.4 once, for every SDK call
that talks to the registry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from knowledgepulse.sdk.issues import Issue, normalize_issues

__all__ = [
    "AuthenticationError",
    "HTTPResponseError",
    "KPError",
    "MigrationError",
    "NotFoundError",
    "RateLimitError",
    "SanitizationError",
    "ValidationError",
    "error_from_response",
]

DEFAULT_RETRY_AFTER = 60


class KPError(Exception):
    """Base class of every SDK error; `code` is a stable machine-readable identifier."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ValidationError(KPError):
    """Input failed schema validation; `issues` lists each problem (`VALIDATION_ERROR`)."""

    def __init__(
        self, message: str, issues: Iterable[Issue | Mapping[str, Any]] | None = None
    ) -> None:
        super().__init__(message, "VALIDATION_ERROR")
        self.issues: list[Issue] = normalize_issues(issues)


class SanitizationError(KPError):
    """Content was refused by the sanitizer; `field` names the offending part, if known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, "SANITIZATION_ERROR")
        self.field = field


class AuthenticationError(KPError):
    """The registry refused the credentials, or none were given (`AUTHENTICATION_ERROR`)."""

    def __init__(self, message: str = "Authentication required") -> None:
        super().__init__(message, "AUTHENTICATION_ERROR")


class RateLimitError(KPError):
    """The registry answered 429; retry after `retry_after` seconds (`RATE_LIMIT_ERROR`)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Rate limit exceeded. Retry after {retry_after}s", "RATE_LIMIT_ERROR")
        self.retry_after = retry_after


class NotFoundError(KPError):
    """The requested resource does not exist (`NOT_FOUND`)."""

    def __init__(self, resource: str, id: str) -> None:
        super().__init__(f"{resource} not found: {id}", "NOT_FOUND")
        self.resource = resource
        self.resource_id = id


class HTTPResponseError(KPError):
    """Any other non-2xx registry answer (`HTTP_ERROR`, extension of KD-18).

    `status` is the HTTP status code and `body` the response text.
    """

    def __init__(self, message: str, status: int, body: str) -> None:
        super().__init__(message, "HTTP_ERROR")
        self.status = status
        self.body = body


class MigrationError(KPError):
    """No chain of schema migrations leads between two versions (`MIGRATION_ERROR`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "MIGRATION_ERROR")


def _parse_body(body_text: str) -> Any:
    try:
        return json.loads(body_text)
    except ValueError:
        return None


def _retry_after(header: str | None, body: Any) -> int:
    if header is not None:
        try:
            return int(header.strip())
        except ValueError:
            pass  # an HTTP-date or garbage: fall back to the body, then the default
    if isinstance(body, dict):
        value = body.get("retry_after")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return DEFAULT_RETRY_AFTER


def error_from_response(
    status: int,
    body_text: str,
    *,
    prefix: str,
    retry_after_header: str | None = None,
    resource: str = "Resource",
    resource_id: str = "",
) -> KPError:
    """Map a non-2xx registry response to the SDK error of §4.4 (the caller raises it).

    Args:
        status: the HTTP status code.
        body_text: the raw response body.
        prefix: the message prefix for other statuses, e.g. `Failed to contribute`.
        retry_after_header: the `Retry-After` header, if any.
        resource: what was requested, for `NotFoundError` (e.g. `Skill`).
        resource_id: its id or the request path, for `NotFoundError`.
    """
    body = _parse_body(body_text)
    error_text = body.get("error") if isinstance(body, dict) else None
    if status in (401, 403):
        if isinstance(error_text, str) and error_text:
            return AuthenticationError(error_text)
        return AuthenticationError()
    if status == 404:
        return NotFoundError(resource, resource_id)
    if status == 429:
        return RateLimitError(_retry_after(retry_after_header, body))
    if status == 400 and isinstance(body, dict) and isinstance(body.get("issues"), list):
        message = error_text if isinstance(error_text, str) else "Invalid request"
        return ValidationError(message, body["issues"])
    return HTTPResponseError(f"{prefix}: {status} {body_text}", status=status, body=body_text)
