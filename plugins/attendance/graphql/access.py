"""Who may read a worker's attendance data: the worker, or whoever reaches the category
where the worker's grid is (``plugins.attendance.access``). Tracks are personal data: such
a read is audited."""

from __future__ import annotations

from strawberry.types import Info

from plugins.attendance.access import reads_worker
from schema.audit import reveal
from schema.grid.loaders import GridByWorkerLoader

TRACK = "attendance:track"


async def may_read_worker(info: Info, worker_id: int, category: str) -> bool:
    ctx = info.context
    if ctx.actor.account_id == worker_id:
        return True
    grid = await ctx.loader(GridByWorkerLoader).load(worker_id)
    code = grid.code if grid is not None else None
    if category == TRACK:
        return reveal(
            info,
            category=TRACK,
            kind="track",
            record_id=worker_id,
            region_code=code,
            field="track",
        )
    return reads_worker(ctx.actor, worker_id, code, category)
