"""Tables of the early-warning plugin: the thresholds (``warning_rule``), the warnings
raised and their members (reported events)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import SRID, Base, str_enum_check

#: the rule every category falls back on
DEFAULT_RULE = "*"
#: bounds of a rule's thresholds (checked by ``setWarningRule`` and by the table)
RADIUS_M = (10, 5000)
WINDOW_HOURS = (1, 720)
MIN_COUNT = (2, 50)


class WarningStatus(StrEnum):
    OPEN = "open"  # some member is still open
    CLOSED = "closed"  # every member is closed
    MERGED = "merged"  # joined into an older warning (``merged_into_id``), members moved


class WarningRule(Base):
    """When reports of a category make a warning: ``min_count`` open reports within
    ``radius_m`` metres of one another and ``window_hours`` hours. ``category_code`` is a
    category's code (``city.sanitation``), a kind (``city``: every category of that kind)
    or ``*`` (every category without a rule of its own); the most specific one applies."""

    __tablename__ = "warning_rule"
    __table_args__ = (
        CheckConstraint(f"radius_m BETWEEN {RADIUS_M[0]} AND {RADIUS_M[1]}", name="radius_m"),
        CheckConstraint(
            f"window_hours BETWEEN {WINDOW_HOURS[0]} AND {WINDOW_HOURS[1]}", name="window_hours"
        ),
        CheckConstraint(f"min_count BETWEEN {MIN_COUNT[0]} AND {MIN_COUNT[1]}", name="min_count"),
    )

    category_code: Mapped[str] = mapped_column(String(48), primary_key=True)
    radius_m: Mapped[int] = mapped_column(Integer, nullable=False)
    window_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    min_count: Mapped[int] = mapped_column(Integer, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, server_default="true", nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))


class EarlyWarning(Base):
    """A spatio-temporal cluster of open reports of one category. ``geom`` is the centroid
    of its members, ``region_code`` the longest region prefix they share, ``first_at`` and
    ``last_at`` the times of its first and last report; ``member_count`` counts them all."""

    __tablename__ = "warning"
    __table_args__ = (
        CheckConstraint(str_enum_check("status", tuple(WarningStatus)), name="status"),
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_into"),
        Index("ix_warning_status_id", "status", "id"),
        Index("ix_warning_category_code_status", "category_code", "status"),
        Index("ix_warning_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    category_code: Mapped[str] = mapped_column(
        String(48), ForeignKey("event_category.code"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(8), nullable=False)
    region_code: Mapped[str] = mapped_column(String(15), nullable=False)
    geom: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=SRID, spatial_index=False), nullable=False
    )
    member_count: Mapped[int] = mapped_column(Integer, nullable=False)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    raised_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    merged_into_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("warning.id"))
    #: one more on every change: a live update names the version it announces
    version: Mapped[int] = mapped_column(Integer, server_default="1", nullable=False)


class WarningMember(Base):
    """An event of a warning. An event belongs to one warning at most, ever: a member of an
    open warning is never a free neighbour, a closed warning's members are all closed (and
    stay so), and a merged warning hands its members over."""

    __tablename__ = "warning_member"
    __table_args__ = (Index("ix_warning_member_warning_id", "warning_id"),)

    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("event.id"), primary_key=True)
    warning_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("warning.id"), nullable=False)
    joined_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
