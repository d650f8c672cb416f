"""Tables of the smart government affairs plugin (智慧政务).

The holiday calendar (the State Council's yearly list, as data), the service catalogue
(事项清单: an item and its versions, each with its materials), applications (办件) with
their trace, materials handed in, pauses for 补正, the applicant's rating (好差评) and the
rectification a bad rating opens.
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
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, TimestampMixin, str_enum_check


class DayKind(StrEnum):
    HOLIDAY = "holiday"  # 放假: a weekday off
    WORKDAY = "workday"  # 调休上班: a Saturday or Sunday worked


class Channel(StrEnum):
    """How an item may be handled (办理方式), fewest visits last."""

    WINDOW = "window"  # at the service hall (窗口办理)
    ONE_VISIT = "one_visit"  # 最多跑一次
    ONLINE = "online"  # 全程网办: zero visits (零跑腿)


class ItemStatus(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class MaterialForm(StrEnum):
    ORIGINAL = "original"  # 原件
    COPY = "copy"  # 复印件
    ELECTRONIC = "electronic"  # 电子件


class ApplicationStatus(StrEnum):
    """申请 → 受理 (or 不予受理) → [补正 ↔ 受理] → 审查 → 决定 → 办结."""

    SUBMITTED = "submitted"  # 申请
    NOT_ACCEPTED = "not_accepted"  # 不予受理 (ends it)
    ACCEPTED = "accepted"  # 受理: the clock runs
    CORRECTING = "correcting"  # 补正: materials asked for, the clock stopped
    REVIEWING = "reviewing"  # 审查
    DECIDED = "decided"  # 决定: approved or denied
    COMPLETED = "completed"  # 办结


class Decision(StrEnum):
    APPROVED = "approved"  # 批准
    DENIED = "denied"  # 不予许可


class Grade(StrEnum):
    """好差评's five grades (GB/T 39734-2020 practice), best first."""

    VERY_SATISFIED = "very_satisfied"  # 非常满意 (5)
    SATISFIED = "satisfied"  # 满意 (4)
    NEUTRAL = "neutral"  # 基本满意 (3)
    DISSATISFIED = "dissatisfied"  # 不满意 (2)
    VERY_DISSATISFIED = "very_dissatisfied"  # 非常不满意 (1)


GRADE_SCORE: dict[Grade, int] = {g: 5 - i for i, g in enumerate(Grade)}
#: a rating of these grades is a 差评: it opens a rectification
BAD_GRADES = frozenset({Grade.DISSATISFIED, Grade.VERY_DISSATISFIED})
#: working days a rectification has (整改时限)
RECTIFICATION_DAYS = 15


class RectificationStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # measures taken and the applicant called back


class GovHoliday(Base):
    """A day that differs from the week's rule: a weekday off or a weekend day worked.
    Reference data: ``gridgov demo load --replace`` keeps it."""

    __tablename__ = "gov_holiday"
    __table_args__ = (
        CheckConstraint(str_enum_check("kind", tuple(DayKind)), name="kind"),
        {"info": {"reference": True}},
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    name: Mapped[str] = mapped_column(String(40), nullable=False)


class GovServiceItem(TimestampMixin, Base):
    """A service item of a department (事项); what it asks and promises is in its versions,
    the newest of which (``version``) is the one applied for."""

    __tablename__ = "gov_service_item"
    __table_args__ = (
        CheckConstraint(str_enum_check("status", tuple(ItemStatus)), name="status"),
        CheckConstraint("code ~ '^[0-9A-Z-]{4,40}$'", name="code_format"),
        Index("ix_gov_service_item_department_code", "department_code"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    department_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("department.code"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(12), nullable=False, server_default="published")
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")


class GovServiceVersion(Base):
    """One version of an item: its terms as published from ``published_at``."""

    __tablename__ = "gov_service_version"
    __table_args__ = (
        CheckConstraint(str_enum_check("channel", tuple(Channel)), name="channel"),
        CheckConstraint("legal_days BETWEEN 1 AND 365", name="legal_days"),
        CheckConstraint("promised_days BETWEEN 1 AND legal_days", name="promised_days"),
        CheckConstraint("fee >= 0", name="fee"),
    )

    item_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("gov_service_item.id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    legal_basis: Mapped[str] = mapped_column(Text, nullable=False)  # 设定依据
    conditions: Mapped[str] = mapped_column(Text, nullable=False)  # 受理条件
    legal_days: Mapped[int] = mapped_column(Integer, nullable=False)  # 法定时限 (working days)
    promised_days: Mapped[int] = mapped_column(Integer, nullable=False)  # 承诺时限
    fee: Mapped[Decimal] = mapped_column(Numeric(10, 2), nullable=False, server_default="0")
    channel: Mapped[str] = mapped_column(String(12), nullable=False)
    place: Mapped[str | None] = mapped_column(String(200))  # where: the hall, the window
    published_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    published_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))


class GovServiceMaterial(Base):
    """A material a version asks for (材料清单), in order."""

    __tablename__ = "gov_service_material"
    __table_args__ = (
        CheckConstraint(str_enum_check("form", tuple(MaterialForm)), name="form"),
        CheckConstraint("copies BETWEEN 1 AND 20", name="copies"),
        ForeignKeyConstraint(
            ["item_id", "version"], ["gov_service_version.item_id", "gov_service_version.version"]
        ),
    )

    item_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False)
    form: Mapped[str] = mapped_column(String(12), nullable=False)
    copies: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="1")


