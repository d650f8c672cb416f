"""Event indicators per grid, region, department and period.

- due: events whose deadline falls in [start, end)
- closed: of those, closed before ``end``; on time: closed by their deadline
- 结案率 = closed / due; 按期结案率 = closed on time / due (percent, 2 decimals)
- average satisfaction: mean rating of events closed in [start, end)
- overdue: open events past their deadline now
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Event
from core.models.base import prefix_match


@dataclass(frozen=True)
class Figures:
    due: int
    closed: int
    closed_on_time: int
    close_rate: float | None
    on_time_rate: float | None
    average_satisfaction: float | None
    overdue: int


def percent(part: int, whole: int) -> float | None:
    """``part / whole`` in percent, rounded half-up to 2 decimals (None when nothing is due)."""
    if whole == 0:
        return None
    return (part * 10000 * 2 + whole) // (whole * 2) / 100


def rates(due: int, closed: int, on_time: int) -> tuple[float | None, float | None]:
    return percent(closed, due), percent(on_time, due)


async def indicators(
    session: AsyncSession,
    *,
    scope: ColumnElement[bool],
    prefix: str = "",
    department_code: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Figures:
    where = [scope, prefix_match(Event.region_code, prefix)]
    if department_code is not None:
        where.append(Event.assignee_department == department_code)
    due_where = list(where)
    if start is not None:
        due_where.append(Event.deadline_at >= start)
    if end is not None:
        due_where.append(Event.deadline_at < end)
    closed = and_(
        Event.closed_at.is_not(None),
        Event.closed_at < end if end is not None else Event.closed_at.is_not(None),
    )
    closed_in = [*where, Event.closed_at.is_not(None)]
    if start is not None:
        closed_in.append(Event.closed_at >= start)
    if end is not None:
        closed_in.append(Event.closed_at < end)
    row = (
        await session.execute(
            select(
                select(func.count()).where(*due_where).scalar_subquery().label("due"),
                select(func.count()).where(*due_where, closed).scalar_subquery().label("closed"),
                select(func.count())
                .where(*due_where, closed, Event.closed_at <= Event.deadline_at)
                .scalar_subquery()
                .label("on_time"),
                select(func.avg(Event.rating))
                .where(*closed_in, Event.rating.is_not(None))
                .scalar_subquery()
                .label("satisfaction"),
                select(func.count())
                .where(*where, Event.status != "closed", Event.deadline_at < func.now())
                .scalar_subquery()
                .label("overdue"),
            )
        )
    ).one()
    close_rate, on_time_rate = rates(row.due, row.closed, row.on_time)
    return Figures(
        due=row.due,
        closed=row.closed,
        closed_on_time=row.on_time,
        close_rate=close_rate,
        on_time_rate=on_time_rate,
        average_satisfaction=(
            round(float(row.satisfaction), 2) if row.satisfaction is not None else None
        ),
        overdue=row.overdue,
    )
