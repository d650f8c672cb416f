"""Analytics plugin: the summaries summed per township, for district-wide reads.

Revision ID: n002
Revises: n001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n002"
down_revision: str | Sequence[str] | None = "n001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _code(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(15), nullable=False)


def _ints(*names: str) -> list[sa.Column[int]]:
    return [sa.Column(n, sa.Integer(), nullable=False) for n in names]


def upgrade() -> None:
    op.create_table(
        "analytics_tally_up",
        sa.Column("subject", sa.String(16), nullable=False),
        _code("region_code"),
        sa.Column("dim", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "subject", "region_code", "dim", "value", name=op.f("pk_analytics_tally_up")
        ),
    )
    op.create_table(
        "analytics_event_day_up",
        _code("region_code"),
        sa.Column("day", sa.Date(), nullable=False),
        *_ints(
            "reported",
            "due",
            "due_on_time",
            "open_due",
            "closed",
            "rated",
            "rating_sum",
            "supervised",
        ),
        sa.PrimaryKeyConstraint("region_code", "day", name=op.f("pk_analytics_event_day_up")),
    )
    op.create_table(
        "analytics_event_late_up",
        _code("region_code"),
        sa.Column("deadline_day", sa.Date(), nullable=False),
        sa.Column("closed_day", sa.Date(), nullable=False),
        *_ints("n"),
        sa.PrimaryKeyConstraint(
            "region_code", "deadline_day", "closed_day", name=op.f("pk_analytics_event_late_up")
        ),
    )
    # Filled from the per-code summaries by the next refresh: mark everything stale.
    for subject in ("person", "household", "place", "thing", "organization", "event"):
        op.execute(
            f"INSERT INTO analytics_dirty SELECT DISTINCT '{subject}', region_code "
            f"FROM {subject} ON CONFLICT DO NOTHING"
        )


def downgrade() -> None:
    for table in ("analytics_event_late_up", "analytics_event_day_up", "analytics_tally_up"):
        op.drop_table(table)
