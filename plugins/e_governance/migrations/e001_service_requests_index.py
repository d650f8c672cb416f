"""E-governance plugin: an index over residents' service requests (the ``service.*`` event
categories) that the dashboard's panel reads index-only.

Revision ID: e001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("e_governance",)
depends_on: str | Sequence[str] | None = ("0006",)


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_event_service_requests ON event (region_code, collected_at) "
        "INCLUDE (status, deadline_at, closed_at, rating) "
        "WHERE category_code >= 'service.' AND category_code < 'service/'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_event_service_requests")
