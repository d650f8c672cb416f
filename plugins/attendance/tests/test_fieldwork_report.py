"""Visits, patrols and findings turned into events, and the monthly report (GraphQL and
XLSX) on a hand-computed example."""

from __future__ import annotations

import asyncio
import io
import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl

from plugins.attendance.tests.test_tracks import UPLOAD, fix, haversine, scalar
from tests.test_events import jpeg_with_gps, upload
from tests.test_locate import inner_points
from tests.test_records import demo_copy

START = """mutation($lon: Float!, $lat: Float!) {
  startPatrol(location: {lon: $lon, lat: $lat}, note: "晚间巡查") { id startedAt } }"""
FIND = """mutation($p: ID!, $lon: Float!, $lat: Float!, $report: FindingReportInput) {
  addPatrolFinding(patrolId: $p, note: "井盖松动", location: {lon: $lon, lat: $lat},
                   report: $report) { id eventId } }"""
AGAIN = """mutation($f: ID!) { reportPatrolFinding(findingId: $f,
  report: {categoryCode: "city.sanitation", title: "again"}) { id eventId } }"""
END = "mutation($p: ID!) { endPatrol(patrolId: $p) { id endedAt distanceM } }"
VISIT = """mutation($h: ID, $lon: Float!, $lat: Float!, $photos: [Upload!]) {
  recordVisit(householdId: $h, note: "入户走访", location: {lon: $lon, lat: $lat},
              photos: $photos) { id householdId regionCode photos { mime size } } }"""
FIGURES = "figures { daysPresent hoursInGrid kmPatrolled visits eventsReported eventsHandled }"
REPORT = f"""query($m: String!, $r: String) {{ attendanceReport(month: $m, regionCode: $r) {{
  regionCode download workers {{ workerId gridCode {FIGURES} }}
  regions {{ regionCode workers {FIGURES} }} total {{ workers {FIGURES} }} }} }}"""
