"""Tables of the smart party building plugin (智慧党建).

The organization tree (``party_organization``, a materialized ``path`` of ids), its
committees by term (换届), the members (one per person) with the date of every stage,
relation transfers, meetings (三会一课, 主题党日) with attendance, dues, community
registration (双报到) with service items and an append-only points ledger, grid helpers
(党员中心户) and their attributed work, and the accounts that staff an organization.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, TimestampMixin, str_enum_check


class OrgKind(StrEnum):
    COMMITTEE = "committee"  # 党委
    GENERAL_BRANCH = "general_branch"  # 党总支
    BRANCH = "branch"  # 党支部
    GROUP = "group"  # 党小组


#: the kinds an organization of each kind may hold
CHILD_KINDS: dict[OrgKind, frozenset[OrgKind]] = {
    OrgKind.COMMITTEE: frozenset({OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}),
    OrgKind.GENERAL_BRANCH: frozenset({OrgKind.BRANCH}),
    OrgKind.BRANCH: frozenset({OrgKind.GROUP}),
    OrgKind.GROUP: frozenset(),
}


class Stage(StrEnum):
    """The stages of membership, in the only order a member moves through them."""

    APPLICANT = "applicant"  # 申请入党
    ACTIVIST = "activist"  # 入党积极分子
    CANDIDATE = "candidate"  # 发展对象
    PROBATIONARY = "probationary"  # 预备党员
    FULL = "full"  # 正式党员


STAGES: tuple[Stage, ...] = tuple(Stage)


class MemberStatus(StrEnum):
    ACTIVE = "active"
    TRANSFERRING = "transferring"  # 转出, not yet received (转入)
    LEFT = "left"


class LeaveType(StrEnum):
    DECEASED = "deceased"  # 去世
    RESIGNED = "resigned"  # 退党
    REMOVED = "removed"  # 除名
    EXPELLED = "expelled"  # 开除党籍
    MOVED_AWAY = "moved_away"  # 组织关系转出本系统


class Education(StrEnum):
    PRIMARY = "primary"  # 小学
    JUNIOR_MIDDLE = "junior_middle"  # 初中
    SENIOR_MIDDLE = "senior_middle"  # 高中、中专
    COLLEGE = "college"  # 大专
    BACHELOR = "bachelor"  # 本科
    POSTGRADUATE = "postgraduate"  # 研究生


class Post(StrEnum):
    SECRETARY = "secretary"  # 书记
    DEPUTY_SECRETARY = "deputy_secretary"  # 副书记
    MEMBER = "member"  # 委员


class TransferStatus(StrEnum):
    PENDING = "pending"  # 转出: sent, waiting for the receiving organization
    COMPLETED = "completed"  # 转入: received
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class MeetingKind(StrEnum):
    GENERAL_ASSEMBLY = "general_assembly"  # 支部党员大会
    COMMITTEE = "committee"  # 支部委员会
    GROUP = "group"  # 党小组会
    LECTURE = "lecture"  # 党课
    THEME_DAY = "theme_day"  # 主题党日


class Attendance(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


class ServiceKind(StrEnum):
    PROJECT = "project"  # 服务项目: members sign up, hours recorded
    WISH = "wish"  # 微心愿: one member claims it and makes it come true


class ServiceStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"  # a wish taken by a member
    DONE = "done"
    CANCELLED = "cancelled"


class PointReason(StrEnum):
    SERVICE_HOURS = "service_hours"
    WISH_DONE = "wish_done"


class HelperActivityKind(StrEnum):
    VISIT = "visit"  # 走访
    PATROL_FINDING = "patrol_finding"  # 巡查发现


class PartyOrganization(TimestampMixin, Base):
    """A party organization. ``path`` is ``/root id/…/own id/`` (collation C, so a subtree
    is a prefix range); ``area_code`` is the region prefix or grid code it serves, the
    code every region-scoped grant on party data is tested against."""

    __tablename__ = "party_organization"
    __table_args__ = (
        CheckConstraint(str_enum_check("kind", tuple(OrgKind)), name="kind"),
        CheckConstraint("code ~ '^[0-9A-Z]{4,32}$'", name="code_format"),
        Index("ix_party_organization_parent_id", "parent_id"),
        Index("ix_party_organization_path", "path"),
        Index("ix_party_organization_area_code", "area_code"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("party_organization.id"))
    path: Mapped[str] = mapped_column(String(255, collation="C"), nullable=False)
    area_code: Mapped[str] = mapped_column(String(15), nullable=False)
    established_on: Mapped[date | None] = mapped_column(Date)


class PartyStaff(Base):
    """An account that runs an organization: it reads and writes the organization's
    subtree (members unmasked, every such read audited)."""

    __tablename__ = "party_staff"
    __table_args__ = (Index("ix_party_staff_organization_id", "organization_id"),)

    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("account.id"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_organization.id"), primary_key=True
    )
    since: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class PartyMember(TimestampMixin, Base):
    """A person's membership (one per person): stage and its date, status, the
    organization holding the relation (a pending transfer keeps the sending one)."""

    __tablename__ = "party_member"
    __table_args__ = (
        CheckConstraint(str_enum_check("stage", tuple(Stage)), name="stage"),
        CheckConstraint(str_enum_check("status", tuple(MemberStatus)), name="status"),
        CheckConstraint(
            "leave_type IS NULL OR " + str_enum_check("leave_type", tuple(LeaveType)),
            name="leave_type",
        ),
        CheckConstraint(
            "education IS NULL OR " + str_enum_check("education", tuple(Education)),
            name="education",
        ),
        CheckConstraint(
            "(status = 'left') = (left_on IS NOT NULL AND leave_type IS NOT NULL)", name="left"
        ),
        Index("ix_party_member_organization_id_id", "organization_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("person.id"), nullable=False, unique=True
    )
    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_organization.id"), nullable=False
    )
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    stage_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="active")
    education: Mapped[str | None] = mapped_column(String(16))
    #: 流动党员: living or working away from the organization, and where
    flowing: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    flowing_to: Mapped[str | None] = mapped_column(String(200))
    left_on: Mapped[date | None] = mapped_column(Date)
    leave_type: Mapped[str | None] = mapped_column(String(16))


class PartyMemberStep(Base):
    """The date a member reached a stage (every stage reached, once)."""

    __tablename__ = "party_member_step"
    __table_args__ = (CheckConstraint(str_enum_check("stage", tuple(Stage)), name="stage"),)

    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_member.id"), primary_key=True
    )
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    reached_on: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class PartyTransfer(Base):
    """A relation transfer (组织关系转接): 转出 by the sending organization, 转入 (or refusal)
    by the receiving one; at most one pending per member."""

    __tablename__ = "party_transfer"
    __table_args__ = (
        CheckConstraint(str_enum_check("status", tuple(TransferStatus)), name="status"),
        CheckConstraint("from_organization_id <> to_organization_id", name="two_sides"),
        Index("ix_party_transfer_member_id", "member_id"),
        Index(
            "uq_party_transfer_pending_member",
            "member_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_party_transfer_from_organization_id", "from_organization_id"),
        Index("ix_party_transfer_to_organization_id", "to_organization_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_member.id"), nullable=False
    )
    from_organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_organization.id"), nullable=False
    )
    to_organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_organization.id"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="pending")
    out_on: Mapped[date] = mapped_column(Date, nullable=False)
    in_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    decided_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PartyCommitteeTerm(Base):
    """One term of an organization's committee (届); 换届 ends the current term the day
    before the next starts. At most one current term (``ends_on`` null) per organization."""

    __tablename__ = "party_committee_term"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
        Index(
            "uq_party_committee_term_current",
            "organization_id",
            unique=True,
            postgresql_where=text("ends_on IS NULL"),
        ),
        Index("ix_party_committee_term_organization_id_starts_on", "organization_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_organization.id"), nullable=False
    )
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))


class PartyCommitteeSeat(Base):
    """A member's post in a term's committee (one secretary a term)."""

    __tablename__ = "party_committee_seat"
    __table_args__ = (
        CheckConstraint(str_enum_check("post", tuple(Post)), name="post"),
        Index(
            "uq_party_committee_seat_secretary",
            "term_id",
            unique=True,
            postgresql_where=text("post = 'secretary'"),
        ),
    )

    term_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_committee_term.id"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_member.id"), primary_key=True
    )
    post: Mapped[str] = mapped_column(String(20), nullable=False)


class PartyMeeting(TimestampMixin, Base):
    """A meeting of 三会一课 or a 主题党日: planned, then held (with minutes)."""

    __tablename__ = "party_meeting"
    __table_args__ = (
        CheckConstraint(str_enum_check("kind", tuple(MeetingKind)), name="kind"),
        Index("ix_party_meeting_organization_id_planned_on", "organization_id", "planned_on"),
        Index("ix_party_meeting_held_on", "held_on"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_organization.id"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    planned_on: Mapped[date] = mapped_column(Date, nullable=False)
    held_on: Mapped[date | None] = mapped_column(Date)
    venue: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))


class PartyMeetingAttendance(Base):
    __tablename__ = "party_meeting_attendance"
    __table_args__ = (
        CheckConstraint(str_enum_check("status", tuple(Attendance)), name="status"),
        Index("ix_party_meeting_attendance_member_id", "member_id"),
    )

    meeting_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_meeting.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_member.id"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(8), nullable=False)


class PartyDuesRate(Base):
    """A member's monthly dues from ``from_month`` (the first of a month) on."""

    __tablename__ = "party_dues_rate"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("extract(day FROM from_month) = 1", name="from_month"),
    )

    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_member.id"), primary_key=True
    )
    from_month: Mapped[date] = mapped_column(Date, primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2), nullable=False)
    set_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))


