"""Tables of the attendance plugin."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import REAL
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import SRID, Base, LocatedMixin


class AttendanceDay(Base):
    """One worker's day: check-in and check-out, where, and whether inside the grid."""

    __tablename__ = "attendance_day"
    __table_args__ = (
        Index("uq_attendance_day_worker_day", "worker_id", "day", unique=True),
        Index("ix_attendance_day_day_grid_code", "day", "grid_code"),  # a region's period
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    worker_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("account.id"), nullable=False)
    grid_code: Mapped[str | None] = mapped_column(String(15))
    day: Mapped[date] = mapped_column(Date, nullable=False)
    check_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    check_in_geom: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=SRID, spatial_index=False), nullable=False
    )
    check_in_distance_m: Mapped[float] = mapped_column(Float, nullable=False)
    check_in_flagged: Mapped[bool] = mapped_column(Boolean, nullable=False)
    check_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    check_out_geom: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=SRID, spatial_index=False), nullable=True
    )
    check_out_distance_m: Mapped[float | None] = mapped_column(Float)
    check_out_flagged: Mapped[bool | None] = mapped_column(Boolean)


class TrackFix(Base):
    """One GPS fix of a worker's phone. Partitioned by month of ``fixed_at``; a fix is
    identified by (worker, time), so a re-sent fix is recognised and kept once."""

    __tablename__ = "attendance_fix"
    __table_args__ = (
        # covering: a worker-day's playback is an index-only scan
        PrimaryKeyConstraint(
            "worker_id", "fixed_at", postgresql_include=["lon", "lat", "accuracy_m"]
        ),
        {"postgresql_partition_by": "RANGE (fixed_at)"},
    )

    worker_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("account.id"), primary_key=True)
    fixed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    accuracy_m: Mapped[float | None] = mapped_column(REAL)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class TrackDay(Base):
    """Per worker and local day: distance and time inside the grid, computed from the fixes.
    An upload bumps ``version``; the figures are current when ``computed_version`` equals it."""

    __tablename__ = "attendance_track_day"

    worker_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("account.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    computed_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    fixes: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    distance_m: Mapped[float] = mapped_column(Float, nullable=False, server_default="0")
    inside_s: Mapped[float] = mapped_column(Float, nullable=False, server_default="0")


class Visit(LocatedMixin, Base):
    """A visit (走访) to a household or a person, with notes and photos."""

    __tablename__ = "attendance_visit"
    __table_args__ = (
        *LocatedMixin.located_indexes("attendance_visit"),
        Index("ix_attendance_visit_worker_id_collected_at", "worker_id", "collected_at"),
        Index("ix_attendance_visit_collected_at_region", "collected_at", "region_code"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    worker_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("account.id"), nullable=False)
    household_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("household.id"))
    person_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("person.id"))
    note: Mapped[str] = mapped_column(Text, nullable=False)


class VisitPhoto(Base):
    __tablename__ = "attendance_visit_photo"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    visit_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("attendance_visit.id"), nullable=False, index=True
    )
    key: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    mime: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)


class Patrol(LocatedMixin, Base):
    """A patrol (巡查): started and ended by the worker; its route is the worker's fixes in
    between. ``distance_m`` is measured from them when the patrol ends."""

    __tablename__ = "attendance_patrol"
    __table_args__ = (
        *LocatedMixin.located_indexes("attendance_patrol"),
        Index("ix_attendance_patrol_worker_id_started_at", "worker_id", "started_at"),
        Index("ix_attendance_patrol_started_at_region", "started_at", "region_code"),
        # at most one patrol under way per worker
        Index(
            "uq_attendance_patrol_open",
            "worker_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    worker_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("account.id"), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    distance_m: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    #: bumped when fixes inside the patrol's time arrive; the distance is current when
    #: ``computed_version`` equals it (fixes are often uploaded after the patrol ends)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    computed_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")


class PatrolFinding(LocatedMixin, Base):
    """Something found on a patrol; ``event_id`` links the event it was turned into."""

    __tablename__ = "attendance_patrol_finding"
    __table_args__ = (
        *LocatedMixin.located_indexes("attendance_patrol_finding"),
        Index("ix_attendance_patrol_finding_patrol_id", "patrol_id"),
        Index("uq_attendance_patrol_finding_event_id", "event_id", unique=True),
        Index("ix_attendance_patrol_finding_collected_at_region", "collected_at", "region_code"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patrol_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("attendance_patrol.id"), nullable=False
    )
    note: Mapped[str] = mapped_column(Text, nullable=False)
    event_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("event.id"))
