"""The dashboard's smart government affairs panel (智慧政务).

Two sources, placed by where the resident lives:

* residents' service requests (the ``service.*`` event categories: livelihood help,
  errands run on their behalf) — received in the period, closed, handled on time,
  satisfaction;
* applications (办件) — the figures of ``plugins.e_governance.metrics`` over the same
  period and area (办件量, 办结量, 按时办结率, 网上办理率, 零跑腿率, 满意率, 差评, open
  and overdue rectifications), so the panel tells what ``serviceMetrics`` tells.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import Figure, Figures, PanelPart, Scope
from core.models import Event
from core.models.base import prefix_match
from core.services.indicators import percent
from plugins.e_governance.metrics import COUNTS, Counts, Period, counts_of, tally_select
from plugins.e_governance.models import GovApplication

SERVICE = "service."


async def compute(session: AsyncSession, scope: Scope) -> Figures:
    """Both sources per group in one statement (the dashboard counts statements per
    panel): the events' and the applications' aggregates, fully outer-joined on the
    group."""
    events = _service_requests(scope).subquery("events")
    applications = tally_select(
        [scope.within(GovApplication.region_code)],
        scope.group(GovApplication.region_code),
        period_of(scope),
    ).subquery("applications")
    rows = await session.execute(
        select(
            func.coalesce(events.c.g, applications.c.g).label("g"),
            events.c.received,
            events.c.closed,
            events.c.on_time,
            events.c.satisfaction,
            *(applications.c[name] for name in COUNTS),
        ).select_from(events.outerjoin(applications, events.c.g == applications.c.g, full=True))
    )
    out: Figures = {}
    for row in rows:
        out[row.g] = _event_figures(
            row.received or 0, row.closed or 0, row.on_time or 0, row.satisfaction
        ) + application_figures(counts_of(row))
    if scope.group_len is None and "" not in out:
        out[""] = _event_figures(0, 0, 0, None) + application_figures(Counts())
    return out


def period_of(scope: Scope) -> Period:
    """The scope's period as the metrics count it (open rectifications judged today)."""
    today = scope.now.astimezone(ZoneInfo(scope.tz)).date()
    return Period(scope.first_day, scope.last_day, scope.start, scope.end, today)


def _service_requests(scope: Scope) -> Any:
    """SELECT g, received, closed, on_time, satisfaction of the ``service.*`` events."""
    g = scope.group(Event.region_code).label("g")
    received = (Event.collected_at >= scope.start) & (Event.collected_at < scope.end)
    closed_in = (Event.closed_at >= scope.start) & (Event.closed_at < scope.end)
    return (
        select(
            g,
            func.count().filter(received).label("received"),
            func.count().filter(received, Event.status == "closed").label("closed"),
            func.count().filter(received, Event.closed_at <= Event.deadline_at).label("on_time"),
            func.avg(Event.rating).filter(closed_in).label("satisfaction"),
        )
        .where(prefix_match(Event.category_code, SERVICE), scope.within(Event.region_code))
        .group_by(g)
    )


def _event_figures(
    received: int, closed: int, on_time: int, satisfaction: Decimal | None
) -> list[Figure]:
    return [
        Figure("service_requests", "受理服务事项", float(received)),
        Figure("service_closed", "已办结", float(closed)),
        Figure("service_on_time", "按期办结", float(on_time)),
        Figure(
            "service_on_time_rate",
            "按期办结率",
            percent(on_time, received),
            unit="%",
            additive=False,
        ),
        Figure(
            "service_satisfaction",
            "满意度",
            round(float(satisfaction), 2) if satisfaction is not None else None,
            unit="/5",
            additive=False,
        ),
    ]


def application_figures(c: Counts) -> list[Figure]:
    """The application figures of one group, keys ``gov_*``."""
    return [
        Figure("gov_applications", "办件量", float(c.applications)),
        Figure("gov_completed", "办结量", float(c.completed)),
        Figure("gov_completed_on_time", "按时办结", float(c.completed_on_time)),
        Figure("gov_on_time_rate", "按时办结率", c.on_time_rate, unit="%", additive=False),
        Figure("gov_online_rate", "网上办理率", c.online_rate, unit="%", additive=False),
        Figure("gov_zero_visit_rate", "零跑腿率", c.zero_visit_rate, unit="%", additive=False),
        Figure("gov_rated", "评价数", float(c.rated)),
        Figure("gov_satisfaction_rate", "满意率", c.satisfaction_rate, unit="%", additive=False),
        Figure("gov_average_score", "平均评分", c.average_score, unit="/5", additive=False),
        Figure("gov_bad_ratings", "差评数", float(c.bad_ratings)),
        Figure("gov_rectifications_open", "整改中", float(c.rectifications_open)),
        Figure("gov_rectifications_overdue", "整改超期", float(c.rectifications_overdue)),
    ]


PANEL = PanelPart("government_affairs", compute, title="智慧政务", order=60)
