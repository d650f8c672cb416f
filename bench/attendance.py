"""Attendance benchmarks at a realistic size: every demo grid worker × 30 days × one GPS
fix per 30 s during 8 hours (~16.7 M fixes for 579 workers), written once server-side.

Prints the ingest rate through the API (concurrent workers uploading batches, one
uvicorn process) and straight into the database, the latency of one worker-day's
playback through GraphQL over HTTP, the refresh of a month of day figures, and the
monthly report over the district."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from core.database.engine import make_engine, make_sessionmaker
from core.settings import Settings

DAYS = 30
PER_DAY = 8 * 3600 // 30  # a fix every 30 s for 8 hours
TZ = "Asia/Shanghai"

# One worker-day per row of (worker, day): a loop around the grid's inner point, walked at
# an even pace, with a few metres of noise.
_FILL = text("""
INSERT INTO attendance_fix (worker_id, fixed_at, lon, lat, accuracy_m)
SELECT g.worker_id,
       (d.day::timestamp + time '08:00' + i * interval '30 seconds') AT TIME ZONE :tz,
       ST_X(c.p) + 0.002 * cos(i / 150.0 + g.id) + (random() - 0.5) * 0.00008,
       ST_Y(c.p) + 0.0015 * sin(i / 110.0 + g.id) + (random() - 0.5) * 0.00008,
       3 + random() * 10
