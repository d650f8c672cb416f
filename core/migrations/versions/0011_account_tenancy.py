"""County tenancy: every account belongs to a county, a level above it, or the whole
deployment (``account.tenancy``, a division-code prefix of 6, 4, 2 or 0 digits).

Existing accounts get the county of their region, else of their department, else of the
grids they work, else the whole deployment.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PATTERN = "^([0-9]{2}|[0-9]{4}|[0-9]{6})?$"


def upgrade() -> None:
    op.add_column("account", sa.Column("tenancy", sa.String(6), server_default="", nullable=False))
    op.execute("""
        UPDATE account a SET tenancy = coalesce(
            left(a.region_code, 6),
            (SELECT left(d.region_code, 6) FROM department d WHERE d.code = a.department_code),
            (SELECT min(left(g.code, 6)) FROM grid g
             WHERE g.worker_id = a.id AND g.valid_to IS NULL),
            '')
    """)
    op.create_check_constraint(
        op.f("ck_account_tenancy_format"), "account", f"tenancy ~ '{PATTERN}'"
    )
    op.create_check_constraint(
        op.f("ck_account_region_in_tenancy"),
        "account",
        "region_code IS NULL OR left(region_code, length(tenancy)) = tenancy",
    )
    op.create_index(
        "ix_account_tenancy",
        "account",
        ["tenancy"],
        postgresql_ops={"tenancy": "varchar_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_account_tenancy", table_name="account")
    op.drop_constraint(op.f("ck_account_region_in_tenancy"), "account", type_="check")
    op.drop_constraint(op.f("ck_account_tenancy_format"), "account", type_="check")
    op.drop_column("account", "tenancy")