class PartyDuesPayment(Base):
    """A payment of a member's dues for a month (a month may take several payments)."""

    __tablename__ = "party_dues_payment"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("extract(day FROM month) = 1", name="month"),
        Index("ix_party_dues_payment_member_id_month", "member_id", "month"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_member.id"), nullable=False
    )
    month: Mapped[date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2), nullable=False)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class PartyRegistration(Base):
    """在职党员进社区双报到: a working member registered with the community they live in."""

    __tablename__ = "party_registration"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= registered_on", name="dates"),
        Index(
            "uq_party_registration_current_member",
            "member_id",
            unique=True,
            postgresql_where=text("ended_on IS NULL"),
        ),
        Index("ix_party_registration_community_code", "community_code"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_member.id"), nullable=False
    )
    community_code: Mapped[str] = mapped_column(
        String(12), ForeignKey("region.code"), nullable=False
    )
    registered_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date)


class PartyServiceItem(Base):
    """A community's service project or a resident's small wish (微心愿). ``points``: a
    project's points per hour served, a wish's points for making it come true."""

    __tablename__ = "party_service_item"
    __table_args__ = (
        CheckConstraint(str_enum_check("kind", tuple(ServiceKind)), name="kind"),
        CheckConstraint(str_enum_check("status", tuple(ServiceStatus)), name="status"),
        CheckConstraint("points BETWEEN 0 AND 100", name="points"),
        CheckConstraint("kind = 'wish' OR claimed_by IS NULL", name="claim_is_a_wish"),
        Index("ix_party_service_item_community_code_id", "community_code", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    community_code: Mapped[str] = mapped_column(
        String(12), ForeignKey("region.code"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    #: the resident who made the wish (personal: shown to the community's party staff)
    wisher: Mapped[str | None] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, server_default="open")
    published_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    published_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    claimed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("party_member.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PartyServiceSignup(Base):
    """A member signed up for a project; ``hours`` once served (recorded once)."""

    __tablename__ = "party_service_signup"
    __table_args__ = (
        UniqueConstraint("item_id", "member_id"),
        CheckConstraint("hours IS NULL OR (hours > 0 AND hours <= 24)", name="hours"),
        Index("ix_party_service_signup_member_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_service_item.id"), nullable=False
    )
    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_member.id"), nullable=False
    )
    signed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    served_on: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))


class PartyPointEntry(Base):
    """The points ledger: append-only (a trigger refuses UPDATE and DELETE); one entry per
    signup's hours and one per wish made true (unique ``source``)."""

    __tablename__ = "party_point_entry"
    __table_args__ = (
        CheckConstraint(str_enum_check("reason", tuple(PointReason)), name="reason"),
        Index("ix_party_point_entry_member_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_member.id"), nullable=False
    )
    points: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(16), nullable=False)
    #: what earned them: ``signup:<id>`` or ``wish:<id>``: the same source pays once
    source: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    item_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("party_service_item.id"))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class PartyGridHelper(Base):
    """A member serving as a grid helper (党员中心户) for a grid, ``since`` until
    ``until``; at most one current post per member."""

    __tablename__ = "party_grid_helper"
    __table_args__ = (
        CheckConstraint("until IS NULL OR until >= since", name="dates"),
        Index(
            "uq_party_grid_helper_current_member",
            "member_id",
            unique=True,
            postgresql_where=text("until IS NULL"),
        ),
        Index("ix_party_grid_helper_grid_code", "grid_code"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_member.id"), nullable=False
    )
    grid_code: Mapped[str] = mapped_column(String(15), nullable=False)
    #: the households the helper looks after (联系户数)
    households: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    since: Mapped[date] = mapped_column(Date, nullable=False)
    until: Mapped[date | None] = mapped_column(Date)


class PartyHelperActivity(Base):
    """A visit or patrol finding made by a grid helper, attributed to them; a finding may
    name the event reported for it."""

    __tablename__ = "party_helper_activity"
    __table_args__ = (
        CheckConstraint(str_enum_check("kind", tuple(HelperActivityKind)), name="kind"),
        Index("ix_party_helper_activity_helper_id", "helper_id"),
        # an event is attributed to one helper's finding at most
        Index(
            "uq_party_helper_activity_event_id",
            "event_id",
            unique=True,
            postgresql_where=text("event_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    helper_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_grid_helper.id"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    occurred_on: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str | None] = mapped_column(String(1000))
    event_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("event.id"))
    recorded_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


MODELS: list[type] = [
    PartyOrganization,
    PartyStaff,
    PartyMember,
    PartyMemberStep,
    PartyTransfer,
    PartyCommitteeTerm,
    PartyCommitteeSeat,
    PartyMeeting,
    PartyMeetingAttendance,
    PartyDuesRate,
    PartyDuesPayment,
    PartyRegistration,
    PartyServiceItem,
    PartyServiceSignup,
    PartyPointEntry,
    PartyGridHelper,
    PartyHelperActivity,
]
