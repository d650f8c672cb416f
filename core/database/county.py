"""The county column of large tables: every row carries its county's six digits, so that
a county's rows can live together (one shard group on Citus, docs/citus.md).

A located table's county is its region code's first six digits (kept when the row is
left outside every region: ``COUNTY_OF_REGION``); a table hanging off another (an event's
steps, a person's special groups) copies its parent's. The application writes it on every
insert — it cannot be computed in the database, because Citus routes a row by it before
any trigger runs. These statements add it to existing tables in migrations.
"""

from __future__ import annotations

from alembic import op

from core.models.base import COUNTY_OF_REGION


def add_located_county(table: str) -> None:
    """Add ``county`` to a located table, filled from its region codes, and its check."""
    op.execute(f"ALTER TABLE {table} ADD COLUMN county varchar(6) NOT NULL DEFAULT ''")
    op.execute(f"UPDATE {table} SET county = left(region_code, 6) WHERE region_code <> ''")
    op.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_county_of_region CHECK ({COUNTY_OF_REGION})"
    )


def add_child_county(
    table: str, parent: str, key: str, append_only_trigger: str | None = None
) -> None:
    """Add ``county`` to a table whose rows belong to a ``parent`` row (``key`` names it),
    copied from the parent; an append-only table's trigger is held off meanwhile."""
    op.execute(f"ALTER TABLE {table} ADD COLUMN county varchar(6) NOT NULL DEFAULT ''")
    if append_only_trigger:
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {append_only_trigger}")
    op.execute(
        f"UPDATE {table} c SET county = p.county FROM {parent} p "
        f"WHERE p.id = c.{key} AND p.county <> ''"
    )
    if append_only_trigger:
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {append_only_trigger}")


def drop_county(table: str, located: bool = False) -> None:
    if located:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT ck_{table}_county_of_region")
    op.execute(f"ALTER TABLE {table} DROP COLUMN county")
