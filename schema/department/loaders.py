"""DataLoaders of the department domain."""

from __future__ import annotations

from aiodataloader import DataLoader
from sqlalchemy import select

from core.models import Department, DepartmentArea
from schema.context import Context
from schema.loaders import many_loader, one_loader

DEPARTMENT_COLUMNS = (
    Department.code,
    Department.name,
    Department.type,
    Department.phone,
    Department.region_code,
)
DEPARTMENTS = select(*DEPARTMENT_COLUMNS)


def department_by_code(ctx: Context) -> DataLoader:
    return one_loader(ctx, DEPARTMENTS, Department.code, "code")


def department_areas(ctx: Context) -> DataLoader:
    stmt = select(DepartmentArea.department_code, DepartmentArea.area_code).order_by(
        DepartmentArea.area_code
    )
    return many_loader(ctx, stmt, DepartmentArea.department_code, "department_code")


LOADERS = {"department_by_code": department_by_code, "department_areas": department_areas}
