"""SOP bodies keep their key order on PostgreSQL: `sops.sop_json` becomes JSON, not JSONB.

Revision ID: 3d7e2a9c4f18
Revises: 9b1f4c2e7a10
Create Date: 2026-11-26 02:10:00.000000

JSONB re-orders object keys, so an SOP's `criteria` and `conditions` came back in another
order than the author wrote them, and the SKILL.md export (registry-api.md §8.7) rendered
them differently than on SQLite. The column type is now `OrderedJSONDocument`. SQLite
already stores the text as written: nothing changes there. Rows written before this
revision keep the order JSONB gave them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3d7e2a9c4f18"
down_revision: str | None = "9b1f4c2e7a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "sops",
            "sop_json",
            type_=postgresql.JSON(none_as_null=True),
            existing_type=postgresql.JSONB(none_as_null=True),
            existing_nullable=False,
            postgresql_using="sop_json::json",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "sops",
            "sop_json",
            type_=postgresql.JSONB(none_as_null=True),
            existing_type=postgresql.JSON(none_as_null=True),
            existing_nullable=False,
            postgresql_using="sop_json::jsonb",
        )
