"""The analysis modules: every one answers for the district, a township and a grid;
rows follow reach, masks and audit; trends and drill-down add up; reports hold the rows."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from plugins.analytics.tests.test_dashboard import areas
from tests.fixtures import sql_scalar

MODULES = (
    "{ analysisModules { key title category dated columns { key personal } filters { key } } }"
)
ANALYSIS = """query($m: String!, $r: String, $f: String, $from: Date, $to: Date) {
  analysis(module: $m, regionCode: $r, filter: $f, from: $from, to: $to) {
    module { key } area { code } total
    breakdown { area { prefix } value }
    trend { start value }
    rows(first: 5) { totalCount edges { node { id kind regionCode at cells } }
                     pageInfo { hasNextPage endCursor } }
    report { xlsx csv } } }"""
YEAR = {"from": "2025-07-01", "to": "2026-06-30"}
EIGHTEEN = [
    "population_structure",
    "floating_population",
    "special_groups",
    "households",
    "housing_places",
    "things",
    "organizations",
    "events_by_category",
    "events_by_area",
    "disputes",
    "safety_hazards",
    "overdue_supervised",
    "department_performance",
    "grid_worker_assessment",
    "satisfaction",
    "attendance",
    "visits_patrols",
    "early_warning",
    "party_members",
    "party_meetings",
]


async def test_eighteen_modules_answer_everywhere(demo_url, app_client) -> None:
    township, grid = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login("command")
        listed = (await client.gql(MODULES))["data"]["analysisModules"]
        assert [m["key"] for m in listed] == EIGHTEEN
        for m in listed:
            district_total = None
            for code in (None, township, grid):
                result = await client.gql(ANALYSIS, {"m": m["key"], "r": code, **YEAR})
                assert "errors" not in result, (m["key"], code, result)
                a = result["data"]["analysis"]
                assert a["rows"]["totalCount"] == a["total"]
                if code is None:
                    district_total = a["total"]
                    assert a["total"] > 0, m["key"]
                    assert sum(b["value"] for b in a["breakdown"]) == a["total"], m["key"]
                    if m["dated"]:
                        assert sum(p["value"] for p in a["trend"]) == a["total"], m["key"]
                    assert len(a["trend"]) == 12
                else:
                    assert a["total"] <= district_total
            # every filter answers
            for f in m["filters"]:
                result = await client.gql(ANALYSIS, {"m": m["key"], "f": f["key"], **YEAR})
                assert "errors" not in result, (m["key"], f, result)


async def test_rows_page_through_without_gaps(demo_url, app_client) -> None:
    _, grid = await areas(demo_url)
    query = """query($after: String, $r: String) { analysis(module: "things", regionCode: $r) {
      total rows(first: 7, after: $after) { edges { node { id } }
        pageInfo { hasNextPage endCursor } } } }"""
    async with app_client(demo_url) as client:
        await client.login("command")
        seen: list[str] = []
        after = None
        while True:
            a = (await client.gql(query, {"after": after, "r": grid}))["data"]["analysis"]
            seen += [e["node"]["id"] for e in a["rows"]["edges"]]
            if not a["rows"]["pageInfo"]["hasNextPage"]:
                break
            after = a["rows"]["pageInfo"]["endCursor"]
        assert len(seen) == len(set(seen)) == a["total"] > 7


async def test_rows_are_masked_without_the_grant_and_audited_with_it(
    pg_server, template_db, app_client
) -> None:
    from tests.test_records import demo_copy

    url = await demo_copy(pg_server, template_db)
    township, _ = await areas(url)
    query = """query($r: String) { analysis(module: "population_structure", regionCode: $r) {
      module { columns { key personal } } rows(first: 3) { edges { node { id cells } } } } }"""
    async with app_client(url) as client:
        await client.login("admin")
        grant = await client.gql(
            """mutation($i: GrantInput!) { grantAccess(input: $i) { id } }""",
            {
                "i": {
                    "departmentCode": "511504-HEALTH",
                    "category": "analytics",
                    "regionCode": township,
                }
            },
        )
        assert "errors" not in grant, grant
        await client.login("ds-511504-health")
        a = (await client.gql(query, {"r": township}))["data"]["analysis"]
        keys = [c["key"] for c in a["module"]["columns"]]
        rows = [e["node"]["cells"] for e in a["rows"]["edges"]]
        ids = [int(e["node"]["id"]) for e in a["rows"]["edges"]]
        assert rows
        for cells in rows:
            number = cells[keys.index("id_number")]
            assert number is None or "*" in number
        assert await sql_scalar(url, "SELECT count(*) FROM access_audit") == 0
        await client.login("command")
        a = (await client.gql(query, {"r": township}))["data"]["analysis"]
        whole = [e["node"]["cells"][keys.index("id_number")] for e in a["rows"]["edges"]]
        assert any(n and "*" not in n for n in whole)
        audited = await sql_scalar(
            url,
            "SELECT array_agg(x ORDER BY x) FROM (SELECT DISTINCT unnest(record_ids) x "
            "FROM access_audit WHERE record_kind = 'person') s",
        )
        assert set(ids) <= set(audited)
        # a grid worker's rows are their own grid's only (reach), in their own area
        worker_grid = await sql_scalar(url, "SELECT min(code) FROM grid WHERE valid_to IS NULL")
        await client.login(f"gw-{worker_grid}")
        mine = await client.gql(
            '{ analysis(module: "things") { area { code } total rows(first: 100) '
            "{ edges { node { regionCode } } } } }"
        )
        assert mine["data"]["analysis"]["area"]["code"] == worker_grid
        assert {e["node"]["regionCode"] for e in mine["data"]["analysis"]["rows"]["edges"]} <= {
            worker_grid
        }


async def test_reports_hold_the_rows(demo_url, app_client) -> None:
    _, grid = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login("command")
        a = (await client.gql(ANALYSIS, {"m": "events_by_area", "r": grid, **YEAR}))["data"][
            "analysis"
        ]
        headers = {"Authorization": f"Bearer {client.token}"}
        got = await client.http.get(a["report"]["csv"], headers=headers)
        assert got.status_code == 200, got.text
        rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
        assert len(rows) - 1 == a["total"]
        first = a["rows"]["edges"][0]["node"]
        assert rows[1][:2] == [first["id"], first["regionCode"]]
        assert rows[1][3:] == [c or "" for c in first["cells"]]
        got = await client.http.get(a["report"]["xlsx"], headers=headers)
        assert got.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(got.content)).worksheets[0]
        assert sheet.max_row - 1 == a["total"]
        anonymous = await client.http.get(a["report"]["csv"])
        assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"m": "nope"}, "BAD_USER_INPUT"),
        ({"m": "things", "f": "nope"}, "BAD_USER_INPUT"),
        ({"m": "things", "r": "511504199"}, "NOT_FOUND"),
        ({"m": "disputes", "from": "2026-02-01", "to": "2026-01-01"}, "BAD_USER_INPUT"),
    ],
)
async def test_bad_input(demo_url, app_client, variables, code) -> None:
    async with app_client(demo_url) as client:
        await client.login("command")
        result = await client.gql(ANALYSIS, variables)
        assert result["errors"][0]["extensions"]["code"] == code, result


async def test_a_daily_series_has_a_cap(demo_url, app_client) -> None:
    query = """query($from: Date, $i: TrendInterval) { analysis(module: "disputes",
      from: $from, to: "2026-06-30") { trend(interval: $i) { start value } } }"""
    async with app_client(demo_url) as client:
        await client.login("command")
        ok = await client.gql(query, {"from": "2025-07-01", "i": "DAY"})
        assert len(ok["data"]["analysis"]["trend"]) == 365
        weeks = await client.gql(query, {"from": "2024-07-01", "i": "WEEK"})
        assert "errors" not in weeks
        long = await client.gql(query, {"from": "2024-07-01", "i": "DAY"})
        assert long["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_department_performance_names_the_last_department(demo_url, app_client) -> None:
    query = """{ analysis(module: "department_performance", from: "2025-07-01",
      to: "2026-06-30") { module { columns { key } }
      rows(first: 20) { edges { node { id cells } } } } }"""
    async with app_client(demo_url) as client:
        await client.login("command")
        a = (await client.gql(query))["data"]["analysis"]
    keys = [c["key"] for c in a["module"]["columns"]]
    assert a["rows"]["edges"]
    for edge in a["rows"]["edges"]:
        last = await sql_scalar(
            demo_url,
            "SELECT d.name FROM event_trace t JOIN department d ON d.code = "
            "split_part(t.detail, ':', 2) WHERE t.event_id = :id AND t.action = 'dispatch' "
            "ORDER BY t.step DESC LIMIT 1",
            id=int(edge["node"]["id"]),
        )
        assert edge["node"]["cells"][keys.index("department")] == last
