"""Summaries the dashboard reads, kept current: per region code (a grid's, or the prefix a
record outside every grid carries), recomputed for the codes whose records changed.

Triggers on the source tables mark ``(subject, region code)`` dirty in the same transaction
as the change; ``plugins.analytics.summaries.refresh`` recomputes the marked codes from
the records and clears the marks, before a dashboard is read. A summary is thus always the
same ``GROUP BY`` over the records as a direct count would be."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, Date, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base


class TallyColumns:
    """The columns of a tally (per code, or per township)."""

    subject: Mapped[str] = mapped_column(String(16), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    dim: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, nullable=False)


class EventDayColumns:
    """The columns of the events' day summary (per code, or per township)."""

    region_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reported: Mapped[int] = mapped_column(Integer, nullable=False)
    due: Mapped[int] = mapped_column(Integer, nullable=False)
    due_on_time: Mapped[int] = mapped_column(Integer, nullable=False)
    open_due: Mapped[int] = mapped_column(Integer, nullable=False)
    closed: Mapped[int] = mapped_column(Integer, nullable=False)
    rated: Mapped[int] = mapped_column(Integer, nullable=False)
    rating_sum: Mapped[int] = mapped_column(Integer, nullable=False)
    supervised: Mapped[int] = mapped_column(Integer, nullable=False)


class EventLateColumns:
    """The columns of the late closures (per code, or per township)."""

    region_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    deadline_day: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_day: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False)


class Tally(TallyColumns, Base):
    """Counts of residents, households, places, things and organizations by dimension
    (``person``/``gender``/``male``, ``thing``/``status``/``faulty``…)."""

    __tablename__ = "analytics_tally"


class EventDay(EventDayColumns, Base):
    """Events per region code and local day: reported that day; due that day (and of
    those, closed by their deadline; still open); closed that day (rated, rating sum);
    supervised ones reported that day."""

    __tablename__ = "analytics_event_day"


class EventLate(EventLateColumns, Base):
    """Events closed after their deadline, by deadline day and closing day: "of the events
    due in a period, closed by its end" needs both."""

    __tablename__ = "analytics_event_late"


class EventCategoryDay(Base):
    """Events reported per region code, category and local day."""

    __tablename__ = "analytics_event_category_day"

    region_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    category_code: Mapped[str] = mapped_column(String(48), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reported: Mapped[int] = mapped_column(Integer, nullable=False)


class Dirty(Base):
    """Region codes whose summaries of ``subject`` are stale."""

    __tablename__ = "analytics_dirty"

    subject: Mapped[str] = mapped_column(String(16), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(15), primary_key=True)


class Weight(Base):
    """The weight of an assessment indicator (editable; the defaults come from the
    indicators)."""

    __tablename__ = "analytics_weight"

    indicator: Mapped[str] = mapped_column(String(48), primary_key=True)
    weight: Mapped[float] = mapped_column(Float, nullable=False)


class Meta(Base):
    """Facts about the summaries: ``zone``, the time zone their days are local to."""

    __tablename__ = "analytics_meta"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), nullable=False)


class TallyUp(TallyColumns, Base):
    """``Tally`` summed per township (the first 9 characters of the codes): what a
    district-wide figure reads, 20-odd rows where the grids' are hundreds."""

    __tablename__ = "analytics_tally_up"


class EventDayUp(EventDayColumns, Base):
    """``EventDay`` summed per township."""

    __tablename__ = "analytics_event_day_up"


class EventLateUp(EventLateColumns, Base):
    """``EventLate`` summed per township."""

    __tablename__ = "analytics_event_late_up"


class EventCellMonth(Base):
    """Located events per local month, region code, level-4 BeiDou cell (1′ × 1′) and
    whether they are closed: what a district's heat map of a year reads (some thousands of
    rows where the events are a million). Only whole months are read from it."""

    __tablename__ = "analytics_event_cell_month"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    cell: Mapped[str] = mapped_column(String(9), primary_key=True)
    closed: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False)
