"""Early warning through the API, on one writable demo (each test its own categories and
places): clusters raised and pushed live, joined, merged and closed; thresholds set by the
command centre; concurrent reports; who sees what; the map layer."""

from __future__ import annotations

import asyncio
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import mapbox_vector_tile
import pytest
import pytest_asyncio

from core.actor import Actor
from core.database.engine import make_engine, make_sessionmaker
from core.errors import BadInput, Unauthenticated
from core.maps import Tile, TileRequest
from core.models.account import Role
from core.reach import Reach
from core.settings import Settings
from plugins.early_warning.detect import common_region, topics_of
from plugins.early_warning.tiles import warning_features
from tests.fixtures import Client, StatementCounter, sql_scalar
from tests.live import Subscriber, live_app
from tests.test_events import report_input, step
from tests.test_locate import inner_points
from tests.test_records import demo_copy

REPORT = """mutation($input: ReportEventInput!) {
  reportEvent(input: $input) { event { id grid { code } } } }"""
WARNING_FIELDS = """id status categoryCode memberCount regionCode firstAt lastAt closedAt
  centroid { lon lat } category { code } members { id } mergedInto { id }"""
WARNINGS = f"""query($c: String, $s: EarlyWarningStatus, $r: String) {{
  warnings(categoryCode: $c, status: $s, regionCode: $r) {{ totalCount nodes {{
  {WARNING_FIELDS} }} }} }}"""
WARNING = f"query($id: ID!) {{ warning(id: $id) {{ {WARNING_FIELDS} }} }}"
CHANGES = """subscription { warningChanged { change warning {
  id status categoryCode memberCount members { id } } } }"""
PAGE = """query($c: String, $after: String) { warnings(categoryCode: $c, first: 1, after: $after) {
  nodes { id } pageInfo { endCursor hasNextPage } } }"""
RULES = "{ warningRules { categoryCode radiusM windowHours minCount active } }"
SET_RULE = """mutation($c: String!, $r: Int!, $w: Int!, $m: Int!, $a: Boolean! = true) {
  setWarningRule(categoryCode: $c, radiusM: $r, windowHours: $w, minCount: $m, active: $a) {
  categoryCode radiusM windowHours minCount active } }"""
REMOVE_RULE = "mutation($c: String!) { removeWarningRule(categoryCode: $c) }"


def moved(lon: float, lat: float, east_m: float = 0.0, north_m: float = 0.0) -> tuple[float, float]:
    """The point ``east_m`` metres east and ``north_m`` north of (lon, lat)."""
    return (
        lon + east_m / (111_320 * math.cos(math.radians(lat))),
        lat + north_m / 110_574,
    )


@dataclass
class Demo:
    url: str
    #: one spot (a grid's inner point) per township, and the grid: (lon, lat, grid)
    spots: list[tuple[float, float, str]]

    def spot(self, n: int) -> tuple[float, float, str]:
        return self.spots[n]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo(pg_server, template_db) -> Demo:  # type: ignore[no-untyped-def]  # pytest fixtures
    url = await demo_copy(pg_server, template_db)
    by_township: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for point in await inner_points(url, 579):
        by_township[point[2][:9]].append(point)
    townships = sorted(by_township)
    assert len(townships) >= 2
    # townships one after another, then again: every test gets places of its own
    spots = [
        by_township[t][round_]
        for round_ in range(3)
        for t in townships
        if len(by_township[t]) > round_
    ]
    return Demo(url=url, spots=spots)


async def report(client: Client, lon: float, lat: float, category: str) -> tuple[str, str | None]:
    """Report an event; its id and the grid it fell in (None: outside every grid)."""
    answer = await client.gql(REPORT, {"input": report_input(lon, lat, categoryCode=category)})
    assert "errors" not in answer, answer
    event = answer["data"]["reportEvent"]["event"]
    return event["id"], (event["grid"] or {}).get("code")


