"""Which columns back the Region, Grid and GridWorker types (read by queries and loaders)."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Account, Grid, GridWorkerProfile, Region

REGION_COLUMNS = (
    Region.code,
    Region.prefix,
    Region.name,
    Region.level,
    Region.kind,
    Region.parent_code,
)
GRID_COLUMNS = (
    Grid.id,
    Grid.code,
    Grid.name,
    Grid.kind,
    Grid.special_type,
    Grid.community_code,
    Grid.worker_id,
    Grid.valid_from,
)
WORKER_COLUMNS = (
    Account.id,
    Account.name,
    Account.phone,
    GridWorkerProfile.employee_no,
    GridWorkerProfile.kind,
    GridWorkerProfile.appointed_on,
)

CURRENT_GRIDS = select(*GRID_COLUMNS).where(Grid.valid_to.is_(None))
REGIONS = select(*REGION_COLUMNS)
WORKERS = select(*WORKER_COLUMNS).outerjoin(
    GridWorkerProfile, GridWorkerProfile.account_id == Account.id
)
