"""Sample plugin: its own table, on its own branch.

Revision ID: s001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("sample",)
depends_on: str | Sequence[str] | None = ("0001",)


def upgrade() -> None:
    op.create_table(
        "sample_note",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("text", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sample_note")
