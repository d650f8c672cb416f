"""GPS tracks: batch upload of fixes, playback with simplification, distance walked and
time spent inside the worker's grid.

A fix is identified by (worker, time): a batch sent again, or fixes arriving out of order
or twice, leave one row per fix (the first one received wins). Fixes are stored as sent;
those less accurate than ``max_accuracy_m`` are left out of paths and figures. Two fixes
more than ``max_gap_s`` apart are not joined: the time between counts neither as walked
nor as spent inside the grid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import BadInput
from plugins.attendance.settings import AttendanceSettings

EARTH_RADIUS_M = 6_371_008.8  # mean radius, as PostGIS's ST_DistanceSphere


@dataclass(frozen=True, slots=True)
class Fix:
    at: datetime
    lon: float
    lat: float
    accuracy_m: float | None = None


@dataclass(frozen=True, slots=True)
class Upload:
    received: int
    stored: int  # new fixes
    duplicates: int  # already stored (or twice in the batch)


def check_fixes(fixes: Sequence[Fix], settings: AttendanceSettings, now: datetime) -> None:
    """Refuse the whole batch, naming the first bad fix, so nothing is half-written."""
    if not fixes:
        raise BadInput("send at least one fix", argument="fixes")
    if len(fixes) > settings.max_batch:
        raise BadInput(f"at most {settings.max_batch} fixes per upload", argument="fixes")
    oldest = now - timedelta(days=settings.late_days)
    newest = now + timedelta(minutes=5)
    for i, fix in enumerate(fixes):
        if fix.at.tzinfo is None:
            raise BadInput(f"fix {i}: the time needs a UTC offset", argument="fixes")
        if not (math.isfinite(fix.lon) and math.isfinite(fix.lat)):
            raise BadInput(f"fix {i}: longitude and latitude must be finite", argument="fixes")
        if not (-180 <= fix.lon < 180 and -90 <= fix.lat <= 90):
            raise BadInput(f"fix {i}: ({fix.lon}, {fix.lat}) is not a position", argument="fixes")
        if fix.accuracy_m is not None and not (0 <= fix.accuracy_m < 1e6):
            raise BadInput(f"fix {i}: accuracy must be 0 or more metres", argument="fixes")
        if fix.at < oldest:
            raise BadInput(
                f"fix {i}: older than {settings.late_days} days ({fix.at.isoformat()})",
                argument="fixes",
            )
        if fix.at > newest:
            raise BadInput(f"fix {i}: in the future ({fix.at.isoformat()})", argument="fixes")


def month_start(day: date, ahead: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + ahead
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"attendance_fix_y{month.year}m{month.month:02d}"


async def ensure_partitions(
    sessionmaker: async_sessionmaker[AsyncSession], months: set[date], known: set[date]
) -> None:
    """Create the monthly partitions the fixes need, in a transaction of their own (the
    DDL's lock on the parent is not held through the upload). ``known`` remembers, per
    app, partitions already seen, so the common case costs nothing."""
    missing = sorted(m for m in months if m not in known)
    if not missing:
        return
    async with sessionmaker() as session, session.begin():
        await create_partitions(session, missing)
    known.update(missing)


async def create_partitions(session: AsyncSession, months: Sequence[date]) -> None:
    """Create missing monthly partitions in the session's transaction."""
    # one creator at a time, across processes
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('attendance_fix'))"))
    for month in months:
        name = partition_name(month)
        if not await session.scalar(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}):
            start, end = month.isoformat(), month_start(month, 1).isoformat()
            await session.execute(
                text(
                    f"CREATE TABLE {name} PARTITION OF attendance_fix "
                    f"FOR VALUES FROM ('{start} 00:00:00+00') TO ('{end} 00:00:00+00')"
                )
            )


def months_of(fixes: Sequence[Fix]) -> set[date]:
    return {month_start(f.at.astimezone(UTC).date()) for f in fixes}


