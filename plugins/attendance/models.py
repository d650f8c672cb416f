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
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import SRID, Base


class AttendanceDay(Base):
    """One worker's day: check-in and check-out, where, and whether inside the grid."""

    __tablename__ = "attendance_day"
    __table_args__ = (Index("uq_attendance_day_worker_day", "worker_id", "day", unique=True),)

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