FROM grid g
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(g.geom) AS p) c
CROSS JOIN (SELECT CAST(:day AS date) AS day) d
CROSS JOIN generate_series(0, :per_day - 1) i
WHERE g.valid_to IS NULL AND g.worker_id IS NOT NULL
ON CONFLICT DO NOTHING
""")

_DAYS = text("""
INSERT INTO attendance_track_day (worker_id, day)
SELECT g.worker_id, CAST(:day AS date) FROM grid g
WHERE g.valid_to IS NULL AND g.worker_id IS NOT NULL
ON CONFLICT (worker_id, day) DO UPDATE SET version = attendance_track_day.version + 1
""")


def row(name: str, **figures: object) -> None:
    cells = "  ".join(f"{k}={v}" for k, v in figures.items())
    print(f"{name:<28} {cells}", flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def month_days(today: date) -> list[date]:
    return [today - timedelta(days=i) for i in range(DAYS, 0, -1)]


async def fill(url: str) -> list[date]:
    """Write the 30 days before today once (kept between runs)."""
    from plugins.attendance.tracks import create_partitions, month_start

    days = month_days(datetime.now(UTC).date())
    engine = make_engine(url, Settings(database_url=url))
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        await create_partitions(session, sorted({month_start(d) for d in days}))
    started = time.perf_counter()
    written = 0
    for day in days:
        async with sessions() as session, session.begin():
            seen = await session.scalar(
                text("SELECT count(*) FROM attendance_track_day WHERE day = :d AND fixes > 0"),
                {"d": day},
            )
            if seen:
                continue
            result = await session.execute(_FILL, {"day": day, "per_day": PER_DAY, "tz": TZ})
            await session.execute(_DAYS, {"day": day})
            written += int(result.rowcount)  # type: ignore[attr-defined]
    if written:
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE attendance_fix, attendance_track_day"))
        row(
            "attendance: fill",
            fixes=written,
            seconds=f"{time.perf_counter() - started:.0f}",
            fixes_per_s=f"{written / (time.perf_counter() - started):.0f}",
        )
    async with engine.connect() as conn:
        total = await conn.scalar(
            text("SELECT count(*) FROM attendance_fix WHERE fixed_at >= :t"),
            {"t": datetime.combine(days[0], datetime.min.time(), UTC) - timedelta(days=1)},
        )
        workers = await conn.scalar(
            text("SELECT count(*) FROM grid WHERE valid_to IS NULL AND worker_id IS NOT NULL")
        )
    await engine.dispose()
    row("attendance: dataset", workers=workers, days=DAYS, fixes=total, per_worker_day=PER_DAY)
    return days


async def refresh_month(url: str, days: list[date]) -> None:
    from plugins.attendance.settings import AttendanceSettings
    from plugins.attendance.tracks import refresh

    engine = make_engine(url, Settings(database_url=url))
    async with make_sessionmaker(engine)() as session, session.begin():
        await session.execute(text("UPDATE attendance_track_day SET computed_version = 0"))
    async with make_sessionmaker(engine)() as session, session.begin():
        t0 = time.perf_counter()
        n = await refresh(session, days[0], days[-1], TZ, AttendanceSettings())
        seconds = time.perf_counter() - t0
    await engine.dispose()
    row("attendance: refresh month", worker_days=n, seconds=f"{seconds:.1f}")


async def ingest_db(url: str, batches: int = 40, size: int = 1000) -> None:
    """The upload statement alone (what the database sustains on one connection)."""
    from plugins.attendance.tracks import Fix, upload_fixes

    engine = make_engine(url, Settings(database_url=url))
    async with engine.connect() as conn:
        workers = [
            r[0]
            for r in await conn.execute(
                text("SELECT worker_id FROM grid WHERE valid_to IS NULL AND worker_id IS NOT NULL")
            )
        ]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    t0 = time.perf_counter()
    async with make_sessionmaker(engine)() as session:
        for b in range(batches):
            worker = workers[b % len(workers)]
            base = start + timedelta(milliseconds=b)  # fresh times each run
            fixes = [
                Fix(base + timedelta(seconds=i), 104.6 + i * 1e-6, 28.7, 5.0) for i in range(size)
            ]
            async with session.begin():
                await upload_fixes(session, worker, fixes, TZ)
    seconds = time.perf_counter() - t0
    await engine.dispose()
    row(
        "attendance: ingest (db)",
        fixes=batches * size,
        fixes_per_s=f"{batches * size / seconds:.0f}",
    )


async def ingest_api(
    base: str, tokens: list[str], packed: bool, size: int = 1000, rounds: int = 6
) -> None:
    """Concurrent workers each uploading ``rounds`` batches of ``size`` new fixes, as
    input objects (``fixes``) or as parallel arrays (``packed``)."""
    if packed:
        query = "mutation($f: JSON!) { uploadTrack(packed: $f) { stored } }"
    else:
        query = "mutation($f: [TrackFixInput!]!) { uploadTrack(fixes: $f) { stored } }"
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    stamp = random.randrange(500_000)  # new times on each run (ms offsets)

    def batch(r: int) -> Any:
        first = start + timedelta(minutes=r * 10, milliseconds=stamp)
        times = [first + timedelta(milliseconds=500 * i) for i in range(size)]
        lons = [104.6 + i * 1e-6 for i in range(size)]
        if packed:
            return {
                "t": [int(t.timestamp() * 1000) for t in times],
                "lon": lons,
                "lat": [28.7] * size,
                "accuracy": [5.0] * size,
            }
        return [
            {"at": t.isoformat(), "lon": x, "lat": 28.7, "accuracy": 5.0}
            for t, x in zip(times, lons, strict=True)
        ]

    bodies = [{"query": query, "variables": {"f": batch(r)}} for r in range(rounds)]
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def one(token: str) -> int:
            n = 0
            for body in bodies:
                r = await client.post(
                    "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
                )
                n += r.json()["data"]["uploadTrack"]["stored"]
            return n

        t0 = time.perf_counter()
        stored = sum(await asyncio.gather(*(one(t) for t in tokens)))
        seconds = time.perf_counter() - t0
    sent = len(tokens) * rounds * size
    row(
        f"attendance: ingest api {'packed' if packed else 'fixes'}",
        clients=len(tokens),
        batch=size,
        fixes=sent,
        stored=stored,
        fixes_per_s=f"{sent / seconds:.0f}",
        goal=">=20000",
    )


async def playback_api(
    base: str, token: str, workers: list[int], days: list[date], requests: int, who: str
) -> None:
    from zoneinfo import ZoneInfo

    query = (
        "query($w: ID!, $from: DateTime!, $to: DateTime!, $s: Float) { trackPlayback("
        "worker: $w, from: $from, to: $to, simplify: $s) { fixes points distanceM "
        "insideGridS path } }"
    )
    zone = ZoneInfo(TZ)
    rng = random.Random(5)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for simplify in (None, 5.0):
            times: list[float] = []
            points = fixes = 0
            for i in range(requests + 20):
                day = rng.choice(days)
                start = datetime(day.year, day.month, day.day, tzinfo=zone)
                variables = {
                    "w": str(rng.choice(workers)),
                    "from": start.isoformat(),
                    "to": (start + timedelta(days=1)).isoformat(),
                    "s": simplify,
                }
                t0 = time.perf_counter()
                r = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
                elapsed = time.perf_counter() - t0
                found = r.json()["data"]["trackPlayback"]
                if i >= 20:  # warm-up excluded
                    times.append(elapsed * 1000)
                    points += found["points"]
                    fixes += found["fixes"]
            row(
                f"attendance: playback {who}{' simplify 5m' if simplify else ''}",
                requests=requests,
                fixes_per_day=fixes // requests,
                points=points // requests,
                p50_ms=f"{percentile(times, 0.5):.2f}",
                p99_ms=f"{percentile(times, 0.99):.2f}",
                goal="p50<=10ms",
            )


async def report_api(base: str, token: str, month: str) -> None:
    query = (
        "query($m: String!) { attendanceReport(month: $m) { total { workers figures { "
        "daysPresent hoursInGrid kmPatrolled } } regions { regionCode } } }"
    )
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        t0 = time.perf_counter()
        r = await client.post(
            "/graphql",
            json={"query": query, "variables": {"m": month}},
            headers={"Authorization": f"Bearer {token}"},
        )
        seconds = time.perf_counter() - t0
        xlsx0 = time.perf_counter()
        sheet = await client.get(
            f"/attendance/report.xlsx?month={month}", headers={"Authorization": f"Bearer {token}"}
        )
        xlsx = time.perf_counter() - xlsx0
    total = r.json()["data"]["attendanceReport"]["total"]
    row(
        "attendance: monthly report",
        month=month,
        workers=total["workers"],
        ms=f"{seconds * 1000:.0f}",
        xlsx_ms=f"{xlsx * 1000:.0f}",
        xlsx_bytes=len(sheet.content),
    )