async def warnings_of(client: Client, category: str, **variables: Any) -> dict[str, Any]:
    answer = await client.gql(WARNINGS, {"c": category, **variables})
    assert "errors" not in answer, answer
    return answer["data"]["warnings"]


def code_of(answer: dict[str, Any]) -> str:
    return answer["errors"][0]["extensions"]["code"]


async def set_rule(client: Client, category: str, radius: int, hours: int, count: int) -> None:
    answer = await client.gql(SET_RULE, {"c": category, "r": radius, "w": hours, "m": count})
    assert "errors" not in answer, answer


# --- the acceptance: raised, pushed, joined; none too far apart or of other categories -----


async def test_three_reports_raise_one_warning_pushed_live_and_a_fourth_joins(
    demo: Demo, tmp_path: Path
) -> None:
    lon, lat, grid = demo.spot(0)
    far_lon, far_lat, _ = demo.spot(1)
    other_township = next(g for _, _, g in demo.spots if g[:9] != grid[:9])
    async with (
        live_app(demo.url, tmp_path / "a") as (base, app),
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        client = Client(http=http, app=app, sql=StatementCounter())
        command_token = await client.login("command")
        township_token = await client.login(f"ts-{grid[:9]}")
        stranger_token = await client.login(f"ts-{other_township[:9]}")
        async with (
            Subscriber(base, command_token) as command,
            Subscriber(base, township_token) as township,
            Subscriber(base, stranger_token) as stranger,
        ):
            for sub in (command, township, stranger):
                await sub.subscribe("w", CHANGES)
            await asyncio.sleep(0.3)  # the subscriptions are registered with the broker
            await client.login("citizen")
            # 500 m apart: no two within 200 m
            for east in (0, 500, 1000):
                await report(client, *moved(far_lon, far_lat, east_m=east), "city.road")
            # three categories at one place
            for category in ("dispute.neighborhood", "dispute.labor", "dispute.consumer"):
                await report(client, *moved(far_lon, far_lat, north_m=-600), category)
            # 100 m apart, within the hour
            first = [
                await report(client, *moved(lon, lat, east, north), "city.sanitation")
                for east, north in ((0, 0), (0, 100), (100, 0))
            ]
            ids = {event for event, _ in first}

            raised = await command.next()
            assert raised["type"] == "next", raised
            update = raised["payload"]["data"]["warningChanged"]
            assert update["change"] == "RAISED"  # the first update: none for the others
            warning = update["warning"]
            assert warning["categoryCode"] == "city.sanitation"
            assert warning["status"] == "OPEN" and warning["memberCount"] == 3
            assert {m["id"] for m in warning["members"]} == ids
            seen = (await township.next())["payload"]["data"]["warningChanged"]
            assert seen["change"] == "RAISED" and seen["warning"]["id"] == warning["id"]

            fourth, _ = await report(client, *moved(lon, lat, 50, 50), "city.sanitation")
            joined = (await command.next())["payload"]["data"]["warningChanged"]
            assert joined["change"] == "JOINED" and joined["warning"]["id"] == warning["id"]
            assert joined["warning"]["memberCount"] == 4
            assert {m["id"] for m in joined["warning"]["members"]} == ids | {fourth}
            seen = (await township.next())["payload"]["data"]["warningChanged"]
            assert seen["change"] == "JOINED" and seen["warning"]["memberCount"] == 4
            with pytest.raises(TimeoutError):  # another township's staff hear nothing
                await stranger.next(wait=1.5)

        await client.login("command")
        listed = await warnings_of(client, "city.sanitation")
        assert listed["totalCount"] == 1
        (only,) = listed["nodes"]
        assert only["id"] == warning["id"] and only["memberCount"] == 4
        assert only["category"] == {"code": "city.sanitation"}
        grids = [g for _, g in first]
        assert only["regionCode"] == (common_region(grids) if all(grids) else "")
        assert only["firstAt"] <= only["lastAt"] and only["closedAt"] is None
        centroid = only["centroid"]
        assert abs(centroid["lon"] - lon) < 0.002 and abs(centroid["lat"] - lat) < 0.002
        for category in ("city.road", "dispute.neighborhood", "dispute.labor"):
            assert (await warnings_of(client, category))["totalCount"] == 0, category
    stored = await sql_scalar(
        demo.url,
        "SELECT count(*) FROM warning_member m JOIN warning w ON w.id = m.warning_id "
        "WHERE w.category_code = 'city.sanitation'",
    )
    assert stored == 4


# --- concurrency ----------------------------------------------------------------------------


async def test_concurrent_reports_still_raise_exactly_one_warning(demo: Demo, app_client) -> None:
    lon, lat, _ = demo.spot(2)
    async with (
        app_client(demo.url, rate_limit_per_minute=0) as one,
        app_client(demo.url, rate_limit_per_minute=0) as two,
        app_client(demo.url, rate_limit_per_minute=0) as three,
    ):
        clients = (one, two, three)
        for client in clients:
            await client.login("citizen")
        for n, category in enumerate(("safety.fire", "safety.flood", "safety.food")):
            here = moved(lon, lat, north_m=400 * n)
            reported = await asyncio.gather(
                *(
                    report(client, *moved(*here, east_m=40 * i), category)
                    for i, client in enumerate(clients)
                )
            )
            await one.login("command")
            listed = await warnings_of(one, category)
            assert listed["totalCount"] == 1, (category, listed)
            (warning,) = listed["nodes"]
            assert warning["memberCount"] == 3
            assert {m["id"] for m in warning["members"]} == {e for e, _ in reported}
            await one.login("citizen")


# --- rules ----------------------------------------------------------------------------------


async def test_rules_set_by_the_command_centre_change_detection(demo: Demo, app_client) -> None:
    lon, lat, _ = demo.spot(3)
    async with app_client(demo.url, rate_limit_per_minute=0) as client:
        await client.login("command")
        rules = (await client.gql(RULES))["data"]["warningRules"]
        assert rules[0] == {
            "categoryCode": "*",
            "radiusM": 200,
            "windowHours": 72,
            "minCount": 3,
            "active": True,
        }
        await client.login("citizen")
        pair = [await report(client, *moved(lon, lat, east_m=e), "city.facility") for e in (0, 50)]
        await client.login("command")
        assert (await warnings_of(client, "city.facility"))["totalCount"] == 0
        await set_rule(client, "city.facility", 200, 72, 2)
        # the next report finds its two open neighbours: 3 >= 2
        await client.login("citizen")
        third, _ = await report(client, *moved(lon, lat, north_m=50), "city.facility")
        await client.login("command")
        (warning,) = (await warnings_of(client, "city.facility"))["nodes"]
        assert {m["id"] for m in warning["members"]} == {e for e, _ in pair} | {third}

        # a kind's rule covers its categories; a category's own rule wins over it
        await client.gql(SET_RULE, {"c": "city", "r": 200, "w": 72, "m": 3, "a": False})
        await client.login("citizen")
        for n in range(3):
            await report(client, *moved(lon, lat, east_m=600 + 20 * n), "city.street_vending")
        await client.login("command")
        assert (await warnings_of(client, "city.street_vending"))["totalCount"] == 0
        rules = {r["categoryCode"]: r for r in (await client.gql(RULES))["data"]["warningRules"]}
        assert rules["city"]["active"] is False and rules["city.facility"]["minCount"] == 2
        removed = await client.gql(REMOVE_RULE, {"c": "city"})
        assert removed["data"]["removeWarningRule"] is True, removed
        again = await client.gql(REMOVE_RULE, {"c": "city"})
        assert again["data"]["removeWarningRule"] is False
        # the default applies again: the fourth report (three open neighbours) raises one
        await client.login("citizen")
        await report(client, *moved(lon, lat, east_m=640, north_m=20), "city.street_vending")
        await client.login("command")
        (vending,) = (await warnings_of(client, "city.street_vending"))["nodes"]
        assert vending["memberCount"] == 4


async def test_bad_input_and_refusals_on_set_warning_rule(demo: Demo, app_client) -> None:
    _, _, grid = demo.spot(0)
    async with app_client(demo.url, rate_limit_per_minute=0) as client:
        await client.login("command")
        before = (await client.gql(RULES))["data"]["warningRules"]
        for variables, argument in (
            ({"c": "city.road", "r": 9, "w": 72, "m": 3}, "radiusM"),
            ({"c": "city.road", "r": 5001, "w": 72, "m": 3}, "radiusM"),
            ({"c": "city.road", "r": 200, "w": 0, "m": 3}, "windowHours"),
            ({"c": "city.road", "r": 200, "w": 721, "m": 3}, "windowHours"),
            ({"c": "city.road", "r": 200, "w": 72, "m": 1}, "minCount"),
            ({"c": "city.road", "r": 200, "w": 72, "m": 51}, "minCount"),
            ({"c": "no.such_category", "r": 200, "w": 72, "m": 3}, "categoryCode"),
            ({"c": "", "r": 200, "w": 72, "m": 3}, "categoryCode"),
        ):
            answer = await client.gql(SET_RULE, variables)
            assert code_of(answer) == "BAD_USER_INPUT", (variables, answer)
            assert answer["errors"][0]["extensions"]["argument"] == argument, answer
        kept = await client.gql(REMOVE_RULE, {"c": "*"})
        assert code_of(kept) == "BAD_USER_INPUT"
        unknown = await client.gql(REMOVE_RULE, {"c": "nothing"})
        assert code_of(unknown) == "BAD_USER_INPUT"
        for who in (f"ts-{grid[:9]}", f"gw-{grid}", "citizen", "admin"):
            await client.login(who)
            refused = await client.gql(SET_RULE, {"c": "*", "r": 200, "w": 72, "m": 2})
            assert code_of(refused) == "FORBIDDEN", (who, refused)
            assert code_of(await client.gql(REMOVE_RULE, {"c": "city"})) == "FORBIDDEN"
        client.token = None
        anonymous = await client.gql(SET_RULE, {"c": "*", "r": 200, "w": 72, "m": 2})
        assert code_of(anonymous) == "UNAUTHENTICATED"
        await client.login("command")
        assert (await client.gql(RULES))["data"]["warningRules"] == before


# --- closing and merging --------------------------------------------------------------------


async def _close(client: Client, event: str, grid: str | None) -> None:
    """Take an event round the loop to closed, as whoever holds it."""
    await client.login(f"gw-{grid}" if grid else "command")
    for mutation, arguments in (
        ("acceptEvent", {}),
        ("resolveEvent", {"result": "已修复"}),
        ("verifyEvent", {"passed": True}),
        ("closeEvent", {}),
    ):
        answer = await step(client, mutation, id=event, **arguments)
        assert "errors" not in answer, (mutation, answer)
    assert answer["data"]["closeEvent"]["status"] == "CLOSED"


async def test_closing_every_member_closes_the_warning(demo: Demo, app_client) -> None:
    lon, lat, _ = demo.spot(4)
    category = "city.street_light"
    async with app_client(demo.url, rate_limit_per_minute=0) as client:
        await client.login("command")
        await set_rule(client, category, 200, 72, 2)
        await client.login("citizen")
        members = [await report(client, lon, lat, category) for _ in range(2)]
        await client.login("command")
        (warning,) = (await warnings_of(client, category))["nodes"]
        await _close(client, *members[0])
        await client.login("command")
        still = (await client.gql(WARNING, {"id": warning["id"]}))["data"]["warning"]
        assert still["status"] == "OPEN" and still["closedAt"] is None
        await _close(client, *members[1])
        await client.login("command")
        closed = (await client.gql(WARNING, {"id": warning["id"]}))["data"]["warning"]
        assert closed["status"] == "CLOSED" and closed["closedAt"] is not None
        assert closed["memberCount"] == 2
        # new reports there start afresh: the closed members are no neighbours
        await client.login("citizen")
        fresh = [await report(client, lon, lat, category) for _ in range(2)]
        await client.login("command")
        listed = await warnings_of(client, category, s="OPEN")
        (new,) = listed["nodes"]
        assert new["id"] != warning["id"]
        assert {m["id"] for m in new["members"]} == {e for e, _ in fresh}
        assert (await warnings_of(client, category, s="CLOSED"))["totalCount"] == 1
        # newest first, a page at a time
        page = await client.gql(PAGE, {"c": category})
        assert [n["id"] for n in page["data"]["warnings"]["nodes"]] == [new["id"]]
        after = page["data"]["warnings"]["pageInfo"]["endCursor"]
        rest = await client.gql(PAGE, {"c": category, "after": after})
        assert [n["id"] for n in rest["data"]["warnings"]["nodes"]] == [warning["id"]]
        assert rest["data"]["warnings"]["pageInfo"]["hasNextPage"] is False
        forged = await client.gql(PAGE, {"c": category, "after": "bm90LWEtY3Vyc29y"})
        assert code_of(forged) == "BAD_USER_INPUT"


async def test_a_report_touching_two_warnings_merges_them_into_the_older(
    demo: Demo, app_client
) -> None:
    lon, lat, _ = demo.spot(5)
    category = "safety.geological"
    async with app_client(demo.url, rate_limit_per_minute=0) as client:
        await client.login("command")
        await set_rule(client, category, 200, 72, 2)
        await client.login("citizen")
        west = [await report(client, lon, lat, category) for _ in range(2)]
        east = [await report(client, *moved(lon, lat, east_m=350), category) for _ in range(2)]
        await client.login("command")
        older, newer = sorted(
            (await warnings_of(client, category))["nodes"], key=lambda w: int(w["id"])
        )
        await client.login("citizen")
        bridge, _ = await report(client, *moved(lon, lat, east_m=175), category)
        await client.login("command")
        (kept,) = (await warnings_of(client, category, s="OPEN"))["nodes"]
        assert kept["id"] == older["id"] and kept["memberCount"] == 5
        assert {m["id"] for m in kept["members"]} == {e for e, _ in west + east} | {bridge}
        merged = (await client.gql(WARNING, {"id": newer["id"]}))["data"]["warning"]
        assert merged["status"] == "MERGED" and merged["mergedInto"] == {"id": older["id"]}
        assert merged["members"] == [] and merged["memberCount"] == 0


# --- who sees what, and the map layer -------------------------------------------------------


def tile_of(lon: float, lat: float, z: int) -> Tile:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return Tile(z, x, y)


def actor_reading(*prefixes: str) -> Actor:
    return Actor(
        account_id=1,
        username="tester",
        role=Role.TOWNSHIP_STAFF,
        reach=Reach({("event", "read"): prefixes}, {}),
    )


async def test_staff_see_the_warnings_of_their_area_on_lists_and_the_map(
    demo: Demo, app_client
) -> None:
    lon, lat, grid = demo.spot(6)
    other = next(g for _, _, g in demo.spots if g[:9] != grid[:9])
    category = "safety.public_security"
    async with app_client(demo.url, rate_limit_per_minute=0) as client:
        await client.login("command")
        await set_rule(client, category, 200, 72, 2)
        await client.login("citizen")
        members = [await report(client, lon, lat, category) for _ in range(2)]
        assert all(g == grid for _, g in members)  # a grid's own inner point
        await client.login("command")
        (warning,) = (await warnings_of(client, category))["nodes"]
        assert warning["regionCode"] == grid
        for who in (f"ts-{grid[:9]}", f"cs-{grid[:12]}", f"gw-{grid}"):
            await client.login(who)
            listed = await warnings_of(client, category)
            assert listed["totalCount"] == 1, who
            assert len(listed["nodes"][0]["members"]) == 2, who
            one = await client.gql(WARNING, {"id": warning["id"]})
            assert one["data"]["warning"]["id"] == warning["id"], who
            inside = await warnings_of(client, category, r=grid[:9])
            assert inside["totalCount"] == 1, who
        await client.login(f"ts-{other[:9]}")
        assert (await warnings_of(client, category))["totalCount"] == 0
        assert code_of(await client.gql(WARNING, {"id": warning["id"]})) == "NOT_FOUND"
        await client.login("command")
        assert (await warnings_of(client, category, r=other[:9]))["totalCount"] == 0
        await client.login("citizen")
        assert code_of(await client.gql(WARNINGS, {"c": category})) == "FORBIDDEN"
        client.token = None
        assert code_of(await client.gql(WARNINGS, {"c": category})) == "UNAUTHENTICATED"

        # the map layer: its SELECT, for the command centre, the township and another one
        tile = tile_of(warning["centroid"]["lon"], warning["centroid"]["lat"], 15)
        elsewhere = tile_of(*moved(lon, lat, east_m=5000), 15)
        engine = make_engine(demo.url, Settings(database_url=demo.url))
        try:
            async with make_sessionmaker(engine)() as session:

                async def features(actor: Actor, at: Tile, **params: str) -> list[Any]:
                    request = TileRequest(at, actor, params, session, None)  # type: ignore[arg-type]  # no runtime: the layer reads none
                    statement = await warning_features(request)
                    return list((await session.execute(statement)).all())

                (row,) = [
                    r for r in await features(actor_reading(""), tile) if r.id == int(warning["id"])
                ]
                assert row.category_code == category and row.members == 2
                assert row.status == "open" and row.last_at.endswith("Z")
                mine = await features(actor_reading(grid[:9]), tile, category="safety")
                assert [r.id for r in mine] == [int(warning["id"])]
                assert await features(actor_reading(other[:9]), tile) == []
                assert len(await features(actor_reading(""), tile, region=grid[:12])) >= 1
                assert await features(actor_reading(""), tile, region=other[:9]) == []
                with pytest.raises(BadInput):
                    await features(actor_reading(""), tile, region="12")
                with pytest.raises(BadInput):
                    await features(actor_reading(""), tile, category="City;")
                with pytest.raises(Unauthenticated):
                    await features(Actor(), tile)
                assert await features(actor_reading(""), elsewhere, category=category) == []
                for r in await features(actor_reading(""), tile, category="city"):
                    assert r.category_code.startswith("city.")
        finally:
            await engine.dispose()

        # and through the tile route, where it is served
        await client.login("command")
        path = f"/tiles/warnings/{tile.z}/{tile.x}/{tile.y}.mvt"
        served = await client.http.get(path, headers={"Authorization": f"Bearer {client.token}"})
        if served.status_code != 404:
            assert served.status_code == 200, served.text
            decoded = mapbox_vector_tile.decode(served.content)
            ids = [f["id"] for f in decoded["warnings"]["features"]]
            assert int(warning["id"]) in ids
            await client.login(f"ts-{other[:9]}")
            hidden = await client.http.get(
                path, headers={"Authorization": f"Bearer {client.token}"}
            )
            assert hidden.status_code == 200
            assert "warnings" not in mapbox_vector_tile.decode(hidden.content)


def test_topics_and_regions() -> None:
    grid = "511504001002003"
    assert topics_of([grid, "511504001"]) == [
        "warnings:511504",
        "warnings:511504001",
        "warnings:511504001002",
        "warnings:511504001002003",
        "warnings:all",
    ]
    assert common_region([grid, "511504001002004"]) == "511504001002"
    assert common_region([grid, "511504002001001"]) == "511504"
    assert common_region([grid, "511504001"]) == "511504001"
    assert common_region([grid]) == grid
    assert common_region([]) == ""
