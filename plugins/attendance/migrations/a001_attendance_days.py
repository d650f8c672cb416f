"""Attendance plugin: daily check-in and check-out of grid workers.

Revision ID: a001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "a001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("attendance",)
depends_on: str | Sequence[str] | None = ("0006",)


def upgrade() -> None:
    op.create_table(
        "attendance_day",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("worker_id", sa.BigInteger(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("grid_code", sa.String(15)),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("check_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "check_in_geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False
        ),
        sa.Column("check_in_distance_m", sa.Float(), nullable=False),
        sa.Column("check_in_flagged", sa.Boolean(), nullable=False),
        sa.Column("check_out_at", sa.DateTime(timezone=True)),
        sa.Column("check_out_geom", Geometry("POINT", srid=4326, spatial_index=False)),
        sa.Column("check_out_distance_m", sa.Float()),
        sa.Column("check_out_flagged", sa.Boolean()),
    )
    op.create_index(
        "uq_attendance_day_worker_day", "attendance_day", ["worker_id", "day"], unique=True
    )


def downgrade() -> None:
    op.drop_table("attendance_day")