# One statement: insert the new fixes, and mark the local days and the patrols they fall
# in as changed.
_UPLOAD = text("""
WITH new AS (
    INSERT INTO attendance_fix (worker_id, fixed_at, lon, lat, accuracy_m)
    SELECT :worker, u.t, u.x, u.y, u.a
    FROM unnest(CAST(:t AS timestamptz[]), CAST(:x AS float8[]), CAST(:y AS float8[]),
                CAST(:a AS real[])) AS u(t, x, y, a)
    ON CONFLICT DO NOTHING
    RETURNING fixed_at
), days AS (
    INSERT INTO attendance_track_day (worker_id, day)
    SELECT DISTINCT :worker, (fixed_at AT TIME ZONE :tz)::date FROM new ORDER BY 2
    ON CONFLICT (worker_id, day)
        DO UPDATE SET version = attendance_track_day.version + 1
    RETURNING 1
), patrols AS (
    UPDATE attendance_patrol SET version = version + 1
    WHERE worker_id = :worker AND started_at <= (SELECT max(fixed_at) FROM new)
      AND (ended_at IS NULL OR ended_at >= (SELECT min(fixed_at) FROM new))
    RETURNING 1
)
SELECT (SELECT count(*) FROM new) AS stored
""")


async def upload_fixes(
    session: AsyncSession, worker_id: int, fixes: Sequence[Fix], tz: str
) -> Upload:
    """Store a batch (partitions must exist: ``ensure_partitions`` first). Fixes go in
    time order, so two uploads of the same fixes at once (a phone's retry) wait on each
    other instead of deadlocking."""
    fixes = sorted(fixes, key=lambda f: f.at)
    stored = await session.scalar(
        _UPLOAD,
        {
            "worker": worker_id,
            "tz": tz,
            "t": [f.at for f in fixes],
            "x": [f.lon for f in fixes],
            "y": [f.lat for f in fixes],
            "a": [f.accuracy_m for f in fixes],
        },
    )
    return Upload(received=len(fixes), stored=int(stored), duplicates=len(fixes) - int(stored))


# The fixes of each worker in [start, end), in time order, as arrays (a row a worker),
# each fix with whether it lies inside that worker's current grid.
_FIXES = text("""
WITH f AS (
    SELECT worker_id, fixed_at, lon, lat FROM attendance_fix
    WHERE worker_id = ANY(CAST(:workers AS bigint[]))
      AND fixed_at >= :start AND fixed_at < :end
      AND (accuracy_m IS NULL OR accuracy_m <= :max_accuracy)
)
SELECT f.worker_id,
       array_agg(CAST(EXTRACT(EPOCH FROM f.fixed_at) * 1000000 AS bigint) ORDER BY f.fixed_at)
           AS us,
       array_agg(f.lon ORDER BY f.fixed_at) AS lon, array_agg(f.lat ORDER BY f.fixed_at) AS lat,
       array_agg(COALESCE(ST_Intersects(g.geom, ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326)),
                          false) ORDER BY f.fixed_at) AS inside
FROM f LEFT JOIN grid g ON g.worker_id = f.worker_id AND g.valid_to IS NULL
GROUP BY f.worker_id
""")


@dataclass(frozen=True, slots=True)
class Track:
    """A worker's fixes in time order: epoch microseconds, positions, inside the grid."""

    us: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    inside: np.ndarray

    def __len__(self) -> int:
        return len(self.us)


@dataclass(frozen=True, slots=True)
class Playback:
    worker_id: int
    start: datetime
    end: datetime
    fixes: int  # used (accurate enough)
    distance_m: float
    inside_s: float
    feature: dict[str, Any]  # GeoJSON Feature with properties.coordTimes


def great_circle_m(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Metres between consecutive positions (haversine on the sphere of ST_DistanceSphere)."""
    x, y = np.radians(lon), np.radians(lat)
    h = np.sin(np.diff(y) / 2) ** 2 + np.cos(y[:-1]) * np.cos(y[1:]) * np.sin(np.diff(x) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def figures(track: Track, max_gap_s: float) -> tuple[float, float]:
    """Metres walked and seconds inside the grid, from consecutive fixes."""
    if len(track) < 2:
        return 0.0, 0.0
    gap = np.diff(track.us) / 1e6
    joined = gap <= max_gap_s
    distance = float(great_circle_m(track.lon, track.lat)[joined].sum())
    inside = float(gap[joined & track.inside[1:] & track.inside[:-1]].sum())
    return distance, inside


def simplified(lon: np.ndarray, lat: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Indexes of the vertices Douglas–Peucker keeps at ``tolerance_m`` (on a local
    equirectangular projection, exact enough for a day's walk)."""
    if len(lon) < 3 or tolerance_m <= 0:
        return np.arange(len(lon))
    scale = math.cos(math.radians(float(lat.mean())))
    x = np.radians(lon) * EARTH_RADIUS_M * scale
    y = np.radians(lat) * EARTH_RADIUS_M
    kept = shapely.get_coordinates(
        shapely.simplify(shapely.linestrings(x, y), tolerance_m, preserve_topology=False)
    )
    # The kept vertices are a subsequence of the input: match them in order.
    out: list[int] = []
    j = 0
    for i in range(len(x)):
        if j < len(kept) and x[i] == kept[j, 0] and y[i] == kept[j, 1]:
            out.append(i)
            j += 1
    return np.asarray(out, dtype=int)


def iso_times(us: np.ndarray) -> list[str]:
    """ISO 8601 UTC times, to the second when every time is whole, else finer."""
    unit: Literal["s", "ms", "us"] = (
        "s" if not (us % 1_000_000).any() else "ms" if not (us % 1000).any() else "us"
    )
    return list(np.datetime_as_string(us.astype("datetime64[us]"), unit=unit, timezone="UTC"))


def _feature(track: Track, keep: np.ndarray, worker_id: int) -> dict[str, Any]:
    coords = np.round(np.column_stack([track.lon[keep], track.lat[keep]]), 7).tolist()
    if not coords:
        geometry: dict[str, Any] | None = None
    elif len(coords) == 1:
        geometry = {"type": "Point", "coordinates": coords[0]}
    else:
        geometry = {"type": "LineString", "coordinates": coords}
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"worker": str(worker_id), "coordTimes": iso_times(track.us[keep])},
    }


