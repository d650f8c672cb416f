"""Authorization: department grants and their log, a version counter, the access audit.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_audit",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("actor_username", sa.String(length=63), nullable=False),
        sa.Column("record_kind", sa.String(length=32), nullable=False),
        sa.Column("record_ids", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("region_codes", postgresql.ARRAY(sa.String(length=15)), nullable=False),
        sa.Column("fields", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("operation", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", "at", name=op.f("pk_access_audit")),
        postgresql_partition_by="RANGE (at)",
    )
    op.create_index("ix_access_audit_actor_id_at", "access_audit", ["actor_id", "at"], unique=False)
    op.create_index(
        "ix_access_audit_record_ids", "access_audit", ["record_ids"], postgresql_using="gin"
    )
    op.create_table(
        "authz_version",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_authz_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authz_version")),
    )
    op.create_table(
        "department_grant",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("region_prefix", sa.String(length=15), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "action IN ('read', 'write', 'handle', 'grant')",
            name=op.f("ck_department_grant_action"),
        ),
        sa.CheckConstraint(
            "category ~ '^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)*$'",
            name=op.f("ck_department_grant_category_format"),
        ),
        sa.CheckConstraint(
            "region_prefix ~ '^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15})$'",
            name=op.f("ck_department_grant_region_prefix_format"),
        ),
        sa.CheckConstraint(
            "revoked_at IS NULL OR revoked_at >= created_at",
            name=op.f("ck_department_grant_revocation"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["account.id"], name=op.f("fk_department_grant_created_by_account")
        ),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["department.code"],
            name=op.f("fk_department_grant_department_code_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["account.id"], name=op.f("fk_department_grant_revoked_by_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department_grant")),
    )
    op.create_index(
        "ix_department_grant_department_code", "department_grant", ["department_code"], unique=False
    )
    op.create_index(
        "uq_department_grant_active",
        "department_grant",
        ["department_code", "category", "region_prefix", "action"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_table(
        "grant_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("grant_id", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint("change IN ('granted', 'revoked')", name=op.f("ck_grant_event_change")),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["account.id"], name=op.f("fk_grant_event_actor_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["department_grant.id"],
            name=op.f("fk_grant_event_grant_id_department_grant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_event")),
    )
    op.create_index("ix_grant_event_grant_id", "grant_event", ["grant_id"], unique=False)
    op.execute("INSERT INTO authz_version (id, version) VALUES (1, 1)")
    # Auditors read the access audit; nobody else does (separation of duties with admins).
    op.execute(
        "ALTER TABLE account DROP CONSTRAINT ck_account_role, ADD CONSTRAINT ck_account_role "
        "CHECK (role IN ('citizen', 'grid_worker', 'community_staff', 'township_staff', "
        "'district_command', 'department_staff', 'admin', 'auditor'))"
    )
    # Rows outside every monthly partition land here; monthly partitions are created ahead
    # at start-up (core.database.audit_partitions).
    op.execute("CREATE TABLE access_audit_default PARTITION OF access_audit DEFAULT")
    op.execute(APPEND_ONLY_FUNCTION)
    for table in ("access_audit", "grant_event"):
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION gridgov_append_only()"
        )
    op.execute(
        "CREATE TRIGGER access_audit_no_truncate BEFORE TRUNCATE ON access_audit "
        "FOR EACH STATEMENT EXECUTE FUNCTION gridgov_append_only()"
    )


APPEND_ONLY_FUNCTION = """
CREATE FUNCTION gridgov_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$
"""


def downgrade() -> None:
    op.execute("DROP TRIGGER access_audit_no_truncate ON access_audit")
    for table in ("access_audit", "grant_event"):
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.execute("DROP FUNCTION gridgov_append_only()")
    op.execute(
        "ALTER TABLE account DROP CONSTRAINT ck_account_role, ADD CONSTRAINT ck_account_role "
        "CHECK (role IN ('citizen', 'grid_worker', 'community_staff', 'township_staff', "
        "'district_command', 'department_staff', 'admin'))"
    )
    op.drop_index("ix_grant_event_grant_id", table_name="grant_event")
    op.drop_table("grant_event")
    op.drop_index(
        "uq_department_grant_active",
        table_name="department_grant",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.drop_index("ix_department_grant_department_code", table_name="department_grant")
    op.drop_table("department_grant")
    op.drop_table("authz_version")
    op.drop_index("ix_access_audit_record_ids", table_name="access_audit")
    op.drop_index("ix_access_audit_actor_id_at", table_name="access_audit")
    op.drop_table("access_audit")
