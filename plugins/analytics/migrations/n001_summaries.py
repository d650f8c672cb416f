"""Analytics plugin: dashboard summaries kept current, and assessment weights.

Statement-level triggers (with transition tables, so a COPY of a million rows marks each
region code once) mark the region codes whose records changed; the plugin recomputes
those summaries before it reads them.

Revision ID: n001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("analytics",)
depends_on: str | Sequence[str] | None = ("0006",)

#: table -> summary subject its changes make stale
MARKED = {
    "person": "person",
    "household": "household",
    "place": "place",
    "thing": "thing",
    "organization": "organization",
    "event": "event",
}


def _code(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(15), nullable=False)


def _ints(*names: str) -> list[sa.Column[int]]:
    return [sa.Column(n, sa.Integer(), nullable=False) for n in names]


def upgrade() -> None:
    op.create_table(
        "analytics_tally",
        sa.Column("subject", sa.String(16), nullable=False),
        _code("region_code"),
        sa.Column("dim", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "subject", "region_code", "dim", "value", name=op.f("pk_analytics_tally")
        ),
    )
    op.create_table(
        "analytics_event_day",
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
        sa.PrimaryKeyConstraint("region_code", "day", name=op.f("pk_analytics_event_day")),
    )
    op.create_table(
        "analytics_event_late",
        _code("region_code"),
        sa.Column("deadline_day", sa.Date(), nullable=False),
        sa.Column("closed_day", sa.Date(), nullable=False),
        *_ints("n"),
        sa.PrimaryKeyConstraint(
            "region_code", "deadline_day", "closed_day", name=op.f("pk_analytics_event_late")
        ),
    )
    op.create_table(
        "analytics_event_category_day",
        _code("region_code"),
        sa.Column("category_code", sa.String(48), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_ints("reported"),
        sa.PrimaryKeyConstraint(
            "region_code", "category_code", "day", name=op.f("pk_analytics_event_category_day")
        ),
    )
    op.create_table(
        "analytics_dirty",
        sa.Column("subject", sa.String(16), nullable=False),
        _code("region_code"),
        sa.PrimaryKeyConstraint("subject", "region_code", name=op.f("pk_analytics_dirty")),
    )
    op.create_table(
        "analytics_weight",
        sa.Column("indicator", sa.String(48), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("indicator", name=op.f("pk_analytics_weight")),
    )
    op.create_table(
        "analytics_meta",
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_analytics_meta")),
    )
    op.execute("""
        CREATE FUNCTION analytics_mark() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO analytics_dirty (subject, region_code)
            SELECT DISTINCT TG_ARGV[0], region_code FROM new_rows ORDER BY 2
            ON CONFLICT DO NOTHING;
          END IF;
          IF TG_OP IN ('DELETE', 'UPDATE') THEN
            INSERT INTO analytics_dirty (subject, region_code)
            SELECT DISTINCT TG_ARGV[0], region_code FROM old_rows ORDER BY 2
            ON CONFLICT DO NOTHING;
          END IF;
          RETURN NULL;
        END $$""")
    # Special-group tags have no region of their own: their person's (a deleted person's
    # codes were marked by the person's own trigger).
    op.execute("""
        CREATE FUNCTION analytics_mark_groups() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO analytics_dirty (subject, region_code)
            SELECT DISTINCT 'person', p.region_code FROM new_rows r
              JOIN person p ON p.id = r.person_id ORDER BY 2
            ON CONFLICT DO NOTHING;
          END IF;
          IF TG_OP IN ('DELETE', 'UPDATE') THEN
            INSERT INTO analytics_dirty (subject, region_code)
            SELECT DISTINCT 'person', p.region_code FROM old_rows r
              JOIN person p ON p.id = r.person_id ORDER BY 2
            ON CONFLICT DO NOTHING;
          END IF;
          RETURN NULL;
        END $$""")
    for table, subject in (*MARKED.items(), ("person_special_group", "")):
        function = "analytics_mark_groups()" if not subject else f"analytics_mark('{subject}')"
        for event, referencing in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ):
            op.execute(
                f"CREATE TRIGGER analytics_mark_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}"
            )
    # Everything present is stale: the first read (or `gridgov analytics refresh`) fills in.
    for table, subject in MARKED.items():
        op.execute(
            f"INSERT INTO analytics_dirty SELECT DISTINCT '{subject}', region_code FROM {table}"
        )


def downgrade() -> None:
    for table in (*MARKED, "person_special_group"):
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER analytics_mark_{event} ON {table}")
    op.execute("DROP FUNCTION analytics_mark_groups()")
    op.execute("DROP FUNCTION analytics_mark()")
    for table in (
        "analytics_meta",
        "analytics_weight",
        "analytics_dirty",
        "analytics_event_category_day",
        "analytics_event_late",
        "analytics_event_day",
        "analytics_tally",
    ):
        op.drop_table(table)
