"""encodeLocation, decodeCode, locate and here on the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from core.database.engine import make_engine
from core.settings import Settings

LOCATE = """query($lon: Float!, $lat: Float!) { locate(lon: $lon, lat: $lat) {
  beidouCode regionCode grid { code name worker { name } } community { code name level }
  township { code name level } } }"""


async def inner_points(url: str, n: int = 5) -> list[tuple[float, float, str]]:
    engine = make_engine(url, Settings(database_url=url))
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT ST_X(p), ST_Y(p), code FROM (SELECT ST_PointOnSurface(geom) p, code "
                    "FROM grid WHERE valid_to IS NULL ORDER BY code LIMIT :n) s"
                ),
                {"n": n},
            )
        ).all()
    await engine.dispose()
    return [(float(x), float(y), code) for x, y, code in rows]


async def test_locate_inside_a_grid_returns_it_and_its_parents(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        for lon, lat, code in await inner_points(demo_url):
            client.sql.reset()
            result = await client.gql(LOCATE, {"lon": lon, "lat": lat})
            assert "errors" not in result, result
            where = result["data"]["locate"]
            assert where["grid"]["code"] == code and where["grid"]["worker"]["name"]
            assert where["regionCode"] == code
            assert where["community"] == {
                "code": code[:12],
                "name": where["community"]["name"],
                "level": "COMMUNITY",
            }
            assert where["township"]["code"] == code[:9] + "000"
            assert where["township"]["level"] == "TOWNSHIP"
            assert len(where["beidouCode"]) == 20 and where["beidouCode"].startswith("N48H")
            assert client.sql.count <= 3


async def test_locate_outside_the_district_is_no_grid_and_no_error(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        result = await client.gql(LOCATE, {"lon": 116.3913, "lat": 39.9075})  # Beijing
        assert "errors" not in result, result
        where = result["data"]["locate"]
        assert where["grid"] is None and where["community"] is None
        assert where["beidouCode"].startswith("N50J")
        assert where["regionCode"] == "511504"  # kept in the command centre's reach


@pytest.mark.parametrize(("lon", "lat"), [(200.0, 28.0), (104.6, 95.0), (104.6, 89.0)])
async def test_locate_refuses_impossible_positions(demo_url, app_client, lon, lat) -> None:
    async with app_client(demo_url) as client:
        result = await client.gql(LOCATE, {"lon": lon, "lat": lat})
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_encode_and_decode(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        q = "query($l: Int!){ encodeLocation(lon: 104.6189, lat: 28.7701, level: $l) }"
        assert (await client.gql(q, {"l": 10}))["data"]["encodeLocation"] == (
            "N48H5127623001132411"
        )
        assert (await client.gql(q, {"l": 5}))["data"]["encodeLocation"] == "N48H5127623"
        bad = await client.gql(q, {"l": 11})
        assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        decoded = (
            await client.gql(
                '{ decodeCode(code: "N48H51276") { kind level west south east north } }'
            )
        )["data"]["decodeCode"]
        assert decoded["kind"] == "BEIDOU" and decoded["level"] == 4
        assert decoded["east"] - decoded["west"] == pytest.approx(1 / 60)
        assert decoded["west"] <= 104.6189 < decoded["east"]
        assert decoded["south"] <= 28.7701 < decoded["north"]
        spacetime = (
            await client.gql(
                '{ decodeCode(code: "N48H51276/2026112514") { kind level timeLevel start end } }'
            )
        )["data"]["decodeCode"]
        assert spacetime["kind"] == "SPACETIME" and spacetime["timeLevel"] == "HOUR"
        assert spacetime["start"].startswith("2026-11-25T14:00:00")
        for code in ("N48X51", "N48H5G", "", "N48H51/2026133"):
            result = await client.gql(
                "query($c: String!){ decodeCode(code: $c){ level } }", {"c": code}
            )
            assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", code


HERE = """query($c: String!, $from: DateTime, $to: DateTime) {
  here(code: $c, from: $from, to: $to) { kind code
    counts { persons households places things organizations }
    persons(first: 5) { totalCount edges { node { regionCode beidouCode collectedAt } } }
    things(first: 5) { edges { node { beidouCode } } } } }"""


async def test_here_by_cell_and_by_region(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        await client.login("admin")
        *_, code = (await inner_points(demo_url, 1))[0]
        by_grid = (await client.gql(HERE, {"c": code}))["data"]["here"]
        assert by_grid["kind"] == "REGION"
        assert by_grid["counts"]["persons"] == by_grid["persons"]["totalCount"] > 0
        assert all(e["node"]["regionCode"] == code for e in by_grid["persons"]["edges"])
        cell = by_grid["persons"]["edges"][0]["node"]["beidouCode"][:9]  # a 1′ cell
        by_cell = (await client.gql(HERE, {"c": cell}))["data"]["here"]
        assert by_cell["kind"] == "BEIDOU" and by_cell["counts"]["persons"] > 0
        assert all(
            e["node"]["beidouCode"].startswith(cell)
            for e in by_cell["persons"]["edges"] + by_cell["things"]["edges"]
        )
        now = datetime(2026, 7, 1, tzinfo=UTC)  # the demo's records end on 2026-06-30
        recent = (
            await client.gql(
                HERE,
                {
                    "c": "511504",
                    "from": (now - timedelta(days=30)).isoformat(),
                    "to": now.isoformat(),
                },
            )
        )["data"]["here"]
        everything = (await client.gql(HERE, {"c": "511504"}))["data"]["here"]
        assert 0 < recent["counts"]["persons"] < everything["counts"]["persons"]
        for node in (e["node"] for e in recent["persons"]["edges"]):
            assert datetime.fromisoformat(node["collectedAt"]) >= now - timedelta(days=30)


async def test_here_refuses_bad_input_and_anonymous(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        anonymous = await client.gql(HERE, {"c": "511504"})
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        await client.login("admin")
        for variables, code in (
            ({"c": "N48Z"}, "BAD_USER_INPUT"),
            ({"c": "511504199"}, "NOT_FOUND"),
            (
                {
                    "c": "511504",
                    "from": "2026-01-02T00:00:00+08:00",
                    "to": "2026-01-01T00:00:00+08:00",
                },
                "BAD_USER_INPUT",
            ),
        ):
            result = await client.gql(HERE, variables)
            assert result["errors"][0]["extensions"]["code"] == code, (variables, result)
