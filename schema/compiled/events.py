"""The shape of an event for the compiled event pages (``events``, ``myTasks``,
``myReports``, ``overdueEvents``; schema/compiled/records.py). ``category`` and ``grid``
are loaded through the request's DataLoaders (the same statements); who holds an event and
whether its reporter is shown, and what of the trace and the files its reporter sees, are
decided by the same functions as the resolvers (``assignee_of``, ``shows_reporter``,
``reporter_view``, ``trace_of``, ``shown_attachments``, ``allowed_actions``). Anything
else (a plugin's field) sends the page to the resolvers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from authz.masking import reporter_view
from core.services.event_rules import allowed_actions
from schema.compiled.areas import GRID_SHAPE
from schema.compiled.located import LOCATED
from schema.compiled.records import Builder, Relation, Shape, listed, lists, per_row
from schema.compiled.selection import Selected
from schema.enums import EventAction
from schema.event.loaders import (
    AccountNameLoader,
    DepartmentNameLoader,
    EventAttachmentsLoader,
    EventCategoryLoader,
    EventTraceLoader,
    GridVersionByIdLoader,
)
from schema.event.types import (
    ATTACHMENT_FIELDS,
    EVENT_FIELDS,
    TRACE_STEP_FIELDS,
    assignee_of,
    shown_attachments,
    shows_reporter,
    trace_of,
)
from schema.files import file_link, has_thumbnail

CATEGORY_SHAPE = Shape(
    "EventCategoryType",
    {
        "code": lambda c: c.code,
        "kind": lambda c: c.kind,
        "nameZh": lambda c: c.name_zh,
        "nameEn": lambda c: c.name_en,
        "deadlineHours": lambda c: c.deadline_hours,
        "departmentTypes": lambda c: list(c.department_types),
    },
)
ASSIGNEE_SHAPE = Shape(
    "Assignee",
    {
        "kind": lambda a: a.kind.name,
        "code": lambda a: a.code,
        "name": lambda a: a.name,
        "level": lambda a: str(a.level).upper(),
    },
)


ATTACHMENT_SHAPE = Shape(
    "Attachment",
    {"key": lambda a: a.key, "mime": lambda a: a.mime, **ATTACHMENT_FIELDS.python},
    batches={
        # signed links for the caller, as StoredFileLinks makes them
        "url": per_row(lambda b, a: file_link(b.info, a.key)),
        "thumbnailUrl": per_row(
            lambda b, a: file_link(b.info, a.key, thumb=True) if has_thumbnail(a.mime) else None
        ),
    },
)
TRACE_STEP_SHAPE = Shape(
    "TraceStep",
    TRACE_STEP_FIELDS.python,
    batches={"attachments": listed("attachments", lambda: ATTACHMENT_SHAPE)},
    children={"attachments": ATTACHMENT_SHAPE},
)


async def _by(b: Builder, loader: type, keys: Iterable[Any]) -> dict[Any, Any]:
    ordered = sorted(set(keys))
    found = await b.ctx.loader(loader).load_many(ordered)
    return dict(zip(ordered, found, strict=True))


async def _assignee(b: Builder, rows: list[Any], f: Selected) -> dict[int, Any]:
    actor = b.ctx.actor
    departments, accounts = await asyncio.gather(
        _by(
            b, DepartmentNameLoader, (r.assignee_department for r in rows if r.assignee_department)
        ),
        _by(
            b,
            AccountNameLoader,
            (
                r.assignee_id
                for r in rows
                if r.assignee_department is None
                and r.assignee_id is not None
                and not reporter_view(actor, r.reporter_id, r.region_code)
            ),
        ),
    )
    return {
        id(r): ASSIGNEE_SHAPE.plain_object(
            assignee_of(
                r, actor, departments.get(r.assignee_department), accounts.get(r.assignee_id)
            ),
            f.children,
        )
        for r in rows
    }


async def _reporter(b: Builder, rows: list[Any], f: Selected) -> dict[int, Any]:
    actor = b.ctx.actor
    shown = [r for r in rows if shows_reporter(r, actor)]
    accounts = await _by(b, AccountNameLoader, (r.reporter_id for r in shown))
    return {
        id(r): account.name for r in shown if (account := accounts.get(r.reporter_id)) is not None
    }


async def _trace(b: Builder, rows: list[Any], f: Selected) -> dict[int, Any]:
    ids = [int(r.id) for r in rows]
    steps, files = await asyncio.gather(
        b.ctx.loader(EventTraceLoader).load_many(ids),
        b.ctx.loader(EventAttachmentsLoader).load_many(ids),
    )
    actor = b.ctx.actor
    traces = [trace_of(r, actor, s, fs) for r, s, fs in zip(rows, steps, files, strict=True)]
    return await lists(b, rows, traces, TRACE_STEP_SHAPE, f)


async def _attachments(b: Builder, rows: list[Any], f: Selected) -> dict[int, Any]:
    actor = b.ctx.actor
    # a reporter does not get the files of the steps the reporter's trace hides
    public = [int(r.id) for r in rows if reporter_view(actor, r.reporter_id, r.region_code)]
    files, steps = await asyncio.gather(
        b.ctx.loader(EventAttachmentsLoader).load_many([int(r.id) for r in rows]),
        b.ctx.loader(EventTraceLoader).load_many(public),
    )
    hidden = dict(zip(public, steps, strict=True))
    shown = [
        shown_attachments(fs, hidden.get(int(r.id), [])) for r, fs in zip(rows, files, strict=True)
    ]
    return await lists(b, rows, shown, ATTACHMENT_SHAPE, f)


EVENT_SHAPE = Shape(
    "Event",
    {**LOCATED, **EVENT_FIELDS.python},
    relations={
        "category": Relation(
            lambda: CATEGORY_SHAPE, lambda r: r.category_code, EventCategoryLoader
        ),
        # the grid it was reported in, kept when grids are redrawn
        "grid": Relation(lambda: GRID_SHAPE, lambda r: r.grid_id, GridVersionByIdLoader),
    },
    batches={
        "assignee": _assignee,
        "reporter": _reporter,
        "trace": _trace,
        "attachments": _attachments,
        # the steps the caller may take now (EventCore.actions)
        "actions": per_row(
            lambda b, r: [EventAction(a).name for a in allowed_actions(b.ctx.actor, r)]
        ),
    },
    children={
        "assignee": ASSIGNEE_SHAPE,
        "trace": TRACE_STEP_SHAPE,
        "attachments": ATTACHMENT_SHAPE,
    },
)

__all__ = ["EVENT_SHAPE"]
