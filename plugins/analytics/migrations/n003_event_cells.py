"""Analytics plugin: heat maps of events — located events per month and level-4 BeiDou
cell, a covering index for the days around whole months, and statistics on the cells.

Revision ID: n003
Revises: n002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n003"
down_revision: str | Sequence[str] | None = "n002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the lengths of BeiDou codes of levels 3 to 7, the levels a heat map may bin by
CELL_LENGTHS = (7, 9, 11, 12, 14)


def upgrade() -> None:
    op.create_table(
        "analytics_event_cell_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(15), nullable=False),
        sa.Column("cell", sa.String(9), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "region_code", "cell", "closed", name=op.f("pk_analytics_event_cell_month")
        ),
    )
    # A period's events by an index-only scan: what a heat map (or any count of events by
    # day and area) reads, without the rows' text and geometry.
    op.create_index(
        "ix_event_collected_at_cover",
        "event",
        ["collected_at"],
        postgresql_include=["region_code", "beidou_code", "status", "category_code"],
    )
    # How many cells each level has: without it the planner guesses a group per row and
    # sorts a million rows instead of hashing a thousand groups.
    cells = ", ".join(f"(left(beidou_code, {n}))" for n in CELL_LENGTHS)
    op.execute(f"CREATE STATISTICS event_beidou_cells ON {cells} FROM event")
    op.execute(
        "INSERT INTO analytics_dirty SELECT DISTINCT 'event', region_code FROM event "
        "ON CONFLICT DO NOTHING"
    )


def downgrade() -> None:
    op.execute("DROP STATISTICS IF EXISTS event_beidou_cells")
    op.drop_index("ix_event_collected_at_cover", table_name="event")
    op.drop_table("analytics_event_cell_month")
