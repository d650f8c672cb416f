"""Who reads a worker's attendance records (check-ins, visits, patrols): the worker, or
whoever may read ``attendance`` where the worker's current grid is. The GraphQL fields
(``GridWorker.visits`` …) and the visit photos at ``/files/<key>`` apply the same rule.
Tracks (``attendance:track``, personal data) are decided in ``graphql.access``."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.models import Grid
from plugins.attendance.models import Visit, VisitPhoto

ATTENDANCE = "attendance"


def reads_worker(actor: Actor, worker_id: int, grid_code: str | None, category: str) -> bool:
    """The worker themselves, or ``category`` read where their grid (``grid_code``) is."""
    if actor.account_id == worker_id:
        return True
    return actor.reach.allows(category, "read", grid_code)


async def visit_photo_readable(session: AsyncSession, actor: Actor, key: str) -> bool:
    """Is ``key`` the photo of a visit whose worker's attendance ``actor`` reads?"""
    if not actor.authenticated:
        return False
    holders = (
        select(Visit.worker_id, Grid.code)
        .select_from(VisitPhoto)
        .join(Visit, Visit.id == VisitPhoto.visit_id)
        .outerjoin(Grid, and_(Grid.worker_id == Visit.worker_id, Grid.valid_to.is_(None)))
        .where(VisitPhoto.key == key)
        .distinct()
    )
    rows = (await session.execute(holders)).all()
    return any(reads_worker(actor, worker, code, ATTENDANCE) for worker, code in rows)
