"""Event pages (``events``, ``myTasks``, ``myReports``, ``overdueEvents``) as one SQL
statement: the resolver's own filter (visibility, arguments), its order and cursors, and
each node built as JSON in PostgreSQL — the event's table, ``location``, ``category``,
``grid`` (with its ``region``), ``assignee`` and ``reporter``, decided as the Python
functions decide them (``assignee_of``, ``reporter_view``, ``shows_reporter``). Anything
else (the trace, files, actions, a plugin's field) goes to the Python shape
(schema/compiled/events.py) and from there, if need be, to the resolvers."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import JSON, Text, and_, case, cast, false, func, literal, not_, select

from core.models import Account, Department, Event, EventCategory, Grid, Region
from schema.compiled.cache import shape
from schema.compiled.connection import connection_parts, connection_response
from schema.compiled.execution import Precompiled
from schema.compiled.selection import NotCompilable, Selected, selection_of
from schema.compiled.sql import Scalars, json_object, key
from schema.event.types import EVENT_FIELDS, ROLE_NAMES
from schema.grid.types import GRID_FIELDS, REGION_FIELDS
from schema.located import LOCATED_FIELDS
from schema.pagination import check_first, decode_cursor, encode_cursor

EVENT: Scalars = {
    **LOCATED_FIELDS.sql,
    **EVENT_FIELDS.sql,
    "location": lambda e: cast(func.ST_AsGeoJSON(e.geom, 7), JSON),
}
CATEGORY: Scalars = {
    "code": lambda c: c.code,
    "kind": lambda c: c.kind,
    "nameZh": lambda c: c.name_zh,
    "nameEn": lambda c: c.name_en,
    "deadlineHours": lambda c: c.deadline_hours,
    "departmentTypes": lambda c: c.department_types,
}


def _category(e: Any, field: Selected) -> Any:
    body = json_object(EventCategory, "EventCategoryType", field.children, CATEGORY)
    return select(body).where(EventCategory.code == e.category_code).scalar_subquery()


def _region(g: Any, field: Selected) -> Any:
    body = json_object(Region, "Region", field.children, REGION_FIELDS.sql)
    return select(body).where(Region.code == g.community_code).correlate(g).scalar_subquery()


def _grid(e: Any, field: Selected) -> Any:
    # any version: an event keeps the grid it was reported in
    body = json_object(Grid, "Grid", field.children, GRID_FIELDS.sql, {"region": _region})
    return select(body).where(Grid.id == e.grid_id).scalar_subquery()


def _name(table: Any, key_column: Any, value: Any) -> Any:
    return select(table.name).where(key_column == value).scalar_subquery()


def _reporter_view(actor: Any, e: Any) -> Any:
    """SQL of ``authz.masking.reporter_view`` (a null region is outside every reach)."""
    if actor.account_id is None:
        return false()
    reach = func.coalesce(actor.reach.where("event", "read", e.region_code), false())
    return and_(e.reporter_id == actor.account_id, not_(reach))


def _assignee(actor: Any) -> Any:
    """``assignee_of`` in SQL: the department, the worker (a role for the reporter), or
    the level."""

    def build(e: Any, field: Selected) -> Any:
        department = e.assignee_department.is_not(None)
        worker = e.assignee_id.is_not(None)
        public = _reporter_view(actor, e)
        role = ROLE_NAMES["grid_worker"]
        values = {
            "kind": case(
                (department, literal("DEPARTMENT")), (worker, literal("WORKER")), else_="LEVEL"
            ),
            "code": case(
                (department, e.assignee_department),
                (worker, case((public, None), else_=cast(e.assignee_id, Text))),
                else_=e.handling_region,
            ),
            "name": case(
                (department, _name(Department, Department.code, e.assignee_department)),
                (
                    worker,
                    case(
                        (public, case((e.level == "grid", literal(role)), else_=None)),
                        else_=_name(Account, Account.id, e.assignee_id),
                    ),
                ),
                else_=None,
            ),
            "level": func.upper(e.level),
            "__typename": literal("Assignee"),
        }
        parts: list[Any] = []
        for sub in field.children:
            if sub.name not in values or sub.children:
                raise NotCompilable(f"Assignee.{sub.name}")
            parts += [key(sub.key), values[sub.name]]
        if not parts:
            raise NotCompilable("empty selection")
        return func.json_build_object(*parts)

    return build


def _reporter(actor: Any, e: Any) -> Any:
    """The reporter's name; null for handlers of an anonymous report (``shows_reporter``)."""
    hidden: Any = e.anonymous
    if actor.account_id is not None:
        hidden = and_(e.anonymous, e.reporter_id != actor.account_id)
    return case((hidden, None), else_=_name(Account, Account.id, e.reporter_id))


def _node(actor: Any, selection: list[Selected]) -> Any:
    scalars: Scalars = {**EVENT, "reporter": lambda e: _reporter(actor, e)}
    relations = {"category": _category, "grid": _grid, "assignee": _assignee(actor)}
    for f in selection:
        if f.args:
            raise NotCompilable(f.name)
    return json_object(Event, "Event", selection, scalars, relations)


def _actor_shape(actor: Any) -> tuple[Any, ...]:
    return (actor.account_id, actor.reach.prefixes("event", "read"))


async def sql_event_page(info: Any, statement: Any, first: int, after: str | None) -> Any:
    """The page of events ``statement`` selects, as one statement (two with
    ``totalCount``): Precompiled, or None when the selection is not declared here."""
    ctx = info.context
    try:
        selected = selection_of(info)
        node_selection, wants = connection_parts(selected)
        if not node_selection:
            raise NotCompilable("no node")
        node = ctx.app.compiled_statements.get(
            ("event page", shape(node_selection), _actor_shape(ctx.actor)),
            lambda: cast(_node(ctx.actor, node_selection), Text),
        )
    except NotCompilable:
        return None
    first = check_first(first, ctx.settings.max_page_size)
    page = statement.with_only_columns(Event.id, node.label("n"))
    if after is not None:
        (last,) = decode_cursor(after, "event", [int])
        page = page.where(Event.id > last)
    rows = (await ctx.execute(page.order_by(Event.id).limit(first + 1))).all()
    has_next = len(rows) > first
    rows = rows[:first]
    total = None
    if "totalCount" in wants:
        count = select(func.count()).select_from(statement.order_by(None).subquery())
        total = int(await ctx.scalar(count))
    response = connection_response(
        selected,
        "Event",
        [orjson.Fragment(r.n) for r in rows],
        [encode_cursor("event", (r.id,)) for r in rows],
        has_next=has_next,
        has_previous=after is not None,
        total=total,
    )
    return Precompiled(response)


__all__ = ["sql_event_page"]
