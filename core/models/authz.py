"""Tables of authorization: department grants (as data, never deleted), their change log,
a version counter every process watches, and the append-only access audit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    PrimaryKeyConstraint,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base

ACTIONS = ("read", "write", "handle", "grant")


class DepartmentGrant(Base):
    """A department may ``action`` the ``category`` of records under ``region_prefix``."""

    __tablename__ = "department_grant"
    __table_args__ = (
        CheckConstraint("action IN ('read', 'write', 'handle', 'grant')", name="action"),
        CheckConstraint(
            "region_prefix ~ '^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15})$'",
            name="region_prefix_format",
        ),
        CheckConstraint(
            "category ~ '^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)*$'", name="category_format"
        ),
        CheckConstraint("revoked_at IS NULL OR revoked_at >= created_at", name="revocation"),
        Index("ix_department_grant_department_code", "department_code"),
        Index(
            "uq_department_grant_active",
            "department_code",
            "category",
            "region_prefix",
            "action",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    department_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("department.code", ondelete="CASCADE"), nullable=False
    )
    category: Mapped[str] = mapped_column(String(64), nullable=False)
    region_prefix: Mapped[str] = mapped_column(String(15), nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))


class GrantEvent(Base):
    """Append-only log of every grant change: who granted or revoked what, when."""

    __tablename__ = "grant_event"
    __table_args__ = (
        CheckConstraint("change IN ('granted', 'revoked')", name="change"),
        Index("ix_grant_event_grant_id", "grant_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    grant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("department_grant.id"), nullable=False
    )
    change: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class AuthzVersion(Base):
    """One row whose number grows with every grant change; processes reload on change."""

    __tablename__ = "authz_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=1)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="1")
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class AccessAudit(Base):
    """Unmasked reads of personal data (PIPL): who read whose records, which fields, how.

    One row per request, kind of record and set of fields, listing the records read (a GIN
    index finds every read of one record). Range-partitioned by month on ``at``;
    append-only (triggers refuse UPDATE, DELETE and TRUNCATE).
    """

    __tablename__ = "access_audit"
    __table_args__ = (
        PrimaryKeyConstraint("id", "at"),
        Index("ix_access_audit_record_ids", "record_ids", postgresql_using="gin"),
        Index("ix_access_audit_actor_id_at", "actor_id", "at"),
        {"postgresql_partition_by": "RANGE (at)"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity())
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    actor_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    actor_username: Mapped[str] = mapped_column(String(63), nullable=False)
    record_kind: Mapped[str] = mapped_column(String(32), nullable=False)
    record_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), nullable=False)
    region_codes: Mapped[list[str]] = mapped_column(ARRAY(String(15)), nullable=False)
    fields: Mapped[list[str]] = mapped_column(ARRAY(String(64)), nullable=False)
    operation: Mapped[str] = mapped_column(String(200), nullable=False)
