"""Per-request loaders of the plugin: whatever ``GridWorker`` gains is loaded for all the
workers of a page at once (one statement per distinct set of arguments)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from plugins.attendance.models import AttendanceDay, Patrol, PatrolFinding, Visit, VisitPhoto
from plugins.attendance.settings import settings_of
from plugins.attendance.tracks import load_tracks
from schema.loaders import GroupedLoader, Loader
from schema.pagination import Statement

MAX_DAYS = 366


def _latest(
    model: Any, filters: list[Any], workers: list[int], order: list[Any], n: int
) -> Statement:
    """The first ``n`` rows of each worker in ``order``."""
    rank = func.row_number().over(partition_by=model.worker_id, order_by=order).label("rank")
    ranked = select(model, rank).where(model.worker_id.in_(workers), *filters).subquery()
    row = aliased(model, ranked)
    return select(row).where(ranked.c.rank <= n).order_by(row.worker_id, ranked.c.rank)


def _by_worker(rows: Any) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        out[r.worker_id].append(r)
    return out


class TracksLoader(GroupedLoader):
    """Keys ``(worker, start, end)`` → the worker's Track."""

    async def fetch(self, arguments: tuple[Any, ...], workers: list[int]) -> dict[int, Any]:
        ctx = self.ctx
        start, end = arguments
        async with ctx.locked() as session:
            return await load_tracks(session, workers, start, end, settings_of(ctx.runtime))


class DaysLoader(GroupedLoader):
    """Keys ``(worker, from, to)`` → check-in days, oldest first (a year at most)."""

    async def fetch(self, arguments: tuple[Any, ...], workers: list[int]) -> dict[int, list[Any]]:
        ctx = self.ctx
        start, to = arguments
        filters = []
        if start is not None:
            filters.append(AttendanceDay.day >= start)
        if to is not None:
            filters.append(AttendanceDay.day <= to)
        stmt = _latest(AttendanceDay, filters, workers, [AttendanceDay.day], MAX_DAYS)
        return _by_worker((await ctx.execute(stmt)).scalars())


class VisitsLoader(GroupedLoader):
    """Keys ``(worker, from, to, first)`` → (visit, photos) pairs, newest first."""

    async def fetch(self, arguments: tuple[Any, ...], workers: list[int]) -> dict[int, list[Any]]:
        ctx = self.ctx
        start, to, first = arguments
        filters = []
        if start is not None:
            filters.append(Visit.collected_at >= start)
        if to is not None:
            filters.append(Visit.collected_at < to)
        order = [Visit.collected_at.desc(), Visit.id.desc()]
        rows = list((await ctx.execute(_latest(Visit, filters, workers, order, first))).scalars())
        photos: dict[int, list[Any]] = defaultdict(list)
        if rows:
            found = await ctx.execute(
                select(VisitPhoto)
                .where(VisitPhoto.visit_id.in_([r.id for r in rows]))
                .order_by(VisitPhoto.id)
            )
            for p in found.scalars():
                photos[p.visit_id].append(p)
        out: dict[int, list[Any]] = defaultdict(list)
        for r in rows:
            out[r.worker_id].append((r, photos[r.id]))
        return out


class PatrolsLoader(GroupedLoader):
    """Keys ``(worker, from, to, first)`` → patrols started then, newest first."""

    async def fetch(self, arguments: tuple[Any, ...], workers: list[int]) -> dict[int, list[Any]]:
        ctx = self.ctx
        start, to, first = arguments
        filters = []
        if start is not None:
            filters.append(Patrol.started_at >= start)
        if to is not None:
            filters.append(Patrol.started_at < to)
        order = [Patrol.started_at.desc(), Patrol.id.desc()]
        stmt = _latest(Patrol, filters, workers, order, first)
        return _by_worker((await ctx.execute(stmt)).scalars())


class FindingsByPatrolLoader(Loader[int, list[Any]]):
    async def load_batch(self, ids: list[int]) -> list[list[Any]]:
        ctx = self.ctx
        rows = await ctx.execute(
            select(PatrolFinding).where(PatrolFinding.patrol_id.in_(ids)).order_by(PatrolFinding.id)
        )
        out: dict[int, list[Any]] = {i: [] for i in ids}
        for r in rows.scalars():
            out[r.patrol_id].append(r)
        return [out[i] for i in ids]


class FindingByEventLoader(Loader[int, Any]):
    async def load_batch(self, ids: list[int]) -> list[Any]:
        ctx = self.ctx
        rows = await ctx.execute(select(PatrolFinding).where(PatrolFinding.event_id.in_(ids)))
        found = {r.event_id: r for r in rows.scalars()}
        return [found.get(i) for i in ids]
