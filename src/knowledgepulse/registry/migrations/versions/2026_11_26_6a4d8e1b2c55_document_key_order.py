"""Knowledge units and skill files keep their key order on PostgreSQL (JSON, not JSONB).

Revision ID: 6a4d8e1b2c55
Revises: 3d7e2a9c4f18
Create Date: 2026-11-26 02:25:00.000000

A contributed document should read back as it was written on every backend; JSONB
re-orders object keys, SQLite keeps the text. Filters never look inside these columns
(they use denormalised ones), so nothing needs JSONB's operators. Rows written before this
revision keep the order JSONB gave them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "6a4d8e1b2c55"
down_revision: str | None = "3d7e2a9c4f18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (("knowledge_units", "unit_json"), ("skills", "files"))


def _retype(to_jsonb: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    new, old = postgresql.JSONB(none_as_null=True), postgresql.JSON(none_as_null=True)
    if not to_jsonb:
        new, old = old, new
    for table, column in _COLUMNS:
        op.alter_column(
            table,
            column,
            type_=new,
            existing_type=old,
            existing_nullable=False,
            postgresql_using=f"{column}::{'jsonb' if to_jsonb else 'json'}",
        )


def upgrade() -> None:
    _retype(to_jsonb=False)


def downgrade() -> None:
    _retype(to_jsonb=True)
