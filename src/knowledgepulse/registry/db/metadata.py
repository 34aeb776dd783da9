"""The single `MetaData` every table belongs to, with deterministic constraint names."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

__all__ = ["NAMING_CONVENTION", "enum_check", "metadata"]

# Explicit names make migrations reproducible on both dialects: SQLite and PostgreSQL would
# otherwise invent different names, and Alembic could not drop or compare them reliably.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def enum_check(column: str, values: Iterable[str]) -> sa.CheckConstraint:
    """A CHECK constraint named `<column>_enum` that limits a text column to `values`."""
    allowed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_enum")
