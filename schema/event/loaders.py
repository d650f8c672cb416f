"""DataLoaders and statements of the event domain."""

from __future__ import annotations

from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import select

from core.models import Account, Department, Event, EventAttachment, EventCategory, EventTrace
from core.models.region import Grid
from schema.context import Context
from schema.grid.columns import GRID_COLUMNS
from schema.loaders import many_loader, one_loader
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


def event_category(ctx: Context) -> DataLoader:
    stmt = select(
        EventCategory.code,
        EventCategory.kind,
        EventCategory.name_zh,
        EventCategory.name_en,
        EventCategory.deadline_hours,
        EventCategory.department_types,
    )
    return one_loader(ctx, stmt, EventCategory.code, "code")


def event_trace(ctx: Context) -> DataLoader:
    return many_loader(ctx, TRACE, EventTrace.event_id, "event_id")


def event_attachments(ctx: Context) -> DataLoader:
    return many_loader(ctx, ATTACHMENTS, EventAttachment.event_id, "event_id")


def grid_version_by_id(ctx: Context) -> DataLoader:
    """Any version of a grid (events keep the grid they were reported in)."""
    return one_loader(ctx, select(*GRID_COLUMNS), Grid.id, "id")


def account_name(ctx: Context) -> DataLoader:
    return one_loader(ctx, select(Account.id, Account.name, Account.role), Account.id, "id")


def department_name(ctx: Context) -> DataLoader:
    return one_loader(ctx, select(Department.code, Department.name), Department.code, "code")


LOADERS = {
    "event_category": event_category,
    "event_trace": event_trace,
    "event_attachments": event_attachments,
    "grid_version_by_id": grid_version_by_id,
    "account_name": account_name,
    "department_name": department_name,
}


def latest_events_by_grid(ctx: Context) -> DataLoader:
    """The latest events reported in each grid (top N per grid in one statement), keyed by
    (grid id, N); rows outside the actor's reach are left out."""
    from collections import defaultdict

    from sqlalchemy import func as sa_func

    from schema.event.queries import visible_events

    async def batch(keys: list[tuple[int, int]]) -> list[list[Any]]:
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

    return DataLoader(batch)


LOADERS["latest_events_by_grid"] = latest_events_by_grid
