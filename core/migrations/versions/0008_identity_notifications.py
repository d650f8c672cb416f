"""Tell every server process when what request actors are built from changes.

Servers keep each account's actor (role, region, department, a worker's grids, the reach
from grants) between requests (authz/identity_cache.py). These triggers publish
``identity`` on the pub/sub channel whenever an account's identity columns, the current
grids or their workers, or the grants change — by the API, the CLI, a migration or by
hand — and each process's listener drops its cache on it. Statement-level and without
payload: identical notifications in one transaction are delivered once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The pub/sub message format of core/pubsub.py: channel "gridgov", {"topic", "payload"}.
FUNCTION = """
CREATE FUNCTION gridgov_identity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gridgov', '{"topic":"identity","payload":{}}');
    RETURN NULL;
END
$$
"""

TRIGGERS = {
    "account": "UPDATE OF username, role, region_code, department_code, is_active OR DELETE",
    "grid": "INSERT OR UPDATE OF code, worker_id, valid_to OR DELETE",
    "department_grant": "INSERT OR UPDATE OR DELETE",
    "authz_version": "INSERT OR UPDATE OR DELETE",
}


def upgrade() -> None:
    op.execute(FUNCTION)
    for table, events in TRIGGERS.items():
        for name, when in (
            (f"{table}_identity", events),
            (f"{table}_identity_truncate", "TRUNCATE"),
        ):
            op.execute(
                f"CREATE TRIGGER {name} AFTER {when} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION gridgov_identity_changed()"
            )


def downgrade() -> None:
    for table in TRIGGERS:
        op.execute(f"DROP TRIGGER {table}_identity_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_identity ON {table}")
    op.execute("DROP FUNCTION gridgov_identity_changed()")
