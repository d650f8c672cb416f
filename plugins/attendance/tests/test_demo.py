"""The demo's week of attendance: every figure computed, and a report over it."""

from __future__ import annotations

from plugins.attendance.tests.test_tracks import scalar


async def test_demo_week_of_attendance(demo_url, app_client) -> None:
    workers = await scalar(demo_url, "SELECT count(*) FROM grid WHERE valid_to IS NULL")
    days = await scalar(demo_url, "SELECT count(DISTINCT day) FROM attendance_day")
    assert days == 7
    present = await scalar(demo_url, "SELECT count(*) FROM attendance_day")
    assert 0.85 * 7 * workers < present < 0.97 * 7 * workers
    assert await scalar(demo_url, "SELECT count(*) FROM attendance_day WHERE check_in_flagged")
    stale = "SELECT count(*) FROM attendance_track_day WHERE version <> computed_version"
    assert await scalar(demo_url, stale) == 0
    assert await scalar(demo_url, "SELECT min(inside_s) FROM attendance_track_day") > 0
    assert await scalar(demo_url, "SELECT count(*) FROM attendance_patrol") == present
    assert await scalar(demo_url, "SELECT min(distance_m) FROM attendance_patrol") > 0
    assert await scalar(demo_url, "SELECT count(*) FROM attendance_visit") > present
    async with app_client(demo_url) as client:
        await client.login("command")
        report = await client.gql(
            '{ attendanceReport(month: "2026-06") { regions { regionCode } total { workers '
            "figures { daysPresent hoursInGrid kmPatrolled visits } } } }"
        )
    found = report["data"]["attendanceReport"]
    assert len(found["regions"]) == 18  # the district's townships and streets
    assert found["total"]["workers"] == workers
    assert found["total"]["figures"]["daysPresent"] == present
    assert found["total"]["figures"]["hoursInGrid"] > present * 4


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
            assert sum(len(w["attendance"]) for w in workers) > n * 4
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
