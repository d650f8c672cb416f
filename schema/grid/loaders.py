"""DataLoaders of the grid domain."""

from __future__ import annotations

from aiodataloader import DataLoader
from sqlalchemy import func, select

from core.models import Duty, Grid, Region, WorkerRole
from core.models.account import grid_worker_role
from schema.context import Context
from schema.grid.columns import CURRENT_GRIDS, REGIONS, WORKERS
from schema.loaders import many_loader, one_loader


def region_by_code(ctx: Context) -> DataLoader:
    return one_loader(ctx, REGIONS, Region.code, "code")


def grid_by_code(ctx: Context) -> DataLoader:
    return one_loader(ctx, CURRENT_GRIDS, Grid.code, "code")


def grid_by_id(ctx: Context) -> DataLoader:
    return one_loader(ctx, CURRENT_GRIDS, Grid.id, "id")


def grid_by_worker(ctx: Context) -> DataLoader:
    return one_loader(ctx, CURRENT_GRIDS, Grid.worker_id, "worker_id")


def worker_by_id(ctx: Context) -> DataLoader:
    from core.models import Account

    return one_loader(ctx, WORKERS, Account.id, "id")


def worker_roles(ctx: Context) -> DataLoader:
    stmt = (
        select(
            grid_worker_role.c.account_id, WorkerRole.code, WorkerRole.name_zh, WorkerRole.name_en
        )
        .join(WorkerRole, WorkerRole.code == grid_worker_role.c.role_code)
        .order_by(WorkerRole.position)
    )
    return many_loader(ctx, stmt, grid_worker_role.c.account_id, "account_id")


def duties_by_role(ctx: Context) -> DataLoader:
    stmt = select(Duty.code, Duty.role_code, Duty.name_zh, Duty.name_en, Duty.description).order_by(
        Duty.position
    )
    return many_loader(ctx, stmt, Duty.role_code, "role_code")


def grid_geometry(ctx: Context) -> DataLoader:
    stmt = select(Grid.id, func.ST_AsGeoJSON(Grid.geom, 7).label("geojson"))
    return one_loader(ctx, stmt, Grid.id, "id")


def region_geometry(ctx: Context) -> DataLoader:
    stmt = select(Region.code, func.ST_AsGeoJSON(Region.geom, 7).label("geojson"))
    return one_loader(ctx, stmt, Region.code, "code")


LOADERS = {
    "region_by_code": region_by_code,
    "grid_by_code": grid_by_code,
    "grid_by_id": grid_by_id,
    "grid_by_worker": grid_by_worker,
    "worker_by_id": worker_by_id,
    "worker_roles": worker_roles,
    "duties_by_role": duties_by_role,
    "grid_geometry": grid_geometry,
    "region_geometry": region_geometry,
}
