"""The vector tile routes: ``/tiles/{layer}/{z}/{x}/{y}.mvt``, each layer's TileJSON at
``/tiles/{layer}.json`` and the list of layers at ``/tiles.json``.

A tile is answered for its caller (the API's bearer token; anonymous without one), from
one statement once the caller is known (a recently seen token costs no statement). Tiles
carry a strong ETag (``If-None-Match`` → 304) and are private to the caller
(``Cache-Control: private``, ``Vary: Authorization``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.actor import Actor
from core.errors import BadInput, NotFound
from core.maps import MAX_ZOOM, Tile, TileLayer, TileRequest
from core.models import Region
from schema.downloads import answered, as_caller
from schema.maps.tiles import layer_index, tile_statement
from schema.state import AppState, state_of

MVT = "application/vnd.mapbox-vector-tile"
#: how long a client may reuse a tile without asking again (seconds): tiles show live
#: records (events move on), so not long
TILE_MAX_AGE = 60
#: how long a TileJSON document or the layer list may be reused (seconds)
TILEJSON_MAX_AGE = 300
#: the world in Web Mercator, when no region has a boundary yet
WORLD = (-180.0, -85.0511287798066, 180.0, 85.0511287798066)

_NUMBER = re.compile(r"^[0-9]{1,8}$")


def _coordinate(value: str, name: str) -> int:
    if not _NUMBER.match(value):
        raise BadInput(f"{name} must be a non-negative integer, got {value!r}", argument=name)
    return int(value)


def parse_tile(layer: TileLayer, z: str, x: str, y: str) -> Tile:
    """The tile a path names, or BAD_USER_INPUT: integers, ``z`` within the layer's zooms
    (inside ``0..MAX_ZOOM``), ``x`` and ``y`` within ``0..2**z - 1``."""
    zoom = _coordinate(z, "z")
    if not 0 <= zoom <= MAX_ZOOM:
        raise BadInput(f"z must lie within 0..{MAX_ZOOM}, got {zoom}", argument="z")
    if not layer.minzoom <= zoom <= layer.maxzoom:
        raise BadInput(
            f"the layer {layer.key!r} is served at zooms {layer.minzoom}..{layer.maxzoom}, "
            f"not at {zoom}",
            argument="z",
        )
    column, row = _coordinate(x, "x"), _coordinate(y, "y")
    last = 2**zoom - 1
    for name, value in (("x", column), ("y", row)):
        if value > last:
            raise BadInput(f"{name} must lie within 0..{last} at zoom {zoom}", argument=name)
    return Tile(zoom, column, row)


def layer_params(layer: TileLayer, request: Request) -> dict[str, str]:
    """The query parameters, each named by the layer and given once (else BAD_USER_INPUT)."""
    params: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in layer.params:
            known = ", ".join(layer.params) or "none"
            raise BadInput(
                f"the layer {layer.key!r} reads no parameter {name!r} (it reads: {known})",
                argument=name,
            )
        if name in params:
            raise BadInput(f"the parameter {name!r} is given twice", argument=name)
        params[name] = value
    return params


def etag_of(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Does ``If-None-Match`` name ``etag`` (weak comparison, as RFC 9110 asks)?"""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


def tile_routes(layers: Mapping[str, TileLayer]) -> list[Route]:
    """The routes serving ``layers`` (closed over: the registry lives as long as the app)."""

    def layer_of(request: Request) -> TileLayer:
        key = request.path_params["layer"]
        layer = layers.get(key)
        if layer is None:
            raise NotFound(f"no map layer is called {key!r}; see /tiles.json", argument="layer")
        return layer

    async def tile(request: Request) -> Response:
        """``GET /tiles/{layer}/{z}/{x}/{y}.mvt``: the layer's features in the tile."""

        async def work(session: Any, actor: Actor, state: AppState) -> Response:
            layer = layer_of(request)
            p = request.path_params
            where = parse_tile(layer, p["z"], p["x"], p["y"])
            params = layer_params(layer, request)
            features = await layer.features(
                TileRequest(where, actor, params, session, state.runtime)
            )
            content = bytes(await session.scalar(tile_statement(layer, features, where)) or b"")
            etag = etag_of(content)
            headers = {
                "ETag": etag,
                "Cache-Control": f"private, max-age={TILE_MAX_AGE}",
                "Vary": "Authorization",
            }
            if matches(request.headers.get("if-none-match"), etag):
                return Response(status_code=304, headers=headers)
            return Response(content, media_type=MVT, headers=headers)

        return await as_caller(request, work)

    async def bounds(state: AppState) -> tuple[float, float, float, float]:
        extent = func.ST_Extent(Region.geom)
        stmt = select(
            func.ST_XMin(extent), func.ST_YMin(extent), func.ST_XMax(extent), func.ST_YMax(extent)
        )
        async with state.read_sessionmaker() as session:
            row = (await session.execute(stmt)).one()
        if row[0] is None:
            return WORLD
        return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))

    def tilejson(
        request: Request, layer: TileLayer, box: tuple[float, float, float, float]
    ) -> dict[str, Any]:
        base = str(request.base_url).rstrip("/")
        query = request.url.query
        url = f"{base}/tiles/{layer.key}/{{z}}/{{x}}/{{y}}.mvt" + (f"?{query}" if query else "")
        west, south, east, north = box
        center_zoom = max(layer.minzoom, min(layer.maxzoom, 10))
        return {
            "tilejson": "3.0.0",
            "name": layer.title,
            "description": layer.description,
            "scheme": "xyz",
            "tiles": [url],
            "minzoom": layer.minzoom,
            "maxzoom": layer.maxzoom,
            "bounds": [west, south, east, north],
            "center": [(west + east) / 2, (south + north) / 2, center_zoom],
            "vector_layers": [
                {
                    "id": layer.key,
                    "fields": dict(layer.fields),
                    "description": layer.description,
                    "minzoom": layer.minzoom,
                    "maxzoom": layer.maxzoom,
                }
            ],
        }

    async def layer_json(request: Request) -> Response:
        """``GET /tiles/{layer}.json``: TileJSON 3.0.0 of the layer (the query string, the
        layer's parameters, is carried over to its tile URL)."""
        state = state_of(request.app)

        async def run() -> Response:
            layer = layer_of(request)
            layer_params(layer, request)
            return JSONResponse(
                tilejson(request, layer, await bounds(state)),
                headers={"Cache-Control": f"public, max-age={TILEJSON_MAX_AGE}"},
            )

        return await answered(state, run)

    async def index(request: Request) -> Response:
        """``GET /tiles.json``: every layer, its zooms, properties and parameters."""
        base = str(request.base_url).rstrip("/")
        body = {
            "layers": [
                {**entry, "tilejson": f"{base}/tiles/{entry['id']}.json"}
                for entry in layer_index(layers)
            ]
        }
        return JSONResponse(body, headers={"Cache-Control": f"public, max-age={TILEJSON_MAX_AGE}"})

    return [
        Route("/tiles.json", index, methods=["GET"]),
        Route("/tiles/{layer}.json", layer_json, methods=["GET"]),
        Route("/tiles/{layer}/{z}/{x}/{y}.mvt", tile, methods=["GET"]),
    ]
