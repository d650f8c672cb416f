"""Attendance plugin: indexes for the dashboard's period counts (check-in days, visits,
patrols and findings of a region over a period, read index-only).

Revision ID: a003
Revises: a002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a003"
down_revision: str | Sequence[str] | None = "a002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_attendance_day_day_grid_code": ("attendance_day", "day, grid_code"),
    "ix_attendance_visit_collected_at_region": ("attendance_visit", "collected_at, region_code"),
    "ix_attendance_patrol_started_at_region": ("attendance_patrol", "started_at, region_code"),
    "ix_attendance_patrol_finding_collected_at_region": (
        "attendance_patrol_finding",
        "collected_at, region_code",
    ),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {table} ({columns})")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX {name}")
