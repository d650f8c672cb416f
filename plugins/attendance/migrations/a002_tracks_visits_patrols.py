"""Attendance plugin: GPS fixes (partitioned by month; partitions are created as fixes
arrive), per-day track figures, visits with photos, patrols and their findings.

Revision ID: a002
Revises: a001
Create Date: 2026-11-25 17:00:10.593553
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "a002"
down_revision: str | Sequence[str] | None = "a001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendance_fix",
        sa.Column("worker_id", sa.BigInteger(), nullable=False),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.REAL(), nullable=True),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["account.id"], name=op.f("fk_attendance_fix_worker_id_account")
        ),
        # The fixes ride in the key's index: a worker-day's playback is an index-only scan
        # of a few adjacent pages, however the uploads interleaved in the heap.
        sa.PrimaryKeyConstraint(
            "worker_id",
            "fixed_at",
            name=op.f("pk_attendance_fix"),
            postgresql_include=["lon", "lat", "accuracy_m"],
        ),
        postgresql_partition_by="RANGE (fixed_at)",
    )
    op.create_table(
        "attendance_track_day",
        sa.Column("worker_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("computed_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fixes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("distance_m", sa.Float(), server_default="0", nullable=False),
        sa.Column("inside_s", sa.Float(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["account.id"], name=op.f("fk_attendance_track_day_worker_id_account")
        ),
        sa.PrimaryKeyConstraint("worker_id", "day", name=op.f("pk_attendance_track_day")),
    )
    op.create_geospatial_table(
        "attendance_patrol",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("worker_id", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("computed_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("region_code", sa.String(length=15), server_default="", nullable=False),
        sa.Column("beidou_code", sa.String(length=20), nullable=True),
        sa.Column("time_code", sa.String(length=14), nullable=True),
        sa.Column(
            "collected_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("grid_id", sa.BigInteger(), nullable=True),
        sa.Column("collected_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["collected_by"], ["account.id"], name=op.f("fk_attendance_patrol_collected_by_account")
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_attendance_patrol_grid_id_grid")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["account.id"], name=op.f("fk_attendance_patrol_worker_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_patrol")),
    )
    op.create_index(
        "ix_attendance_patrol_beidou_code", "attendance_patrol", ["beidou_code"], unique=False
    )
    op.create_geospatial_index(
        "ix_attendance_patrol_geom",
        "attendance_patrol",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_attendance_patrol_grid_id", "attendance_patrol", ["grid_id"], unique=False)
    op.create_index(
        "ix_attendance_patrol_region_code_id",
        "attendance_patrol",
        ["region_code", "id"],
        unique=False,
    )
    op.create_index(
        "ix_attendance_patrol_time_code", "attendance_patrol", ["time_code"], unique=False
    )
    op.create_index(
        "ix_attendance_patrol_worker_id_started_at",
        "attendance_patrol",
        ["worker_id", "started_at"],
        unique=False,
    )
    op.create_index(
        "uq_attendance_patrol_open",
        "attendance_patrol",
        ["worker_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_geospatial_table(
        "attendance_patrol_finding",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("patrol_id", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("region_code", sa.String(length=15), server_default="", nullable=False),
        sa.Column("beidou_code", sa.String(length=20), nullable=True),
        sa.Column("time_code", sa.String(length=14), nullable=True),
        sa.Column(
            "collected_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("grid_id", sa.BigInteger(), nullable=True),
        sa.Column("collected_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["collected_by"],
            ["account.id"],
            name=op.f("fk_attendance_patrol_finding_collected_by_account"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_attendance_patrol_finding_event_id_event")
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_attendance_patrol_finding_grid_id_grid")
        ),
        sa.ForeignKeyConstraint(
            ["patrol_id"],
            ["attendance_patrol.id"],
            name=op.f("fk_attendance_patrol_finding_patrol_id_attendance_patrol"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_patrol_finding")),
    )
    op.create_index(
        "ix_attendance_patrol_finding_beidou_code",
        "attendance_patrol_finding",
        ["beidou_code"],
        unique=False,
    )
    op.create_geospatial_index(
        "ix_attendance_patrol_finding_geom",
        "attendance_patrol_finding",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_attendance_patrol_finding_grid_id",
        "attendance_patrol_finding",
        ["grid_id"],
        unique=False,
    )
    op.create_index(
        "ix_attendance_patrol_finding_patrol_id",
        "attendance_patrol_finding",
        ["patrol_id"],
        unique=False,
    )
    op.create_index(
        "ix_attendance_patrol_finding_region_code_id",
        "attendance_patrol_finding",
        ["region_code", "id"],
        unique=False,
    )
    op.create_index(
        "ix_attendance_patrol_finding_time_code",
        "attendance_patrol_finding",
        ["time_code"],
        unique=False,
    )
    op.create_index(
        "uq_attendance_patrol_finding_event_id",
        "attendance_patrol_finding",
        ["event_id"],
        unique=True,
    )
    op.create_geospatial_table(
        "attendance_visit",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("worker_id", sa.BigInteger(), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=True),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("region_code", sa.String(length=15), server_default="", nullable=False),
        sa.Column("beidou_code", sa.String(length=20), nullable=True),
        sa.Column("time_code", sa.String(length=14), nullable=True),
        sa.Column(
            "collected_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("grid_id", sa.BigInteger(), nullable=True),
        sa.Column("collected_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["collected_by"], ["account.id"], name=op.f("fk_attendance_visit_collected_by_account")
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_attendance_visit_grid_id_grid")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_attendance_visit_household_id_household"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_attendance_visit_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["account.id"], name=op.f("fk_attendance_visit_worker_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_visit")),
    )
    op.create_index(
        "ix_attendance_visit_beidou_code", "attendance_visit", ["beidou_code"], unique=False
    )
    op.create_geospatial_index(
        "ix_attendance_visit_geom",
        "attendance_visit",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_attendance_visit_grid_id", "attendance_visit", ["grid_id"], unique=False)
    op.create_index(
        "ix_attendance_visit_region_code_id",
        "attendance_visit",
        ["region_code", "id"],
        unique=False,
    )
    op.create_index(
        "ix_attendance_visit_time_code", "attendance_visit", ["time_code"], unique=False
    )
    op.create_index(
        "ix_attendance_visit_worker_id_collected_at",
        "attendance_visit",
        ["worker_id", "collected_at"],
        unique=False,
    )
    op.create_table(
        "attendance_visit_photo",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("visit_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["attendance_visit.id"],
            name=op.f("fk_attendance_visit_photo_visit_id_attendance_visit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_visit_photo")),
    )
    op.create_index(
        op.f("ix_attendance_visit_photo_key"), "attendance_visit_photo", ["key"], unique=False
    )
    op.create_index(
        op.f("ix_attendance_visit_photo_visit_id"),
        "attendance_visit_photo",
        ["visit_id"],
        unique=False,
    )


def downgrade() -> None:
    for table in (
        "attendance_visit_photo",
        "attendance_visit",
        "attendance_patrol_finding",
        "attendance_patrol",
        "attendance_track_day",
        "attendance_fix",  # drops its partitions with it
    ):
        op.drop_table(table)
