"""Modules on the map: heat maps (BeiDou cells, squares, hexagons) whose counts equal
direct counts over the records, disclosure control, point maps that page through the
records of the list, and bad input."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import mapbox_vector_tile
import pytest
from shapely.geometry import Point, shape

from core.codes.beidou import CODE_LENGTHS, encode
from plugins.analytics.tests.test_dashboard import areas
from tests.fixtures import fence, sql_rows, sql_scalar
from tests.test_authz import GRANT
from tests.test_events import REPORT, report_input
from tests.test_locate import inner_points
from tests.test_records import demo_copy

YEAR = {"from": "2025-07-01", "to": "2026-06-30"}
HEAT = """query($m: String!, $r: String, $f: String, $from: Date, $to: Date, $bins: HeatBins,
  $level: Int, $size: Float, $bbox: [Float!]) {
  analysis(module: $m, regionCode: $r, filter: $f, from: $from, to: $to) {
    total heatMap(bins: $bins, level: $level, size: $size, bbox: $bbox) {
      bins level size cells cellCount count withheldCells } } }"""
POINTS = """query($m: String!, $r: String, $after: String, $first: Int, $bbox: [Float!]) {
  analysis(module: $m, regionCode: $r, from: "2025-07-01", to: "2026-06-30") {
    total pointMap(first: $first, after: $after, bbox: $bbox) {
      features count withheld endCursor hasNextPage } } }"""
LOCATED = "{ analysisModules { key located minCount } }"
AUDITED = (
    "SELECT coalesce(sum(cardinality(record_ids)), 0) FROM access_audit "
    "WHERE 'location' = ANY(fields) AND record_kind = 'household'"
)


def heat_of(result: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in result, result
    found: dict[str, Any] = result["data"]["analysis"]["heatMap"]
    return found


async def test_every_located_module_has_a_heat_map_that_counts_its_records(
    demo_url, app_client
) -> None:
    township, grid = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login("command")
        modules = (await client.gql(LOCATED))["data"]["analysisModules"]
        located = [m["key"] for m in modules if m["located"]]
        assert {"events_by_area", "special_groups", "housing_places"} <= set(located)
        for key in located:
            for code in (None, township, grid):
                result = await client.gql(HEAT, {"m": key, "r": code, **YEAR})
                heat = heat_of(result)
                # the command centre reads everything: nothing withheld, every record counted
                assert heat["withheldCells"] == 0
                assert heat["count"] == result["data"]["analysis"]["total"], (key, code)
                assert heat["cellCount"] == len(heat["cells"]["features"])
                assert heat["level"] == {None: 4, township: 5, grid: 6}[code]
        # modules without locations say so
        unlocated = [m["key"] for m in modules if not m["located"]]
        assert unlocated
        result = await client.gql(HEAT, {"m": unlocated[0]})
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_beidou_cells_are_the_standards_cells(demo_url, app_client) -> None:
    township, _ = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login("command")
        for level in (3, 4, 5, 6, 7):
            heat = heat_of(
                await client.gql(
                    HEAT, {"m": "events_by_area", "r": township, "level": level, **YEAR}
                )
            )
            length = CODE_LENGTHS[level]
            expected = dict(
                (str(code), int(n))
                for code, n in await sql_rows(
                    demo_url,
                    "SELECT left(beidou_code, :n), count(*) FROM event WHERE region_code "
                    "LIKE :p AND beidou_code IS NOT NULL AND collected_at >= "
                    "'2025-07-01 00:00+08' AND collected_at < '2026-07-01 00:00+08' GROUP BY 1",
                    n=length,
                    p=township[:9] + "%",
                )
            )
            got = {
                f["properties"]["key"]: f["properties"]["count"] for f in heat["cells"]["features"]
            }
            assert got == expected, level
            # each cell's polygon holds the events counted in it (checked on a sample)
            for feature in heat["cells"]["features"][:5]:
                polygon = shape(feature["geometry"])
                points = await sql_rows(
                    demo_url,
                    "SELECT ST_X(geom), ST_Y(geom) FROM event WHERE left(beidou_code, :n) = :c "
                    "LIMIT 20",
                    n=length,
                    c=feature["properties"]["key"],
                )
                for x, y in points:
                    assert polygon.buffer(1e-7).contains(Point(x, y))


@pytest.mark.parametrize("bins", ["SQUARE", "HEX"])
async def test_square_and_hexagon_cells_hold_what_they_count(demo_url, app_client, bins) -> None:
    township, _ = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login("command")
        result = await client.gql(
            HEAT, {"m": "events_by_area", "r": township, "bins": bins, "size": 500, **YEAR}
        )
        heat = heat_of(result)
        assert heat["size"] == 500 and heat["level"] is None
        assert heat["count"] == result["data"]["analysis"]["total"]
        cells = [
            (shape(f["geometry"]), f["properties"]["count"]) for f in heat["cells"]["features"]
        ]
        points = await sql_rows(
            demo_url,
            "SELECT ST_X(geom), ST_Y(geom) FROM event WHERE region_code LIKE :p AND geom IS NOT "
            "NULL AND collected_at >= '2025-07-01 00:00+08' AND collected_at < "
            "'2026-07-01 00:00+08'",
            p=township[:9] + "%",
        )
        counted = [0] * len(cells)
        for x, y in points:
            inside = [
                i for i, (poly, _) in enumerate(cells) if poly.buffer(1e-7).contains(Point(x, y))
            ]
            assert inside, (x, y)
            counted[inside[0]] += 1
        # a point on a shared edge may fall in either neighbour: compare the sums and most cells
        assert sum(counted) == sum(n for _, n in cells)
        same = sum(1 for (_, n), c in zip(cells, counted, strict=True) if n == c)
        assert same >= 0.95 * len(cells)
        # the cells' sizes are as asked (area of a square 500², of a hexagon √3/2·500²)
        poly = cells[0][0]
        lat = poly.centroid.y
        metres = poly.area * 111_320**2 * math.cos(math.radians(lat))
        expected = 500**2 if bins == "SQUARE" else math.sqrt(3) / 2 * 500**2
        assert abs(metres - expected) / expected < 0.01


async def test_disclosure_control_leaves_out_small_cells_of_special_groups(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url) as admin, app_client(url) as health:
        await admin.login("admin")
        granted = await admin.gql(
            GRANT,
            {
                "i": {
                    "departmentCode": "511504-HEALTH",
                    "category": "analytics",
                    "regionCode": "511504",
                }
            },
        )
        assert granted["data"]["grantAccess"]["active"], granted
        await fence(health.app, url)
        await health.login("ds-511504-health")
        await admin.login("command")
        for level in (5, 4):
            variables = {"m": "special_groups", "level": level}
            whole = heat_of(await admin.gql(HEAT, variables))
            shown = heat_of(await health.gql(HEAT, variables))
            everything = {
                f["properties"]["key"]: f["properties"]["count"] for f in whole["cells"]["features"]
            }
            kept = {
                f["properties"]["key"]: f["properties"]["count"] for f in shown["cells"]["features"]
            }
            assert whole["withheldCells"] == 0
            # health may not read special groups: every small cell is left out, the rest kept
            assert kept == {k: n for k, n in everything.items() if n >= 5}, level
            assert shown["withheldCells"] == sum(1 for n in everything.values() if n < 5)
            assert all(n >= 5 for n in kept.values())
        assert shown["withheldCells"] > 0 and whole["cellCount"] > 0
        # residents' basic data is health's to read: no minimum applies to it
        population = heat_of(await health.gql(HEAT, {"m": "population_structure", "level": 6}))
        assert population["withheldCells"] == 0
        assert any(f["properties"]["count"] < 3 for f in population["cells"]["features"])
        # the dashboard's counts of special groups follow the same rule, area by area
        panel = """{ dashboard { panel(key: "population") { figures { key value
          breakdown { area { prefix } value } } } } }"""
        whole_panel = (await admin.gql(panel))["data"]["dashboard"]["panel"]["figures"]
        shown_panel = (await health.gql(panel))["data"]["dashboard"]["panel"]["figures"]
        withheld = 0
        for mine, theirs in zip(shown_panel, whole_panel, strict=True):
            pairs = [(mine["value"], theirs["value"])] + [
                (m["value"], t["value"])
                for m, t in zip(mine["breakdown"], theirs["breakdown"], strict=True)
            ]
            small = 5 if mine["key"].startswith("group:") else 0  # basic data is theirs
            for got, value in pairs:
                assert got == (None if 0 < value < small else value), mine["key"]
                withheld += got is None
        assert withheld > 0
        # homes are points only for those whose grants show them (an audited read)
        await admin.login("command")
        grid = await sql_scalar(
            url, "SELECT region_code FROM household GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        variables = {"m": "households", "r": grid[:9], "first": 3}
        before = await sql_scalar(url, AUDITED)
        whole = (await admin.gql(POINTS, variables))["data"]["analysis"]["pointMap"]
        assert whole["withheld"] == 0 and whole["count"] == 3
        after = await sql_scalar(url, AUDITED)
        assert after - before == 3
        # personal columns never travel on a point, whoever asks
        props = whole["features"]["features"][0]["properties"]
        assert "address" not in props and set(props) >= {"id", "kind", "at", "code", "members"}
        masked = (await health.gql(POINTS, variables))["data"]["analysis"]["pointMap"]
        assert masked["count"] == 0 and masked["withheld"] == 3 and masked["hasNextPage"]
        # without the analytics grant: no heat map at all
        await admin.login("admin")
        await health.login("ds-511504-civil-affairs")
        refused = await health.gql(HEAT, {"m": "special_groups"})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_grid_workers_heat_map_is_their_grids(demo_url, app_client) -> None:
    township, grid = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login(f"gw-{grid}")
        heat = heat_of(await client.gql(HEAT, {"m": "special_groups", "level": 7}))
        members = await sql_scalar(
            demo_url,
            "SELECT count(DISTINCT p.id) FROM person p JOIN person_special_group s ON "
            "s.person_id = p.id WHERE p.region_code = :g AND p.geom IS NOT NULL",
            g=grid,
        )
        # the worker reads the special groups of the grid: every cell, however small, but
        # only of the grid
        assert heat["count"] == members and heat["withheldCells"] == 0
        refused = await client.gql(HEAT, {"m": "special_groups", "r": township})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_point_maps_page_through_the_records_of_the_list(demo_url, app_client) -> None:
    _, grid = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login("command")
        seen: list[str] = []
        after = None
        while True:
            result = await client.gql(
                POINTS, {"m": "events_by_area", "r": grid, "first": 7, "after": after}
            )
            assert "errors" not in result, result
            page = result["data"]["analysis"]["pointMap"]
            features = page["features"]["features"]
            assert page["count"] == len(features) and page["withheld"] == 0
            for f in features:
                assert f["geometry"]["type"] == "Point"
                assert f["properties"]["kind"] == "event"
            seen += [f["id"] for f in features]
            if not page["hasNextPage"]:
                break
            after = page["endCursor"]
        assert len(seen) == len(set(seen)) == result["data"]["analysis"]["total"] > 7
        assert seen == sorted(seen, key=int)
        # a bbox bounds the points
        ids = await sql_rows(
            demo_url,
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT "
            "ST_Extent(geom)::geometry AS e FROM grid WHERE code = :g AND valid_to IS NULL) x",
            g=grid,
        )
        w, s, e, n = ids[0]
        half = [w, s, (w + e) / 2, n]
        result = await client.gql(
            POINTS, {"m": "events_by_area", "r": grid, "bbox": half, "first": 5000}
        )
        features = result["data"]["analysis"]["pointMap"]["features"]["features"]
        assert 0 < len(features) < len(seen)
        assert all(f["geometry"]["coordinates"][0] <= half[2] for f in features)


async def test_bad_map_arguments_are_refused(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        await client.login("command")
        bad = [
            (HEAT, {"m": "events_by_area", "level": 2}),
            (HEAT, {"m": "events_by_area", "level": 8}),
            (HEAT, {"m": "events_by_area", "bins": "SQUARE", "size": 10}),
            (HEAT, {"m": "events_by_area", "bins": "HEX", "size": 1e9}),
            (HEAT, {"m": "events_by_area", "bins": "SQUARE", "level": 5}),
            (HEAT, {"m": "events_by_area", "size": 100}),
            (HEAT, {"m": "events_by_area", "bbox": [1, 2, 3]}),
            (HEAT, {"m": "events_by_area", "bbox": [105, 29, 104, 30]}),
            (HEAT, {"m": "events_by_area", "bbox": [0, -91, 1, 0]}),
            (POINTS, {"m": "events_by_area", "first": 0}),
            (POINTS, {"m": "events_by_area", "first": 5001}),
            (POINTS, {"m": "events_by_area", "after": "nonsense"}),
        ]
        for query, variables in bad:
            result = await client.gql(query, variables)
            assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", variables
            assert result["data"] is None or result["data"]["analysis"] is None


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


async def test_heat_tiles_carry_the_heat_map_of_the_callers_area(demo_url, app_client) -> None:
    township, _ = await areas(demo_url)
    ((lon, lat),) = await sql_rows(
        demo_url,
        "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Collect(geom)) c FROM event "
        "WHERE region_code LIKE :p) x",
        p=township[:9] + "%",
    )
    async with app_client(demo_url) as client:
        await client.login(f"ts-{township[:9]}")
        headers = {"Authorization": f"Bearer {client.token}"}
        for z, level in ((9, 3), (11, 4), (14, 5), (16, 6)):
            x, y = tile_of(lon, lat, z)
            response = await client.http.get(
                f"/tiles/heat/{z}/{x}/{y}.mvt",
                params={"module": "events_by_area", **YEAR},
                headers=headers,
            )
            assert response.status_code == 200, response.text
            layers = mapbox_vector_tile.decode(response.content)
            features = layers["heat"]["features"] if layers else []
            assert features or z == 16
            for feature in features:
                key, count = feature["properties"]["key"], feature["properties"]["count"]
                assert len(key) == CODE_LENGTHS[level]
                # the cell's count is that of the caller's township, nothing outside it
                expected = await sql_scalar(
                    demo_url,
                    "SELECT count(*) FROM event WHERE left(beidou_code, :n) = :k AND "
                    "region_code LIKE :p AND collected_at >= '2025-07-01 00:00+08' "
                    "AND collected_at < '2026-07-01 00:00+08'",
                    n=len(key),
                    k=key,
                    p=township[:9] + "%",
                )
                assert count == expected, (z, key)
        # another township's heat is not theirs to see
        other = await sql_scalar(
            demo_url,
            "SELECT code FROM region WHERE level = 'township' AND code <> :t LIMIT 1",
            t=township,
        )
        refused = await client.http.get(
            "/tiles/heat/12/0/0.mvt", params={"region": other}, headers=headers
        )
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        bad = await client.http.get(
            "/tiles/heat/12/0/0.mvt", params={"module": "nope"}, headers=headers
        )
        assert bad.status_code == 404
        unlocated = await client.http.get(
            "/tiles/heat/12/0/0.mvt", params={"module": "attendance"}, headers=headers
        )
        assert unlocated.status_code == 400


@pytest.mark.parametrize(
    ("first", "last", "filter"),
    [
        ("2025-07-01", "2026-06-30", None),  # whole months only
        ("2025-07-17", "2026-03-09", "open"),  # days around whole months
        ("2025-09-03", "2025-09-28", "closed"),  # no whole month
        ("2025-10-01", "2025-11-30", "overdue"),  # a filter the summary cannot tell
    ],
)
async def test_the_event_summary_counts_what_the_events_do(
    demo_url, app_client, first, last, filter
) -> None:
    status = {
        None: "TRUE",
        "open": "status <> 'closed'",
        "closed": "status = 'closed'",
        "overdue": "status <> 'closed' AND deadline_at < now()",
    }[filter]
    async with app_client(demo_url) as client:
        await client.login("command")
        for level in (3, 4):
            variables = {"m": "events_by_area", "level": level, "from": first, "to": last}
            client.sql.reset()
            heat = heat_of(await client.gql(HEAT, {**variables, "f": filter}))
            summary = any("analytics_event_cell_month" in q for q in client.sql.statements)
            # the summary serves whole months of the filters it tells apart
            assert summary == (filter != "overdue" and first[:7] != last[:7])
            got = {
                f["properties"]["key"]: f["properties"]["count"] for f in heat["cells"]["features"]
            }
            expected = dict(
                (str(k), int(n))
                for k, n in await sql_rows(
                    demo_url,
                    f"SELECT left(beidou_code, :n), count(*) FROM event WHERE {status} AND "
                    "beidou_code IS NOT NULL AND geom IS NOT NULL AND collected_at >= "
                    "CAST(:a AS timestamptz) AND collected_at < CAST(:b AS timestamptz) "
                    "GROUP BY 1",
                    n=CODE_LENGTHS[level],
                    a=datetime.fromisoformat(f"{first}T00:00+08:00"),
                    b=datetime.fromisoformat(f"{last}T00:00+08:00") + timedelta(days=1),
                )
            )
            assert got == expected, (level, first, last, filter)


async def test_a_report_is_on_the_heat_map_at_once(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, _ = (await inner_points(url, 1))[0]
    async with app_client(url) as client:
        await client.login("command")
        before = heat_of(await client.gql(HEAT, {"m": "events_by_area", "level": 4}))
        assert before["count"] == 0
        await client.login("citizen")
        reported = await client.gql(REPORT, {"input": report_input(lon, lat)})
        assert "errors" not in reported, reported
        await client.login("command")
        after = heat_of(await client.gql(HEAT, {"m": "events_by_area", "level": 4}))
        cells = {
            f["properties"]["key"]: f["properties"]["count"] for f in after["cells"]["features"]
        }
        assert cells == {encode(lon, lat, 4): 1}
