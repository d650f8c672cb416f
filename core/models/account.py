"""Accounts, their roles, and grid-worker profiles with the six roles and 20 duties."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, TimestampMixin, str_enum_check
from core.tenancy import TENANCY_PATTERN


class Role(StrEnum):
    CITIZEN = "citizen"
    GRID_WORKER = "grid_worker"
    COMMUNITY_STAFF = "community_staff"
    TOWNSHIP_STAFF = "township_staff"
    DISTRICT_COMMAND = "district_command"
    DEPARTMENT_STAFF = "department_staff"
    ADMIN = "admin"
    AUDITOR = "auditor"


#: The region level a staff role must be attached to (None: no region required).
ROLE_REGION_LEVEL: dict[Role, str | None] = {
    Role.CITIZEN: None,
    Role.GRID_WORKER: None,
    Role.COMMUNITY_STAFF: "community",
    Role.TOWNSHIP_STAFF: "township",
    Role.DISTRICT_COMMAND: "district",
    Role.DEPARTMENT_STAFF: None,
    Role.ADMIN: None,
    Role.AUDITOR: None,
}


class Account(TimestampMixin, Base):
    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint(str_enum_check("role", tuple(Role)), name="role"),
        CheckConstraint("username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'", name="username_format"),
        CheckConstraint(
            "(role = 'department_staff') = (department_code IS NOT NULL)",
            name="department_staff_has_department",
        ),
        CheckConstraint(f"tenancy ~ '{TENANCY_PATTERN}'", name="tenancy_format"),
        CheckConstraint(
            "region_code IS NULL OR left(region_code, length(tenancy)) = tenancy",
            name="region_in_tenancy",
        ),
        Index("ix_account_region_code", "region_code"),
        Index("ix_account_department_code", "department_code"),
        Index("ix_account_tenancy", "tenancy", postgresql_ops={"tenancy": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    username: Mapped[str] = mapped_column(String(63), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    region_code: Mapped[str | None] = mapped_column(
        String(12), ForeignKey("region.code"), nullable=True
    )
    department_code: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("department.code"), nullable=True
    )
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    #: the county (6 digits), city (4) or province (2) the account belongs to; "" for the
    #: whole deployment (core.tenancy)
    tenancy: Mapped[str] = mapped_column(String(6), nullable=False, server_default="")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default="true", nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: when the password was last set (sign-in throttling counts failures after it)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WorkerRole(Base):
    """One of the six roles every all-purpose grid worker carries (六员)."""

    __tablename__ = "worker_role"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(20), nullable=False)
    name_en: Mapped[str] = mapped_column(String(60), nullable=False)
    position: Mapped[int] = mapped_column(SmallInteger, nullable=False, unique=True)


class Duty(Base):
    """One of the 20 concrete duties of a grid worker, under one of the six roles."""

    __tablename__ = "duty"
    __table_args__ = (Index("ix_duty_role_code", "role_code"),)

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    role_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("worker_role.code"), nullable=False
    )
    name_zh: Mapped[str] = mapped_column(String(40), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    position: Mapped[int] = mapped_column(SmallInteger, nullable=False, unique=True)


class WorkerKind(StrEnum):
    FULL_TIME = "full_time"  # 专职
    PART_TIME = "part_time"  # 兼职 (e.g. residents' group leader, village cadre)


class GridWorkerProfile(TimestampMixin, Base):
    __tablename__ = "grid_worker_profile"
    __table_args__ = (CheckConstraint(str_enum_check("kind", tuple(WorkerKind)), name="kind"),)

    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    employee_no: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    appointed_on: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


grid_worker_role = Table(
    "grid_worker_role",
    Base.metadata,
    Column(
        "account_id",
        BigInteger,
        ForeignKey("grid_worker_profile.account_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("role_code", String(32), ForeignKey("worker_role.code"), primary_key=True),
)