EMPTY = np.empty(0)


async def load_tracks(
    session: AsyncSession,
    workers: Sequence[int],
    start: datetime,
    end: datetime,
    settings: AttendanceSettings,
) -> dict[int, Track]:
    """The tracks of several workers over the same period, in one statement."""
    params = {
        "workers": list(workers),
        "start": start,
        "end": end,
        "max_accuracy": settings.max_accuracy_m,
    }
    out = {}
    for row in (await session.execute(_FIXES, params)).all():
        out[row.worker_id] = Track(
            us=np.asarray(row.us, dtype=np.int64),
            lon=np.asarray(row.lon, dtype=float),
            lat=np.asarray(row.lat, dtype=float),
            inside=np.asarray(row.inside, dtype=bool),
        )
    return out


def no_track() -> Track:
    return Track(EMPTY.astype(np.int64), EMPTY, EMPTY, EMPTY.astype(bool))


async def load_track(
    session: AsyncSession,
    worker_id: int,
    start: datetime,
    end: datetime,
    settings: AttendanceSettings,
) -> Track:
    found = await load_tracks(session, [worker_id], start, end, settings)
    return found.get(worker_id) or no_track()


async def playback_figures(
    session: AsyncSession,
    worker_id: int,
    start: datetime,
    end: datetime,
    settings: AttendanceSettings,
) -> tuple[float, float, int]:
    """Metres walked, seconds inside the grid and fixes used in [start, end)."""
    track = await load_track(session, worker_id, start, end, settings)
    distance, inside = figures(track, settings.max_gap_s)
    return distance, inside, len(track)


def check_period(start: datetime, end: datetime, settings: AttendanceSettings) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise BadInput("from and to need a UTC offset", argument="from")
    if end <= start:
        raise BadInput("to must be after from", argument="to")
    if end - start > timedelta(days=settings.max_playback_days):
        raise BadInput(
            f"a playback covers {settings.max_playback_days} days at most", argument="to"
        )


def check_simplify(simplify_m: float | None) -> None:
    if simplify_m is not None and not (0 <= simplify_m <= 10_000):
        raise BadInput("simplify is a tolerance in metres, 0 to 10000", argument="simplify")


def playback_of(
    worker_id: int,
    start: datetime,
    end: datetime,
    track: Track,
    settings: AttendanceSettings,
    simplify_m: float | None = None,
) -> Playback:
    """The worker's path as GeoJSON, simplified to ``simplify_m`` metres when asked;
    distance and time inside the grid are measured on the full path."""
    distance, inside = figures(track, settings.max_gap_s)
    keep = simplified(track.lon, track.lat, simplify_m) if simplify_m else np.arange(len(track))
    return Playback(
        worker_id=worker_id,
        start=start,
        end=end,
        fixes=len(track),
        distance_m=distance,
        inside_s=inside,
        feature=_feature(track, keep, worker_id),
    )


async def playback(
    session: AsyncSession,
    worker_id: int,
    start: datetime,
    end: datetime,
    settings: AttendanceSettings,
    simplify_m: float | None = None,
) -> Playback:
    """One worker's playback in [start, end)."""
    check_period(start, end, settings)
    check_simplify(simplify_m)
    track = await load_track(session, worker_id, start, end, settings)
    return playback_of(worker_id, start, end, track, settings, simplify_m)


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    following = day + timedelta(days=1)
    return start, datetime(following.year, following.month, following.day, tzinfo=zone)


