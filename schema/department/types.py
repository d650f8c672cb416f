"""Departments: the functional grids."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from schema.department.loaders import DepartmentAreasLoader
from schema.grid.loaders import RegionByCodeLoader
from schema.pagination import Connection, Edge
from schema.refs import DepartmentNode, RegionRef

DepartmentEdge = Edge[DepartmentNode]
DepartmentConnection = Connection[DepartmentNode]


@strawberry.type(name="DepartmentCore")
class DepartmentCore:
    code: str
    name: str
    type: str = strawberry.field(description="public_security, civil_affairs, health…")
    phone: str | None

    @strawberry.field(description="The region the department belongs to.")
    async def region(self, info: Info) -> RegionRef:
        return await info.context.loader(RegionByCodeLoader).load(
            self.region_code  # type: ignore[attr-defined]  # self is the row
        )

    @strawberry.field(description="Region prefixes and grid codes the department serves.")
    async def areas(self, info: Info) -> list[str]:
        rows = await info.context.loader(DepartmentAreasLoader).load(self.code)
        return [r.area_code for r in rows]
