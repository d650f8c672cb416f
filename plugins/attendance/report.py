"""Monthly attendance report, per worker and per region: days present, hours inside the
grid, kilometres patrolled, visits, events reported and events handled (resolved).

Workers are counted under the grid they hold now; a month is a calendar month in the
deployment's time zone. Figures from tracks are brought up to date first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import BadInput, NotFound, Unauthenticated
from plugins.attendance.settings import AttendanceSettings
from plugins.attendance.tracks import day_bounds, refresh

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
REGION_CODE = re.compile(r"^\d{12}$")


@dataclass(slots=True)
class Figures:
    days_present: int = 0
    hours_in_grid: float = 0.0
    km_patrolled: float = 0.0
    visits: int = 0
    events_reported: int = 0
    events_handled: int = 0

    def add(self, other: Figures) -> None:
        for f in fields(Figures):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def rounded(self) -> Figures:
        return Figures(
            self.days_present,
            round(self.hours_in_grid, 2),
            round(self.km_patrolled, 3),
            self.visits,
            self.events_reported,
            self.events_handled,
        )


@dataclass(slots=True)
class WorkerMonth:
    worker_id: int
    name: str
    grid_code: str
    figures: Figures


@dataclass(slots=True)
class RegionMonth:
    code: str
    name: str
    workers: int = 0
    figures: Figures = field(default_factory=Figures)


@dataclass(slots=True)
class MonthReport:
    month: str
    region_code: str
    region_name: str
    workers: list[WorkerMonth]
    regions: list[RegionMonth]
    total: RegionMonth


def parse_month(value: str) -> tuple[date, date]:
    """``YYYY-MM`` → its first and last day."""
    found = MONTH.match(value or "")
    if not found:
        raise BadInput("month is YYYY-MM, e.g. 2026-11", argument="month")
    first = date(int(found[1]), int(found[2]), 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


_WORKERS = text("""
SELECT a.id, a.name, g.code AS grid_code
FROM grid g JOIN account a ON a.id = g.worker_id
WHERE g.valid_to IS NULL
  AND left(g.code, length(:prefix)) = :prefix
  AND (:everywhere OR a.id = :me OR EXISTS (
        SELECT 1 FROM unnest(CAST(:reach AS text[])) r(p) WHERE left(g.code, length(r.p)) = r.p))
ORDER BY g.code
""")

_FIGURES = text("""
SELECT w.id,
  (SELECT count(*) FROM attendance_day d
    WHERE d.worker_id = w.id AND d.day BETWEEN :first AND :last) AS days_present,
  (SELECT COALESCE(sum(t.inside_s), 0) FROM attendance_track_day t
    WHERE t.worker_id = w.id AND t.day BETWEEN :first AND :last) / 3600.0 AS hours_in_grid,
  (SELECT COALESCE(sum(p.distance_m), 0) FROM attendance_patrol p
    WHERE p.worker_id = w.id AND p.ended_at IS NOT NULL
      AND p.started_at >= :start AND p.started_at < :end) / 1000.0 AS km_patrolled,
  (SELECT count(*) FROM attendance_visit v
    WHERE v.worker_id = w.id AND v.collected_at >= :start AND v.collected_at < :end) AS visits,
  (SELECT count(*) FROM event e
    WHERE e.reporter_id = w.id AND e.collected_at >= :start AND e.collected_at < :end)
      AS events_reported,
  (SELECT count(DISTINCT s.event_id) FROM event_trace s
    WHERE s.actor_id = w.id AND s.action = 'resolve' AND s.at >= :start AND s.at < :end)
      AS events_handled
FROM unnest(CAST(:workers AS bigint[])) AS w(id)
""")

_REGION = text("SELECT code, prefix, name FROM region WHERE code = :code")
_DISTRICT = text("SELECT code, prefix, name FROM region WHERE level = 'district' ORDER BY code")
_CHILDREN = text("SELECT code, prefix, name FROM region WHERE parent_code = :code ORDER BY code")


async def monthly_report(
    session: AsyncSession,
    actor: Actor,
    month: str,
    region_code: str | None,
    *,
    tz: str,
    settings: AttendanceSettings,
) -> MonthReport:
    """The workers the actor may see (their own row for a worker; the area their
    ``attendance`` reach covers otherwise) under ``region_code`` (the district's when
    omitted), with the region's next level down as the per-region rows."""
    if not actor.authenticated:
        raise Unauthenticated("log in first")
    first, last = parse_month(month)
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(last, tz)
    if region_code is not None and not REGION_CODE.match(region_code):
        raise BadInput("regionCode is a 12-digit division code", argument="regionCode")
    if region_code is None:
        region = (await session.execute(_DISTRICT)).first()
    else:
        region = (await session.execute(_REGION, {"code": region_code})).first()
    if region is None:
        raise NotFound(f"no region {region_code}", argument="regionCode")
    reach = actor.reach.prefixes("attendance", "read")
    workers = (
        await session.execute(
            _WORKERS,
            {
                "prefix": region.prefix,
                "everywhere": "" in reach,
                "me": actor.account_id or 0,
                "reach": list(reach),
            },
        )
    ).all()
    ids = [w.id for w in workers]
    await refresh(session, first, last, tz, settings, workers=ids)
    rows = {
        r.id: r
        for r in (
            await session.execute(
                _FIGURES,
                {"workers": ids, "first": first, "last": last, "start": start, "end": end},
            )
        ).all()
    }
    per_worker = [
        WorkerMonth(
            worker_id=w.id,
            name=w.name,
            grid_code=w.grid_code,
            figures=Figures(
                int(rows[w.id].days_present),
                float(rows[w.id].hours_in_grid),
                float(rows[w.id].km_patrolled),
                int(rows[w.id].visits),
                int(rows[w.id].events_reported),
                int(rows[w.id].events_handled),
            ),
        )
        for w in workers
    ]
    children = (await session.execute(_CHILDREN, {"code": region.code})).all() or [region]
    regions = [RegionMonth(c.code, c.name) for c in children]
    total = RegionMonth(region.code, region.name)
    for worker in per_worker:
        for row, child in zip(regions, children, strict=True):
            if worker.grid_code.startswith(child.prefix):
                row.workers += 1
                row.figures.add(worker.figures)
                break
        total.workers += 1
        total.figures.add(worker.figures)
        worker.figures = worker.figures.rounded()
    for row in (*regions, total):
        row.figures = row.figures.rounded()
    return MonthReport(month, region.code, region.name, per_worker, regions, total)


def as_rows(report: MonthReport) -> dict[str, list[list[Any]]]:
    """The report as sheets of rows (header first), for the spreadsheet download."""
    names = [
        "days present",
        "hours in grid",
        "km patrolled",
        "visits",
        "events reported",
        "events handled",
    ]

    def values(f: Figures) -> list[Any]:
        return [getattr(f, x.name) for x in fields(Figures)]

    return {
        "Workers": [
            ["worker", "grid", *names],
            *([w.name, w.grid_code, *values(w.figures)] for w in report.workers),
        ],
        "Regions": [
            ["region code", "region", "workers", *names],
            *([r.code, r.name, r.workers, *values(r.figures)] for r in report.regions),
            [
                report.total.code,
                f"{report.total.name} (total)",
                report.total.workers,
                *values(report.total.figures),
            ],
        ],
    }
