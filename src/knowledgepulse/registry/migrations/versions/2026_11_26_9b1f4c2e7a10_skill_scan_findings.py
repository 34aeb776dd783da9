"""Skill scan results: the security scanner's verdict and findings kept with each skill.

Revision ID: 9b1f4c2e7a10
Revises: 5c0e3a1d9f42
Create Date: 2026-11-26 01:10:00.000000

Suspicious skills are accepted with warnings; their findings stay on the row so an admin
can review them (`GET /v1/admin/skills/flagged`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from knowledgepulse.registry.db import types as kp_types

revision: str = "9b1f4c2e7a10"
down_revision: str | None = "5c0e3a1d9f42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("skills") as batch:
        batch.add_column(
            sa.Column("scan_verdict", kp_types.Ident(), server_default="clean", nullable=False)
        )
        batch.add_column(sa.Column("scan_score", sa.Double(), server_default="0", nullable=False))
        batch.add_column(sa.Column("scan_findings", kp_types.JSONDocument(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_skills_scan_verdict_enum"), "scan_verdict IN ('clean', 'suspicious', 'reject')"
        )
        batch.create_index(op.f("ix_skills_scan_verdict"), ["scan_verdict"])


def downgrade() -> None:
    with op.batch_alter_table("skills") as batch:
        batch.drop_index(op.f("ix_skills_scan_verdict"))
        batch.drop_constraint(op.f("ck_skills_scan_verdict_enum"), type_="check")
        batch.drop_column("scan_findings")
        batch.drop_column("scan_score")
        batch.drop_column("scan_verdict")
