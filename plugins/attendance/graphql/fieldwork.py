"""GraphQL for visits and patrols: mutations, ``GridWorker.visits``/``patrols`` and
``Event.patrolFinding`` (the finding an event was made from)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from core.errors import BadInput
from plugins.attendance import fieldwork as service
from plugins.attendance.graphql.access import may_read_worker
from plugins.attendance.graphql.loaders import (
    FindingByEventLoader,
    FindingsByPatrolLoader,
    PatrolsLoader,
    VisitsLoader,
)
from plugins.attendance.settings import settings_of
from schema.files import StoredFileLinks
from schema.ids import optional_id, parse_id
from schema.located import PositionInput
from schema.uploads import forget_uploads, store_uploads

MAX_PHOTOS = 9


@strawberry.type
class VisitPhotoInfo(StoredFileLinks):
    size: int


@strawberry.type
class VisitRecord:
    id: strawberry.ID
    worker_id: strawberry.ID
    household_id: strawberry.ID | None
    person_id: strawberry.ID | None
    note: str
    at: datetime
    region_code: str
    photos: list[VisitPhotoInfo]


@strawberry.type
class FindingRecord:
    id: strawberry.ID
    patrol_id: strawberry.ID
    note: str
    at: datetime
    region_code: str
    event_id: strawberry.ID | None = strawberry.field(
        description="The event this finding was turned into (read it with `event(id:)`)"
    )


@strawberry.type
class PatrolRecord:
    id: strawberry.ID
    worker_id: strawberry.ID
    started_at: datetime
    ended_at: datetime | None
    note: str | None
    distance_m: float | None = strawberry.field(
        description="Metres walked between start and end (fixes uploaded later count too)"
    )

    @strawberry.field
    async def findings(self, info: Info) -> list[FindingRecord]:
        rows = await info.context.loader(FindingsByPatrolLoader).load(int(self.id))
        return [finding_of(r) for r in rows]


def finding_of(row: Any) -> FindingRecord:
    out = FindingRecord(
        id=strawberry.ID(str(row.id)),
        patrol_id=strawberry.ID(str(row.patrol_id)),
        note=row.note,
        at=row.collected_at,
        region_code=row.region_code,
        event_id=strawberry.ID(str(row.event_id)) if row.event_id is not None else None,
    )
    return out


def patrol_of(row: Any) -> PatrolRecord:
    return PatrolRecord(
        id=strawberry.ID(str(row.id)),
        worker_id=strawberry.ID(str(row.worker_id)),
        started_at=row.started_at,
        ended_at=row.ended_at,
        note=row.note,
        distance_m=round(row.distance_m, 1) if row.distance_m is not None else None,
    )


def visit_of(row: Any, photos: list[Any]) -> VisitRecord:
    return VisitRecord(
        id=strawberry.ID(str(row.id)),
        worker_id=strawberry.ID(str(row.worker_id)),
        household_id=strawberry.ID(str(row.household_id)) if row.household_id else None,
        person_id=strawberry.ID(str(row.person_id)) if row.person_id else None,
        note=row.note,
        at=row.collected_at,
        region_code=row.region_code,
        photos=[VisitPhotoInfo(key=p.key, mime=p.mime, size=p.size) for p in photos],
    )


@strawberry.input
class FindingReportInput:
    category_code: str
    title: str


@strawberry.type
class FieldworkMutations:
    @strawberry.mutation(
        description="A grid worker records a visit (走访) to a household or a person."
    )
    async def record_visit(
        self,
        info: Info,
        note: str,
        location: PositionInput,
        household_id: strawberry.ID | None = None,
        person_id: strawberry.ID | None = None,
        photos: list[Upload] | None = None,
    ) -> VisitRecord:
        ctx = info.context
        household = optional_id(household_id, "householdId")
        person = optional_id(person_id, "personId")
        saved = await store_uploads(
            info, photos or (), limit=MAX_PHOTOS, argument="photos", kinds=("image",)
        )
        try:
            async with ctx.transaction() as session:
                visit = await service.record_visit(
                    session,
                    ctx.actor,
                    note=note,
                    lon=location.lon,
                    lat=location.lat,
                    tz=ctx.settings.timezone,
                    household_id=household,
                    person_id=person,
                    photos=saved,
                )
                return visit_of(visit, saved)
        except BaseException:
            await forget_uploads(info, saved)
            raise

    @strawberry.mutation(description="A grid worker starts a patrol (巡查) where they are.")
    async def start_patrol(
        self, info: Info, location: PositionInput, note: str | None = None
    ) -> PatrolRecord:
        ctx = info.context
        async with ctx.transaction() as session:
            patrol = await service.start_patrol(
                session,
                ctx.actor,
                lon=location.lon,
                lat=location.lat,
                tz=ctx.settings.timezone,
                note=note,
            )
            return patrol_of(patrol)

    @strawberry.mutation(
        description="Note what was found on a patrol under way; with `report`, it becomes "
        "an event at once (through the core event service), linked to the finding."
    )
    async def add_patrol_finding(
        self,
        info: Info,
        patrol_id: strawberry.ID,
        note: str,
        location: PositionInput,
        report: FindingReportInput | None = None,
    ) -> FindingRecord:
        ctx = info.context
        async with ctx.transaction() as session:
            finding, event = await service.add_finding(
                session,
                ctx.actor,
                parse_id(patrol_id, "patrolId"),
                note=note,
                lon=location.lon,
                lat=location.lat,
                tz=ctx.settings.timezone,
                report=service.FindingReport(report.category_code, report.title)
                if report
                else None,
                pm=ctx.plugin_manager,
            )
            if event is not None:
                await ctx.publish_event(session, event)
            return finding_of(finding)

    @strawberry.mutation(
        description="Turn a finding into an event (once; asking again returns the same)."
    )
    async def report_patrol_finding(
        self, info: Info, finding_id: strawberry.ID, report: FindingReportInput
    ) -> FindingRecord:
        ctx = info.context
        async with ctx.transaction() as session:
            finding = await service.finding_of(
                session, ctx.actor, parse_id(finding_id, "findingId")
            )
            event = await service.report_finding(
                session,
                ctx.actor,
                finding,
                service.FindingReport(report.category_code, report.title),
                tz=ctx.settings.timezone,
                pm=ctx.plugin_manager,
            )
            await ctx.publish_event(session, event)
            return finding_of(finding)

    @strawberry.mutation(description="End a patrol; its distance is measured from the track.")
    async def end_patrol(self, info: Info, patrol_id: strawberry.ID) -> PatrolRecord:
        ctx = info.context
        async with ctx.transaction() as session:
            patrol = await service.end_patrol(
                session,
                ctx.actor,
                parse_id(patrol_id, "patrolId"),
                settings=settings_of(ctx.runtime),
            )
            return patrol_of(patrol)


FROM = Annotated[datetime | None, strawberry.argument(name="from")]
FIRST = Annotated[int, strawberry.argument(description="At most 100, newest first")]


def _limit(first: int) -> int:
    if not 1 <= first <= 100:
        raise BadInput("first must be 1 to 100", argument="first")
    return first


@strawberry.type(name="GridWorkerFieldwork")
class GridWorkerFieldwork:
    @strawberry.field(description="Visits in [from, to), newest first (null if not yours to see).")
    async def visits(
        self, info: Info, from_: FROM = None, to: datetime | None = None, first: FIRST = 20
    ) -> list[VisitRecord] | None:
        worker_id = int(self.id)  # type: ignore[attr-defined]  # self is the row
        key = (worker_id, from_, to, _limit(first))
        if not await may_read_worker(info, worker_id, "attendance"):
            return None
        rows = await info.context.loader(VisitsLoader).load(key)
        return [visit_of(visit, photos) for visit, photos in rows]

    @strawberry.field(description="Patrols started in [from, to), newest first.")
    async def patrols(
        self, info: Info, from_: FROM = None, to: datetime | None = None, first: FIRST = 20
    ) -> list[PatrolRecord] | None:
        worker_id = int(self.id)  # type: ignore[attr-defined]  # self is the row
        key = (worker_id, from_, to, _limit(first))
        if not await may_read_worker(info, worker_id, "attendance"):
            return None
        rows = await info.context.loader(PatrolsLoader).load(key)
        return [patrol_of(r) for r in rows]


@strawberry.type(name="EventPatrolFinding")
class EventPatrolFinding:
    @strawberry.field(description="The patrol finding this event was made from, if any.")
    async def patrol_finding(self, info: Info) -> FindingRecord | None:
        row = await info.context.loader(FindingByEventLoader).load(int(self.id))  # type: ignore[attr-defined]  # self is the row
        return finding_of(row) if row is not None else None
