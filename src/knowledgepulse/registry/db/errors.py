"""Classify database exceptions without branching on the dialect.

SQLAlchemy wraps driver errors (`IntegrityError`, `OperationalError`, …) whose `.orig` and
`__cause__` chain holds the driver's own exception: `sqlite3.Error` with `sqlite_errorcode`,
or an asyncpg error with a five-character `sqlstate`. Connection failures can also surface as
bare `OSError`/`TimeoutError` from the driver's connect, or as SQLAlchemy's pool `TimeoutError`.
Stores catch `sqlalchemy.exc.DBAPIError` (or `IntegrityError`) and ask these helpers.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import exc as sa_exc

__all__ = [
    "is_check_violation",
    "is_foreign_key_violation",
    "is_unavailable",
    "is_unique_violation",
]

# SQLite extended result codes (https://sqlite.org/rescode.html).
_SQLITE_CONSTRAINT_CHECK = 275
_SQLITE_CONSTRAINT_FOREIGNKEY = 787
_SQLITE_CONSTRAINT_PRIMARYKEY = 1555
_SQLITE_CONSTRAINT_UNIQUE = 2067
# Primary result codes (low byte): busy, locked, cannot open the file.
_SQLITE_UNAVAILABLE_PRIMARY = {5, 6, 14}

_PG_UNIQUE = "23505"
_PG_CHECK = "23514"
_PG_FOREIGN_KEY = "23503"
# 08xxx connection exceptions; too many connections; admin/crash shutdown; starting up.
_PG_UNAVAILABLE = {"53300", "57P01", "57P02", "57P03"}


def is_unique_violation(exc: BaseException) -> bool:
    """True when a UNIQUE or PRIMARY KEY constraint refused the write."""
    return _constraint(exc, _PG_UNIQUE, {_SQLITE_CONSTRAINT_UNIQUE, _SQLITE_CONSTRAINT_PRIMARYKEY})


def is_check_violation(exc: BaseException) -> bool:
    """True when a CHECK constraint (e.g. a non-negative balance) refused the write."""
    return _constraint(exc, _PG_CHECK, {_SQLITE_CONSTRAINT_CHECK})


def is_foreign_key_violation(exc: BaseException) -> bool:
    """True when a FOREIGN KEY constraint refused the write."""
    return _constraint(exc, _PG_FOREIGN_KEY, {_SQLITE_CONSTRAINT_FOREIGNKEY})


def is_unavailable(exc: BaseException) -> bool:
    """True when the database could not be reached or used right now (answer 503, not 500).

    Covers a refused/reset/closed connection, connect and pool timeouts, a server that is
    shutting down or starting up, too many connections, and a locked SQLite file.
    """
    for error in _chain(exc):
        if isinstance(error, sa_exc.TimeoutError | OSError):  # pool timeout; socket errors
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        state = _sqlstate(error)
        if state is not None and (state.startswith("08") or state in _PG_UNAVAILABLE):
            return True
        code = getattr(error, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _SQLITE_UNAVAILABLE_PRIMARY:
            return True
        # asyncpg reports use of a connection the server already closed as a plain
        # InterfaceError with this text (SQLAlchemy's own disconnect check uses it too).
        if type(error).__name__ == "InterfaceError" and "connection is closed" in str(error):
            return True
    return False


def _constraint(exc: BaseException, sqlstate: str, sqlite_codes: set[int]) -> bool:
    for error in _chain(exc):
        if _sqlstate(error) == sqlstate:
            return True
        if getattr(error, "sqlite_errorcode", None) in sqlite_codes:
            return True
    return False


def _sqlstate(error: BaseException) -> str | None:
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return state if isinstance(state, str) else None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, the driver error it wraps, and their causes, each once."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        yield error
        orig = getattr(error, "orig", None)
        pending += [
            orig if isinstance(orig, BaseException) else None,
            error.__cause__,
            error.__context__,
        ]
