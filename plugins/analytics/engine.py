"""Turning an analysis module's ``source`` into answers: the records in the scope and in
the actor's reach, their total, drill-down, trend, pages and reports, with personal cells
masked unless the actor's grants show them whole (those reads are audited)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.analysis import AnalysisModule, Column, Scope
from core.errors import BadInput
from core.models.base import prefix_match

INTERVALS = ("day", "week", "month")
#: the most points a daily series may have (a longer period: ask for weeks or months)
MAX_DAILY_POINTS = 366
#: the most rows a report holds (narrow the region or the period for more)
MAX_REPORT_ROWS = 100_000


def check_filter(module: AnalysisModule, filter: str | None) -> None:
    if filter is not None and filter not in module.filters:
        known = ", ".join(module.filters) or "none"
        raise BadInput(
            f"module {module.key} has no filter {filter!r} (filters: {known})", argument="filter"
        )


#: the columns a located module's source adds for its maps (not part of its list)
LOCATION = ("geom", "beidou_code")


def in_scope(
    module: AnalysisModule, scope: Scope, filter: str | None, *, located: bool = False
) -> Select[Any]:
    """The module's records in the scope (and period, for dated modules), whoever asks:
    a SELECT of the source's columns (the location's only when ``located``)."""
    check_filter(module, filter)
    sub = module.source(scope, filter).subquery("r")
    stmt = select(*(c for c in sub.c if located or c.key not in LOCATION)).where(
        prefix_match(sub.c.region_code, scope.prefix)
    )
    if module.dated:
        stmt = stmt.where(sub.c.at >= scope.start, sub.c.at < scope.end)
    return stmt


def records(
    module: AnalysisModule,
    scope: Scope,
    actor: Actor,
    filter: str | None,
    *,
    located: bool = False,
) -> Any:
    """The module's records in the scope (and period, for dated modules) and the actor's
    reach, as a subquery with the source's columns."""
    stmt = in_scope(module, scope, filter, located=located)
    region = stmt.selected_columns.region_code
    return stmt.where(actor.reach.where(module.category, "read", region)).subquery("records")


async def total(session: AsyncSession, recs: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(recs)) or 0)


async def breakdown(session: AsyncSession, recs: Any, length: int) -> dict[str, int]:
    g = func.left(recs.c.region_code, length)
    rows = await session.execute(select(g, func.count()).select_from(recs).group_by(g))
    return {str(k): int(n) for k, n in rows}


def _starts(first: date, last: date, interval: str) -> list[date]:
    if interval == "day":
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if interval == "week":
        start = first - timedelta(days=first.weekday())
        out = []
        while start <= last:
            out.append(start)
            start += timedelta(days=7)
        return out
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def check_interval(scope: Scope, interval: str) -> None:
    days = (scope.last_day - scope.first_day).days + 1
    if interval == "day" and days > MAX_DAILY_POINTS:
        raise BadInput(
            f"a daily series has at most {MAX_DAILY_POINTS} points; the period has {days} "
            "days: ask for weeks or months",
            argument="interval",
        )


async def trend(
    session: AsyncSession, recs: Any, scope: Scope, interval: str
) -> list[tuple[date, int]]:
    """Records per day/week (from Monday)/month of ``at`` (local), every period of the scope
    present, zero where nothing happened; undated modules count records registered."""
    check_interval(scope, interval)
    local = func.timezone(scope.tz, recs.c.at)
    bucket = func.date_trunc(interval, local).label("b")
    rows = await session.execute(
        select(bucket, func.count())
        .select_from(recs)
        .where(recs.c.at >= scope.start, recs.c.at < scope.end)
        .group_by(bucket)
    )
    counts = {b.date(): int(n) for b, n in rows}
    return [(s, counts.get(s, 0)) for s in _starts(scope.first_day, scope.last_day, interval)]


def page_statement(recs: Any) -> Select[Any]:
    return select(recs)


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def cells(
    module: AnalysisModule,
    row: Any,
    reveal: Callable[[Column, Any], bool],
) -> list[str | None]:
    """The row's cells in column order; a personal cell is whole only when ``reveal``
    (which audits the read) says so, else masked (or left out when it has no mask)."""
    out: list[str | None] = []
    for column in module.columns:
        value = getattr(row, column.key)
        personal = column.personal is not None and (
            column.personal_when is None or bool(getattr(row, column.personal_when))
        )
        if value is not None and personal and not reveal(column, row):
            value = column.mask(str(value)) if column.mask is not None else None
        out.append(text_of(value))
    return out
