"""GraphQL types of the grid domain: Region, Grid, GridWorker (core parts; plugins may add
fields, and the composed types live in ``schema.registry``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from authz.masking import sees_worker_phone
from core.masking import mask_phone
from core.models import Grid, Region
from core.models.base import prefix_match
from schema.enums import GridKind, RegionKind, RegionLevel, SpecialGridType, WorkerKind
from schema.fields import Column, FieldTable
from schema.grid.columns import CURRENT_GRIDS, REGIONS
from schema.grid.loaders import (
    DutiesByRoleLoader,
    GridByWorkerLoader,
    GridGeometryLoader,
    RegionByCodeLoader,
    RegionGeometryLoader,
    WorkerByIdLoader,
    WorkerRolesLoader,
)
from schema.pagination import Connection, Edge, keyset_page, to_connection
from schema.refs import GridNode, GridRef, GridWorkerRef, RegionNode, RegionRef
from schema.scalars import GeoJSON

GridEdge = Edge[GridNode]
GridConnection = Connection[GridNode]
RegionEdge = Edge[RegionNode]
RegionConnection = Connection[RegionNode]


async def grid_page(info: Info, prefix: str, first: int, after: str | None) -> Any:
    stmt = CURRENT_GRIDS.where(prefix_match(Grid.code, prefix))
    page = await keyset_page(
        info,
        stmt,
        [Grid.code],
        lambda r: (r.code,),
        kind="grid",
        key_types=[str],
        first=first,
        after=after,
    )
    return to_connection(GridConnection, GridEdge, page, "grid")


REGION_FIELDS = FieldTable(
    "Region",
    {
        "code": Column(str, "12-digit statistical division code"),
        "prefix": Column(str, "Code prefix that matches everything inside"),
        "name": Column(str),
        "kind": Column(RegionKind),
        "level": Column(RegionLevel),
    },
)
RegionColumns: Any = REGION_FIELDS.part


async def region_page(info: Info, statement: Any, first: int, after: str | None) -> Any:
    """A page of the regions ``statement`` selects, by code."""
    page = await keyset_page(
        info,
        statement,
        [Region.code],
        lambda r: (r.code,),
        kind="region",
        key_types=[str],
        first=first,
        after=after,
    )
    return to_connection(RegionConnection, RegionEdge, page, "region")


async def region_children(info: Info, row: Any, first: int = 50, after: str | None = None) -> Any:
    """The page of a region's children (``Region.children``)."""
    return await region_page(info, REGIONS.where(Region.parent_code == row.code), first, after)


@strawberry.type(name="RegionCore")
class RegionCore(RegionColumns):  # type: ignore[misc]  # a class made from its table
    @strawberry.field
    async def parent(self, info: Info) -> RegionRef | None:
        code = self.parent_code  # self is the row
        return None if code is None else await info.context.loader(RegionByCodeLoader).load(code)

    @strawberry.field(description="Regions one level down, by code.")
    async def children(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> RegionConnection:
        return await region_children(info, self, first, after)

    @strawberry.field(description="Current grids inside this region, by code.")
    async def grids(self, info: Info, first: int = 50, after: str | None = None) -> GridConnection:
        return await grid_page(info, self.prefix, first, after)

    @strawberry.field(description="The boundary as GeoJSON (MultiPolygon).")
    async def geometry(self, info: Info) -> GeoJSON | None:
        row = await info.context.loader(RegionGeometryLoader).load(self.code)
        return row.geojson if row else None


GRID_FIELDS = FieldTable(
    "Grid",
    {
        "id": Column(strawberry.ID),
        "code": Column(str, "15-digit grid code: community code + sequence"),
        "name": Column(str),
        "special_type": Column(SpecialGridType | None, "For special grids"),
        "valid_from": Column(datetime),
        "kind": Column(GridKind),
    },
)
GridColumns: Any = GRID_FIELDS.part


@strawberry.type(name="GridCore")
class GridCore(GridColumns):  # type: ignore[misc]  # a class made from its table
    @strawberry.field(description="The community or village the grid belongs to.")
    async def region(self, info: Info) -> RegionRef:
        return await info.context.loader(RegionByCodeLoader).load(
            self.community_code  # self is the row
        )

    @strawberry.field(description="The grid worker in charge (one grid, one worker).")
    async def worker(self, info: Info) -> GridWorkerRef | None:
        wid = self.worker_id  # self is the row
        return None if wid is None else await info.context.loader(WorkerByIdLoader).load(wid)

    @strawberry.field(description="The boundary as GeoJSON (MultiPolygon).")
    async def geometry(self, info: Info) -> GeoJSON:
        row = await info.context.loader(GridGeometryLoader).load(int(self.id))
        return row.geojson


@strawberry.type
class Duty:
    code: str
    name_zh: str
    name_en: str
    description: str


@strawberry.type
class WorkerRole:
    """One of the six roles (六员) every all-purpose grid worker carries."""

    code: str
    name_zh: str
    name_en: str

    @strawberry.field
    async def duties(self, info: Info) -> list[Duty]:
        rows = await info.context.loader(DutiesByRoleLoader).load(self.code)
        return [
            Duty(code=r.code, name_zh=r.name_zh, name_en=r.name_en, description=r.description)
            for r in rows
        ]


WORKER_FIELDS = FieldTable(
    "GridWorker",
    {
        "id": Column(strawberry.ID),
        "name": Column(str),
        "employee_no": Column(str | None),
        "appointed_on": Column(date | None),
        "kind": Column(WorkerKind | None),
    },
)
WorkerColumns: Any = WORKER_FIELDS.part


@strawberry.type(name="GridWorkerCore")
class GridWorkerCore(WorkerColumns):  # type: ignore[misc]  # a class made from its table
    @strawberry.field(description="Work phone; masked for the public.")
    def phone(self, info: Info) -> str | None:
        phone = self.phone
        return phone if sees_worker_phone(info.context.actor) else mask_phone(phone)

    @strawberry.field
    async def roles(self, info: Info) -> list[WorkerRole]:
        rows = await info.context.loader(WorkerRolesLoader).load(int(self.id))
        return [WorkerRole(code=r.code, name_zh=r.name_zh, name_en=r.name_en) for r in rows]

    @strawberry.field(description="The grid this worker is in charge of.")
    async def grid(self, info: Info) -> GridRef | None:
        return await info.context.loader(GridByWorkerLoader).load(int(self.id))


__all__ = ["GridCore", "GridWorkerCore", "RegionCore"]