# Figures of many windows of fixes at once (a worker's day, a patrol), set-based, by the
# same rules as ``figures``. ``{source}`` yields (key, worker_id, version, t0, t1) of the
# windows to recompute; ``{update}`` writes the aggregates ``a`` back.
_WINDOWS = """
WITH s AS ({source}), f AS (
    SELECT s.key, s.worker_id, x.fixed_at AS t,
           ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326) AS p
    FROM s JOIN attendance_fix x
      ON x.worker_id = s.worker_id AND x.fixed_at >= s.t0 AND x.fixed_at < s.t1
     AND (x.accuracy_m IS NULL OR x.accuracy_m <= :max_accuracy)
), k AS (
    SELECT f.key, f.worker_id, f.t, f.p, COALESCE(ST_Intersects(g.geom, f.p), false) AS inside
    FROM f LEFT JOIN grid g ON g.worker_id = f.worker_id AND g.valid_to IS NULL
), w AS (
    SELECT key, worker_id, inside, lag(inside) OVER v AS was_inside,
           EXTRACT(EPOCH FROM t - lag(t) OVER v)::float8 AS gap_s,
           ST_DistanceSphere(p, lag(p) OVER v) AS step_m
    FROM k WINDOW v AS (PARTITION BY worker_id, key ORDER BY t)
), a AS (
    SELECT key, worker_id, count(*) AS fixes,
           COALESCE(sum(step_m) FILTER (WHERE gap_s <= :max_gap), 0) AS distance_m,
           COALESCE(sum(gap_s) FILTER (WHERE gap_s <= :max_gap AND inside AND was_inside), 0)
               AS inside_s
    FROM w GROUP BY worker_id, key
)
{update}
"""

_REFRESH_DAYS = text(
    _WINDOWS.format(
        source="""
    SELECT day AS key, worker_id, version,
           day::timestamp AT TIME ZONE :tz AS t0, (day + 1)::timestamp AT TIME ZONE :tz AS t1
    FROM attendance_track_day
    WHERE version <> computed_version AND day >= :first AND day <= :last
      AND (CAST(:workers AS bigint[]) IS NULL OR worker_id = ANY(CAST(:workers AS bigint[])))
""",
        update="""
UPDATE attendance_track_day d
SET fixes = COALESCE(a.fixes, 0), distance_m = COALESCE(a.distance_m, 0),
    inside_s = COALESCE(a.inside_s, 0), computed_version = s.version
FROM s LEFT JOIN a ON a.worker_id = s.worker_id AND a.key = s.key
WHERE d.worker_id = s.worker_id AND d.day = s.key
""",
    )
)

_REFRESH_PATROLS = text(
    _WINDOWS.format(
        source="""
    SELECT id AS key, worker_id, version, started_at AS t0, ended_at AS t1
    FROM attendance_patrol
    WHERE ended_at IS NOT NULL AND version <> computed_version
      AND started_at >= :start AND started_at < :end
      AND (CAST(:workers AS bigint[]) IS NULL OR worker_id = ANY(CAST(:workers AS bigint[])))
""",
        update="""
UPDATE attendance_patrol d
SET distance_m = COALESCE(a.distance_m, 0), computed_version = s.version
FROM s LEFT JOIN a ON a.worker_id = s.worker_id AND a.key = s.key
WHERE d.id = s.key
""",
    )
)


async def refresh(
    session: AsyncSession,
    first: date,
    last: date,
    tz: str,
    settings: AttendanceSettings,
    workers: Sequence[int] | None = None,
) -> int:
    """Bring the per-day figures and the patrol distances of [first, last] (local days) up
    to date; returns how many were recomputed. A day or patrol changed meanwhile keeps its
    new version and is recomputed by the next refresh."""
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(last, tz)
    common = {
        "tz": tz,
        "workers": list(workers) if workers is not None else None,
        "max_accuracy": settings.max_accuracy_m,
        "max_gap": settings.max_gap_s,
    }
    days = await session.execute(_REFRESH_DAYS, {**common, "first": first, "last": last})
    patrols = await session.execute(_REFRESH_PATROLS, {**common, "start": start, "end": end})
    return int(days.rowcount) + int(patrols.rowcount)  # type: ignore[attr-defined]  # DELETEs' CursorResults
