"""Demo data of the attendance plugin: the week before the demo's day for every demo grid
worker — check-ins (a few from home, flagged), GPS tracks along waypoints inside the
grid, one patrol a day (some with findings) and household visits. Written with COPY;
the track figures are then computed by the same refresh the reports use."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.codes import beidou
from core.codes.timecode import encode_time
from core.demo.bulk import Copier, point_ewkb
from core.demo.context import DemoContext
from core.demo.population import DEMO_TZ
from plugins.attendance.settings import AttendanceSettings
from plugins.attendance.tracks import create_partitions, month_start, refresh

DAYS = 7
PRESENT = 0.92  # share of worker-days with a check-in
FROM_HOME = 0.03  # share of check-ins made away from the grid (flagged)
METRES_PER_DEGREE = 111_320.0
VISIT_NOTES = (
    "入户走访，了解家庭近况",
    "走访独居老人，身体状况良好",
    "宣传防诈骗知识",
    "核实常住人口信息",
    "走访困难家庭，登记诉求",
)
FINDINGS = ("路灯损坏", "垃圾堆放", "井盖松动", "占道经营", "违规停车")


def _inside(rng: np.random.Generator, geom: Any, count: int) -> np.ndarray:
    """``count`` random points inside ``geom`` (rejection sampling in its bounds)."""
    x0, y0, x1, y1 = geom.bounds
    out: list[np.ndarray] = []
    have = 0
    while have < count:
        xs = rng.uniform(x0, x1, 64)
        ys = rng.uniform(y0, y1, 64)
        keep = shapely.contains_xy(geom, xs, ys)
        out.append(np.column_stack([xs[keep], ys[keep]]))
        have += int(keep.sum())
    return np.concatenate(out)[:count]


def _walk(rng: np.random.Generator, waypoints: np.ndarray, n: int) -> np.ndarray:
    """``n`` positions evenly spaced along a route through the waypoints (inside the
    grid), with a few metres of GPS noise."""
    route = np.vstack([waypoints, waypoints[:1]])
    seg = np.hypot(*np.diff(route, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(seg)])
    at = np.linspace(0.0, along[-1], n)
    xy = np.column_stack([np.interp(at, along, route[:, 0]), np.interp(at, along, route[:, 1])])
    noise = rng.normal(0.0, 4.0 / METRES_PER_DEGREE, xy.shape)
    return xy + noise


def _local(day: date, hour: float, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(hours=hour)


async def load_demo(session: AsyncSession, demo: DemoContext) -> None:
    settings = AttendanceSettings()
    interval = settings.demo_fix_interval_s
    zone = ZoneInfo(DEMO_TZ)
    days = [demo.today - timedelta(days=i) for i in range(DAYS - 1, -1, -1)]
    await create_partitions(
        session, sorted({month_start(d) for d in days} | {month_start(days[-1], 1)})
    )
    households: dict[int, list[int]] = defaultdict(list)
    for row in await session.execute(text("SELECT id, grid_id FROM household")):
        households[row.grid_id].append(row.id)
    rng = np.random.default_rng(demo.rng("attendance").getrandbits(64))
    task = (
        demo.progress.add_task("attendance", total=len(demo.partition.grids))
        if demo.progress is not None
        else None
    )
    checkins: list[tuple[Any, ...]] = []
    track_days: list[tuple[Any, ...]] = []
    patrols: list[tuple[Any, ...]] = []
    findings: list[tuple[Any, ...]] = []
    visits: list[tuple[Any, ...]] = []
    copier = Copier(session)
    try:
        for grid in demo.partition.grids:
            worker = demo.worker_ids.get(grid.code)
            grid_id = demo.grid_ids.get(grid.code)
            if worker is None or grid_id is None:
                continue
            fixes: list[tuple[Any, ...]] = []
            shapely.prepare(grid.geometry)
            waypoints = _inside(rng, grid.geometry, 8 * len(days)).reshape(len(days), 8, 2)
            for d, day in enumerate(days):
                if rng.random() > PRESENT:
                    continue
                t_in = _local(day, 8.5 + rng.normal(0, 0.13), zone)
                t_out = _local(day, 17.5 + rng.normal(0, 0.2), zone)
                n = int((t_out - t_in).total_seconds() // interval) + 1
                xy = _walk(rng, waypoints[d], n)
                times = [t_in + timedelta(seconds=interval * i) for i in range(n)]
                accuracy = rng.gamma(2.0, 4.0, n).astype(np.float32)
                fixes.extend(
                    (worker, times[i], float(xy[i, 0]), float(xy[i, 1]), float(accuracy[i]))
                    for i in range(n)
                )
                track_days.append((worker, day, 1, 0))
                start = xy[0]
                distance = 0.0
                if rng.random() < FROM_HOME:  # checked in from ~300 m away
                    start = start + np.array([0.0, 300.0 / METRES_PER_DEGREE])
                    distance = shapely.distance(grid.geometry, shapely.Point(*start))
                    distance *= METRES_PER_DEGREE
                checkins.append(
                    (
                        worker,
                        grid.code,
                        day,
                        t_in,
                        start,
                        distance,
                        distance > settings.tolerance_m,
                        t_out,
                        xy[-1],
                    )
                )
                p0 = int(n * 0.2)
                p1 = min(n - 1, p0 + 3600 // interval)
                patrols.append((worker, grid_id, grid.code, times[p0], times[p1], xy[p0]))
                if rng.random() < 0.2:
                    k = (p0 + p1) // 2
                    note = FINDINGS[int(rng.integers(len(FINDINGS)))]
                    findings.append((len(patrols), grid_id, grid.code, times[k], xy[k], note))
                for _ in range(int(rng.integers(0, 4)) if households[grid_id] else 0):
                    k = int(rng.integers(n))
                    choices = households[grid_id]
                    household = choices[int(rng.integers(len(choices)))]
                    note = VISIT_NOTES[int(rng.integers(len(VISIT_NOTES)))]
                    visits.append((worker, grid_id, grid.code, times[k], xy[k], household, note))
            await copier.copy(
                "attendance_fix", ("worker_id", "fixed_at", "lon", "lat", "accuracy_m"), fixes
            )
            if task is not None:
                demo.progress.advance(task)
        await _write_records(copier, checkins, track_days, patrols, findings, visits)
    finally:
        await copier.close()
    await refresh(session, days[0], days[-1], DEMO_TZ, settings)
    await session.execute(
        text(
            "ANALYZE attendance_fix, attendance_track_day, attendance_day, "
            "attendance_patrol, attendance_patrol_finding, attendance_visit"
        )
    )


def _coded(points: list[Any], moments: list[datetime]) -> tuple[list[bytes], list[str], list[str]]:
    xy = np.asarray(points, dtype=float).reshape(-1, 2)
    geoms = point_ewkb(xy[:, 0], xy[:, 1]) if len(xy) else []
    cells = beidou.encode_many(xy[:, 0], xy[:, 1], 10) if len(xy) else []
    times = [encode_time(m, "second", tz=DEMO_TZ) for m in moments]
    return geoms, cells, times


async def _write_records(
    copier: Copier,
    checkins: list[tuple[Any, ...]],
    track_days: list[tuple[Any, ...]],
    patrols: list[tuple[Any, ...]],
    findings: list[tuple[Any, ...]],
    visits: list[tuple[Any, ...]],
) -> None:
    ins = point_ewkb(np.array([c[4][0] for c in checkins]), np.array([c[4][1] for c in checkins]))
    outs = point_ewkb(np.array([c[8][0] for c in checkins]), np.array([c[8][1] for c in checkins]))
    await copier.copy(
        "attendance_day",
        (
            "worker_id",
            "grid_code",
            "day",
            "check_in_at",
            "check_in_geom",
            "check_in_distance_m",
            "check_in_flagged",
            "check_out_at",
            "check_out_geom",
            "check_out_distance_m",
            "check_out_flagged",
        ),
        [
            (w, code, day, t_in, ins[i], float(dist), bool(flag), t_out, outs[i], 0.0, False)
            for i, (w, code, day, t_in, _, dist, flag, t_out, _) in enumerate(checkins)
        ],
    )
    await copier.copy(
        "attendance_track_day", ("worker_id", "day", "version", "computed_version"), track_days
    )
    located = ("grid_id", "region_code", "geom", "beidou_code", "time_code", "collected_at")
    geoms, cells, times = _coded([p[5] for p in patrols], [p[3] for p in patrols])
    await copier.copy(
        "attendance_patrol",
        (
            "id",
            "worker_id",
            "started_at",
            "ended_at",
            "version",
            "computed_version",
            *located,
            "collected_by",
        ),
        [
            (i + 1, w, t0, t1, 1, 0, grid_id, code, geoms[i], cells[i], times[i], t0, w)
            for i, (w, grid_id, code, t0, t1, _) in enumerate(patrols)
        ],
    )
    geoms, cells, times = _coded([f[4] for f in findings], [f[3] for f in findings])
    await copier.copy(
        "attendance_patrol_finding",
        ("patrol_id", "note", *located, "collected_by"),
        [
            (patrol, note, grid_id, code, geoms[i], cells[i], times[i], t, patrols[patrol - 1][0])
            for i, (patrol, grid_id, code, t, _, note) in enumerate(findings)
        ],
    )
    geoms, cells, times = _coded([v[4] for v in visits], [v[3] for v in visits])
    await copier.copy(
        "attendance_visit",
        ("worker_id", "household_id", "note", *located, "collected_by"),
        [
            (w, household, note, grid_id, code, geoms[i], cells[i], times[i], t, w)
            for i, (w, grid_id, code, t, _, household, note) in enumerate(visits)
        ],
    )
    for table in ("attendance_patrol", "attendance_patrol_finding", "attendance_visit"):
        await copier.sync_identity(table)
