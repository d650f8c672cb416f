"""A county column on the large tables: people, households, places, things,
organizations and events (from their region codes), and the rows hanging off them —
event steps and attachments, people's special groups (from their parent). The
application writes it from now on (core.database.county).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from core.database.county import add_child_county, add_located_county, drop_county

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCATED = ("place", "household", "person", "thing", "organization", "event")
CHILDREN = (
    ("event_trace", "event", "event_id", "event_trace_append_only"),
    ("event_attachment", "event", "event_id", None),
    ("person_special_group", "person", "person_id", None),
)


def upgrade() -> None:
    for table in LOCATED:
        add_located_county(table)
    for table, parent, key, trigger in CHILDREN:
        add_child_county(table, parent, key, trigger)


def downgrade() -> None:
    for table, *_ in CHILDREN:
        drop_county(table)
    for table in LOCATED:
        drop_county(table, located=True)
