"""Early-warning plugin: the thresholds (with the default rule: 3 open reports of one
category within 200 m and 72 hours), the warnings raised and their members.

Revision ID: w001
Revises:
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "w001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("early_warning",)
depends_on: str | Sequence[str] | None = ("0006",)


def upgrade() -> None:
    op.create_table(
        "warning_rule",
        sa.Column("category_code", sa.String(48), nullable=False),
        sa.Column("radius_m", sa.Integer(), nullable=False),
        sa.Column("window_hours", sa.Integer(), nullable=False),
        sa.Column("min_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("radius_m BETWEEN 10 AND 5000", name=op.f("ck_warning_rule_radius_m")),
        sa.CheckConstraint(
            "window_hours BETWEEN 1 AND 720", name=op.f("ck_warning_rule_window_hours")
        ),
        sa.CheckConstraint("min_count BETWEEN 2 AND 50", name=op.f("ck_warning_rule_min_count")),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["account.id"], name=op.f("fk_warning_rule_updated_by_account")
        ),
        sa.PrimaryKeyConstraint("category_code", name=op.f("pk_warning_rule")),
    )
    op.execute(
        "INSERT INTO warning_rule (category_code, radius_m, window_hours, min_count) "
        "VALUES ('*', 200, 72, 3)"
    )
    op.create_table(
        "warning",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("category_code", sa.String(48), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("region_code", sa.String(15), nullable=False),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "raised_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("merged_into_id", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'closed', 'merged')", name=op.f("ck_warning_status")
        ),
        sa.CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)",
            name=op.f("ck_warning_merged_into"),
        ),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["event_category.code"],
            name=op.f("fk_warning_category_code_event_category"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["warning.id"], name=op.f("fk_warning_merged_into_id_warning")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning")),
    )
    op.create_index("ix_warning_status_id", "warning", ["status", "id"])
    op.create_index("ix_warning_category_code_status", "warning", ["category_code", "status"])
    op.create_index("ix_warning_geom", "warning", ["geom"], postgresql_using="gist")
    op.create_table(
        "warning_member",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("warning_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "joined_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_warning_member_event_id_event")
        ),
        sa.ForeignKeyConstraint(
            ["warning_id"], ["warning.id"], name=op.f("fk_warning_member_warning_id_warning")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_warning_member")),
    )
    op.create_index("ix_warning_member_warning_id", "warning_member", ["warning_id"])


def downgrade() -> None:
    op.drop_table("warning_member")
    op.drop_table("warning")
    op.drop_table("warning_rule")
