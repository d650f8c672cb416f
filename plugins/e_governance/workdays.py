"""Working days (工作日): Monday to Friday, except the State Council's holidays, plus the
weekend days it makes working days (调休上班). The calendar is data (``gov_holiday``),
read once per use.

Periods count as the law counts them (期间开始的当日不计算在期间内): "N working days from
acceptance" ends on the N-th working day *after* the day of acceptance; that day is the
deadline, and an application finished on it is on time.

A 补正 (request for missing materials) stops the clock: the working days after the
request up to and including the day the materials come are not counted, so the deadline
moves on by that many working days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plugins.e_governance.models import DayKind, GovHoliday

#: a period may not run longer than this many calendar days (a guard against a calendar
#: with no working days at all)
MAX_SPAN = 3660


@dataclass(frozen=True, slots=True)
class Calendar:
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    @classmethod
    def of(cls, rows: Iterable[tuple[date, str]]) -> Calendar:
        days = list(rows)
        return cls(
            frozenset(d for d, k in days if k == DayKind.HOLIDAY.value),
            frozenset(d for d, k in days if k == DayKind.WORKDAY.value),
        )

    def is_working(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself for n = 0)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        for _ in range(MAX_SPAN):
            if n == 0:
                return day
            day += timedelta(days=1)
            if self.is_working(day):
                n -= 1
        raise ValueError(f"no {n} working days within {MAX_SPAN} days of {start}")

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end ≤ start)."""
        if end <= start:
            return 0
        if (end - start).days > MAX_SPAN:
            raise ValueError(f"{start}..{end} is longer than {MAX_SPAN} days")
        return sum(
            1 for i in range(1, (end - start).days + 1) if self.is_working(start + timedelta(i))
        )


async def load_calendar(session: AsyncSession) -> Calendar:
    """The calendar as the database holds it (a few dozen rows a year)."""
    rows = await session.execute(select(GovHoliday.day, GovHoliday.kind))
    return Calendar.of((r.day, r.kind) for r in rows)
