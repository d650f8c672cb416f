"""The ``grids`` connection, compiled: one statement for the page with each node's subtree
(worker, region, latest events within the actor's reach), built as JSON in PostgreSQL."""

from __future__ import annotations

import base64
from types import SimpleNamespace
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Text,
    bindparam,
    cast,
    false,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from authz.events import visible_events
from core.models import Account, Event, Grid, GridWorkerProfile, Region
from core.models.base import prefix_match
from schema.compiled.cache import shape
from schema.compiled.connection import connection_parts, connection_response
from schema.compiled.execution import Precompiled
from schema.compiled.selection import NotCompilable, Selected, selection_of
from schema.compiled.sql import Scalars, json_object
from schema.event.types import EVENT_FIELDS
from schema.grid.types import GRID_FIELDS, REGION_FIELDS, WORKER_FIELDS
from schema.located import LOCATED_FIELDS
from schema.pagination import check_first, decode_cursor, encode_cursor

# the tables of the types (schema/fields.py): a field added there is compiled here too
GRID: Scalars = GRID_FIELDS.sql
REGION: Scalars = REGION_FIELDS.sql
EVENT: Scalars = {**LOCATED_FIELDS.sql, **EVENT_FIELDS.sql}
MAX_EVENTS = 50  # as Grid.events


def _worker(actor: Any) -> Any:
    scalars: Scalars = dict(WORKER_FIELDS.sql)
    if actor.is_staff:  # the public sees it masked (in Python): not compiled for them
        scalars["phone"] = lambda a: a.phone

    def build(g: Any, field: Selected) -> Any:
        a = SimpleNamespace(
            id=Account.id,
            name=Account.name,
            phone=Account.phone,
            employee_no=GridWorkerProfile.employee_no,
            kind=GridWorkerProfile.kind,
            appointed_on=GridWorkerProfile.appointed_on,
        )
        body = json_object(a, "GridWorker", field.children, scalars)
        return (
            select(body)
            .select_from(Account)
            .outerjoin(GridWorkerProfile, GridWorkerProfile.account_id == Account.id)
            .where(Account.id == g.worker_id)
            .correlate(g)
            .scalar_subquery()
        )

    return build


def _region(g: Any, field: Selected) -> Any:
    body = json_object(Region, "Region", field.children, REGION)
    return select(body).where(Region.code == g.community_code).correlate(g).scalar_subquery()


def _events(actor: Any) -> Any:
    def build(g: Any, field: Selected) -> Any:
        first = field.args.get("first", 10)
        if not isinstance(first, int) or not 0 <= first <= MAX_EVENTS:
            raise NotCompilable("events(first) out of range: the resolver says why")
        e = Event  # each table once per nesting level: no aliases (they cost per request)
        body = json_object(e, "Event", field.children, EVENT)
        latest = (
            select(body.label("v"), e.id.label("id"))
            .where(e.grid_id == g.id, visible_events(actor, e))
            .order_by(e.id.desc())
            .limit(first)
            .correlate(g)
            .subquery("j")
        )
        rows = select(func.json_agg(aggregate_order_by(latest.c.v, latest.c.id.desc()))).correlate(
            g
        )
        return func.coalesce(rows.scalar_subquery(), literal_column("'[]'::json"))

    return build


def _node(actor: Any, g: Any, selected: list[Selected]) -> Any:
    relations = {"worker": _worker(actor), "region": _region, "events": _events(actor)}
    return json_object(g, "Grid", selected, GRID, relations)


def _cursor(code: str) -> str:
    """``encode_cursor("grid", (code,))`` without json.dumps for a code of digits (the same
    text; 7x faster, and a page has 100)."""
    if not code.isdigit():
        return encode_cursor("grid", (code,))
    return base64.urlsafe_b64encode(f'["grid","{code}"]'.encode()).decode().rstrip("=")


def _statement(actor: Any, node_selection: list[Selected], prefix: bool, after: bool) -> Any:
    """The page statement; the page size, prefix bounds and cursor are parameters."""
    g = Grid
    node = _node(actor, g, node_selection) if node_selection else false()
    where: list[ColumnElement[bool]] = [g.valid_to.is_(None)]
    if prefix:
        where += [g.code >= bindparam("lo"), g.code < bindparam("hi")]
    if after:
        where.append(g.code > bindparam("after"))
    page = (
        select(g.code.label("k"), cast(node, Text).label("n"))
        .where(*where)
        .order_by(g.code)
        .limit(bindparam("limit"))
        .subquery("p")
    )
    keys = func.array_agg(aggregate_order_by(page.c.k, page.c.k))
    nodes = func.array_agg(aggregate_order_by(page.c.n, page.c.k))
    return select(keys, nodes).select_from(page)


def _actor_shape(actor: Any) -> tuple[Any, ...]:
    """What of the actor the statement holds (event visibility, phone for staff)."""
    return (
        actor.account_id,
        actor.department_code,
        actor.is_staff,
        actor.reach.prefixes("event", "read"),
    )


async def compiled_grids(info: Any, prefix: str, first: int, after: str | None) -> Any:
    """The connection as one statement (two with totalCount), or None to resolve as usual."""
    ctx = info.context
    try:
        selected = selection_of(info)
        node_selection, wants = connection_parts(selected)
        shape_key = (
            shape(node_selection),
            bool(prefix),
            after is not None,
            _actor_shape(ctx.actor),
        )
        cache = ctx.app.compiled_statements
        statement = cache.get(
            shape_key,
            lambda: _statement(ctx.actor, node_selection, bool(prefix), after is not None),
        )
    except NotCompilable:
        return None
    first = check_first(first, ctx.settings.max_page_size)
    params: dict[str, Any] = {"limit": first + 1}
    if prefix:
        params["lo"] = prefix
        params["hi"] = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    if after is not None:
        (params["after"],) = decode_cursor(after, "grid", [str])
    keys, texts = (await ctx.execute(statement, params)).one()
    keys, texts = list(keys or ()), list(texts or ())
    has_next = len(keys) > first
    # each node goes out as the JSON text PostgreSQL built, never parsed here
    nodes = [orjson.Fragment(t) for t in texts[:first]]
    keys = keys[:first]
    total = None
    if "totalCount" in wants:
        count = (
            select(func.count())
            .select_from(Grid)
            .where(Grid.valid_to.is_(None), prefix_match(Grid.code, prefix) if prefix else true())
        )
        total = int(await ctx.scalar(count))
    response = connection_response(
        selected,
        "Grid",
        nodes,
        [_cursor(k) for k in keys],
        has_next=has_next,
        has_previous=after is not None,
        total=total,
    )
    return Precompiled(response)


def _one_statement(actor: Any, selection: list[Selected]) -> Any:
    """One current grid by code, its subtree as JSON text; the code is a parameter."""
    node = _node(actor, Grid, selection)
    return select(cast(node, Text)).where(Grid.code == bindparam("code"), Grid.valid_to.is_(None))


async def compiled_grid(info: Any, code: str) -> Any:
    """``grid(code:)`` as one statement: Precompiled, or None to resolve as usual (a field
    not declared, or no such grid: the resolver says so)."""
    ctx = info.context
    try:
        selection = selection_of(info)
        key = ("grid", shape(selection), _actor_shape(ctx.actor))
        statement = ctx.app.compiled_statements.get(
            key, lambda: _one_statement(ctx.actor, selection)
        )
    except NotCompilable:
        return None
    found = await ctx.scalar(statement, {"code": code})
    return None if found is None else Precompiled(orjson.Fragment(found))


__all__ = ["compiled_grid", "compiled_grids"]
