"""Reading events: one event, lists (scoped), my reports, my tasks, overdue, indicators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import and_, func, or_, select
from strawberry.types import Info

from authz.events import can_see, visible_events
from core.actor import Actor
from core.errors import BadInput, NotFound, Unauthenticated
from core.models import Event, EventCategory
from core.models.account import Role
from core.models.base import prefix_match
from core.services.indicators import indicators
from schema.codes import known_area_prefix
from schema.compiled.event_pages import sql_event_page
from schema.compiled.events import EVENT_SHAPE
from schema.compiled.records import compiled_object, compiled_page
from schema.enums import EventStatus
from schema.event.loaders import EVENTS
from schema.event.types import EventCategoryType, EventConnection, EventEdge
from schema.ids import parse_id
from schema.pagination import keyset_page, to_connection
from schema.refs import EventRef


async def _page(info: Info, stmt: Any, first: int, after: str | None) -> Any:
    if info.context.settings.compiled_reads:
        compiled = await sql_event_page(info, stmt, first, after)
        if compiled is not None:
            return compiled

    async def resolve() -> Any:
        page = await keyset_page(
            info,
            stmt,
            [Event.id],
            lambda r: (r.id,),
            kind="event",
            key_types=[int],
            first=first,
            after=after,
        )
        return to_connection(EventConnection, EventEdge, page, "event")

    return await compiled_page(info, EVENT_SHAPE, resolve)


def _need_login(actor: Actor) -> None:
    if not actor.authenticated:
        raise Unauthenticated("log in to see events")


@strawberry.type
class Indicators:
    due: int = strawberry.field(description="Events whose deadline falls in the period")
    closed: int = strawberry.field(description="Of those, closed (by the end of the period)")
    closed_on_time: int
    close_rate: float | None = strawberry.field(description="结案率 = closed / due, in %")
    on_time_rate: float | None = strawberry.field(
        description="按期结案率 = closed on time / due, in %"
    )
    average_satisfaction: float | None = strawberry.field(
        description="Mean rating (1–5) of events closed in the period"
    )
    overdue: int = strawberry.field(description="Open events past their deadline now")


@strawberry.type
class EventQueries:
    @strawberry.field(description="One event (NOT_FOUND when it is not yours to see).")
    async def event(self, info: Info, id: strawberry.ID) -> EventRef:
        actor = info.context.actor
        _need_login(actor)
        event_id = parse_id(id)
        row = (await info.context.execute(EVENTS.where(Event.id == event_id))).one_or_none()
        if row is None or not can_see(actor, row):
            raise NotFound(f"no event has the id {id}", argument="id")
        return await compiled_object(info, EVENT_SHAPE, row)

    @strawberry.field(description="Events you may read, filtered.")
    async def events(
        self,
        info: Info,
        region_code: str | None = None,
        status: EventStatus | None = None,
        category_code: str | None = None,
        overdue: bool | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> EventConnection:
        actor = info.context.actor
        _need_login(actor)
        stmt = EVENTS.where(visible_events(actor))
        prefix = await known_area_prefix(info, region_code)
        if prefix:
            stmt = stmt.where(prefix_match(Event.region_code, prefix))
        if status is not None:
            stmt = stmt.where(Event.status == status.value)
        if category_code is not None:
            stmt = stmt.where(Event.category_code == category_code)
        if overdue is not None:
            late = and_(Event.status != "closed", Event.deadline_at < func.now())
            stmt = stmt.where(late if overdue else ~late)
        return await _page(info, stmt, first, after)

    @strawberry.field(description="Events you reported.")
    async def my_reports(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> EventConnection:
        actor = info.context.actor
        _need_login(actor)
        return await _page(info, EVENTS.where(Event.reporter_id == actor.account_id), first, after)

    @strawberry.field(
        description="Open events in your hands: yours, your level's, your department's."
    )
    async def my_tasks(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> EventConnection:
        actor = info.context.actor
        _need_login(actor)
        mine = [and_(Event.assignee_id == actor.account_id, Event.assignee_department.is_(None))]
        if actor.department_code:
            mine.append(Event.assignee_department == actor.department_code)
        level = {
            Role.COMMUNITY_STAFF: "community",
            Role.TOWNSHIP_STAFF: "township",
            Role.DISTRICT_COMMAND: "district",
        }.get(actor.role)
        if level is not None:
            region = actor.region_code if level != "district" else None
            clause = and_(
                Event.level == level,
                Event.assignee_department.is_(None),
                Event.assignee_id.is_(None),
            )
            if region is not None:
                clause = and_(clause, Event.handling_region == region)
            elif actor.tenancy:
                clause = and_(clause, prefix_match(Event.handling_region, actor.tenancy))
            mine.append(clause)
        stmt = EVENTS.where(or_(*mine), Event.status != "closed")
        return await _page(info, stmt, first, after)

    @strawberry.field(description="Open events past their deadline, within your reach.")
    async def overdue_events(
        self, info: Info, region_code: str | None = None, first: int = 50, after: str | None = None
    ) -> EventConnection:
        return await EventQueries.events(
            self, info, region_code=region_code, overdue=True, first=first, after=after
        )

    @strawberry.field
    async def event_categories(self, info: Info) -> list[EventCategoryType]:
        rows = (
            await info.context.execute(
                select(EventCategory).where(EventCategory.active).order_by(EventCategory.code)
            )
        ).scalars()
        return [EventCategoryType.of(r) for r in rows]

    @strawberry.field(
        description="结案率, 按期结案率, satisfaction and overdue count for a "
        "grid/region and/or department over [from, to)."
    )
    async def event_indicators(
        self,
        info: Info,
        region_code: str | None = None,
        department_code: str | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
    ) -> Indicators:
        actor = info.context.actor
        _need_login(actor)
        prefix = await known_area_prefix(info, region_code)
        for name, moment in (("from", from_), ("to", to)):
            if moment is not None and moment.tzinfo is None:
                raise BadInput(f"{name} needs a time zone offset", argument=name)
        async with info.context.locked() as session:
            figures = await indicators(
                session,
                scope=visible_events(actor),
                prefix=prefix,
                department_code=department_code,
                start=from_,
                end=to,
            )
        return Indicators(**figures.__dict__)
