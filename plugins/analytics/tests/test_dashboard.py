"""The dashboard: every panel for the district, a township and a grid; figures equal to
direct counts over the records and to ``eventIndicators``; drill-down that adds up;
summaries that follow every change; access and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures import sql_scalar
from tests.test_records import demo_copy

DASHBOARD = """query($r: String, $from: Date, $to: Date) {
  dashboard(regionCode: $r, from: $from, to: $to) {
    area { code prefix name level } from to start end
    panels { key title figures { key label value unit chart } } } }"""
BREAKDOWN = """query($r: String, $k: String!) { dashboard(regionCode: $r) {
  panel(key: $k) { figures { key value breakdown { area { prefix level } value } } } } }"""
INDICATORS = """query($r: String, $from: DateTime, $to: DateTime) {
  eventIndicators(regionCode: $r, from: $from, to: $to) {
    due closed closedOnTime closeRate onTimeRate averageSatisfaction overdue } }"""
PANELS = [
    "population",
    "actual_data",
    "governance",
    "work_assessment",
    "party_building",
    "government_affairs",
]


def figures(data: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    return {
        p["key"]: {f["key"]: f["value"] for f in p["figures"]} for p in data["dashboard"]["panels"]
    }


async def areas(url: str) -> tuple[str, str]:
    """A township code and a busy grid in it."""
    township = await sql_scalar(
        url,
        "SELECT r.code FROM region r WHERE r.level = 'township' ORDER BY "
        "(SELECT count(*) FROM event e WHERE left(e.region_code, 9) = r.prefix) DESC LIMIT 1",
    )
    grid = await sql_scalar(
        url,
        "SELECT g.code FROM grid g WHERE g.valid_to IS NULL AND left(g.code, 9) = left(:t, 9) "
        "ORDER BY (SELECT count(*) FROM event e WHERE e.region_code = g.code) DESC, g.code "
        "LIMIT 1",
        t=township,
    )
    return township, grid


async def test_every_panel_answers_for_the_district_a_township_and_a_grid(
    demo_url, app_client
) -> None:
    township, grid = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login("command")
        for code in (None, "511504", township, grid):
            result = await client.gql(
                DASHBOARD, {"r": code, "from": "2025-07-01", "to": "2026-06-30"}
            )
            assert "errors" not in result, result
            panels = figures(result["data"])
            assert list(panels) == PANELS
            p = panels["population"]
            assert p["total"] > 0
            assert p["total"] == sum(p[k] for k in ("registered", "floating", "overseas"))
            assert p["total"] == p["male"] + p["female"]
            assert p["total"] == sum(v for k, v in p.items() if k.startswith("age:"))
            assert panels["actual_data"]["households"] > 0
            assert panels["actual_data"]["things"] > 0
            assert panels["governance"]["grids"] >= 1
            assert panels["work_assessment"]["events_reported"] > 0
            assert panels["work_assessment"]["events_due"] > 0
            if code != grid:  # branches serve communities and villages, not single grids
                assert panels["party_building"]["party_organizations"] >= 1
            assert panels["government_affairs"]["service_requests"] > 0
        area = result["data"]["dashboard"]["area"]
        assert (area["code"], area["level"]) == (grid, "GRID")


async def test_figures_equal_direct_counts(demo_url, app_client) -> None:
    township, _ = await areas(demo_url)
    prefix = township[:9]
    async with app_client(demo_url) as client:
        await client.login("command")
        panels = figures((await client.gql(DASHBOARD, {"r": township}))["data"])
    where = "left(region_code, 9) = :p"
    for key, sql in {
        "total": f"SELECT count(*) FROM person WHERE {where}",
        "floating": f"SELECT count(*) FROM person WHERE {where} AND residence_type = 'floating'",
        "female": f"SELECT count(*) FROM person WHERE {where} AND gender = 'female'",
        "group:left_behind_children": "SELECT count(*) FROM person_special_group g JOIN person p "
        "ON p.id = g.person_id WHERE left(p.region_code, 9) = :p "
        "AND g.group_code = 'left_behind_children'",
    }.items():
        assert panels["population"][key] == await sql_scalar(demo_url, sql, p=prefix), key
    for key, sql in {
        "households": f"SELECT count(*) FROM household WHERE {where}",
        "place:house": f"SELECT count(*) FROM place WHERE {where} AND kind = 'house'",
        "thing_state:faulty": f"SELECT count(*) FROM thing WHERE {where} AND status = 'faulty'",
        "organization:enterprise": f"SELECT count(*) FROM organization WHERE {where} "
        "AND kind = 'enterprise'",
    }.items():
        assert panels["actual_data"][key] == await sql_scalar(demo_url, sql, p=prefix), key
    grids = await sql_scalar(
        demo_url,
        "SELECT count(*) FROM grid WHERE valid_to IS NULL AND left(code, 9) = :p",
        p=prefix,
    )
    assert panels["governance"]["grids"] == grids


@pytest.mark.parametrize("region", ["511504", "township"])
async def test_work_assessment_equals_event_indicators(demo_url, app_client, region) -> None:
    code = "511504" if region == "511504" else (await areas(demo_url))[0]
    async with app_client(demo_url) as client:
        await client.login("command")
        board = (
            await client.gql(DASHBOARD, {"r": code, "from": "2025-07-01", "to": "2026-06-30"})
        )["data"]["dashboard"]
        work = figures({"dashboard": board})["work_assessment"]
        ind = await client.gql(INDICATORS, {"r": code, "from": board["start"], "to": board["end"]})
        e = ind["data"]["eventIndicators"]
    assert e["due"] > 0
    assert work["events_due"] == e["due"]
    assert work["events_closed"] == e["closed"]
    assert work["events_closed_on_time"] == e["closedOnTime"]
    assert work["close_rate"] == e["closeRate"]
    assert work["on_time_rate"] == e["onTimeRate"]
    assert work["satisfaction"] == e["averageSatisfaction"]
    assert work["events_overdue"] == e["overdue"]


async def test_breakdown_adds_up_one_level_down(demo_url, app_client) -> None:
    township, _ = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login("command")
        for code, level in (("511504", "TOWNSHIP"), (township, "COMMUNITY")):
            for panel, keys in (
                ("population", ("total", "floating", "age:male:30-34")),
                ("actual_data", ("households", "things")),
                ("work_assessment", ("events_reported", "events_due", "events_closed")),
            ):
                result = await client.gql(BREAKDOWN, {"r": code, "k": panel})
                assert "errors" not in result, result
                for f in result["data"]["dashboard"]["panel"]["figures"]:
                    if f["key"] in keys:
                        parts = f["breakdown"]
                        assert parts and {p["area"]["level"] for p in parts} == {level}
                        assert sum(p["value"] for p in parts) == f["value"], (code, f["key"])


async def test_summaries_follow_every_change(pg_server, template_db, app_client) -> None:
    """Inserts, updates, deletes and an event's steps, then the dashboard again: equal to
    direct counts, nothing left marked, and equal to summaries rebuilt from scratch."""
    url = await demo_copy(pg_server, template_db)
    township, grid = await areas(url)
    other = await sql_scalar(
        url,
        "SELECT min(code) FROM grid WHERE valid_to IS NULL AND left(code, 9) <> :t",
        t=township[:9],
    )
    async with app_client(url) as client:
        await client.login("command")
        before = figures((await client.gql(DASHBOARD, {"r": township}))["data"])
        from sqlalchemy import text

        from core.database.engine import make_engine
        from core.settings import Settings

        engine = make_engine(url, Settings(database_url=url))
        async with engine.begin() as conn:
            mover = await conn.scalar(
                text(
                    "SELECT min(id) FROM person WHERE left(region_code, 9) = :t AND "
                    "EXISTS (SELECT FROM person_special_group g WHERE g.person_id = person.id)"
                ),
                {"t": township[:9]},
            )
            # one moves away (with their special-group tags), one becomes floating
            await conn.execute(
                text("UPDATE person SET region_code = :o WHERE id = :id"), {"o": other, "id": mover}
            )
            await conn.execute(
                text(
                    "UPDATE person SET residence_type = 'floating' WHERE id = (SELECT min(id) "
                    "FROM person WHERE region_code = :g AND residence_type = 'registered')"
                ),
                {"g": grid},
            )
            await conn.execute(
                text(
                    "DELETE FROM thing WHERE id = (SELECT min(id) FROM thing WHERE "
                    "left(region_code, 9) = :t)"
                ),
                {"t": township[:9]},
            )
            await conn.execute(
                text(
                    "UPDATE event SET status = 'closed', closed_at = now() WHERE id = (SELECT "
                    "min(id) FROM event WHERE region_code = :g AND status <> 'closed')"
                ),
                {"g": grid},
            )
        after = figures((await client.gql(DASHBOARD, {"r": township}))["data"])
        assert after["population"]["total"] == before["population"]["total"] - 1
        assert after["population"]["floating"] in (
            before["population"]["floating"],
            before["population"]["floating"] + 1,
        )
        assert after["actual_data"]["things"] == before["actual_data"]["things"] - 1
        assert await sql_scalar(url, "SELECT count(*) FROM analytics_dirty") == 0
        tables = [
            "analytics_tally",
            "analytics_tally_up",
            "analytics_event_day",
            "analytics_event_day_up",
            "analytics_event_late",
            "analytics_event_late_up",
            "analytics_event_category_day",
        ]
        queries = [
            f"SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {t} t" for t in tables
        ]
        kept = [await sql_scalar(url, q) for q in queries]
        async with engine.begin() as conn:
            from sqlalchemy.ext.asyncio import AsyncSession

            from plugins.analytics.summaries import rebuild

            async with AsyncSession(conn) as session:
                await rebuild(session, "Asia/Shanghai")
        assert [await sql_scalar(url, q) for q in queries] == kept
        await engine.dispose()


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"r": "511504199"}, "NOT_FOUND"),
        ({"r": "5115"}, "BAD_USER_INPUT"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "BAD_USER_INPUT"),
        ({"from": "2016-01-01", "to": "2026-04-01"}, "BAD_USER_INPUT"),
    ],
)
async def test_bad_input(demo_url, app_client, variables, code) -> None:
    async with app_client(demo_url) as client:
        await client.login("command")
        result = await client.gql(DASHBOARD, variables)
        assert result["errors"][0]["extensions"]["code"] == code, result


async def test_access_needs_the_analytics_grant(demo_url, app_client) -> None:
    township, grid = await areas(demo_url)
    async with app_client(demo_url) as client:
        result = await client.gql(DASHBOARD, {})
        assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        await client.login(f"ts-{township[:9]}")
        own = await client.gql(DASHBOARD, {})  # defaults to the township itself
        assert own["data"]["dashboard"]["area"]["code"] == township
        for code in (
            "511504",
            await sql_scalar(
                demo_url,
                "SELECT min(code) FROM region WHERE level = 'township' AND code <> :t",
                t=township,
            ),
        ):
            result = await client.gql(DASHBOARD, {"r": code})
            assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        await client.login("citizen")
        result = await client.gql(DASHBOARD, {"r": grid})
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        await client.login(f"gw-{grid}")
        mine = await client.gql(DASHBOARD, {})
        assert mine["data"]["dashboard"]["area"]["code"] == grid


async def test_a_disabled_plugins_panel_is_gone(demo_url, app_client) -> None:
    async with app_client(demo_url, disabled_plugins="party_building, attendance") as client:
        await client.login("command")
        result = await client.gql(DASHBOARD, {})
        panels = figures(result["data"])
        assert "party_building" not in panels and "government_affairs" in panels
        assert "attendance_days" not in panels["work_assessment"]


async def test_statements_per_request_do_not_grow_with_the_data(demo_url, app_client) -> None:
    """The whole dashboard, and a panel with every figure's breakdown, each take a fixed
    number of statements: per panel, not per figure, area or record."""
    township, grid = await areas(demo_url)
    drill = """query($r: String) { dashboard(regionCode: $r) { panels { figures {
      key breakdown { value } } } } }"""
    async with app_client(demo_url) as client:
        await client.login("command")
        await client.gql(DASHBOARD, {})  # summaries fresh, caches warm
        counts = {}
        for code in ("511504", township, grid):
            for name, query in (("board", DASHBOARD), ("drill", drill)):
                client.sql.reset()
                result = await client.gql(query, {"r": code})
                assert "errors" not in result, result
                counts[(name, code)] = client.sql.count
    assert counts[("board", "511504")] == counts[("board", township)] == counts[("board", grid)]
    assert counts[("board", "511504")] <= 30
    assert counts[("drill", "511504")] == counts[("drill", township)] <= 60