TZ = ZoneInfo("Asia/Shanghai")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def add(rows: list[dict[str, Any]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for row in rows:
        for key, value in row["figures"].items():
            out[key] = out.get(key, 0) + value
    return out


async def test_patrols_visits_and_the_monthly_report(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), *_, (_, _, far_grid) = await inner_points(url, 400)
    grid_id = await scalar(url, "SELECT id FROM grid WHERE code = :c AND valid_to IS NULL", c=grid)
    household = await scalar(url, "SELECT min(id) FROM household WHERE grid_id = :g", g=grid_id)
    elsewhere = await scalar(
        url,
        "SELECT min(h.id) FROM household h JOIN grid g ON g.id = h.grid_id "
        "WHERE left(g.code, 9) <> :t",
        t=grid[:9],
    )
    async with app_client(url) as client:
        await client.login(f"gw-{grid}")
        checked = await client.gql(
            "mutation($lon: Float!, $lat: Float!) { checkIn(location: {lon: $lon, lat: $lat}) "
            "{ day } }",
            {"lon": lon, "lat": lat},
        )
        month = checked["data"]["checkIn"]["day"][:7]
        patrol = (await client.gql(START, {"lon": lon, "lat": lat}))["data"]["startPatrol"]
        twice = await client.gql(START, {"lon": lon, "lat": lat})
        assert twice["errors"][0]["extensions"]["code"] == "CONFLICT"
        started = parse(patrol["startedAt"])
        # Ten minutes in the grid before the patrol, standing; then 4 steps north on it.
        before = [fix(started - timedelta(seconds=600 - 60 * k), lon, lat) for k in range(10)]
        walk = [(lon, lat + i * 2e-5) for i in range(6)]
        during = [fix(started + timedelta(seconds=0.1 * i), *walk[i]) for i in range(5)]
        await client.gql(UPLOAD, {"f": before + during})
        found = await client.gql(
            FIND,
            {
                "p": patrol["id"],
                "lon": lon,
                "lat": lat,
                "report": {"categoryCode": "city.sanitation", "title": "井盖松动"},
            },
        )
        finding = found["data"]["addPatrolFinding"]
        assert finding["eventId"] is not None
        again = await client.gql(AGAIN, {"f": finding["id"]})
        assert again["data"]["reportPatrolFinding"]["eventId"] == finding["eventId"]
        event = await client.gql(
            "query($id: ID!) { event(id: $id) { status channel patrolFinding { id } } }",
            {"id": finding["eventId"]},
        )
        assert event["data"]["event"] == {
            "status": "ASSIGNED",  # the finding's grid is the worker's own
            "channel": "worker_app",
            "patrolFinding": {"id": finding["id"]},
        }
        for step in ("acceptEvent(id: $id)", 'resolveEvent(id: $id, result: "已修复")'):
            done = await client.gql(
                f"mutation($id: ID!) {{ {step} {{ status }} }}", {"id": finding["eventId"]}
            )
            assert "errors" not in done, done
        wait = (started + timedelta(seconds=0.5) - datetime.now(TZ)).total_seconds()
        await asyncio.sleep(max(0.0, wait))  # the patrol's fixes lie in its past
        ended = (await client.gql(END, {"p": patrol["id"]}))["data"]["endPatrol"]
        four = sum(haversine(walk[i], walk[i + 1]) for i in range(4))
        assert math.isclose(ended["distanceM"], four, abs_tol=0.06)
        late = await client.gql(FIND, {"p": patrol["id"], "lon": lon, "lat": lat})
        assert late["errors"][0]["extensions"]["code"] == "CONFLICT"
        # A fix taken during the patrol arrives after it ended: the report counts it.
        await client.gql(UPLOAD, {"f": [fix(started + timedelta(seconds=0.45), *walk[5])]})

        visit = await upload(
            client,
            VISIT,
            {"h": str(household), "lon": lon, "lat": lat},
            [("door.jpg", jpeg_with_gps(), "image/jpeg")],
            path="photos",
        )
        assert visit["data"]["recordVisit"]["photos"][0]["mime"] == "image/jpeg"
        assert visit["data"]["recordVisit"]["regionCode"] == grid
        stranger = await client.gql(VISIT, {"h": str(elsewhere), "lon": lon, "lat": lat})
        assert stranger["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        nobody = await client.gql(VISIT, {"lon": lon, "lat": lat})
        assert nobody["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

        own = (await client.gql(REPORT, {"m": month}))["data"]["attendanceReport"]
        assert [w["gridCode"] for w in own["workers"]] == [grid]  # a worker sees their own row
        inside_s = started + timedelta(seconds=0.45) - (started - timedelta(seconds=600))
        expected = {
            "daysPresent": 1,
            "hoursInGrid": round(inside_s.total_seconds() / 3600, 2),
            "kmPatrolled": round((four + haversine(walk[4], walk[5])) / 1000, 3),
            "visits": 1,
            "eventsReported": 1,
            "eventsHandled": 1,
        }
        assert own["workers"][0]["figures"] == expected

        township = grid[:9] + "000"
        await client.login("command")
        full = (await client.gql(REPORT, {"m": month, "r": township}))["data"]["attendanceReport"]
        mine = [w for w in full["workers"] if w["gridCode"] == grid]
        assert mine[0]["figures"] == expected
        assert (
            full["total"]["workers"]
            == len(full["workers"])
            == sum(r["workers"] for r in full["regions"])
        )
        totals = add(full["regions"])
        for key, value in full["total"]["figures"].items():
            assert math.isclose(totals[key], value, abs_tol=0.02), key
        assert all(r["regionCode"].startswith(grid[:9]) for r in full["regions"])

        sheet = await client.http.get(
            full["download"], headers={"Authorization": f"Bearer {client.token}"}
        )
        assert sheet.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(sheet.content), read_only=True)
        rows = list(book["Workers"].iter_rows(values_only=True))
        assert rows[0][:3] == ("worker", "grid", "days present")
        row = next(r for r in rows[1:] if r[1] == grid)
        assert list(row[2:]) == list(expected.values())
        regions = list(book["Regions"].iter_rows(values_only=True))
        assert regions[-1][2] == full["total"]["workers"]
        assert list(regions[-1][3:]) == list(full["total"]["figures"].values())

        anonymous = await client.http.get(full["download"])
        assert anonymous.status_code == 401
        bad = await client.http.get(
            "/attendance/report.xlsx?month=2026-13",
            headers={"Authorization": f"Bearer {client.token}"},
        )
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        for region, code in (("51150400", "BAD_USER_INPUT"), ("511504001099", "NOT_FOUND")):
            wrong = await client.gql(REPORT, {"m": month, "r": region})
            assert wrong["errors"][0]["extensions"]["code"] == code, region

        # Community staff read attendance in their own community only (a plugin role rule).
        await client.login(f"cs-{grid[:12]}")
        theirs = (await client.gql(REPORT, {"m": month}))["data"]["attendanceReport"]
        assert grid in [w["gridCode"] for w in theirs["workers"]]
        assert all(w["gridCode"].startswith(grid[:12]) for w in theirs["workers"])
        await client.login(f"cs-{far_grid[:12]}")
        others = (await client.gql(REPORT, {"m": month}))["data"]["attendanceReport"]
        assert grid not in [w["gridCode"] for w in others["workers"]]
