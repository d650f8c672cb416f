"""The shape of an event for the compiled event pages (``events``, ``myTasks``,
``myReports``, ``overdueEvents``; schema/compiled/records.py). ``category`` and ``grid``
are loaded through the request's DataLoaders (the same statements); who holds an event and
whether its reporter is shown are decided by the same functions as the resolvers
(``assignee_of``, ``shows_reporter``, ``reporter_view``). Anything else (``trace``,
``attachments``, ``actions``, a plugin's field) sends the page to the resolvers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from authz.masking import reporter_view
from schema.compiled.areas import GRID_SHAPE
from schema.compiled.located import LOCATED
from schema.compiled.records import Builder, Relation, Shape
from schema.compiled.selection import Selected
from schema.event.loaders import (
    AccountNameLoader,
    DepartmentNameLoader,
    EventCategoryLoader,
    GridVersionByIdLoader,
)
from schema.event.types import EVENT_FIELDS, assignee_of, shows_reporter

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
    batches={"assignee": _assignee, "reporter": _reporter},
    children={"assignee": ASSIGNEE_SHAPE},
)

__all__ = ["EVENT_SHAPE"]
