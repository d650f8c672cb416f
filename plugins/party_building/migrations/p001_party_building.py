"""Smart party building plugin: the organization tree, members and their stages, relation
transfers, committees by term, meetings and attendance, dues, community registration with
service items and the append-only points ledger, grid helpers and their work, staff.

Revision ID: p001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "p001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("party_building",)
depends_on: str | Sequence[str] | None = ("0009",)


def upgrade() -> None:
    op.create_table(
        "party_organization",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("path", sa.String(length=255, collation="C"), nullable=False),
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.Column("established_on", sa.Date(), nullable=True),
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
            "code ~ '^[0-9A-Z]{4,32}$'", name=op.f("ck_party_organization_code_format")
        ),
        sa.CheckConstraint(
            "kind IN ('committee', 'general_branch', 'branch', 'group')",
            name=op.f("ck_party_organization_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["party_organization.id"],
            name=op.f("fk_party_organization_parent_id_party_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_organization")),
        sa.UniqueConstraint("code", name=op.f("uq_party_organization_code")),
    )
    op.create_index(
        "ix_party_organization_area_code", "party_organization", ["area_code"], unique=False
    )
    op.create_index(
        "ix_party_organization_parent_id", "party_organization", ["parent_id"], unique=False
    )
    op.create_index("ix_party_organization_path", "party_organization", ["path"], unique=False)
    op.create_table(
        "party_committee_term",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_party_committee_term_dates")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["account.id"], name=op.f("fk_party_committee_term_created_by_account")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["party_organization.id"],
            name=op.f("fk_party_committee_term_organization_id_party_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_committee_term")),
    )
    op.create_index(
        "ix_party_committee_term_organization_id_starts_on",
        "party_committee_term",
        ["organization_id", "starts_on"],
        unique=False,
    )
    op.create_index(
        "uq_party_committee_term_current",
        "party_committee_term",
        ["organization_id"],
        unique=True,
        postgresql_where=sa.text("ends_on IS NULL"),
    )
    op.create_table(
        "party_meeting",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("venue", sa.String(length=200), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
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
            "kind IN ('general_assembly', 'committee', 'group', 'lecture', 'theme_day')",
            name=op.f("ck_party_meeting_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["account.id"], name=op.f("fk_party_meeting_created_by_account")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["party_organization.id"],
            name=op.f("fk_party_meeting_organization_id_party_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_meeting")),
    )
    op.create_index("ix_party_meeting_held_on", "party_meeting", ["held_on"], unique=False)
    op.create_index(
        "ix_party_meeting_organization_id_planned_on",
        "party_meeting",
        ["organization_id", "planned_on"],
        unique=False,
    )
    op.create_table(
        "party_staff",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "since", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_party_staff_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["party_organization.id"],
            name=op.f("fk_party_staff_organization_id_party_organization"),
        ),
        sa.PrimaryKeyConstraint("account_id", "organization_id", name=op.f("pk_party_staff")),
    )
    op.create_index(
        "ix_party_staff_organization_id", "party_staff", ["organization_id"], unique=False
    )
    op.create_table(
        "party_member",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("stage_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("education", sa.String(length=16), nullable=True),
        sa.Column("flowing", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("flowing_to", sa.String(length=200), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("leave_type", sa.String(length=16), nullable=True),
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
            "(status = 'left') = (left_on IS NOT NULL AND leave_type IS NOT NULL)",
            name=op.f("ck_party_member_left"),
        ),
        sa.CheckConstraint(
            "education IS NULL OR education IN ('primary', 'junior_middle', 'senior_middle', "
            "'college', 'bachelor', 'postgraduate')",
            name=op.f("ck_party_member_education"),
        ),
        sa.CheckConstraint(
            "leave_type IS NULL OR leave_type IN "
            "('deceased', 'resigned', 'removed', 'expelled', 'moved_away')",
            name=op.f("ck_party_member_leave_type"),
        ),
        sa.CheckConstraint(
            "stage IN ('applicant', 'activist', 'candidate', 'probationary', 'full')",
            name=op.f("ck_party_member_stage"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'transferring', 'left')", name=op.f("ck_party_member_status")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["party_organization.id"],
            name=op.f("fk_party_member_organization_id_party_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_party_member_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_member")),
        sa.UniqueConstraint("person_id", name=op.f("uq_party_member_person_id")),
    )
    op.create_index(
        "ix_party_member_organization_id_id",
        "party_member",
        ["organization_id", "id"],
        unique=False,
    )
    op.create_table(
        "party_committee_seat",
        sa.Column("term_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("post", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "post IN ('secretary', 'deputy_secretary', 'member')",
            name=op.f("ck_party_committee_seat_post"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_member.id"],
            name=op.f("fk_party_committee_seat_member_id_party_member"),
        ),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["party_committee_term.id"],
            name=op.f("fk_party_committee_seat_term_id_party_committee_term"),
        ),
        sa.PrimaryKeyConstraint("term_id", "member_id", name=op.f("pk_party_committee_seat")),
    )
    op.create_index(
        "uq_party_committee_seat_secretary",
        "party_committee_seat",
        ["term_id"],
        unique=True,
        postgresql_where=sa.text("post = 'secretary'"),
    )
    op.create_table(
        "party_dues_payment",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_party_dues_payment_amount")),
        sa.CheckConstraint("extract(day FROM month) = 1", name=op.f("ck_party_dues_payment_month")),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_member.id"],
            name=op.f("fk_party_dues_payment_member_id_party_member"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["account.id"], name=op.f("fk_party_dues_payment_recorded_by_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_dues_payment")),
    )
    op.create_index(
        "ix_party_dues_payment_member_id_month",
        "party_dues_payment",
        ["member_id", "month"],
        unique=False,
    )
    op.create_table(
        "party_dues_rate",
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("from_month", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("set_by", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_party_dues_rate_amount")),
        sa.CheckConstraint(
            "extract(day FROM from_month) = 1", name=op.f("ck_party_dues_rate_from_month")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_member.id"],
            name=op.f("fk_party_dues_rate_member_id_party_member"),
        ),
        sa.ForeignKeyConstraint(
            ["set_by"], ["account.id"], name=op.f("fk_party_dues_rate_set_by_account")
        ),
        sa.PrimaryKeyConstraint("member_id", "from_month", name=op.f("pk_party_dues_rate")),
    )
    op.create_table(
        "party_grid_helper",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("households", sa.Integer(), server_default="0", nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "until IS NULL OR until >= since", name=op.f("ck_party_grid_helper_dates")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_member.id"],
            name=op.f("fk_party_grid_helper_member_id_party_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_grid_helper")),
    )
    op.create_index(
        "ix_party_grid_helper_grid_code", "party_grid_helper", ["grid_code"], unique=False
    )
    op.create_index(
        "uq_party_grid_helper_current_member",
        "party_grid_helper",
        ["member_id"],
        unique=True,
        postgresql_where=sa.text("until IS NULL"),
    )
    op.create_table(
        "party_meeting_attendance",
        sa.Column("meeting_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.CheckConstraint(
            "status IN ('present', 'absent', 'excused')",
            name=op.f("ck_party_meeting_attendance_status"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["party_meeting.id"],
            name=op.f("fk_party_meeting_attendance_meeting_id_party_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_member.id"],
            name=op.f("fk_party_meeting_attendance_member_id_party_member"),
        ),
        sa.PrimaryKeyConstraint(
            "meeting_id", "member_id", name=op.f("pk_party_meeting_attendance")
        ),
    )
    op.create_index(
        "ix_party_meeting_attendance_member_id",
        "party_meeting_attendance",
        ["member_id"],
        unique=False,
    )
    op.create_table(
        "party_member_step",
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "stage IN ('applicant', 'activist', 'candidate', 'probationary', 'full')",
            name=op.f("ck_party_member_step_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_member.id"],
            name=op.f("fk_party_member_step_member_id_party_member"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["account.id"], name=op.f("fk_party_member_step_recorded_by_account")
        ),
        sa.PrimaryKeyConstraint("member_id", "stage", name=op.f("pk_party_member_step")),
    )
    op.create_table(
        "party_registration",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("community_code", sa.String(length=12), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= registered_on",
            name=op.f("ck_party_registration_dates"),
        ),
        sa.ForeignKeyConstraint(
            ["community_code"],
            ["region.code"],
            name=op.f("fk_party_registration_community_code_region"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_member.id"],
            name=op.f("fk_party_registration_member_id_party_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_registration")),
    )
    op.create_index(
        "ix_party_registration_community_code",
        "party_registration",
        ["community_code"],
        unique=False,
    )
    op.create_index(
        "uq_party_registration_current_member",
        "party_registration",
        ["member_id"],
        unique=True,
        postgresql_where=sa.text("ended_on IS NULL"),
    )
    op.create_table(
        "party_service_item",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("community_code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("wisher", sa.String(length=100), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="open", nullable=False),
        sa.Column("published_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "published_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("claimed_by", sa.BigInteger(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind = 'wish' OR claimed_by IS NULL",
            name=op.f("ck_party_service_item_claim_is_a_wish"),
        ),
        sa.CheckConstraint("kind IN ('project', 'wish')", name=op.f("ck_party_service_item_kind")),
        sa.CheckConstraint(
            "status IN ('open', 'claimed', 'done', 'cancelled')",
            name=op.f("ck_party_service_item_status"),
        ),
        sa.CheckConstraint("points BETWEEN 0 AND 100", name=op.f("ck_party_service_item_points")),
        sa.ForeignKeyConstraint(
            ["claimed_by"],
            ["party_member.id"],
            name=op.f("fk_party_service_item_claimed_by_party_member"),
        ),
        sa.ForeignKeyConstraint(
            ["community_code"],
            ["region.code"],
            name=op.f("fk_party_service_item_community_code_region"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["account.id"],
            name=op.f("fk_party_service_item_published_by_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_service_item")),
    )
    op.create_index(
        "ix_party_service_item_community_code_id",
        "party_service_item",
        ["community_code", "id"],
        unique=False,
    )
    op.create_table(
        "party_transfer",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("from_organization_id", sa.BigInteger(), nullable=False),
        sa.Column("to_organization_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("out_on", sa.Date(), nullable=False),
        sa.Column("in_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'completed', 'rejected', 'cancelled')",
            name=op.f("ck_party_transfer_status"),
        ),
        sa.CheckConstraint(
            "from_organization_id <> to_organization_id", name=op.f("ck_party_transfer_two_sides")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["account.id"], name=op.f("fk_party_transfer_created_by_account")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["account.id"], name=op.f("fk_party_transfer_decided_by_account")
        ),
        sa.ForeignKeyConstraint(
            ["from_organization_id"],
            ["party_organization.id"],
            name=op.f("fk_party_transfer_from_organization_id_party_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_member.id"],
            name=op.f("fk_party_transfer_member_id_party_member"),
        ),
        sa.ForeignKeyConstraint(
            ["to_organization_id"],
            ["party_organization.id"],
            name=op.f("fk_party_transfer_to_organization_id_party_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_transfer")),
    )
    op.create_index(
        "ix_party_transfer_from_organization_id",
        "party_transfer",
        ["from_organization_id"],
        unique=False,
    )
    op.create_index("ix_party_transfer_member_id", "party_transfer", ["member_id"], unique=False)
    op.create_index(
        "ix_party_transfer_to_organization_id",
        "party_transfer",
        ["to_organization_id"],
        unique=False,
    )
    op.create_index(
        "uq_party_transfer_pending_member",
        "party_transfer",
        ["member_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "party_helper_activity",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("helper_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('visit', 'patrol_finding')", name=op.f("ck_party_helper_activity_kind")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_party_helper_activity_event_id_event")
        ),
        sa.ForeignKeyConstraint(
            ["helper_id"],
            ["party_grid_helper.id"],
            name=op.f("fk_party_helper_activity_helper_id_party_grid_helper"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["account.id"],
            name=op.f("fk_party_helper_activity_recorded_by_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_helper_activity")),
    )
    op.create_index(
        "uq_party_helper_activity_event_id",
        "party_helper_activity",
        ["event_id"],
        unique=True,
        postgresql_where=sa.text("event_id IS NOT NULL"),
    )
    op.create_index(
        "ix_party_helper_activity_helper_id", "party_helper_activity", ["helper_id"], unique=False
    )
    op.create_table(
        "party_point_entry",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=True),
        sa.Column("hours", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "reason IN ('service_hours', 'wish_done')", name=op.f("ck_party_point_entry_reason")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["account.id"], name=op.f("fk_party_point_entry_created_by_account")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["party_service_item.id"],
            name=op.f("fk_party_point_entry_item_id_party_service_item"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_member.id"],
            name=op.f("fk_party_point_entry_member_id_party_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_point_entry")),
        sa.UniqueConstraint("source", name=op.f("uq_party_point_entry_source")),
    )
    op.create_index(
        "ix_party_point_entry_member_id", "party_point_entry", ["member_id"], unique=False
    )
    op.create_table(
        "party_service_signup",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "signed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("hours", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.CheckConstraint(
            "hours IS NULL OR (hours > 0 AND hours <= 24)",
            name=op.f("ck_party_service_signup_hours"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["party_service_item.id"],
            name=op.f("fk_party_service_signup_item_id_party_service_item"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_member.id"],
            name=op.f("fk_party_service_signup_member_id_party_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_service_signup")),
        sa.UniqueConstraint(
            "item_id", "member_id", name=op.f("uq_party_service_signup_item_id_member_id")
        ),
    )
    op.create_index(
        "ix_party_service_signup_member_id", "party_service_signup", ["member_id"], unique=False
    )
    # the points ledger is append-only: corrections are new entries, never edits
    op.execute(
        """
        CREATE FUNCTION party_point_entry_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'party_point_entry is append-only (% refused)', TG_OP
                USING ERRCODE = 'restrict_violation';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER party_point_entry_append_only BEFORE UPDATE OR DELETE "
        "ON party_point_entry FOR EACH ROW EXECUTE FUNCTION party_point_entry_append_only()"
    )


TABLES = (
    "party_helper_activity",
    "party_grid_helper",
    "party_point_entry",
    "party_service_signup",
    "party_service_item",
    "party_registration",
    "party_dues_payment",
    "party_dues_rate",
    "party_meeting_attendance",
    "party_meeting",
    "party_committee_seat",
    "party_committee_term",
    "party_transfer",
    "party_member_step",
    "party_member",
    "party_staff",
    "party_organization",
)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
    op.execute("DROP FUNCTION party_point_entry_append_only()")
