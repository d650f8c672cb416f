"""Events per BeiDou cell the cheap way: the whole local months of a period from the
monthly cell summary (level 4), the days around them from the events (by the covering
index). Counts exactly what the events modules' sources give, for levels 3 and 4 and the
filters ``open`` and ``closed`` (or none); anything else is left to the records."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, literal, select, union_all

from core.analysis import Scope
from core.codes.beidou import CODE_LENGTHS
from core.models import Event
from core.models.base import prefix_match
from plugins.analytics.models import EventCellMonth

#: the level of the summary's cells, and the filters it can tell apart
SUMMARY_LEVEL = 4
FILTERS = (None, "open", "closed")


def whole_months(first: date, last: date) -> tuple[date, date] | None:
    """The first day of the first and of the last whole month within ``first..last``."""
    start = first if first.day == 1 else (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = last + timedelta(days=1)
    end = after.replace(day=1)  # months before this one end within the period
    if start >= end:
        return None
    before_end = (end - timedelta(days=1)).replace(day=1)
    return start, before_end


def _instant(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(tz))


def event_cells(scope: Scope, filter: str | None, level: int) -> Any:
    if filter not in FILTERS or level > SUMMARY_LEVEL:
        return None
    length = CODE_LENGTHS[level]
    months = whole_months(scope.first_day, scope.last_day)
    raw_where = [
        prefix_match(Event.region_code, scope.prefix),
        Event.beidou_code.is_not(None),
    ]
    if filter == "open":
        raw_where.append(Event.status != "closed")
    elif filter == "closed":
        raw_where.append(Event.status == "closed")
    raw_cell = func.left(Event.beidou_code, length)

    def raw(start: Any, end: Any) -> Any:
        return (
            select(Event.region_code, raw_cell.label("cell"), func.count().label("n"))
            .where(*raw_where, Event.collected_at >= start, Event.collected_at < end)
            .group_by(Event.region_code, raw_cell)
        )

    if months is None:
        return raw(scope.start, scope.end)
    first_month, last_month = months
    month_after = (last_month.replace(day=28) + timedelta(days=4)).replace(day=1)
    summary_where = [
        EventCellMonth.month >= first_month,
        EventCellMonth.month <= last_month,
        prefix_match(EventCellMonth.region_code, scope.prefix),
    ]
    if filter is not None:
        summary_where.append(EventCellMonth.closed == literal(filter == "closed"))
    summary_cell = func.left(EventCellMonth.cell, length)
    summary = (
        select(
            EventCellMonth.region_code,
            summary_cell.label("cell"),
            func.sum(EventCellMonth.n).label("n"),
        )
        .where(and_(*summary_where))
        .group_by(EventCellMonth.region_code, summary_cell)
    )
    parts = [summary]
    if first_month > scope.first_day:
        parts.append(raw(scope.start, _instant(first_month, scope.tz)))
    if month_after <= scope.last_day:
        parts.append(raw(_instant(month_after, scope.tz), scope.end))
    return union_all(*parts)
