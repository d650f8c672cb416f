"""E-governance plugin: the holiday calendar (with the State Council's 2025 and 2026
lists), the service catalogue with versions and materials, applications with their
trace and materials, ratings (好差评) and rectifications.

Revision ID: e002
Revises: e001
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "e002"
down_revision: str | Sequence[str] | None = "e001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gov_holiday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.CheckConstraint("kind IN ('holiday', 'workday')", name=op.f("ck_gov_holiday_kind")),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_gov_holiday")),
    )
    op.create_table(
        "gov_service_item",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="published", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "code ~ '^[0-9A-Z-]{4,40}$'", name=op.f("ck_gov_service_item_code_format")
        ),
        sa.CheckConstraint(
            "status IN ('published', 'withdrawn')", name=op.f("ck_gov_service_item_status")
        ),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["department.code"],
            name=op.f("fk_gov_service_item_department_code_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_service_item")),
        sa.UniqueConstraint("code", name=op.f("uq_gov_service_item_code")),
    )
    op.create_index(
        "ix_gov_service_item_department_code", "gov_service_item", ["department_code"], unique=False
    )
    op.create_table(
        "gov_service_version",
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("legal_days", sa.Integer(), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("fee", sa.Numeric(precision=10, scale=2), server_default="0", nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column(
            "published_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("published_by", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('window', 'one_visit', 'online')",
            name=op.f("ck_gov_service_version_channel"),
        ),
        sa.CheckConstraint("fee >= 0", name=op.f("ck_gov_service_version_fee")),
        sa.CheckConstraint(
            "legal_days BETWEEN 1 AND 365", name=op.f("ck_gov_service_version_legal_days")
        ),
        sa.CheckConstraint(
            "promised_days BETWEEN 1 AND legal_days",
            name=op.f("ck_gov_service_version_promised_days"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["gov_service_item.id"],
            name=op.f("fk_gov_service_version_item_id_gov_service_item"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["account.id"],
            name=op.f("fk_gov_service_version_published_by_account"),
        ),
        sa.PrimaryKeyConstraint("item_id", "version", name=op.f("pk_gov_service_version")),
    )
    op.create_table(
        "gov_service_material",
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("form", sa.String(length=12), nullable=False),
        sa.Column("copies", sa.SmallInteger(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "form IN ('original', 'copy', 'electronic')", name=op.f("ck_gov_service_material_form")
        ),
        sa.CheckConstraint("copies BETWEEN 1 AND 20", name=op.f("ck_gov_service_material_copies")),
        sa.ForeignKeyConstraint(
            ["item_id", "version"],
            ["gov_service_version.item_id", "gov_service_version.version"],
            name=op.f("fk_gov_service_material_item_id_gov_service_version"),
        ),
        sa.PrimaryKeyConstraint("item_id", "version", "seq", name=op.f("pk_gov_service_material")),
    )
    op.create_table(
        "gov_application",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("applicant_name", sa.String(length=100), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("region_code", sa.String(length=15), nullable=False),
        sa.Column("applicant_account_id", sa.BigInteger(), nullable=True),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("visits", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="submitted", nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "submitted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("deadline_on", sa.Date(), nullable=True),
        sa.Column("paused_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("paused_since", sa.Date(), nullable=True),
        sa.Column("decision", sa.String(length=12), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "channel IN ('window', 'one_visit', 'online')", name=op.f("ck_gov_application_channel")
        ),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('approved', 'denied')",
            name=op.f("ck_gov_application_decision"),
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'not_accepted', 'accepted', 'correcting', 'reviewing', "
            "'decided', 'completed')",
            name=op.f("ck_gov_application_status"),
        ),
        sa.CheckConstraint("visits >= 0", name=op.f("ck_gov_application_visits")),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["account.id"], name=op.f("fk_gov_application_agent_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["applicant_account_id"],
            ["account.id"],
            name=op.f("fk_gov_application_applicant_account_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["department.code"],
            name=op.f("fk_gov_application_department_code_department"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id", "item_version"],
            ["gov_service_version.item_id", "gov_service_version.version"],
            name=op.f("fk_gov_application_item_id_gov_service_version"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_gov_application_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_application")),
    )
    op.create_index("ix_gov_application_agent_id", "gov_application", ["agent_id"], unique=False)
    op.create_index(
        "ix_gov_application_applicant_account_id",
        "gov_application",
        ["applicant_account_id"],
        unique=False,
    )
    op.create_index(
        "ix_gov_application_department_code_status",
        "gov_application",
        ["department_code", "status"],
        unique=False,
    )
    op.create_index("ix_gov_application_person_id", "gov_application", ["person_id"], unique=False)
    op.create_index(
        "ix_gov_application_region_code_id", "gov_application", ["region_code", "id"], unique=False
    )
    op.create_index(
        "ix_gov_application_submitted_at", "gov_application", ["submitted_at"], unique=False
    )
    op.create_table(
        "gov_application_material",
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column(
            "handed_in_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["gov_application.id"],
            name=op.f("fk_gov_application_material_application_id_gov_application"),
        ),
        sa.PrimaryKeyConstraint("application_id", "seq", name=op.f("pk_gov_application_material")),
    )
    op.create_index(
        "ix_gov_application_material_key", "gov_application_material", ["key"], unique=False
    )
    op.create_table(
        "gov_application_step",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("as_agent", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["account.id"], name=op.f("fk_gov_application_step_actor_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["gov_application.id"],
            name=op.f("fk_gov_application_step_application_id_gov_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_application_step")),
    )
    op.create_index(
        "ix_gov_application_step_application_id",
        "gov_application_step",
        ["application_id", "id"],
        unique=False,
    )
    op.create_table(
        "gov_rating",
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "rated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "grade IN ('very_satisfied', 'satisfied', 'neutral', 'dissatisfied', "
            "'very_dissatisfied')",
            name=op.f("ck_gov_rating_grade"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["gov_application.id"],
            name=op.f("fk_gov_rating_application_id_gov_application"),
        ),
        sa.ForeignKeyConstraint(
            ["rated_by"], ["account.id"], name=op.f("fk_gov_rating_rated_by_account")
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_gov_rating")),
    )
    op.create_table(
        "gov_rectification",
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=8), server_default="open", nullable=False),
        sa.Column(
            "opened_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("callback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_by", sa.BigInteger(), nullable=True),
        sa.Column("callback_note", sa.Text(), nullable=True),
        sa.Column("callback_satisfied", sa.Boolean(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL AND callback_at IS NOT NULL)",
            name=op.f("ck_gov_rectification_closed"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'closed')", name=op.f("ck_gov_rectification_status")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["gov_application.id"],
            name=op.f("fk_gov_rectification_application_id_gov_application"),
        ),
        sa.ForeignKeyConstraint(
            ["callback_by"], ["account.id"], name=op.f("fk_gov_rectification_callback_by_account")
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_gov_rectification")),
    )
    op.create_index(
        "ix_gov_rectification_open_due_on",
        "gov_rectification",
        ["due_on"],
        unique=False,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.bulk_insert(
        sa.table(
            "gov_holiday",
            sa.column("day", sa.Date()),
            sa.column("kind", sa.String()),
            sa.column("name", sa.String()),
        ),
        [{"day": d, "kind": k, "name": n} for d, k, n in STATE_COUNCIL_DAYS],
    )


def _span(first: str, last: str, name: str) -> list[tuple[date, str, str]]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=i), "holiday", name) for i in range((end - start).days + 1)]


#: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号) and 关于2026年部分
#: 节假日安排的通知 (2025-11-04): the days off, and the weekend days worked (调休上班).
STATE_COUNCIL_DAYS: list[tuple[date, str, str]] = [
    *_span("2025-01-01", "2025-01-01", "元旦"),
    *_span("2025-01-28", "2025-02-04", "春节"),
    (date(2025, 1, 26), "workday", "春节调休上班"),
    (date(2025, 2, 8), "workday", "春节调休上班"),
    *_span("2025-04-04", "2025-04-06", "清明节"),
    *_span("2025-05-01", "2025-05-05", "劳动节"),
    (date(2025, 4, 27), "workday", "劳动节调休上班"),
    *_span("2025-05-31", "2025-06-02", "端午节"),
    *_span("2025-10-01", "2025-10-08", "国庆节、中秋节"),
    (date(2025, 9, 28), "workday", "国庆节调休上班"),
    (date(2025, 10, 11), "workday", "国庆节调休上班"),
    *_span("2026-01-01", "2026-01-03", "元旦"),
    (date(2026, 1, 4), "workday", "元旦调休上班"),
    *_span("2026-02-15", "2026-02-23", "春节"),
    (date(2026, 2, 14), "workday", "春节调休上班"),
    (date(2026, 2, 28), "workday", "春节调休上班"),
    *_span("2026-04-04", "2026-04-06", "清明节"),
    *_span("2026-05-01", "2026-05-05", "劳动节"),
    (date(2026, 5, 9), "workday", "劳动节调休上班"),
    *_span("2026-06-19", "2026-06-21", "端午节"),
    *_span("2026-09-25", "2026-09-27", "中秋节"),
    *_span("2026-10-01", "2026-10-07", "国庆节"),
    (date(2026, 9, 20), "workday", "国庆节调休上班"),
    (date(2026, 10, 10), "workday", "国庆节调休上班"),
]

TABLES = (
    "gov_rectification",
    "gov_rating",
    "gov_application_material",
    "gov_application_step",
    "gov_application",
    "gov_service_material",
    "gov_service_version",
    "gov_service_item",
    "gov_holiday",
)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
