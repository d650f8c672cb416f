"""GraphQL for the monthly attendance report (the XLSX download holds the same figures)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from plugins.attendance.report import Figures, MonthReport, monthly_report
from plugins.attendance.settings import settings_of


@strawberry.type
class AttendanceFigures:
    days_present: int
    hours_in_grid: float
    km_patrolled: float
    visits: int
    events_reported: int
    events_handled: int = strawberry.field(description="Events the worker resolved")


@strawberry.type
class WorkerAttendanceMonth:
    worker_id: strawberry.ID
    name: str
    grid_code: str
    figures: AttendanceFigures


@strawberry.type
class RegionAttendanceMonth:
    region_code: str
    name: str
    workers: int
    figures: AttendanceFigures


@strawberry.type
class AttendanceReport:
    month: str
    region_code: str
    region_name: str
    workers: list[WorkerAttendanceMonth]
    regions: list[RegionAttendanceMonth] = strawberry.field(
        description="The region's next level down (the region itself at the lowest level)"
    )
    total: RegionAttendanceMonth
    download: str = strawberry.field(description="Path of the same report as XLSX")


def _figures(f: Figures) -> AttendanceFigures:
    return AttendanceFigures(
        days_present=f.days_present,
        hours_in_grid=f.hours_in_grid,
        km_patrolled=f.km_patrolled,
        visits=f.visits,
        events_reported=f.events_reported,
        events_handled=f.events_handled,
    )


def typed(r: MonthReport) -> AttendanceReport:
    def region(row: Any) -> RegionAttendanceMonth:
        return RegionAttendanceMonth(
            region_code=row.code,
            name=row.name,
            workers=row.workers,
            figures=_figures(row.figures),
        )

    return AttendanceReport(
        month=r.month,
        region_code=r.region_code,
        region_name=r.region_name,
        workers=[
            WorkerAttendanceMonth(
                worker_id=strawberry.ID(str(w.worker_id)),
                name=w.name,
                grid_code=w.grid_code,
                figures=_figures(w.figures),
            )
            for w in r.workers
        ],
        regions=[region(x) for x in r.regions],
        total=region(r.total),
        download=f"/attendance/report.xlsx?month={r.month}&region={r.region_code}",
    )


@strawberry.type
class ReportQueries:
    @strawberry.field(
        description="Monthly attendance per worker and per region, for the workers you may "
        "see (a grid worker: their own row). month is YYYY-MM; regionCode defaults to the "
        "district."
    )
    async def attendance_report(
        self, info: Info, month: str, region_code: str | None = None
    ) -> AttendanceReport:
        ctx = info.context
        async with ctx.transaction() as session:  # brings track figures up to date
            found = await monthly_report(
                session,
                ctx.actor,
                month,
                region_code,
                tz=ctx.settings.timezone,
                settings=settings_of(ctx.runtime),
            )
        return typed(found)
