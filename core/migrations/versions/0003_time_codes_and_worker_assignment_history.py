"""Time codes on located records; history of grid-worker assignments.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grid_worker_assignment",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("worker_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "valid_from",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_by", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from",
            name=op.f("ck_grid_worker_assignment_validity"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by"],
            ["account.id"],
            name=op.f("fk_grid_worker_assignment_assigned_by_account"),
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["account.id"], name=op.f("fk_grid_worker_assignment_worker_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_worker_assignment")),
    )
    op.create_index(
        "ix_grid_worker_assignment_grid_code", "grid_worker_assignment", ["grid_code"], unique=False
    )
    op.create_index(
        "ix_grid_worker_assignment_worker_id", "grid_worker_assignment", ["worker_id"], unique=False
    )
    op.create_index(
        "uq_grid_worker_assignment_current",
        "grid_worker_assignment",
        ["grid_code"],
        unique=True,
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.add_column("household", sa.Column("time_code", sa.String(length=14), nullable=True))
    op.create_index(
        "ix_household_time_code",
        "household",
        ["time_code"],
        unique=False,
        postgresql_ops={"time_code": "varchar_pattern_ops"},
    )
    op.add_column("organization", sa.Column("time_code", sa.String(length=14), nullable=True))
    op.create_index(
        "ix_organization_time_code",
        "organization",
        ["time_code"],
        unique=False,
        postgresql_ops={"time_code": "varchar_pattern_ops"},
    )
    op.add_column("person", sa.Column("time_code", sa.String(length=14), nullable=True))
    op.create_index(
        "ix_person_time_code",
        "person",
        ["time_code"],
        unique=False,
        postgresql_ops={"time_code": "varchar_pattern_ops"},
    )
    op.add_column("place", sa.Column("time_code", sa.String(length=14), nullable=True))
    op.create_index(
        "ix_place_time_code",
        "place",
        ["time_code"],
        unique=False,
        postgresql_ops={"time_code": "varchar_pattern_ops"},
    )
    op.add_column("thing", sa.Column("time_code", sa.String(length=14), nullable=True))
    op.create_index(
        "ix_thing_time_code",
        "thing",
        ["time_code"],
        unique=False,
        postgresql_ops={"time_code": "varchar_pattern_ops"},
    )
    # The current workers of existing grids start their history now.
    op.execute(
        "INSERT INTO grid_worker_assignment (grid_code, worker_id, valid_from) "
        "SELECT code, worker_id, valid_from FROM grid "
        "WHERE valid_to IS NULL AND worker_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index(
        "ix_thing_time_code",
        table_name="thing",
        postgresql_ops={"time_code": "varchar_pattern_ops"},
    )
    op.drop_column("thing", "time_code")
    op.drop_index(
        "ix_place_time_code",
        table_name="place",
        postgresql_ops={"time_code": "varchar_pattern_ops"},
    )
    op.drop_column("place", "time_code")
    op.drop_index(
        "ix_person_time_code",
        table_name="person",
        postgresql_ops={"time_code": "varchar_pattern_ops"},
    )
    op.drop_column("person", "time_code")
    op.drop_index(
        "ix_organization_time_code",
        table_name="organization",
        postgresql_ops={"time_code": "varchar_pattern_ops"},
    )
    op.drop_column("organization", "time_code")
    op.drop_index(
        "ix_household_time_code",
        table_name="household",
        postgresql_ops={"time_code": "varchar_pattern_ops"},
    )
    op.drop_column("household", "time_code")
    op.drop_index(
        "uq_grid_worker_assignment_current",
        table_name="grid_worker_assignment",
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.drop_index("ix_grid_worker_assignment_worker_id", table_name="grid_worker_assignment")
    op.drop_index("ix_grid_worker_assignment_grid_code", table_name="grid_worker_assignment")
    op.drop_table("grid_worker_assignment")
