"""DataLoaders of the grid domain."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import Account, Duty, Grid, Region, WorkerRole
from core.models.account import grid_worker_role
from schema.grid.columns import CURRENT_GRIDS, REGIONS, WORKERS
from schema.loaders import ManyLoader, OneLoader


class RegionByCodeLoader(OneLoader):
    statement = REGIONS
    key = Region.code
    key_name = "code"


class GridByCodeLoader(OneLoader):
    statement = CURRENT_GRIDS
    key = Grid.code
    key_name = "code"


class GridByIdLoader(OneLoader):
    statement = CURRENT_GRIDS
    key = Grid.id
    key_name = "id"


class GridByWorkerLoader(OneLoader):
    statement = CURRENT_GRIDS
    key = Grid.worker_id
    key_name = "worker_id"


class WorkerByIdLoader(OneLoader):
    statement = WORKERS
    key = Account.id
    key_name = "id"


class WorkerRolesLoader(ManyLoader):
    statement = (
        select(
            grid_worker_role.c.account_id, WorkerRole.code, WorkerRole.name_zh, WorkerRole.name_en
        )
        .join(WorkerRole, WorkerRole.code == grid_worker_role.c.role_code)
        .order_by(WorkerRole.position)
    )
    key = grid_worker_role.c.account_id
    key_name = "account_id"


class DutiesByRoleLoader(ManyLoader):
    statement = select(
        Duty.code, Duty.role_code, Duty.name_zh, Duty.name_en, Duty.description
    ).order_by(Duty.position)
    key = Duty.role_code
    key_name = "role_code"


class GridGeometryLoader(OneLoader):
    statement = select(Grid.id, func.ST_AsGeoJSON(Grid.geom, 7).label("geojson"))
    key = Grid.id
    key_name = "id"


class RegionGeometryLoader(OneLoader):
    statement = select(Region.code, func.ST_AsGeoJSON(Region.geom, 7).label("geojson"))
    key = Region.code
    key_name = "code"
