"""Event pages (``events``, ``myTasks``, ``myReports``, ``overdueEvents``), completed in
Python like ``persons``: the page comes from the resolver's own query (same visibility,
order and cursors) and each node is built from the type's field table instead of one
resolver call per field. ``category``, ``grid``, ``assignee`` and ``reporter`` are loaded
through the request's DataLoaders (the same statements) and decided by the same functions
as the resolvers (``assignee_of``, ``shows_reporter``, ``reporter_view``). Anything else
(``trace``, ``attachments``, ``actions``, a plugin's field) sends the page to the
resolvers."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from authz.masking import reporter_view
from schema.compiled.connection import connection_parts, resolved_page
from schema.compiled.located import LOCATED, Getter
from schema.compiled.selection import NotCompilable, Selected, selection_of
from schema.event.loaders import (
    AccountNameLoader,
    DepartmentNameLoader,
    EventCategoryLoader,
    GridVersionByIdLoader,
)
from schema.event.types import EVENT_FIELDS, assignee_of, shows_reporter
from schema.grid.types import GRID_FIELDS

EVENT: dict[str, Getter] = {**LOCATED, **EVENT_FIELDS.python}
CATEGORY: dict[str, Getter] = {
    "code": lambda c: c.code,
    "kind": lambda c: c.kind,
    "nameZh": lambda c: c.name_zh,
    "nameEn": lambda c: c.name_en,
    "deadlineHours": lambda c: c.deadline_hours,
    "departmentTypes": lambda c: list(c.department_types),
}
ASSIGNEE: dict[str, Getter] = {
    "kind": lambda a: a.kind.name,
    "code": lambda a: a.code,
    "name": lambda a: a.name,
    "level": lambda a: str(a.level).upper(),
}
GRID: dict[str, Getter] = GRID_FIELDS.python
#: object fields of an event built here, with the fields of what they hold
RELATIONS: dict[str, tuple[str, dict[str, Getter]]] = {
    "category": ("EventCategoryType", CATEGORY),
    "grid": ("Grid", GRID),
    "assignee": ("Assignee", ASSIGNEE),
}


def _check(selected: list[Selected], declared: dict[str, Getter]) -> None:
    for field in selected:
        if field.name != "__typename" and (field.name not in declared or field.args):
            raise NotCompilable(field.name)


def plan(info: Info) -> list[Selected] | None:
    """The connection's selection if every field in it is declared here, else None."""
    try:
        selected = selection_of(info)
        node, _ = connection_parts(selected)
        for field in node:
            if field.name in RELATIONS:
                if field.args:
                    raise NotCompilable(field.name)
                _check(field.children, RELATIONS[field.name][1])
            elif field.name != "reporter":
                _check([field], EVENT)
    except NotCompilable:
        return None
    return selected


def _object(typename: str, getters: dict[str, Getter], value: Any, selected: list[Selected]) -> Any:
    if value is None:
        return None
    return {f.key: typename if f.name == "__typename" else getters[f.name](value) for f in selected}


async def _load(info: Info, rows: list[Any], wanted: set[str]) -> dict[str, dict[Any, Any]]:
    """The related rows of a page, each kind in one batch (the loaders' statements)."""
    ctx = info.context
    actor = ctx.actor

    async def by(loader: Any, keys: set[Any]) -> dict[Any, Any]:
        ordered = sorted(keys)
        found = await ctx.loader(loader).load_many(ordered)
        return dict(zip(ordered, found, strict=True))

    out: dict[str, dict[Any, Any]] = {}
    if "category" in wanted:
        out["category"] = await by(EventCategoryLoader, {r.category_code for r in rows})
    if "grid" in wanted:
        out["grid"] = await by(GridVersionByIdLoader, {r.grid_id for r in rows if r.grid_id})
    accounts: set[int] = set()
    if "assignee" in wanted:
        departments = {r.assignee_department for r in rows if r.assignee_department}
        out["department"] = await by(DepartmentNameLoader, departments)
        accounts |= {
            r.assignee_id
            for r in rows
            if r.assignee_department is None
            and r.assignee_id is not None
            and not reporter_view(actor, r.reporter_id, r.region_code)
        }
    if "reporter" in wanted:
        accounts |= {r.reporter_id for r in rows if shows_reporter(r, actor)}
    out["account"] = await by(AccountNameLoader, accounts) if accounts else {}
    return out


def _node(row: Any, selected: list[Selected], loaded: dict[str, dict[Any, Any]], actor: Any) -> Any:
    out: dict[str, Any] = {}
    for field in selected:
        name = field.name
        if name == "__typename":
            out[field.key] = "Event"
        elif name == "category":
            category = loaded["category"][row.category_code]
            out[field.key] = _object("EventCategoryType", CATEGORY, category, field.children)
        elif name == "grid":
            grid = loaded["grid"].get(row.grid_id) if row.grid_id is not None else None
            out[field.key] = _object("Grid", GRID, grid, field.children)
        elif name == "assignee":
            department = loaded["department"].get(row.assignee_department)
            account = loaded["account"].get(row.assignee_id)
            holder = assignee_of(row, actor, department, account)
            out[field.key] = _object("Assignee", ASSIGNEE, holder, field.children)
        elif name == "reporter":
            account = loaded["account"].get(row.reporter_id) if shows_reporter(row, actor) else None
            out[field.key] = account.name if account else None
        else:
            out[field.key] = EVENT[name](row)
    return out


async def complete_events(info: Info, selected: list[Selected], connection: Any) -> Any:
    """The response of an event page from the resolver's connection."""
    ctx = info.context
    node, _ = connection_parts(selected)
    rows = [e.node for e in connection.edges]
    loaded = await _load(info, rows, {f.name for f in node})
    nodes = [_node(r, node, loaded, ctx.actor) for r in rows]
    return await resolved_page(ctx, selected, "Event", nodes, connection)


__all__ = ["complete_events", "plan"]
