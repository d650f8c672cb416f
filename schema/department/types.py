"""Departments: the functional grids."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from schema.department.loaders import DepartmentAreasLoader
from schema.fields import Column, FieldTable
from schema.grid.loaders import RegionByCodeLoader
from schema.pagination import Connection, Edge
from schema.refs import DepartmentNode, RegionRef

DepartmentEdge = Edge[DepartmentNode]
DepartmentConnection = Connection[DepartmentNode]


DEPARTMENT_FIELDS = FieldTable(
    "Department",
    {
        "code": Column(str),
        "name": Column(str),
        "type": Column(str, "public_security, civil_affairs, health…"),
        "phone": Column(str | None),
    },
)
DepartmentColumns: Any = DEPARTMENT_FIELDS.part


@strawberry.type(name="DepartmentCore")
class DepartmentCore(DepartmentColumns):  # type: ignore[misc]  # a class made from its table
    @strawberry.field(description="The region the department belongs to.")
    async def region(self, info: Info) -> RegionRef:
        return await info.context.loader(RegionByCodeLoader).load(
            self.region_code  # self is the row
        )

    @strawberry.field(description="Region prefixes and grid codes the department serves.")
    async def areas(self, info: Info) -> list[str]:
        rows = await info.context.loader(DepartmentAreasLoader).load(self.code)
        return [r.area_code for r in rows]
