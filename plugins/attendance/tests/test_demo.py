"""The demo's year of attendance: check-ins, visits and patrols over 12 months, tracks for
the last week only, workers who differ, seasons, reports over it, and the same data for
the same seed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.database.engine import make_engine, make_sessionmaker
from core.settings import Settings
from plugins.attendance.demo import (
    FESTIVAL,
    HOLIDAY,
    TABLES,
    WEEKEND,
    WORK,
    day_kind,
    demo_days,
    working_days,
)
from plugins.attendance.tests.test_tracks import scalar
from tests.fixtures import DEMO_PERSONS, sql_rows

TODAY = date(2026, 6, 30)  # the demo's day
TZ = "Asia/Shanghai"
WEEK = [TODAY - timedelta(days=i) for i in range(6, -1, -1)]
LOCAL_DAY = f"(({{}}) AT TIME ZONE '{TZ}')::date"


def test_calendar() -> None:
    days = demo_days(TODAY)
    assert (days[0], days[-1], len(days)) == (date(2025, 7, 1), TODAY, 365)
    assert demo_days(date(2028, 2, 29))[0] == date(2027, 3, 1)
    assert day_kind(date(2026, 2, 16)) == day_kind(date(2026, 2, 23)) == FESTIVAL  # 除夕…初七
    assert day_kind(date(2026, 2, 24)) == WORK
    assert day_kind(date(2025, 10, 1)) == day_kind(date(2026, 5, 5)) == HOLIDAY
    assert day_kind(date(2026, 6, 27)) == WEEKEND
    assert 240 < len(working_days(days)) < 250


async def per_worker(url: str, sql: str, **params: Any) -> dict[int, Any]:
    """``sql`` yields (worker, value) for some workers: every current worker's value (0
    for those it leaves out)."""
    rows = await sql_rows(
        url,
        f"SELECT g.worker_id, x.v FROM grid g LEFT JOIN ({sql}) x(w, v) ON x.w = g.worker_id "
        "WHERE g.valid_to IS NULL",
        **params,
    )
    return {r[0]: r[1] or 0 for r in rows}


async def test_a_year_for_every_worker(demo_url) -> None:
    workers = await scalar(demo_url, "SELECT count(*) FROM grid WHERE valid_to IS NULL")
    span = await sql_rows(demo_url, "SELECT min(day), max(day) FROM attendance_day")
    assert tuple(span[0]) == (date(2025, 7, 1), TODAY)
    months = await per_worker(
        demo_url,
        "SELECT worker_id, count(DISTINCT date_trunc('month', day)) FROM attendance_day GROUP BY 1",
    )
    assert len(months) == workers and set(months.values()) == {12}
    # most working days present; weekends, holidays and the Spring Festival mostly off
    kinds = {
        day: day_kind(day)
        for (day,) in await sql_rows(demo_url, "SELECT DISTINCT day FROM attendance_day")
    }
    present = dict(await sql_rows(demo_url, "SELECT day, count(*) FROM attendance_day GROUP BY 1"))
    share = {
        kind: sum(n for day, n in present.items() if kinds[day] == kind)
        / (workers * sum(1 for d in demo_days(TODAY) if day_kind(d) == kind))
        for kind in (WORK, WEEKEND, HOLIDAY, FESTIVAL)
    }
    assert share[WORK] > 0.85
    assert 0.01 < share[WEEKEND] < 0.1 and share[HOLIDAY] < 0.1 and share[FESTIVAL] < 0.05
    assert await scalar(demo_url, "SELECT count(*) FROM attendance_day WHERE check_in_flagged")
    assert await scalar(demo_url, "SELECT count(*) FROM attendance_day WHERE check_out_at IS NULL")
    # visits and patrols on most working days, every worker
    work = working_days(demo_days(TODAY))
    for table, at in (("attendance_patrol", "started_at"), ("attendance_visit", "collected_at")):
        local = LOCAL_DAY.format(at)
        days = await per_worker(
            demo_url,
            f"SELECT worker_id, count(DISTINCT {local}) FROM {table} "
            f"WHERE {local} = ANY(CAST(:work AS date[])) GROUP BY 1",
            work=work,
        )
        assert min(days.values()) > 0.5 * len(work), table
    patrols = "SELECT count(*) FROM attendance_patrol"
    assert await scalar(demo_url, f"{patrols} WHERE distance_m > 0") == await scalar(
        demo_url, patrols
    )
    visits = "SELECT count(*) FROM attendance_visit v JOIN household h ON h.id = v.household_id"
    assert await scalar(demo_url, f"{visits} WHERE h.grid_id = v.grid_id") == await scalar(
        demo_url, "SELECT count(*) FROM attendance_visit"
    )


async def test_tracks_only_for_the_last_week(demo_url) -> None:
    week = await sql_rows(
        demo_url,
        f"SELECT min({LOCAL_DAY.format('fixed_at')}), max({LOCAL_DAY.format('fixed_at')}) "
        "FROM attendance_fix",
    )
    assert tuple(week[0]) == (WEEK[0], WEEK[-1])
    assert await scalar(demo_url, "SELECT min(day) FROM attendance_track_day") == WEEK[0]
    days = await scalar(demo_url, "SELECT count(*) FROM attendance_day WHERE day >= :d", d=WEEK[0])
    assert await scalar(demo_url, "SELECT count(*) FROM attendance_track_day") == days
    stale = "SELECT count(*) FROM attendance_track_day WHERE version <> computed_version"
    assert await scalar(demo_url, stale) == 0
    assert await scalar(demo_url, "SELECT min(inside_s) FROM attendance_track_day") > 0
    stale = "SELECT count(*) FROM attendance_patrol WHERE version <> computed_version"
    assert await scalar(demo_url, stale) == 0


async def test_workers_differ_and_findings_follow_the_seasons(demo_url) -> None:
    days = await per_worker(demo_url, "SELECT worker_id, count(*) FROM attendance_day GROUP BY 1")
    visits = await per_worker(
        demo_url, "SELECT worker_id, count(*) FROM attendance_visit GROUP BY 1"
    )
    km = await per_worker(
        demo_url, "SELECT worker_id, sum(distance_m) / 1000 FROM attendance_patrol GROUP BY 1"
    )
    assert len(set(days.values())) > 30
    lax = [w for w, n in days.items() if n < 0.85 * median(days.values())]
    assert 0.01 * len(days) < len(lax) < 0.12 * len(days)  # a few markedly less diligent
    for w in lax:
        assert visits[w] < median(visits.values()) and km[w] < median(km.values())
    assert max(visits.values()) > 2 * min(visits.values())
    rate = """SELECT count(f.id)::float / count(DISTINCT p.id) FROM attendance_patrol p
      LEFT JOIN attendance_patrol_finding f ON f.patrol_id = p.id
      WHERE to_char(p.started_at AT TIME ZONE 'Asia/Shanghai', 'MM') = ANY(:months)"""
    summer = await scalar(demo_url, rate, months=["07", "08"])
    winter = await scalar(demo_url, rate, months=["12", "01"])
    assert summer > 2 * winter > 0
    winter_notes = "SELECT count(*) FROM attendance_patrol_finding WHERE note = '道路结冰'"
    assert await scalar(demo_url, winter_notes)
    assert not await scalar(
        demo_url,
        f"{winter_notes} AND to_char(collected_at AT TIME ZONE 'Asia/Shanghai', 'MM') = '07'",
    )


REPORT = """query($m: String!) { attendanceReport(month: $m) {
  workers { figures { daysPresent kmPatrolled visits } }
  total { workers figures { daysPresent hoursInGrid kmPatrolled visits } } } }"""


async def test_monthly_reports_over_the_year(demo_url, app_client) -> None:
    workers = await scalar(demo_url, "SELECT count(*) FROM grid WHERE valid_to IS NULL")
    async with app_client(demo_url) as client:
        await client.login("command")
        december = (await client.gql(REPORT, {"m": "2025-12"}))["data"]["attendanceReport"]
        june = (await client.gql(REPORT, {"m": "2026-06"}))["data"]["attendanceReport"]
    present = "SELECT count(*) FROM attendance_day WHERE day BETWEEN :a AND :b"
    visits = f"SELECT count(*) FROM attendance_visit WHERE {LOCAL_DAY.format('collected_at')} "
    visits += "BETWEEN :a AND :b"
    for report, (a, b) in (
        (december, (date(2025, 12, 1), date(2025, 12, 31))),
        (june, (date(2026, 6, 1), TODAY)),
    ):
        total = report["total"]
        assert total["workers"] == workers
        assert total["figures"]["daysPresent"] == await scalar(demo_url, present, a=a, b=b)
        assert total["figures"]["visits"] == await scalar(demo_url, visits, a=a, b=b)
        assert total["figures"]["kmPatrolled"] > workers * 20
        rows = [w["figures"] for w in report["workers"]]
        assert len({(r["daysPresent"], r["visits"]) for r in rows}) > workers / 4
    assert december["total"]["figures"]["daysPresent"] > workers * 18
    assert june["total"]["figures"]["hoursInGrid"] > workers * 4 * 5  # the week's tracks


@asynccontextmanager
async def rolled_back(url: str) -> AsyncIterator[AsyncSession]:
    """A session whose changes are all undone (the shared demo stays as it is)."""
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as session:
            await session.begin()
            try:
                yield session
            finally:
                await session.rollback()
    finally:
        await engine.dispose()


async def fingerprint(session: AsyncSession) -> dict[str, tuple[int, int]]:
    """Rows and a sum of row hashes of each table (ids and times of writing left out)."""
    out = {}
    for table in TABLES:
        row = (
            await session.execute(
                text(
                    "SELECT count(*), sum(hashtext((to_jsonb(t) - 'id' - 'created_at' "
                    f"- 'updated_at' - 'received_at')::text)) FROM {table} t"
                )
            )
        ).one()
        out[table] = (row[0], row[1])
    return out


async def test_the_same_for_the_same_seed(demo_url) -> None:
    from core.demo.context import DemoContext
    from core.demo.geography import build_partition, load_boundary
    from plugins.attendance.demo import load_demo

    async with rolled_back(demo_url) as session:
        loaded = await fingerprint(session)
        assert all(rows for rows, _ in loaded.values())
        await session.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
        demo = DemoContext(
            seed=7,  # the demo fixture's
            persons=DEMO_PERSONS,
            today=TODAY,
            partition=build_partition(load_boundary(), seed=7),
        )
        for code, grid_id, worker_id in await session.execute(
            text("SELECT code, id, worker_id FROM grid WHERE valid_to IS NULL")
        ):
            demo.grid_ids[code], demo.worker_ids[code] = grid_id, worker_id
        await load_demo(session, demo)
        assert await fingerprint(session) == loaded


async def test_figures_are_those_the_refresh_computes(demo_url) -> None:
    """The demo measures its week's tracks in Python: the reports' refresh, made to
    compute them again, finds the same."""
    from plugins.attendance.settings import AttendanceSettings
    from plugins.attendance.tracks import refresh

    days = "SELECT worker_id, day, fixes, distance_m, inside_s FROM attendance_track_day"
    patrols = "SELECT id, distance_m FROM attendance_patrol WHERE started_at >= :start"
    week = {"start": datetime(WEEK[0].year, WEEK[0].month, WEEK[0].day, tzinfo=ZoneInfo(TZ))}

    async def figures(session: AsyncSession) -> dict[tuple[Any, ...], tuple[float, ...]]:
        rows = (await session.execute(text(days))).all()
        out = {("day", w, d): (n, m, s) for w, d, n, m, s in rows}
        rows = (await session.execute(text(patrols), week)).all()
        return out | {("patrol", i): (m,) for i, m in rows}

    async with rolled_back(demo_url) as session:
        measured = await figures(session)
        await session.execute(text("UPDATE attendance_track_day SET computed_version = 0"))
        await session.execute(
            text("UPDATE attendance_patrol SET computed_version = 0 WHERE started_at >= :start"),
            week,
        )
        recomputed = await refresh(session, WEEK[0], WEEK[-1], TZ, AttendanceSettings())
        assert recomputed == len(measured)
        again = await figures(session)
    assert again.keys() == measured.keys()
    for key, values in measured.items():
        assert all(abs(a - b) < 0.01 for a, b in zip(again[key], values, strict=True)), key


async def test_worker_fields_are_batched_over_a_page(pg_server, template_db, app_client) -> None:
    from tests.test_records import demo_copy

    url = await demo_copy(pg_server, template_db)
    query = """query($n: Int!) { grids(first: $n) { edges { node { code worker {
      attendance(from: "2026-06-24", to: "2026-06-30") { day }
      visits(from: "2026-06-24T00:00:00+08:00", first: 5) { id photos { key } }
      patrols(first: 3) { id distanceM findings { id } }
      tracks(from: "2026-06-29T00:00:00+08:00", to: "2026-06-30T00:00:00+08:00",
             simplify: 20) { fixes points distanceM }
    } } } } }"""
    counts = {}
    async with app_client(url) as client:
        await client.login("command")
        await client.gql(query, {"n": 1})  # the first request loads the grants
        for n in (2, 10):
            client.sql.reset()
            result = await client.gql(query, {"n": n})
            assert "errors" not in result, result
            workers = [e["node"]["worker"] for e in result["data"]["grids"]["edges"]]
            assert len(workers) == n
            # the week holds 5 working days (and a weekend, mostly off)
            assert sum(len(w["attendance"]) for w in workers) > n * 3
            assert any(w["visits"] for w in workers) and all(w["patrols"] for w in workers)
            assert sum(w["tracks"]["fixes"] for w in workers) > 0
            counts[n] = client.sql.count
    # grids page, workers, grids of workers, days, visits + photos, patrols, findings,
    # tracks, the audit row of the track reads: the same for 2 workers and for 10
    assert counts[2] == counts[10], counts
    audited = await scalar(
        url, "SELECT cardinality(record_ids) FROM access_audit WHERE record_kind = 'track' "
        "ORDER BY at DESC LIMIT 1",
    )  # fmt: skip
    assert audited == 10
