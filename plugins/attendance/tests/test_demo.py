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
