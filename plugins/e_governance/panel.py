"""The dashboard's smart government affairs panel (智慧政务): residents' service requests
(the ``service.*`` event categories: livelihood help, errands run on their behalf) —
received in the period, handled on time, satisfaction. (The service catalogue and its
applications come with the plugin's schema.)"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import Figure, Figures, PanelPart, Scope
from core.models import Event
from core.models.base import prefix_match
from core.services.indicators import percent

SERVICE = "service."


async def compute(session: AsyncSession, scope: Scope) -> Figures:
    g = scope.group(Event.region_code).label("g")
    received = (Event.collected_at >= scope.start) & (Event.collected_at < scope.end)
    closed_in = (Event.closed_at >= scope.start) & (Event.closed_at < scope.end)
    rows = await session.execute(
        select(
            g,
            func.count().filter(received).label("received"),
            func.count().filter(received, Event.status == "closed").label("closed"),
            func.count().filter(received, Event.closed_at <= Event.deadline_at).label("on_time"),
            func.count().filter(closed_in, Event.rating.is_not(None)).label("rated"),
            func.avg(Event.rating).filter(closed_in).label("satisfaction"),
        )
        .where(prefix_match(Event.category_code, SERVICE), scope.within(Event.region_code))
        .group_by(g)
    )
    out: Figures = {}
    for row in rows:
        out[row.g] = _figures(row.received, row.closed, row.on_time, row.satisfaction)
    if scope.group_len is None and "" not in out:
        out[""] = _figures(0, 0, 0, None)
    return out


def _figures(
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


PANEL = PanelPart("government_affairs", compute, title="智慧政务", order=60)
