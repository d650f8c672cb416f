"""Root query fields of the department domain."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from core.errors import NotFound
from core.models import Department
from core.models.base import prefix_match
from schema.codes import known_area_prefix
from schema.compiled.areas import DEPARTMENT_SHAPE
from schema.compiled.records import compiled_object
from schema.department.loaders import DEPARTMENTS, DepartmentByCodeLoader
from schema.department.types import DepartmentConnection, DepartmentEdge
from schema.pagination import keyset_page, to_connection
from schema.refs import DepartmentRef


@strawberry.type
class DepartmentQueries:
    @strawberry.field(description="Departments (functional grids), by code.")
    async def departments(
        self,
        info: Info,
        region_code: str | None = None,
        type: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> DepartmentConnection:
        stmt = DEPARTMENTS
        if region_code is not None:
            prefix = await known_area_prefix(info, region_code)
            stmt = stmt.where(prefix_match(Department.region_code, prefix))
        if type is not None:
            stmt = stmt.where(Department.type == type)
        page = await keyset_page(
            info,
            stmt,
            [Department.code],
            lambda r: (r.code,),
            kind="department",
            key_types=[str],
            first=first,
            after=after,
        )
        return to_connection(DepartmentConnection, DepartmentEdge, page, "department")

    @strawberry.field
    async def department(self, info: Info, code: str) -> DepartmentRef:
        row = await info.context.loader(DepartmentByCodeLoader).load(code)
        if row is None:
            raise NotFound(f"no department has the code {code!r}", argument="code")
        return await compiled_object(info, DEPARTMENT_SHAPE, row)
