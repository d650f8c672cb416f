"""What sign-in and account administration keep: sessions (one per login; a token names
its session, and a session that ended makes its token invalid at once), every sign-in
attempt (append-only; throttling counts the failures), one-time password reset codes, and
the append-only log of administrators' changes to accounts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, str_enum_check


class SessionEnd(StrEnum):
    """Why a session ended."""

    LOGOUT = "logout"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    ENDED_BY_OWNER = "ended_by_owner"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    DISABLED = "disabled"
    ENDED_BY_ADMIN = "ended_by_admin"


class Outcome(StrEnum):
    """How a sign-in attempt ended."""

    SUCCESS = "success"
    #: an unknown username or a wrong password (one answer for both)
    FAILED = "failed"
    #: refused before the password was checked: too many recent failures
    THROTTLED = "throttled"
    #: the right password of a disabled account (answered like a failure)
    DISABLED = "disabled"


class AdminAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DISABLE = "disable"
    ENABLE = "enable"
    RESET_PASSWORD = "reset_password"
    END_SESSIONS = "end_sessions"


class AccountSession(Base):
    """One login: the token carries its id (``sid``)."""

    __tablename__ = "account_session"
    __table_args__ = (
        CheckConstraint(str_enum_check("end_reason", tuple(SessionEnd)), name="end_reason"),
        CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="ended_with_reason"),
        Index(
            "ix_account_session_open",
            "account_id",
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("account.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()"), nullable=False
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(24))
    address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class LoginAttempt(Base):
    """Every sign-in attempt (append-only): who was named, from where, how it ended."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        CheckConstraint(str_enum_check("outcome", tuple(Outcome)), name="outcome"),
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
        Index("ix_login_attempt_account_id_at", "account_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()"), nullable=False
    )
    #: the username as given (normalised, at most 63 characters), known or not
    username: Mapped[str] = mapped_column(String(63), nullable=False)
    account_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    address: Mapped[str] = mapped_column(String(45), nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)


class PasswordReset(Base):
    """A one-time code an administrator gave out; its owner sets a new password with it."""

    __tablename__ = "password_reset"
    __table_args__ = (Index("ix_password_reset_account_id", "account_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("account.id"), nullable=False)
    #: SHA-256 of the code (the code itself is shown once, to the administrator)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()"), nullable=False
    )
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AccountAdminLog(Base):
    """Each change an administrator (or the command line) made to an account, with the
    account's fields before and after (append-only; never a password or its hash)."""

    __tablename__ = "account_admin_log"
    __table_args__ = (
        CheckConstraint(str_enum_check("action", tuple(AdminAction)), name="action"),
        Index("ix_account_admin_log_account_id", "account_id"),
        Index("ix_account_admin_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()"), nullable=False
    )
    #: the administrator's account (null: the command line on the server)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    #: the administrator's username, or ``cli`` (kept as it was then)
    actor_label: Mapped[str] = mapped_column(String(63), nullable=False)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("account.id"), nullable=False)
    action: Mapped[str] = mapped_column(String(24), nullable=False)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text)
