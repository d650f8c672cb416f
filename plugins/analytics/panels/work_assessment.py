"""工作考核: the events' figures over the period — the same definitions as the core's
``eventIndicators`` (结案率, 按期结案率, satisfaction, overdue), read from the summaries —
plus reported and supervised events. Attendance, visits and patrols are added to this
panel by the attendance plugin."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import Figure, Figures, PanelPart, Scope
from core.models import Event
from core.services.indicators import rates
from plugins.analytics.models import EventDay, EventDayUp, EventLate, EventLateUp
from plugins.analytics.tallies import coarse, count

PANEL_KEY = "work_assessment"


async def event_figures(session: AsyncSession, scope: Scope) -> dict[str, dict[str, float]]:
    """Per group: reported, due, due_on_time, closed (of the due, by the period's end),
    rated and rating_sum (closed in the period), supervised, overdue (open, past due now)."""
    today = scope.now.astimezone(ZoneInfo(scope.tz)).date()
    day, late = (EventDayUp, EventLateUp) if coarse(scope) else (EventDay, EventLate)
    in_period = day.day.between(scope.first_day, scope.last_day)
    g = scope.group(day.region_code).label("g")
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in await session.execute(
        select(
            g,
            func.sum(day.reported).filter(in_period).label("reported"),
            func.sum(day.due).filter(in_period).label("due"),
            func.sum(day.due_on_time).filter(in_period).label("due_on_time"),
            func.sum(day.rated).filter(in_period).label("rated"),
            func.sum(day.rating_sum).filter(in_period).label("rating_sum"),
            func.sum(day.supervised).filter(in_period).label("supervised"),
            func.sum(day.open_due).filter(day.day < today).label("overdue"),
        )
        .where(scope.within(day.region_code))
        .group_by(g)
    ):
        for name in (
            "reported",
            "due",
            "due_on_time",
            "rated",
            "rating_sum",
            "supervised",
            "overdue",
        ):
            out[row.g][name] += float(getattr(row, name) or 0)
    lg = scope.group(late.region_code).label("g")
    for group, n in await session.execute(
        select(lg, func.sum(late.n))
        .where(
            scope.within(late.region_code),
            late.deadline_day.between(scope.first_day, scope.last_day),
            late.closed_day <= scope.last_day,
        )
        .group_by(lg)
    ):
        out[group]["late_closed"] += float(n or 0)
    # Due today and already past: the summaries count by day, the clock by the instant.
    start_of_today = datetime.combine(today, time(), ZoneInfo(scope.tz))
    eg = scope.group(Event.region_code).label("g")
    for group, n in await session.execute(
        select(eg, func.count())
        .where(
            scope.within(Event.region_code),
            and_(Event.status != "closed", Event.deadline_at >= start_of_today),
            Event.deadline_at < func.now(),
        )
        .group_by(eg)
    ):
        out[group]["overdue"] += float(n)
    if scope.group_len is None:
        out.setdefault("", defaultdict(float))
    return out


async def compute(session: AsyncSession, scope: Scope) -> Figures:
    result: Figures = {}
    for group, f in (await event_figures(session, scope)).items():
        due = int(f.get("due", 0))
        on_time = int(f.get("due_on_time", 0))
        closed = on_time + int(f.get("late_closed", 0))
        close_rate, on_time_rate = rates(due, closed, on_time)
        rated = int(f.get("rated", 0))
        satisfaction = round(f.get("rating_sum", 0) / rated, 2) if rated else None
        figures: list[Figure] = [
            count("events_reported", "上报事件", int(f.get("reported", 0)), "events"),
            count("events_due", "应办结事件", due, "events"),
            count("events_closed", "已办结", closed, "events"),
            count("events_closed_on_time", "按期办结", on_time, "events"),
            Figure("close_rate", "结案率", close_rate, unit="%", chart="rates", additive=False),
            Figure(
                "on_time_rate", "按期结案率", on_time_rate, unit="%", chart="rates", additive=False
            ),
            Figure("satisfaction", "群众满意度", satisfaction, unit="/5", additive=False),
            count("events_overdue", "超期未办结", int(f.get("overdue", 0)), "events"),
            count("events_supervised", "督办事件", int(f.get("supervised", 0)), "events"),
        ]
        result[group] = figures
    return result


PANEL = PanelPart(PANEL_KEY, compute, title="工作考核", order=40)
