"""What every located record shows (where, when, who collected it) and the paginated,
scoped list query the five data domains share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, func
from strawberry.types import Info

from authz.scope import within_reach
from core.actor import require_category
from core.models.base import prefix_match
from core.tenancy import single_county
from schema.codes import known_area_prefix
from schema.compiled.records import Shape, compiled_page
from schema.fields import Column, FieldTable
from schema.grid.loaders import GridByIdLoader
from schema.pagination import Statement, keyset_page, to_connection
from schema.refs import GridRef
from schema.scalars import GeoJSON


def located_columns(model: Any) -> tuple[ColumnElement[Any], ...]:
    return (
        model.grid_id,
        model.region_code,
        model.beidou_code,
        model.collected_at,
        func.ST_AsGeoJSON(model.geom, 7).label("geojson"),
    )


LOCATED_FIELDS = FieldTable(
    "Located",
    {
        "region_code": Column(
            str | None, "Code of the grid (15 digits) or region the record lies in"
        ),
        "beidou_code": Column(str | None, "BeiDou grid location code"),
        "collected_at": Column(datetime),
    },
)
LocatedColumns: Any = LOCATED_FIELDS.part


@strawberry.type(name="LocatedCore")
class LocatedFields(LocatedColumns):  # type: ignore[misc]  # a class made from its table
    @strawberry.field(description="The grid the record lies in; null when unassigned.")
    async def grid(self, info: Info) -> GridRef | None:
        gid = self.grid_id  # self is the row
        return None if gid is None else await info.context.loader(GridByIdLoader).load(gid)

    @strawberry.field(description="Position or shape as GeoJSON.")
    def location(self) -> GeoJSON | None:
        return self.geojson  # self is the row


async def located_page(
    info: Info,
    model: Any,
    statement: Statement,
    *,
    kind: str,
    connection: type,
    edge: type,
    region_code: str | None,
    first: int,
    after: str | None,
    category: str,
    filters: Sequence[ColumnElement[bool]] = (),
    shape: Shape | None = None,
) -> Any:
    """A page of a located table, restricted to where the actor may read the category;
    with ``shape``, completed from it when the selection allows (schema/compiled)."""

    async def resolve() -> Any:
        actor = info.context.actor
        require_category(actor, category)
        prefix = await known_area_prefix(info, region_code)
        stmt = statement.where(within_reach(actor, model.region_code, category), *filters)
        if prefix:
            stmt = stmt.where(prefix_match(model.region_code, prefix))
        # one county in sight: say so, and a county's rows are all read where they live
        county = single_county((prefix,) if prefix else actor.reach.prefixes(category))
        if county is not None:
            stmt = stmt.where(model.county == county)
        # Ordered by (region_code, id): a region's page is one range scan of that index.
        page = await keyset_page(
            info,
            stmt,
            [model.region_code, model.id],
            lambda r: (r.region_code, r.id),
            kind=kind,
            key_types=[str, int],
            first=first,
            after=after,
        )
        return to_connection(connection, edge, page, kind)

    return await (resolve() if shape is None else compiled_page(info, shape, resolve))


__all__ = ["LocatedFields", "located_columns", "located_page"]


@strawberry.input(description="A WGS 84 position.")
class PositionInput:
    lon: float
    lat: float


def readable(info: Info, row: Any, category: str) -> Any:
    """The row if the actor may read its category where it lies, else None (not found)."""
    if row is None:
        return None
    return row if info.context.actor.reach.allows(category, "read", row.region_code) else None


async def reselect(info: Info, statement: Statement, model: Any, record_id: int) -> Any:
    """The row of a record just written, as its GraphQL type reads it."""
    return (await info.context.session.execute(statement.where(model.id == record_id))).one()
