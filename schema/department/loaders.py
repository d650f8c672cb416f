"""DataLoaders of the department domain."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Department, DepartmentArea
from schema.loaders import ManyLoader, OneLoader

DEPARTMENT_COLUMNS = (
    Department.code,
    Department.name,
    Department.type,
    Department.phone,
    Department.region_code,
)
DEPARTMENTS = select(*DEPARTMENT_COLUMNS)


class DepartmentByCodeLoader(OneLoader):
    statement = DEPARTMENTS
    key = Department.code
    key_name = "code"


class DepartmentAreasLoader(ManyLoader):
    statement = select(DepartmentArea.department_code, DepartmentArea.area_code).order_by(
        DepartmentArea.area_code
    )
    key = DepartmentArea.department_code
    key_name = "department_code"
