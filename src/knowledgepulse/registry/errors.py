"""Domain errors of the registry: raised by services and stores, never tied to HTTP.

Each transport maps them once: the HTTP layer in `registry.api.errors` turns them into a
status code and the spec's JSON body; CLIs turn them into exit codes.

    RegistryError
    ├── Invalid            bad input (400); may carry `issues` or extra body fields
    ├── Unauthorized       no valid credential (401)
    ├── PaymentRequired    not enough credits / subscription missing (402)
    ├── Forbidden          credential lacks a right (403)
    ├── NotFound           no such resource, or not visible to the caller (404)
    ├── Conflict           state conflict, e.g. duplicate id (409)
    ├── Unprocessable      well-formed but unusable request (422)
    ├── RateLimited        budget exhausted (429), carries `retry_after`
    └── Unavailable        a backing service is down (503)
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "Conflict",
    "Forbidden",
    "Invalid",
    "NotFound",
    "PaymentRequired",
    "RateLimited",
    "RegistryError",
    "Unauthorized",
    "Unavailable",
    "Unprocessable",
]


class RegistryError(Exception):
    """Base class; `message` becomes the wire `error` field, `extra` adds body fields."""

    status: ClassVar[int] = 500

    def __init__(self, error: str, /, **extra: Any) -> None:
        super().__init__(error)
        self.message = error
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body the spec pins for this error."""
        return {"error": self.message, **self.extra}


class Invalid(RegistryError):
    """The request is malformed or fails validation (HTTP 400)."""

    status = 400


class Unauthorized(RegistryError):
    """No valid credential was presented (HTTP 401)."""

    status = 401


class PaymentRequired(RegistryError):
    """The caller lacks credits or a subscription (HTTP 402)."""

    status = 402


class Forbidden(RegistryError):
    """The credential is valid but lacks the right (HTTP 403)."""

    status = 403


class NotFound(RegistryError):
    """The resource does not exist or is not visible to the caller (HTTP 404)."""

    status = 404


class Conflict(RegistryError):
    """The request conflicts with stored state, e.g. a duplicate id (HTTP 409)."""

    status = 409


class Unprocessable(RegistryError):
    """Well-formed but unusable, e.g. an idempotency key reused with another body (HTTP 422)."""

    status = 422


class RateLimited(RegistryError):
    """The caller's budget is exhausted (HTTP 429); `retry_after` is in whole seconds."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("Rate limit exceeded", retry_after=retry_after)
        self.retry_after = retry_after


class Unavailable(RegistryError):
    """A backing service (database, Redis, JWKS) cannot be reached (HTTP 503)."""

    status = 503
