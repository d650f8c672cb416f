"""Open events by place: a partial GiST index on the geometry of events not closed.

The events map layer shows the open events by default; in a year of a county most events
are closed (nine in ten), so a tile over a town searched the whole geometry index and
threw most of it away. This index holds the open ones only.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_event_open_geom",
        "event",
        ["geom"],
        postgresql_using="gist",
        postgresql_where=sa.text("status <> 'closed'"),
    )


def downgrade() -> None:
    op.drop_index("ix_event_open_geom", table_name="event")
