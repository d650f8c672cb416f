"""Located lists completed in Python: the page comes from the resolver's own query (same
scope, order, cursors), and each node is built from its type's ``Shape`` instead of one
resolver call per field, which is where Strawberry spends most of a page.

A shape lists what the compiled path may answer of a type: plain fields (from the type's
field table), personal fields (masked and audited exactly as the resolvers do, with the
same masks) and relations (loaded through the request's DataLoaders, one batch per field
and level, so the statements are the resolvers'). Anything a shape does not declare, or a
value the masks refuse, falls back to the resolvers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info

from authz.masking import PersonalField
from core.errors import DomainError
from schema import audit  # by module: the bench's A/B stubs replace its functions
from schema.compiled.connection import connection_parts, page_response, resolved_page
from schema.compiled.execution import Precompiled
from schema.compiled.selection import NotCompilable, Selected, selection_of

Getter = Callable[[Any], Any]
#: a field built for a whole level of rows at once: row → value (absent: null)
Batch = Callable[["Builder", list[Any], Selected], Awaitable[dict[int, Any]]]


@dataclass(frozen=True)
class Masked:
    """A personal field: whole and audited for an actor who may read it, else masked."""

    spec: PersonalField
    #: masked only for rows where this holds (e.g. a place that is a house)
    applies: Callable[[Any], bool] = lambda row: True
    #: the value of a null or empty field (a place always has a name)
    otherwise: Any = None


@dataclass(frozen=True)
class Relation:
    """An object field: the row whose id ``key`` gives, read by ``loader``."""

    shape: Callable[[], Shape]  # late: a place's parent is a place
    key: Getter
    loader: type
    #: the row is shown only where the actor may read this category (None: always)
    category: str | None = None


@dataclass(frozen=True)
class Page:
    """A connection field of each row (with its arguments): the resolver's own page of
    the row, its nodes built as ``shape``."""

    shape: Callable[[], Shape]
    #: the resolver's connection for (request, row, arguments)
    fetch: Callable[[Info, Any, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class Shape:
    typename: str
    plain: Mapping[str, Getter]
    masked: Mapping[str, Masked] = field(default_factory=dict)
    relations: Mapping[str, Relation] = field(default_factory=dict)
    #: fields with their own batched logic, building objects of the ``children`` shape
    batches: Mapping[str, Batch] = field(default_factory=dict)
    children: Mapping[str, Shape] = field(default_factory=dict)
    pages: Mapping[str, Page] = field(default_factory=dict)

    def declared(self) -> dict[str, set[str]]:
        """The fields answered here, per type (this one and those it reaches)."""
        out: dict[str, set[str]] = {}
        pending = [self]
        while pending:
            shape = pending.pop()
            if shape.typename in out:
                continue
            out[shape.typename] = {
                *shape.plain,
                *shape.masked,
                *shape.relations,
                *shape.batches,
                *shape.pages,
            }
            pending += [r.shape() for r in shape.relations.values()]
            pending += [p.shape() for p in shape.pages.values()]
            pending += list(shape.children.values())
        return out

    def plain_object(self, row: Any, selected: list[Selected]) -> dict[str, Any]:
        """A response object of plain fields only."""
        return {
            f.key: self.typename if f.name == "__typename" else self.plain[f.name](row)
            for f in selected
        }

    def check(self, selected: list[Selected]) -> None:
        """NotCompilable unless every field is declared here (and takes no arguments)."""
        for f in selected:
            if f.name == "__typename":
                continue
            if f.name in self.pages:  # arguments are the resolver's to check
                node, _ = connection_parts(f.children)
                self.pages[f.name].shape().check(node)
                continue
            if f.args or not (
                f.name in self.plain
                or f.name in self.masked
                or f.name in self.relations
                or f.name in self.batches
            ):
                raise NotCompilable(f.name)
            if f.name in self.relations:
                self.relations[f.name].shape().check(f.children)
            elif f.name in self.children:
                self.children[f.name].check(f.children)


class Builder:
    """Builds the nodes of one page; personal reads are audited as they are built."""

    def __init__(self, info: Info) -> None:
        self.info = info
        self.ctx = info.context

    def masked(self, row: Any, f: Selected, field_: Masked) -> Any:
        spec = field_.spec
        value = getattr(row, spec.attr)
        if (
            field_.applies(row)
            and value is not None
            and not audit.reveal(
                self.info,
                category=spec.category,
                kind=spec.kind,
                record_id=int(row.id),
                region_code=row.region_code,
                field=f.name,
            )
        ):
            try:
                value = spec.mask(value)
            except Exception as exc:  # the resolver reports it on the field: let it
                raise NotCompilable(f"{f.name} cannot be masked") from exc
        if field_.otherwise is not None:
            return value or field_.otherwise
        return value

    def readable(self, row: Any, category: str | None) -> Any:
        if row is None or category is None:
            return row
        return row if self.ctx.actor.reach.allows(category, "read", row.region_code) else None

    async def related(self, rows: list[Any], f: Selected, rel: Relation) -> dict[int, Any]:
        """The built related object of each row (by the row's ``id()``)."""
        ids = sorted({k for r in rows if (k := rel.key(r)) is not None})
        found = await self.ctx.loader(rel.loader).load_many(ids)
        targets = {i: t for i, t in zip(ids, found, strict=True) if self.readable(t, rel.category)}
        unique = list({id(t): t for t in targets.values()}.values())
        built = dict(
            zip(map(id, unique), await self.nodes(rel.shape(), unique, f.children), strict=True)
        )
        out: dict[int, Any] = {}
        for r in rows:
            target = targets.get(rel.key(r))
            if target is not None:
                out[id(r)] = built[id(target)]
        return out

    async def pages(self, rows: list[Any], f: Selected, page: Page) -> dict[int, Any]:
        """Each row's page, fetched as its resolver does (one after the other, as they
        share the request's session); a page the resolver refuses (its arguments) sends
        the whole field to the resolvers, which report it where it belongs."""
        connections = []
        for row in rows:
            try:
                connections.append(await page.fetch(self.info, row, f.args))
            except DomainError as exc:
                raise NotCompilable(f"{f.name}: {exc}") from exc
        node, _ = connection_parts(f.children)
        shape = page.shape()
        flat = [e.node for c in connections for e in c.edges]
        built = iter(await self.nodes(shape, flat, node))
        out: dict[int, Any] = {}
        for row, connection in zip(rows, connections, strict=True):
            nodes = [next(built) for _ in connection.edges]
            out[id(row)] = await page_response(
                self.ctx, f.children, shape.typename, nodes, connection
            )
        return out

    async def root(self, shape: Shape, row: Any, selected: list[Selected]) -> Any:
        """The response object of a single object field."""
        (node,) = await self.nodes(shape, [row], selected)
        return node

    async def nodes(self, shape: Shape, rows: list[Any], selected: list[Selected]) -> list[Any]:
        """The response objects of ``rows`` (one level; relations batched per field)."""
        # loaded side by side, as the resolvers would: a DataLoader asked by two fields
        # in the same turn of the loop answers both with one statement
        loads: dict[str, Awaitable[dict[int, Any]]] = {}
        for f in selected:
            if f.name in shape.relations:
                loads[f.key] = self.related(rows, f, shape.relations[f.name])
            elif f.name in shape.batches:
                loads[f.key] = shape.batches[f.name](self, rows, f)
            elif f.name in shape.pages:
                loads[f.key] = self.pages(rows, f, shape.pages[f.name])
        # every load finishes before an error is raised: none outlives this page
        done = await asyncio.gather(*loads.values(), return_exceptions=True)
        levels: dict[str, dict[int, Any]] = {}
        for name, result in zip(loads, done, strict=True):
            if isinstance(result, BaseException):
                raise result
            levels[name] = result
        out = []
        for row in rows:
            node: dict[str, Any] = {}
            for f in selected:
                name = f.name
                if name == "__typename":
                    node[f.key] = shape.typename
                elif f.key in levels:
                    node[f.key] = levels[f.key].get(id(row))
                elif name in shape.masked:
                    node[f.key] = self.masked(row, f, shape.masked[name])
                else:
                    node[f.key] = shape.plain[name](row)
            out.append(node)
        return out


def loaded(loader: type, key: Getter, value: Getter) -> Batch:
    """A field whose value comes from what ``loader`` finds by ``key`` (a scalar or a list
    of scalars: a region's geometry, a department's areas)."""

    async def batch(b: Builder, rows: list[Any], f: Selected) -> dict[int, Any]:
        keys = [key(r) for r in rows]
        found = await b.ctx.loader(loader).load_many(keys)
        return {id(r): value(v) for r, v in zip(rows, found, strict=True)}

    return batch


def held(attr: str, shape: Callable[[], Shape]) -> Batch:
    """An object field whose row the parent already holds (``attr``), built as ``shape``."""

    async def batch(b: Builder, rows: list[Any], f: Selected) -> dict[int, Any]:
        present = [r for r in rows if getattr(r, attr) is not None]
        built = await b.nodes(shape(), [getattr(r, attr) for r in present], f.children)
        return {id(r): node for r, node in zip(present, built, strict=True)}

    return batch


def per_row(value: Callable[[Builder, Any], Any]) -> Batch:
    """A field computed from the row and the request (a signed link for the caller)."""

    async def batch(b: Builder, rows: list[Any], f: Selected) -> dict[int, Any]:
        return {id(r): value(b, r) for r in rows}

    return batch


async def lists(
    b: Builder, rows: list[Any], items: list[list[Any]], shape: Shape, f: Selected
) -> dict[int, Any]:
    """Each row's list of ``items`` built as ``shape`` (all rows' items in one level)."""
    flat = [item for group in items for item in group]
    built = iter(await b.nodes(shape, flat, f.children))
    return {id(r): [next(built) for _ in group] for r, group in zip(rows, items, strict=True)}


def listed(attr: str, shape: Callable[[], Shape]) -> Batch:
    """A list field whose objects the parent already holds (``attr``)."""

    async def batch(b: Builder, rows: list[Any], f: Selected) -> dict[int, Any]:
        return await lists(b, rows, [list(getattr(r, attr)) for r in rows], shape(), f)

    return batch


async def compiled_object(info: Info, shape: Shape, row: Any) -> Any:
    """The response of a single object field for ``row``, built from ``shape`` when the
    settings and the selection allow; else the row, for the resolvers."""
    if row is None or not info.context.settings.compiled_reads:
        return row
    try:
        selected = selection_of(info)
        shape.check(selected)
        node = await Builder(info).root(shape, row, selected)
    except NotCompilable:
        return row
    return Precompiled(node)


def plan(info: Info, shape: Shape) -> list[Selected] | None:
    """The connection's selection if every field in it is declared by ``shape``."""
    try:
        selected = selection_of(info)
        node, _ = connection_parts(selected)
        shape.check(node)
    except NotCompilable:
        return None
    return selected


async def complete_page(info: Info, shape: Shape, selected: list[Selected], connection: Any) -> Any:
    """The response of a located list from the resolver's connection, or None to let the
    resolvers complete it (a value the masks refuse)."""
    node, _ = connection_parts(selected)
    rows = [e.node for e in connection.edges]
    try:
        nodes = await Builder(info).nodes(shape, rows, node)
    except NotCompilable:
        return None
    return await resolved_page(info.context, selected, shape.typename, nodes, connection)


async def compiled_page(info: Info, shape: Shape, resolve: Callable[[], Awaitable[Any]]) -> Any:
    """``resolve()``'s connection, completed here when the settings and the selection allow."""
    selected = plan(info, shape) if info.context.settings.compiled_reads else None
    connection = await resolve()
    if selected is not None:
        done = await complete_page(info, shape, selected, connection)
        if done is not None:
            return done
    return connection


__all__ = [
    "Builder",
    "Masked",
    "Page",
    "Relation",
    "Shape",
    "compiled_object",
    "compiled_page",
    "complete_page",
    "held",
    "listed",
    "lists",
    "loaded",
    "per_row",
    "plan",
]
