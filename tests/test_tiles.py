"""Vector tiles (/tiles): every feature of every tile is one its caller could list, decoded
with mapbox-vector-tile over the tiles that cover an area at several zooms; bad tiles,
caching, TileJSON, simplification and plugin layers."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Any

import mapbox_vector_tile
import pytest
from sqlalchemy import func, select

from core.maps import MAX_ZOOM, Tile, TileLayer, TileRequest, simplify_tolerance, zoom_band
from core.models import Grid
from core.plugins import PluginError, hookimpl
from core.settings import Settings
from schema.maps import layers as core_layers
from server.app import create_app
from tests.fixtures import TEST_SECRET, sql_rows, sql_scalar

TOWNSHIP = "511504100"  # the township of the account ts-511504100
MVT = "application/vnd.mapbox-vector-tile"

Box = tuple[float, float, float, float]


def tiles_covering(box: Box, z: int) -> list[Tile]:
    """The tiles of zoom ``z`` that cover ``(west, south, east, north)``."""
    n = 2**z

    def column(lon: float) -> int:
        return min(n - 1, int((lon + 180) / 360 * n))

    def row(lat: float) -> int:
        y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2
        return min(n - 1, int(y * n))

    return [
        Tile(z, x, y)
        for x in range(column(box[0]), column(box[2]) + 1)
        for y in range(row(box[3]), row(box[1]) + 1)
    ]


def zooms_with_at_most(box: Box, most: int, zooms: Iterable[int]) -> list[int]:
    return [z for z in zooms if len(tiles_covering(box, z)) <= most]


async def extent(url: str, sql: str, **params: Any) -> Box:
    """``(west, south, east, north)`` of the geometries ``sql`` selects (as ``geom``)."""
    rows = await sql_rows(
        url,
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
        f"FROM (SELECT ST_Extent(geom) AS e FROM ({sql}) s) t",
        **params,
    )
    west, south, east, north = rows[0]
    return (float(west), float(south), float(east), float(north))


def decode(content: bytes, layer: str) -> list[dict[str, Any]]:
    if not content:
        return []
    found = mapbox_vector_tile.decode(content, default_options={"y_coord_down": True})
    assert set(found) == {layer}, set(found)
    features: list[dict[str, Any]] = found[layer]["features"]
    assert found[layer]["extent"] == 4096
    return features


async def get_tile(
    client: Any, layer: str, tile: Tile, query: str = "", token: str | None = None
) -> list[dict[str, Any]]:
    """The decoded features of one tile (as the client's logged-in account)."""
    headers = {}
    if token or client.token:
        headers["Authorization"] = f"Bearer {token or client.token}"
    path = f"/tiles/{layer}/{tile.z}/{tile.x}/{tile.y}.mvt" + (f"?{query}" if query else "")
    response = await client.http.get(path, headers=headers)
    assert response.status_code == 200, (path, response.text)
    assert response.headers["content-type"] == MVT
    return decode(response.content, layer)


async def features_over(
    client: Any, layer: str, tiles: Iterable[Tile], query: str = ""
) -> dict[int, dict[str, Any]]:
    """Every feature of the tiles by its id (a feature cut by tile edges comes once each)."""
    out: dict[int, dict[str, Any]] = {}
    for tile in tiles:
        for feature in await get_tile(client, layer, tile, query):
            assert isinstance(feature["id"], int) and feature["id"] > 0, feature
            seen = out.setdefault(feature["id"], feature)
            assert seen["properties"] == feature["properties"]
    return out


async def account_id(url: str, username: str) -> int:
    return int(await sql_scalar(url, "SELECT id FROM account WHERE username = :u", u=username))


async def ids(url: str, sql: str, **params: Any) -> set[int]:
    return {int(r[0]) for r in await sql_rows(url, sql, **params)}


def envelope_sql(box: Box) -> str:
    return f"ST_MakeEnvelope({box[0]}, {box[1]}, {box[2]}, {box[3]}, 4326)"


def covered(tiles: list[Tile], buffer: int = 0) -> str:
    """SQL: the rectangle the tiles cover, grown by ``buffer`` units of the tile extent."""
    boxes = [t.buffered_bounds(buffer) for t in tiles]
    return envelope_sql(
        (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    )


# --- reach ------------------------------------------------------------------------------


async def test_township_staff_tiles_carry_only_their_townships_events(demo_url, app_client):
    """Every event of every tile over the township, at several zooms, is one the township's
    staff may read; every open event they may read in the township is in the tiles; and
    open events of other townships lying in the same tiles are left out."""
    box = await extent(demo_url, "SELECT geom FROM region WHERE code = :c", c=TOWNSHIP + "000")
    staff = await account_id(demo_url, f"ts-{TOWNSHIP}")
    visible = await ids(
        demo_url,
        "SELECT id FROM event WHERE status <> 'closed' AND (left(region_code, 9) = :p "
        "OR reporter_id = :a OR assignee_id = :a)",
        p=TOWNSHIP,
        a=staff,
    )
    zooms = zooms_with_at_most(box, 40, range(9, 17))
    assert len(zooms) >= 3, zooms
    async with app_client(demo_url) as client:
        await client.login(f"ts-{TOWNSHIP}")
        for z in zooms:
            tiles = tiles_covering(box, z)
            found = await features_over(client, "events", tiles)
            assert set(found) <= visible, set(found) - visible
            for feature in found.values():
                props = feature["properties"]
                assert props["region_code"].startswith(TOWNSHIP) and props["status"] != "closed"
                assert feature["geometry"]["type"] == "Point"
            inside = await ids(
                demo_url,
                "SELECT id FROM event WHERE status <> 'closed' AND left(region_code, 9) = :p "
                f"AND ST_Intersects(geom, {covered(tiles)})",
                p=TOWNSHIP,
            )
            assert inside and inside <= set(found)
            others = await ids(
                demo_url,
                "SELECT id FROM event WHERE status <> 'closed' AND left(region_code, 9) <> :p "
                f"AND ST_Intersects(geom, {covered(tiles)})",
                p=TOWNSHIP,
            )
            assert others - visible, "no other township's events in these tiles: a weak test"
            assert not (others - visible) & set(found)


async def test_the_command_centre_sees_more_in_the_same_tiles(demo_url, app_client):
    box = await extent(demo_url, "SELECT geom FROM region WHERE code = :c", c=TOWNSHIP + "000")
    tiles = tiles_covering(box, 12)
    async with app_client(demo_url) as client:
        await client.login(f"ts-{TOWNSHIP}")
        township = await features_over(client, "events", tiles, "status=all")
        await client.login("command")
        command = await features_over(client, "events", tiles, "status=all")
    assert set(township) < set(command)
    assert any(not f["properties"]["region_code"].startswith(TOWNSHIP) for f in command.values())
    assert {f["properties"]["status"] for f in command.values()} >= {"closed", "assigned"}


async def test_township_staff_tiles_carry_only_their_townships_places(demo_url, app_client):
    box = await extent(demo_url, "SELECT geom FROM region WHERE code = :c", c=TOWNSHIP + "000")
    zooms = zooms_with_at_most(box, 40, range(10, 17))
    assert len(zooms) >= 2, zooms
    async with app_client(demo_url) as client:
        await client.login(f"ts-{TOWNSHIP}")
        for z in zooms:
            tiles = tiles_covering(box, z)
            found = await features_over(client, "places", tiles)
            for feature in found.values():
                props = feature["properties"]
                assert props["region_code"].startswith(TOWNSHIP), props
                # a house's name is its door address: personal, never in a tile
                assert ("name" in props) == (props["kind"] != "house"), props
            inside = await ids(
                demo_url,
                "SELECT id FROM place WHERE left(region_code, 9) = :p "
                f"AND ST_Intersects(geom, {covered(tiles)})",
                p=TOWNSHIP,
            )
            outside = await ids(
                demo_url,
                "SELECT id FROM place WHERE left(region_code, 9) <> :p "
                f"AND ST_Intersects(geom, {covered(tiles)})",
                p=TOWNSHIP,
            )
            assert inside and inside <= set(found)
            assert outside, "no other township's places in these tiles: a weak test"
            assert {f["properties"]["kind"] for f in found.values()} == {"house", "building"}


async def test_a_grid_workers_tiles_match_their_graphql_lists(demo_url, app_client):
    grid = await sql_scalar(
        demo_url,
        "SELECT g.code FROM grid g WHERE g.valid_to IS NULL AND g.worker_id IS NOT NULL "
        "AND (SELECT count(*) FROM place p WHERE p.region_code = g.code) BETWEEN 3 AND 90 "
        "AND (SELECT count(*) FROM event e WHERE e.region_code = g.code) BETWEEN 3 AND 90 "
        "ORDER BY g.code LIMIT 1",
    )
    box = await extent(demo_url, "SELECT geom FROM grid WHERE code = :c", c=grid)
    async with app_client(demo_url) as client:
        await client.login(f"gw-{grid}")
        listed = await client.gql(
            "{ places(first: 100) { edges { node { id regionCode } } } "
            "events(first: 100) { totalCount edges { node { id regionCode status } } } }"
        )
        places = {int(e["node"]["id"]) for e in listed["data"]["places"]["edges"]}
        events = {int(e["node"]["id"]): e["node"] for e in listed["data"]["events"]["edges"]}
        assert listed["data"]["events"]["totalCount"] == len(events)
        for z in (14, 15, 16):
            tiles = tiles_covering(box, z)
            assert set(await features_over(client, "places", tiles)) == places
            found = await features_over(client, "events", tiles, "status=all")
            assert set(found) <= set(events)
            own = {i for i, e in events.items() if e["regionCode"] == grid}
            assert own and own <= set(found)
            assert all(events[i]["regionCode"] == grid for i in found)  # their grid only
            open_ = await features_over(client, "events", tiles)
            assert set(open_) == {i for i in found if events[i]["status"] != "CLOSED"}


async def test_grids_and_regions_are_public_as_their_lists(demo_url, app_client):
    """``grids`` and ``regions`` list every current grid and region to everybody, so do their
    tiles; ``region=`` keeps what lies inside a region, as ``regionCode`` does."""
    box = await extent(demo_url, "SELECT geom FROM region WHERE code = :c", c=TOWNSHIP + "000")
    tiles = tiles_covering(box, 13)
    current = "SELECT id FROM grid WHERE valid_to IS NULL AND ST_Intersects(geom, {})"
    in_tiles = await ids(demo_url, current.format(covered(tiles)))
    near_tiles = await ids(demo_url, current.format(covered(tiles, 128)))
    ours = await ids(
        demo_url, "SELECT id FROM grid WHERE valid_to IS NULL AND left(code, 9) = :p", p=TOWNSHIP
    )
    async with app_client(demo_url) as client:
        anonymous = await features_over(client, "grids", tiles)
        await client.login(f"ts-{TOWNSHIP}")
        staff = await features_over(client, "grids", tiles)
        inside = await features_over(client, "grids", tiles, f"region={TOWNSHIP}")
        regions = [f for t in tiles for f in await get_tile(client, "regions", t, "level=township")]
    assert set(anonymous) == set(staff)
    assert in_tiles <= set(staff) <= near_tiles
    assert set(inside) == ours < in_tiles
    for feature in inside.values():
        props = feature["properties"]
        assert props["code"].startswith(TOWNSHIP) and props["community_code"] == props["code"][:12]
        assert set(props) <= {"code", "name", "kind", "special_type", "community_code"}
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert {f["properties"]["code"] for f in regions} >= {TOWNSHIP + "000"}
    assert {f["properties"]["level"] for f in regions} == {"township"}


@pytest.mark.parametrize(
    ("who", "layer", "status", "code"),
    [
        (None, "events", 401, "UNAUTHENTICATED"),
        (None, "places", 401, "UNAUTHENTICATED"),
        ("citizen", "places", 403, "FORBIDDEN"),
    ],
)
async def test_who_cannot_list_cannot_tile(demo_url, app_client, who, layer, status, code):
    async with app_client(demo_url) as client:
        if who:
            await client.login(who)
        headers = {"Authorization": f"Bearer {client.token}"} if client.token else {}
        response = await client.http.get(f"/tiles/{layer}/12/3231/1687.mvt", headers=headers)
        assert response.status_code == status
        assert response.json()["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("authorization", ["Bearer not-a-token", "Basic abc"])
async def test_a_bad_token_is_401(demo_url, app_client, authorization):
    async with app_client(demo_url) as client:
        response = await client.http.get(
            "/tiles/grids/0/0/0.mvt", headers={"Authorization": authorization}
        )
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_citizen_sees_only_their_own_reports(demo_url, app_client):
    citizen = await account_id(demo_url, "citizen")
    theirs = await ids(demo_url, "SELECT id FROM event WHERE reporter_id = :a", a=citizen)
    async with app_client(demo_url) as client:
        await client.login("citizen")
        found = await features_over(client, "events", [Tile(0, 0, 0)], "status=all")
    assert set(found) == theirs


# --- parameters -------------------------------------------------------------------------


async def test_event_parameters_filter(demo_url, app_client):
    box = await extent(demo_url, "SELECT geom FROM region WHERE code = :c", c="511504000000")
    tiles = tiles_covering(box, 11)
    async with app_client(demo_url) as client:
        await client.login("command")
        every = await features_over(client, "events", tiles, "status=all")
        assert len(every) == await sql_scalar(demo_url, "SELECT count(*) FROM event")
        closed = await features_over(client, "events", tiles, "status=closed")
        assert set(closed) == {i for i, f in every.items() if f["properties"]["status"] == "closed"}
        disputes = await features_over(client, "events", tiles, "status=all&category=dispute")
        assert disputes and set(disputes) == {
            i for i, f in every.items() if f["properties"]["category_code"].startswith("dispute.")
        }
        day = max(f["properties"]["collected_at"] for f in every.values())[:10]
        dated = await features_over(client, "events", tiles, f"status=all&from={day}&to={day}")
        expected = await ids(
            demo_url,
            "SELECT id FROM event WHERE (collected_at AT TIME ZONE 'Asia/Shanghai')::date = :d",
            d=date.fromisoformat(day),
        )
        assert set(dated) == expected


async def test_the_event_cap_keeps_the_latest(demo_url, app_client, monkeypatch):
    monkeypatch.setattr(core_layers, "EVENT_CAP", 7)
    async with app_client(demo_url) as client:
        await client.login("command")
        found = await features_over(client, "events", [Tile(0, 0, 0)], "status=all")
    latest = await ids(demo_url, "SELECT id FROM event ORDER BY collected_at DESC, id DESC LIMIT 7")
    assert set(found) == latest


@pytest.mark.parametrize(
    "query",
    [
        "status=nope",
        "category=Not A Code",
        "from=2026-13-01",
        "from=yesterday",
        "to=9999-12-31",
        "from=２０２６-０５-０１",
        "from=2026-05-02&to=2026-05-01",
        "region=12",
        "colour=red",
        "status=open&status=all",
    ],
)
async def test_a_bad_parameter_is_bad_input(demo_url, app_client, query):
    async with app_client(demo_url) as client:
        await client.login("command")
        response = await client.http.get(
            f"/tiles/events/12/3231/1687.mvt?{query}",
            headers={"Authorization": f"Bearer {client.token}"},
        )
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# --- the tile grid, errors --------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/grids/a/0/0.mvt",
        "/tiles/grids/1.5/0/0.mvt",
        "/tiles/grids/-1/0/0.mvt",
        f"/tiles/grids/{MAX_ZOOM + 1}/0/0.mvt",
        "/tiles/grids/17/0/0.mvt",  # past the layer's maxzoom (16)
        "/tiles/places/9/400/200.mvt",  # below the layer's minzoom (10)
        "/tiles/grids/0/1/0.mvt",
        "/tiles/grids/0/0/1.mvt",
        "/tiles/grids/3/8/0.mvt",
        "/tiles/grids/3/0/8.mvt",
        "/tiles/grids/3/x/0.mvt",
        "/tiles/grids/3/0/%20.mvt",
        "/tiles/grids/3/0/999999999999.mvt",
    ],
)
async def test_a_bad_tile_is_400(demo_url, app_client, path):
    async with app_client(demo_url) as client:
        response = await client.http.get(path)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_unknown_layer_is_404(demo_url, app_client):
    async with app_client(demo_url) as client:
        for path in ("/tiles/nope/0/0/0.mvt", "/tiles/nope.json", "/tiles/Grids/0/0/0.mvt"):
            response = await client.http.get(path)
            assert response.status_code == 404, path
            assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert (await client.http.get("/tiles/grids/0/0/0.png")).status_code == 404


async def test_every_tile_of_the_district_at_z11_is_valid(demo_url, app_client):
    """The whole district, tile by tile, for each core layer (as the command centre)."""
    box = await extent(demo_url, "SELECT geom FROM region WHERE code = :c", c="511504000000")
    tiles = tiles_covering(box, 11)
    async with app_client(demo_url) as client:
        await client.login("command")
        grids = await features_over(client, "grids", tiles)
        regions = [f for t in tiles for f in await get_tile(client, "regions", t)]
        places = await features_over(client, "places", tiles, "kind=building")
    assert len(grids) == await sql_scalar(
        demo_url, "SELECT count(*) FROM grid WHERE valid_to IS NULL"
    )
    assert {f["properties"]["code"] for f in regions} == {
        r[0] for r in await sql_rows(demo_url, "SELECT code FROM region")
    }
    assert len(places) == await sql_scalar(
        demo_url, "SELECT count(*) FROM place WHERE kind = 'building'"
    )


# --- caching ----------------------------------------------------------------------------


async def test_etag_and_if_none_match(demo_url, app_client):
    box = await extent(demo_url, "SELECT geom FROM region WHERE code = :c", c=TOWNSHIP + "000")
    tile = tiles_covering(box, 10)[0]
    path = f"/tiles/events/{tile.z}/{tile.x}/{tile.y}.mvt"
    async with app_client(demo_url) as client:
        await client.login("command")
        auth = {"Authorization": f"Bearer {client.token}"}
        first = await client.http.get(path, headers=auth)
        assert first.status_code == 200 and first.content
        etag = first.headers["etag"]
        assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
        assert first.headers["cache-control"] == "private, max-age=60"
        assert first.headers["vary"] == "Authorization"
        again = await client.http.get(path, headers={**auth, "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag and again.headers["cache-control"]
        weak = await client.http.get(path, headers={**auth, "If-None-Match": f'"x", W/{etag}'})
        assert weak.status_code == 304
        other = await client.http.get(path, headers={**auth, "If-None-Match": '"stale"'})
        assert other.status_code == 200 and other.content == first.content
        await client.login(f"ts-{TOWNSHIP}")
        theirs = await client.http.get(
            path, headers={"Authorization": f"Bearer {client.token}", "If-None-Match": etag}
        )
        assert theirs.status_code == 200 and theirs.headers["etag"] != etag


async def test_an_empty_tile_is_200_and_empty(demo_url, app_client):
    async with app_client(demo_url) as client:
        response = await client.http.get("/tiles/grids/10/0/0.mvt")  # the Arctic Pacific
        assert response.status_code == 200 and response.content == b""
        assert response.headers["content-type"] == MVT and response.headers["etag"]


async def test_a_tile_is_one_statement_once_the_caller_is_known(demo_url, app_client):
    async with app_client(demo_url) as client:
        await client.login(f"ts-{TOWNSHIP}")
        await get_tile(client, "events", Tile(10, 803, 425))  # the caller is read and kept
        for layer in ("events", "places", "grids", "regions"):
            client.sql.reset()
            await get_tile(client, layer, Tile(12, 3214, 1702))
            assert client.sql.count == 1, client.sql.statements
            assert "ST_AsMVT" in client.sql.statements[0]


# --- TileJSON ---------------------------------------------------------------------------


async def test_tilejson_of_each_layer(demo_url, app_client):
    box = await extent(demo_url, "SELECT geom FROM region")
    async with app_client(demo_url) as client:
        index = (await client.http.get("/tiles.json")).json()
        keys = [entry["id"] for entry in index["layers"]]
        assert keys[:4] == ["regions", "grids", "events", "places"]  # then the plugins'
        for entry in index["layers"]:
            response = await client.http.get(entry["tilejson"])
            assert response.status_code == 200
            assert response.headers["cache-control"].startswith("public")
            doc = response.json()
            assert doc["tilejson"] == "3.0.0" and doc["scheme"] == "xyz"
            assert doc["tiles"] == [f"http://test/tiles/{entry['id']}/{{z}}/{{x}}/{{y}}.mvt"]
            assert doc["minzoom"] == entry["minzoom"] and doc["maxzoom"] == entry["maxzoom"]
            assert doc["bounds"] == pytest.approx(list(box))
            (layer,) = doc["vector_layers"]
            assert layer["id"] == entry["id"] and layer["fields"] == entry["fields"]
            assert set(layer) == {"id", "fields", "description", "minzoom", "maxzoom"}
            assert doc["name"] and doc["description"]
        events = (await client.http.get("/tiles/events.json?status=all&category=dispute")).json()
        assert events["tiles"] == [
            "http://test/tiles/events/{z}/{x}/{y}.mvt?status=all&category=dispute"
        ]
        assert events["vector_layers"][0]["fields"]["overdue"] == "Boolean"
        bad = await client.http.get("/tiles/events.json?colour=red")
        assert bad.status_code == 400


# --- simplification ---------------------------------------------------------------------


def vertices(geometry: dict[str, Any]) -> int:
    def count(coords: Any) -> int:
        if coords and isinstance(coords[0], int | float):
            return 1
        return sum(count(c) for c in coords)

    return count(geometry["coordinates"])


async def test_polygons_are_simplified_per_zoom_band(demo_url, app_client):
    """The biggest grid at low zooms has fewer vertices than the same tile encoded without
    simplification, and the tolerance shrinks band by band."""
    code, npoints = (
        await sql_rows(
            demo_url,
            "SELECT code, ST_NPoints(geom) FROM grid WHERE valid_to IS NULL "
            "ORDER BY ST_NPoints(geom) DESC LIMIT 1",
        )
    )[0]
    box = await extent(demo_url, "SELECT geom FROM grid WHERE code = :c", c=code)
    centre = (
        (box[0] + box[2]) / 2,
        (box[1] + box[3]) / 2,
        (box[0] + box[2]) / 2,
        (box[1] + box[3]) / 2,
    )
    counts: dict[int, int] = {}
    async with app_client(demo_url) as client:
        for z in (8, 11, 14):
            (tile,) = tiles_covering(centre, z)
            (feature,) = [
                f
                for f in await get_tile(client, "grids", tile, f"region={code}")
                if f["properties"]["code"] == code
            ]
            counts[z] = vertices(feature["geometry"])
            raw = await sql_scalar(
                demo_url,
                "SELECT ST_AsMVT(q, 'grids', 4096, 'geom') FROM (SELECT ST_AsMVTGeom("
                "ST_Transform(geom, 3857), ST_TileEnvelope(:z, :x, :y), 4096, 64, true) AS geom "
                "FROM grid WHERE code = :c AND valid_to IS NULL) q",
                z=z,
                x=tile.x,
                y=tile.y,
                c=code,
            )
            (unsimplified,) = decode(bytes(raw), "grids")
            assert counts[z] < vertices(unsimplified["geometry"]), z
    assert counts[8] < counts[11] < counts[14] <= npoints
    tolerances = [simplify_tolerance(z) for z in range(MAX_ZOOM + 1)]
    assert tolerances == sorted(tolerances, reverse=True)
    assert {zoom_band(z) for z in range(MAX_ZOOM + 1)} == {0, 6, 10, 13, 16}
    assert simplify_tolerance(6) == simplify_tolerance(9) == Tile(9, 0, 0).pixel_degrees


# --- plugins ----------------------------------------------------------------------------


async def grid_centres(request: TileRequest) -> Any:
    """A plugin's layer: the centre of each current grid in the caller's ``place`` reach."""
    reach = request.actor.reach.where("place", "read", Grid.code)
    return select(
        func.ST_PointOnSurface(Grid.geom).label("geom"),
        Grid.code.label("code"),
    ).where(Grid.valid_to.is_(None), reach, Grid.geom.op("&&")(request.tile.bbox()))


class CentresPlugin:
    name = "tile_centres"

    def __init__(self, key: str = "grid_centres") -> None:
        self.key = key

    @hookimpl
    def gridgov_tile_layers(self) -> list[TileLayer]:
        return [
            TileLayer(
                self.key, "Grid centres", grid_centres, {"code": "String"}, "A point in each grid"
            )
        ]


async def test_a_plugins_layer_is_served_with_its_reach(demo_url, app_client):
    async with app_client(demo_url, plugins=[CentresPlugin()]) as client:
        index = (await client.http.get("/tiles.json")).json()
        assert "grid_centres" in [entry["id"] for entry in index["layers"]]
        await client.login(f"ts-{TOWNSHIP}")
        found = await get_tile(client, "grid_centres", Tile(0, 0, 0))
        codes = {f["properties"]["code"] for f in found}
        assert codes == {
            r[0]
            for r in await sql_rows(
                demo_url,
                "SELECT code FROM grid WHERE valid_to IS NULL AND left(code, 9) = :p",
                p=TOWNSHIP,
            )
        }
        assert all(f["geometry"]["type"] == "Point" and not f.get("id") for f in found)
    async with app_client(demo_url) as client:  # without the plugin the layer is gone
        assert (await client.http.get("/tiles/grid_centres/0/0/0.mvt")).status_code == 404


@pytest.mark.parametrize(
    ("plugins", "message"),
    [
        ([CentresPlugin("events")], "'events' is given by both the core and the plugin"),
        (
            [CentresPlugin(), type("Again", (CentresPlugin,), {"name": "again"})()],
            "'grid_centres' is given by both the plugin",
        ),
        ([CentresPlugin("Bad-Key")], "lower-case"),
    ],
)
def test_a_layer_key_given_twice_fails_the_app_build(demo_url, plugins, message):
    with pytest.raises(PluginError, match=message):
        create_app(Settings(database_url=demo_url, secret_key=TEST_SECRET), plugins=plugins)
