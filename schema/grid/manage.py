"""Grid management: import (admin), export, worker assignment, history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON
from strawberry.types import Info

from authz.scope import require_area, require_role, require_staff
from core.models import Account, Grid, GridWorkerAssignment
from core.models.account import Role
from core.services.grids import assign_worker, export_grids, import_grids
from schema.codes import known_area_prefix
from schema.grid.columns import CURRENT_GRIDS
from schema.refs import GridRef


@strawberry.type
class GridGap:
    community_code: str
    area_m2: float = strawberry.field(description="Square metres no grid covers")


@strawberry.type
class GridImportReport:
    created: list[str]
    redrawn: list[str]
    unchanged: list[str]
    gaps: list[GridGap]
    reassigned: int = strawberry.field(description="Located records moved to another grid")
    dry_run: bool


@strawberry.type
class WorkerTerm:
    worker_name: str
    worker_username: str
    valid_from: datetime
    valid_to: datetime | None


@strawberry.type
class GridVersion:
    code: str
    name: str
    valid_from: datetime
    valid_to: datetime | None


@strawberry.type
class GridManageQueries:
    @strawberry.field(description="Current grids under a region as a GeoJSON FeatureCollection.")
    async def grids_geojson(self, info: Info, region_code: str | None = None) -> JSON:
        prefix = await known_area_prefix(info, region_code)
        async with info.context.locked() as session:
            return JSON(await export_grids(session, prefix))

    @strawberry.field(description="Every version of a grid code, oldest first.")
    async def grid_versions(self, info: Info, code: str) -> list[GridVersion]:
        rows = (
            await info.context.execute(
                select(Grid.code, Grid.name, Grid.valid_from, Grid.valid_to)
                .where(Grid.code == code)
                .order_by(Grid.valid_from)
            )
        ).all()
        return [
            GridVersion(code=r.code, name=r.name, valid_from=r.valid_from, valid_to=r.valid_to)
            for r in rows
        ]

    @strawberry.field(description="Who worked a grid code, from when to when (staff only).")
    async def grid_worker_history(self, info: Info, code: str) -> list[WorkerTerm]:
        require_staff(info.context.actor)
        rows = (
            await info.context.execute(
                select(
                    Account.name,
                    Account.username,
                    GridWorkerAssignment.valid_from,
                    GridWorkerAssignment.valid_to,
                )
                .join(Account, Account.id == GridWorkerAssignment.worker_id)
                .where(GridWorkerAssignment.grid_code == code)
                .order_by(GridWorkerAssignment.valid_from)
            )
        ).all()
        return [
            WorkerTerm(
                worker_name=r.name,
                worker_username=r.username,
                valid_from=r.valid_from,
                valid_to=r.valid_to,
            )
            for r in rows
        ]


@strawberry.type
class GridManageMutations:
    @strawberry.mutation(
        description="Import or redraw grids from a GeoJSON FeatureCollection "
        "(properties: code, name, kind, specialType). All or nothing."
    )
    async def import_grids(
        self, info: Info, feature_collection: JSON, dry_run: bool = False
    ) -> GridImportReport:
        ctx = info.context
        require_role(ctx.actor, Role.ADMIN)
        async with ctx.transaction() as session:
            report = await import_grids(session, feature_collection, dry_run=dry_run)
            if dry_run:
                await session.rollback()
        return GridImportReport(
            created=report.created,
            redrawn=report.redrawn,
            unchanged=report.unchanged,
            gaps=[GridGap(community_code=g.community_code, area_m2=g.area_m2) for g in report.gaps],
            reassigned=report.reassigned,
            dry_run=report.dry_run,
        )

    @strawberry.mutation(
        description="Make a grid worker the worker of a grid (admin, or "
        "community/township staff of that grid)."
    )
    async def assign_grid_worker(self, info: Info, grid_code: str, worker: str) -> GridRef:
        ctx = info.context
        require_role(
            ctx.actor, Role.ADMIN, Role.COMMUNITY_STAFF, Role.TOWNSHIP_STAFF, Role.DISTRICT_COMMAND
        )
        require_area(ctx.actor, grid_code)
        async with ctx.transaction() as session:
            grid: Any = await assign_worker(session, grid_code, worker, by=ctx.actor.account_id)
            return (await session.execute(CURRENT_GRIDS.where(Grid.id == grid.id))).one()
