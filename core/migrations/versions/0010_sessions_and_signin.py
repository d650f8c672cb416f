"""Sessions that end, sign-in that resists guessing, accounts an administrator can run.

- ``account_session``: one row per login; a token names its session (``sid``). Ending a
  session (logout, a password change or reset, a disabled account) notifies ``identity``
  (caches drop it) and ``session_ended`` (open WebSockets of that session close, 4403).
- ``login_attempt``: every sign-in attempt, append-only; throttling counts its failures.
- ``password_reset``: one-time codes (their SHA-256) an administrator hands out.
- ``account_admin_log``: each administrator's change to an account, before and after,
  append-only.
- ``account.password_changed_at``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SESSION_ENDS = (
    "logout",
    "logout_everywhere",
    "ended_by_owner",
    "password_changed",
    "password_reset",
    "disabled",
    "ended_by_admin",
)
OUTCOMES = ("success", "failed", "throttled", "disabled")
ACTIONS = ("create", "update", "disable", "enable", "reset_password", "end_sessions")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


SESSION_ENDED = """
CREATE FUNCTION gridgov_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gridgov', json_build_object(
    'topic', 'session_ended',
    'payload', json_build_object('account', NEW.account_id, 'session', NEW.id))::text);
  RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.add_column("account", sa.Column("password_changed_at", sa.DateTime(timezone=True)))
    op.create_table(
        "account_session",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("account_id", sa.BigInteger(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("end_reason", sa.String(24)),
        sa.Column("address", sa.String(45)),
        sa.Column("user_agent", sa.String(200)),
        sa.CheckConstraint(_in("end_reason", SESSION_ENDS), name="end_reason"),
        sa.CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="ended_with_reason"),
    )
    op.create_index(
        "ix_account_session_open",
        "account_session",
        ["account_id"],
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("username", sa.String(63), nullable=False),
        sa.Column("account_id", sa.BigInteger(), sa.ForeignKey("account.id")),
        sa.Column("address", sa.String(45), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.CheckConstraint(_in("outcome", OUTCOMES), name="outcome"),
    )
    op.create_index("ix_login_attempt_username_at", "login_attempt", ["username", "at"])
    op.create_index("ix_login_attempt_address_at", "login_attempt", ["address", "at"])
    op.create_index("ix_login_attempt_account_id_at", "login_attempt", ["account_id", "at"])
    op.create_table(
        "password_reset",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("account_id", sa.BigInteger(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.BigInteger(), sa.ForeignKey("account.id")),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_password_reset_account_id", "password_reset", ["account_id"])
    op.create_table(
        "account_admin_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("actor_id", sa.BigInteger(), sa.ForeignKey("account.id")),
        sa.Column("actor_label", sa.String(63), nullable=False),
        sa.Column("account_id", sa.BigInteger(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("before", postgresql.JSONB()),
        sa.Column("after", postgresql.JSONB()),
        sa.Column("note", sa.Text()),
        sa.CheckConstraint(_in("action", ACTIONS), name="action"),
    )
    op.create_index("ix_account_admin_log_account_id", "account_admin_log", ["account_id"])
    op.create_index("ix_account_admin_log_at", "account_admin_log", ["at"])
    for table in ("login_attempt", "account_admin_log"):
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION gridgov_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION gridgov_append_only()"
        )
    # an ended session: every process drops its cached actors (identity) and closes the
    # session's WebSockets (session_ended)
    op.execute(SESSION_ENDED)
    op.execute(
        "CREATE TRIGGER account_session_ended AFTER UPDATE OF ended_at ON account_session "
        "FOR EACH ROW WHEN (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL) "
        "EXECUTE FUNCTION gridgov_session_ended()"
    )
    op.execute(
        "CREATE TRIGGER account_session_identity AFTER UPDATE OF ended_at ON account_session "
        "FOR EACH STATEMENT EXECUTE FUNCTION gridgov_identity_changed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER account_session_identity ON account_session")
    op.execute("DROP TRIGGER account_session_ended ON account_session")
    op.execute("DROP FUNCTION gridgov_session_ended()")
    op.drop_table("account_admin_log")
    op.drop_table("password_reset")
    op.drop_table("login_attempt")
    op.drop_table("account_session")
    op.drop_column("account", "password_changed_at")
