"""Region codes are never null; code indexes serve range scans and (region, id) order.

Prefix queries are written as ranges (``code >= p AND code < next(p)``) because a
parameterised ``LIKE $1 || '%'`` cannot use an index in a prepared statement's generic
plan; lists of located records are ordered by (region_code, id) so a region's page is one
index range scan.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("person", "household", "place", "thing", "organization")


def upgrade() -> None:
    for t in TABLES:
        op.execute(f"UPDATE {t} SET region_code = '' WHERE region_code IS NULL")
        op.execute(
            f"ALTER TABLE {t} ALTER COLUMN region_code SET DEFAULT '', "
            "ALTER COLUMN region_code SET NOT NULL"
        )
        for column in ("region_code", "beidou_code", "time_code"):
            op.drop_index(f"ix_{t}_{column}", table_name=t)
        op.create_index(f"ix_{t}_region_code_id", t, ["region_code", "id"])
        op.create_index(f"ix_{t}_beidou_code", t, ["beidou_code"])
        op.create_index(f"ix_{t}_time_code", t, ["time_code"])


def downgrade() -> None:
    for t in TABLES:
        for column in ("beidou_code", "time_code"):
            op.drop_index(f"ix_{t}_{column}", table_name=t)
            op.create_index(
                f"ix_{t}_{column}", t, [column], postgresql_ops={column: "varchar_pattern_ops"}
            )
        op.drop_index(f"ix_{t}_region_code_id", table_name=t)
        op.create_index(
            f"ix_{t}_region_code",
            t,
            ["region_code"],
            postgresql_ops={"region_code": "varchar_pattern_ops"},
        )
        op.execute(
            f"ALTER TABLE {t} ALTER COLUMN region_code DROP NOT NULL, "
            "ALTER COLUMN region_code DROP DEFAULT"
        )
