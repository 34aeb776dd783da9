"""Portable column types: one Python value type per column, identical on SQLite and PostgreSQL.

Choices (see also data-model.md §2.2, §2.6 and §18):

* `UtcTimestamp` stores the wire's own text form, `YYYY-MM-DDTHH:MM:SS.mmmZ`, on both
  dialects and hands Python an aware UTC `datetime`. The text is fixed-width, zero-padded and
  always UTC, so byte order is time order: `ORDER BY`, `<`, `MIN` and range filters behave the
  same in both engines (SQLite has no datetime type, and a `TIMESTAMPTZ`-on-PostgreSQL variant
  would need two comparison paths and keep microseconds the wire cannot show). Server-side
  `now()` defaults are deliberately absent: the services' injected clock is the only time source.
* `CreditAmount` keeps credits exact as a 64-bit integer count of micro-credits (6 decimal
  places) and hands Python a `Decimal`. Numeric is not exact on SQLite (it stores REAL), and
  the wire accepts fractional prices, so whole credits would not do. Scores stay binary64
  floats (`sa.Double`) because the wire pins their float artefacts.
* `JSONDocument` is JSONB on PostgreSQL and compact JSON text (TEXT affinity) on SQLite.
  Filters never look inside it; they use denormalised columns. `OrderedJSONDocument` is
  the same but JSON on PostgreSQL, for documents whose object key order must survive.
* `Ident` is TEXT compared bytewise on both dialects (`COLLATE "C"` on PostgreSQL), so ties
  broken by id, and ids used as cursors, sort the same everywhere.
* `SequenceId` is an auto-increment surrogate key: BIGINT on PostgreSQL, INTEGER on SQLite
  (only `INTEGER PRIMARY KEY` is a rowid alias there).
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "CREDIT_SCALE",
    "TIMESTAMP_LENGTH",
    "CreditAmount",
    "Ident",
    "JSONDocument",
    "OrderedJSONDocument",
    "SequenceId",
    "UtcTimestamp",
    "dumps_json",
    "format_timestamp",
    "loads_json",
    "parse_timestamp",
    "to_credit_units",
]

TIMESTAMP_LENGTH = 24
CREDIT_SCALE = 6
_CREDIT_FACTOR = Decimal(10) ** CREDIT_SCALE
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def format_timestamp(value: datetime) -> str:
    """Render an aware datetime as `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, truncated to milliseconds."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    utc = value.astimezone(UTC)
    # Built field by field: strftime("%Y") does not zero-pad years below 1000 on glibc.
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def parse_timestamp(text: str) -> datetime:
    """Parse the canonical `YYYY-MM-DDTHH:MM:SS.mmmZ` form into an aware UTC datetime."""
    if not _TIMESTAMP_RE.fullmatch(text):
        raise ValueError(f"not a canonical UTC timestamp: {text!r}")
    # fromisoformat reads this exact form (3.11+) about 20 times faster than strptime.
    return datetime.fromisoformat(text)


def dumps_json(value: Any) -> str:
    """Serialise a JSON document compactly; NaN and infinities are refused (JSON has none)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def loads_json(text: str | bytes) -> Any:
    """Parse a JSON document stored by `dumps_json`."""
    return json.loads(text)


def to_credit_units(value: Decimal | int | float | str) -> int:
    """Convert a credit amount to whole micro-credits; raise ValueError if it is not exact."""
    if isinstance(value, bool):
        raise TypeError("a credit amount cannot be a bool")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a credit amount must be finite")
        # repr() is the shortest text that round-trips, i.e. the number the client sent.
        value = repr(value)
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a credit amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError("a credit amount must be finite")
    units = amount * _CREDIT_FACTOR
    if units != units.to_integral_value():
        raise ValueError(f"credit amounts have at most {CREDIT_SCALE} decimal places: {value}")
    return int(units)


class UtcTimestamp(TypeDecorator[datetime]):
    """An instant stored as canonical UTC text; binds aware datetimes or canonical strings."""

    impl = sa.String(TIMESTAMP_LENGTH)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Use bytewise collation on PostgreSQL so comparisons match SQLite's."""
        if dialect.name == "postgresql":
            return sa.String(TIMESTAMP_LENGTH, collation="C")
        return sa.String(TIMESTAMP_LENGTH)

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Format datetimes; accept already-canonical strings unchanged."""
        if value is None:
            return None
        if isinstance(value, datetime):
            return format_timestamp(value)
        if isinstance(value, str):
            parse_timestamp(value)
            return value
        raise TypeError(f"expected an aware datetime or canonical string, got {type(value)!r}")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        return None if value is None else parse_timestamp(value)


class CreditAmount(TypeDecorator[Decimal]):
    """An exact credit amount stored as BIGINT micro-credits and returned as a Decimal."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        """Scale to micro-credits, refusing amounts with more than six decimal places."""
        return None if value is None else to_credit_units(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """Scale back to credits (PostgreSQL returns SUM() of BIGINT as a Decimal already)."""
        return None if value is None else Decimal(value) / _CREDIT_FACTOR


class JSONDocument(TypeDecorator[Any]):
    """A JSON document: JSONB on PostgreSQL, compact JSON text on SQLite; SQL NULL for None."""

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """JSONB on PostgreSQL; TEXT elsewhere, so SQLite never coerces a document to a number."""
        if dialect.name == "postgresql":
            return postgresql.JSONB(none_as_null=True)
        return sa.Text()

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Serialise on SQLite; JSONB serialises with the engine's `json_serializer`."""
        if value is None or dialect.name == "postgresql":
            return value
        return dumps_json(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Parse on SQLite; asyncpg's JSONB codec has parsed it already on PostgreSQL."""
        if value is None or dialect.name == "postgresql":
            return value
        return loads_json(value)


class OrderedJSONDocument(JSONDocument):
    """A JSON document whose object keys keep their order: JSON (text) on PostgreSQL.

    JSONB re-orders object keys (shorter keys first), so a document whose key order carries
    meaning, such as an SOP whose criteria and conditions are rendered as ordered lists,
    would read back differently on PostgreSQL than on SQLite. Same Python values as
    `JSONDocument`; filters never look inside either.
    """

    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """JSON on PostgreSQL (keeps the text as written); TEXT elsewhere."""
        if dialect.name == "postgresql":
            return postgresql.JSON(none_as_null=True)
        return sa.Text()


class Ident(TypeDecorator[str]):
    """Identifier text that sorts and compares bytewise on both dialects."""

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """`COLLATE "C"` on PostgreSQL; SQLite's default BINARY collation already is bytewise."""
        if dialect.name == "postgresql":
            return sa.Text(collation="C")
        return sa.Text()


class SequenceId(TypeDecorator[int]):
    """An auto-increment surrogate key: BIGINT on PostgreSQL, INTEGER (the rowid) on SQLite."""

    impl = sa.BigInteger
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """SQLite only aliases the rowid for a column declared exactly `INTEGER`."""
        if dialect.name == "sqlite":
            return sa.Integer()
        return sa.BigInteger()
