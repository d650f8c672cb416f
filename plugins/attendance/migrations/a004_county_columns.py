"""Attendance plugin: the county column of its located tables (visits, patrols, findings),
as the core's large tables have it (core.database.county).

Revision ID: a004
Revises: a003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from core.database.county import add_located_county, drop_county

revision: str = "a004"
down_revision: str | Sequence[str] | None = "a003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0012"

TABLES = ("attendance_visit", "attendance_patrol", "attendance_patrol_finding")


def upgrade() -> None:
    for table in TABLES:
        add_located_county(table)


def downgrade() -> None:
    for table in TABLES:
        drop_county(table, located=True)
