"""The assessment indicators the analytics plugin gives from events (attendance gives
days present, visits and patrols). Each answers ``{worker account id: value}`` for the
month of the scope, counting the events of the worker's current grid(s)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import AssessmentIndicator, Scope
from core.models import Event, Grid
from core.services.indicators import rates


def _worker_events(scope: Scope) -> Any:
    """(worker id, event row) pairs: events lying in a current grid of a worker."""
    return (
        select(Grid.worker_id.label("worker_id"))
        .join(Event, Event.region_code == Grid.code)
        .where(Grid.valid_to.is_(None), Grid.worker_id.is_not(None), scope.within(Grid.code))
    )


async def event_counts(session: AsyncSession, scope: Scope) -> dict[int, dict[str, float]]:
    """Per worker: reported, due, closed (of the due, by the month's end), on time,
    rated and the rating sum (closed in the month)."""
    due = and_(Event.deadline_at >= scope.start, Event.deadline_at < scope.end)
    closed = and_(due, Event.closed_at.is_not(None), Event.closed_at < scope.end)
    closed_in = and_(Event.closed_at >= scope.start, Event.closed_at < scope.end)
    reported = and_(Event.collected_at >= scope.start, Event.collected_at < scope.end)
    stmt = (
        _worker_events(scope)
        .add_columns(
            func.count().filter(reported).label("reported"),
            func.count().filter(due).label("due"),
            func.count().filter(closed).label("closed"),
            func.count().filter(closed, Event.closed_at <= Event.deadline_at).label("on_time"),
            func.count().filter(closed_in, Event.rating.is_not(None)).label("rated"),
            func.coalesce(func.sum(Event.rating).filter(closed_in), 0).label("rating_sum"),
        )
        .where(or_(reported, due, closed_in))
        .group_by(Grid.worker_id)
    )
    out: dict[int, dict[str, float]] = {}
    for row in await session.execute(stmt):
        out[int(row.worker_id)] = {
            k: float(getattr(row, k))
            for k in ("reported", "due", "closed", "on_time", "rated", "rating_sum")
        }
    return out


async def _counts(session: AsyncSession, scope: Scope) -> dict[int, dict[str, float]]:
    """The counts once per session and scope, for the several indicators that need them."""
    info = session.info.setdefault("analytics_event_counts", {})
    found = info.get(scope)
    if found is None:
        found = info[scope] = await event_counts(session, scope)
    return found


def _of(pick: Any) -> Any:
    async def compute(session: AsyncSession, scope: Scope) -> dict[int, float]:
        return {
            w: v for w, c in (await _counts(session, scope)).items() if (v := pick(c)) is not None
        }

    return compute


def _rate(c: dict[str, float], which: int) -> float | None:
    return rates(int(c["due"]), int(c["closed"]), int(c["on_time"]))[which]


INDICATORS = [
    AssessmentIndicator(
        "events_reported",
        "事件采集上报",
        _of(lambda c: c["reported"]),
        unit="件",
        default_weight=10,
        module="events_by_area",
    ),
    AssessmentIndicator(
        "close_rate",
        "结案率",
        _of(lambda c: _rate(c, 0)),
        unit="%",
        default_weight=20,
        module="events_by_area",
        additive=False,
    ),
    AssessmentIndicator(
        "on_time_rate",
        "按期结案率",
        _of(lambda c: _rate(c, 1)),
        unit="%",
        default_weight=20,
        module="events_by_area",
        additive=False,
    ),
    AssessmentIndicator(
        "satisfaction",
        "群众满意度",
        _of(lambda c: round(c["rating_sum"] / c["rated"], 2) if c["rated"] else None),
        unit="/5",
        default_weight=15,
        module="satisfaction",
        additive=False,
    ),
    AssessmentIndicator(
        "overdue",
        "逾期未结",
        _of(lambda c: c["due"] - c["closed"]),
        unit="件",
        better="lower",
        default_weight=10,
        module="overdue_supervised",
    ),
]
