"""GraphQL parts of the attendance plugin, contributed through hooks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from core.errors import BadInput
from plugins.attendance.checkin import check_in, check_out
from plugins.attendance.graphql.access import may_read_worker
from plugins.attendance.graphql.loaders import DaysLoader
from plugins.attendance.settings import settings_of
from schema.located import PositionInput


@strawberry.type
class AttendanceRecord:
    day: date
    grid_code: str | None
    check_in_at: datetime
    check_in_distance_m: float = strawberry.field(
        description="Metres outside the grid at check-in (0 inside; -1 without a grid)"
    )
    check_in_flagged: bool = strawberry.field(description="Farther out than the tolerance")
    check_out_at: datetime | None
    check_out_distance_m: float | None
    check_out_flagged: bool | None


def record_of(row: Any) -> AttendanceRecord:
    return AttendanceRecord(
        day=row.day,
        grid_code=row.grid_code,
        check_in_at=row.check_in_at,
        check_in_distance_m=round(row.check_in_distance_m, 1),
        check_in_flagged=row.check_in_flagged,
        check_out_at=row.check_out_at,
        check_out_distance_m=(
            round(row.check_out_distance_m, 1) if row.check_out_distance_m is not None else None
        ),
        check_out_flagged=row.check_out_flagged,
    )


async def _record(info: Info, location: PositionInput, step: Any) -> AttendanceRecord:
    ctx = info.context
    tolerance = settings_of(ctx.runtime).tolerance_m
    async with ctx.transaction() as session:
        row = await step(
            session, ctx.actor, location.lon, location.lat, ctx.settings.timezone, tolerance
        )
        return record_of(row)


@strawberry.type
class CheckInMutations:
    @strawberry.mutation(
        description="A grid worker starts the day where they are; outside "
        "the grid (beyond the tolerance) it is accepted and flagged."
    )
    async def check_in(self, info: Info, location: PositionInput) -> AttendanceRecord:
        return await _record(info, location, check_in)

    @strawberry.mutation(description="A grid worker ends the day.")
    async def check_out(self, info: Info, location: PositionInput) -> AttendanceRecord:
        return await _record(info, location, check_out)


@strawberry.type(name="GridWorkerAttendance")
class GridWorkerAttendance:
    @strawberry.field(
        description="Daily check-ins in [from, to] (the worker themself, or "
        "whoever may read attendance in the worker's grid)."
    )
    async def attendance(
        self,
        info: Info,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> list[AttendanceRecord] | None:
        worker_id = int(self.id)  # type: ignore[attr-defined]  # self is the row
        if from_ is not None and to is not None and from_ > to:
            raise BadInput("from is after to", argument="to")
        if not await may_read_worker(info, worker_id, "attendance"):
            return None
        rows = await info.context.loader(DaysLoader).load((worker_id, from_, to))
        return [record_of(r) for r in rows]