class GovApplication(TimestampMixin, Base):
    """An application (办件) for one version of an item by a resident (the applicant),
    filed by them (``applicant_account_id``) or by an agent on their behalf (代办帮办:
    ``agent_id``, a grid worker; the applicant's account, if any, follows it too).
    ``region_code`` is where the applicant lives; ``department_code`` the item's
    department, who handles it. ``deadline_on`` is
    the last working day to finish on time: the promised working days from acceptance,
    moved on by every working day spent in 补正 (``paused_days``)."""

    __tablename__ = "gov_application"
    __table_args__ = (
        CheckConstraint(str_enum_check("status", tuple(ApplicationStatus)), name="status"),
        CheckConstraint(str_enum_check("channel", tuple(Channel)), name="channel"),
        CheckConstraint(
            "decision IS NULL OR " + str_enum_check("decision", tuple(Decision)), name="decision"
        ),
        CheckConstraint("visits >= 0", name="visits"),
        ForeignKeyConstraint(
            ["item_id", "item_version"],
            ["gov_service_version.item_id", "gov_service_version.version"],
        ),
        Index("ix_gov_application_department_code_status", "department_code", "status"),
        Index("ix_gov_application_region_code_id", "region_code", "id"),
        Index("ix_gov_application_applicant_account_id", "applicant_account_id"),
        Index("ix_gov_application_agent_id", "agent_id"),
        Index("ix_gov_application_person_id", "person_id"),
        Index("ix_gov_application_submitted_at", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    item_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    item_version: Mapped[int] = mapped_column(Integer, nullable=False)
    department_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("department.code"), nullable=False
    )
    #: the applicant as declared (personal: masked like a person's fields, audited) and
    #: the resident record it is, when known (an agent files for a person of their grid;
    #: a resident filing for themselves is matched by identity number)
    applicant_name: Mapped[str] = mapped_column(String(100), nullable=False)
    id_number: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20))
    person_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("person.id"))
    #: where the applicant lives (the person's region code), else the department's region
    region_code: Mapped[str] = mapped_column(String(15), nullable=False)
    applicant_account_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    agent_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    channel: Mapped[str] = mapped_column(String(12), nullable=False)
    #: times the applicant had to come in person (跑动次数): 0 is 零跑腿
    visits: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="0")
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="submitted")
    note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    accepted_on: Mapped[date | None] = mapped_column(Date)
    deadline_on: Mapped[date | None] = mapped_column(Date)
    paused_days: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    paused_since: Mapped[date | None] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(12))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_on: Mapped[date | None] = mapped_column(Date)
    #: null until completed: finished on or before ``deadline_on``
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    #: one more on every change: a live update names the version it announces
    revision: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")


class GovApplicationStep(Base):
    """The trace of an application: every step, who took it (and for whom), when."""

    __tablename__ = "gov_application_step"
    __table_args__ = (Index("ix_gov_application_step_application_id", "application_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    application_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("gov_application.id"), nullable=False
    )
    step: Mapped[str] = mapped_column(String(24), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    #: the actor took the step as the applicant's agent (代办)
    as_agent: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class GovApplicationMaterial(Base):
    """A material handed in for an application (an attachment in the storage, or seen in
    the original at the window)."""

    __tablename__ = "gov_application_material"
    __table_args__ = (Index("ix_gov_application_material_key", "key"),)

    application_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("gov_application.id"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    key: Mapped[str | None] = mapped_column(String(80))
    filename: Mapped[str | None] = mapped_column(String(200))
    handed_in_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class GovRating(Base):
    """The applicant's rating of a completed application (好差评), once."""

    __tablename__ = "gov_rating"
    __table_args__ = (CheckConstraint(str_enum_check("grade", tuple(Grade)), name="grade"),)

    application_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("gov_application.id"), primary_key=True
    )
    grade: Mapped[str] = mapped_column(String(20), nullable=False)
    score: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    rated_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    rated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class GovRectification(Base):
    """What a 差评 opens (差评整改): the department's measures within
    ``RECTIFICATION_DAYS`` working days, closed with a call-back to the applicant."""

    __tablename__ = "gov_rectification"
    __table_args__ = (
        CheckConstraint(str_enum_check("status", tuple(RectificationStatus)), name="status"),
        CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL AND callback_at IS NOT NULL)",
            name="closed",
        ),
        Index(
            "ix_gov_rectification_open_due_on",
            "due_on",
            postgresql_where=text("status = 'open'"),
        ),
    )

    application_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("gov_application.id"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(8), nullable=False, server_default="open")
    opened_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    measures: Mapped[str | None] = mapped_column(Text)
    #: the call-back (回访): when, by whom, what the applicant said, satisfied or not
    callback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    callback_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    callback_note: Mapped[str | None] = mapped_column(Text)
    callback_satisfied: Mapped[bool | None] = mapped_column(Boolean)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: closed within the rectification's working days
    on_time: Mapped[bool | None] = mapped_column(Boolean)


MODELS: list[type] = [
    GovHoliday,
    GovServiceItem,
    GovServiceVersion,
    GovServiceMaterial,
    GovApplication,
    GovApplicationStep,
    GovApplicationMaterial,
    GovRating,
    GovRectification,
]
