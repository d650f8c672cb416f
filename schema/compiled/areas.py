"""The shapes of grids, regions, departments and accounts (schema/compiled/records.py),
for the single objects ``region``, ``department``, ``me`` and ``locate`` and for the grid
of every located record."""

from __future__ import annotations

from typing import Any

import orjson

from schema.account.types import ACCOUNT_FIELDS
from schema.compiled.records import Page, Relation, Shape, held, loaded
from schema.department.loaders import DepartmentAreasLoader, DepartmentByCodeLoader
from schema.department.types import DEPARTMENT_FIELDS
from schema.grid.loaders import GridByWorkerLoader, RegionByCodeLoader, RegionGeometryLoader
from schema.grid.types import GRID_FIELDS, REGION_FIELDS, grid_page, region_children


def geojson(value: Any) -> Any:
    """A GeoJSON text from PostgreSQL as the scalar sends it."""
    return orjson.loads(value) if isinstance(value, str) else value


REGION_SHAPE: Shape = Shape(
    "Region",
    REGION_FIELDS.python,
    relations={
        "parent": Relation(lambda: REGION_SHAPE, lambda r: r.parent_code, RegionByCodeLoader)
    },
    batches={
        "geometry": loaded(
            RegionGeometryLoader, lambda r: r.code, lambda g: geojson(g.geojson) if g else None
        )
    },
    # each region's page, as its resolver reads it
    pages={
        "children": Page(lambda: REGION_SHAPE, lambda info, r, a: region_children(info, r, **a)),
        "grids": Page(lambda: GRID_SHAPE, lambda info, r, a: grid_page(info, r.prefix, **a)),
    },
)
GRID_SHAPE: Shape = Shape(
    "Grid",
    GRID_FIELDS.python,
    relations={
        # the community or village the grid belongs to
        "region": Relation(lambda: REGION_SHAPE, lambda g: g.community_code, RegionByCodeLoader)
    },
)
DEPARTMENT_SHAPE = Shape(
    "Department",
    DEPARTMENT_FIELDS.python,
    relations={
        "region": Relation(lambda: REGION_SHAPE, lambda d: d.region_code, RegionByCodeLoader)
    },
    batches={
        "areas": loaded(
            DepartmentAreasLoader, lambda d: d.code, lambda rows: [r.area_code for r in rows]
        )
    },
)
ACCOUNT_SHAPE = Shape(
    "Account",
    ACCOUNT_FIELDS.python,
    relations={
        "region": Relation(lambda: REGION_SHAPE, lambda a: a.region_code, RegionByCodeLoader),
        "department": Relation(
            lambda: DEPARTMENT_SHAPE, lambda a: a.department_code, DepartmentByCodeLoader
        ),
        # a grid worker's grid in charge
        "grid": Relation(
            lambda: GRID_SHAPE,
            lambda a: int(a.id) if a.role == "grid_worker" else None,
            GridByWorkerLoader,
        ),
    },
)
LOCATION_SHAPE = Shape(
    "Location",
    {
        "longitude": lambda loc: loc.longitude,
        "latitude": lambda loc: loc.latitude,
        "beidouCode": lambda loc: loc.beidou_code,
        "regionCode": lambda loc: loc.region_code,
    },
    batches={
        "grid": held("grid", lambda: GRID_SHAPE),
        "community": held("community", lambda: REGION_SHAPE),
        "township": held("township", lambda: REGION_SHAPE),
    },
    children={"grid": GRID_SHAPE, "community": REGION_SHAPE, "township": REGION_SHAPE},
)

__all__ = ["ACCOUNT_SHAPE", "DEPARTMENT_SHAPE", "GRID_SHAPE", "LOCATION_SHAPE", "REGION_SHAPE"]
