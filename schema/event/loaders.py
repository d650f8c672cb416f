"""DataLoaders and statements of the event domain."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func as sa_func
from sqlalchemy import select

from authz.events import visible_events
from core.models import Account, Department, Event, EventAttachment, EventCategory, EventTrace
from core.models.region import Grid
from schema.grid.columns import GRID_COLUMNS
from schema.loaders import Loader, ManyLoader, OneLoader
from schema.located import located_columns

EVENTS = select(
    Event.id,
    Event.category_code,
    Event.title,
    Event.description,
    Event.address,
    Event.status,
    Event.level,
    Event.handling_region,
    Event.assignee_id,
    Event.assignee_department,
    Event.reporter_id,
    Event.anonymous,
    Event.channel,
    Event.deadline_at,
    Event.supervision,
    Event.resolved_at,
    Event.closed_at,
    Event.rating,
    Event.rating_comment,
    Event.rated_at,
    Event.version,
    *located_columns(Event),
)
TRACE = (
    select(
        EventTrace.id,
        EventTrace.event_id,
        EventTrace.step,
        EventTrace.action,
        EventTrace.from_status,
        EventTrace.to_status,
        EventTrace.actor_id,
        EventTrace.actor_role,
        EventTrace.at,
        EventTrace.note,
        EventTrace.internal,
        EventTrace.detail,
        Account.name.label("actor_name"),
    )
    .outerjoin(Account, Account.id == EventTrace.actor_id)
    .order_by(EventTrace.step)
)
ATTACHMENTS = select(
    EventAttachment.id,
    EventAttachment.event_id,
    EventAttachment.trace_id,
    EventAttachment.key,
    EventAttachment.mime,
    EventAttachment.kind,
    EventAttachment.size,
    EventAttachment.original_filename,
).order_by(EventAttachment.id)


class EventCategoryLoader(OneLoader):
    statement = select(
        EventCategory.code,
        EventCategory.kind,
        EventCategory.name_zh,
        EventCategory.name_en,
        EventCategory.deadline_hours,
        EventCategory.department_types,
    )
    key = EventCategory.code
    key_name = "code"


class EventTraceLoader(ManyLoader):
    statement = TRACE
    key = EventTrace.event_id
    key_name = "event_id"


class EventAttachmentsLoader(ManyLoader):
    statement = ATTACHMENTS
    key = EventAttachment.event_id
    key_name = "event_id"


class GridVersionByIdLoader(OneLoader):
    """Any version of a grid (events keep the grid they were reported in)."""

    statement = select(*GRID_COLUMNS)
    key = Grid.id
    key_name = "id"


class AccountNameLoader(OneLoader):
    statement = select(Account.id, Account.name, Account.role)
    key = Account.id
    key_name = "id"


class DepartmentNameLoader(OneLoader):
    statement = select(Department.code, Department.name)
    key = Department.code
    key_name = "code"


class LatestEventsByGridLoader(Loader[tuple[int, int], list[Any]]):
    """The latest events reported in each grid (top N per grid in one statement), keyed by
    (grid id, N); rows outside the actor's reach are left out."""

    async def load_batch(self, keys: list[tuple[int, int]]) -> list[list[Any]]:
        ctx = self.ctx
        limit = max(n for _, n in keys)
        ranked = (
            EVENTS.add_columns(
                sa_func.row_number()
                .over(partition_by=Event.grid_id, order_by=Event.id.desc())
                .label("rank")
            )
            .where(Event.grid_id.in_({g for g, _ in keys}), visible_events(ctx.actor))
            .subquery()
        )
        rows = (
            await ctx.execute(
                select(ranked)
                .where(ranked.c.rank <= limit)
                .order_by(ranked.c.grid_id, ranked.c.rank)
            )
        ).all()
        grouped: dict[int, list[Any]] = defaultdict(list)
        for r in rows:
            grouped[r.grid_id].append(r)
        return [grouped.get(g, [])[:n] for g, n in keys]
