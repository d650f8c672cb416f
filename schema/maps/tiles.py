"""The tile layers of an app, and one tile of a layer as one SQL statement.

``tile_layers(pm)`` collects the core's layers and the plugins' (``gridgov_tile_layers``)
once per app; ``tile_statement`` wraps a layer's SELECT of features in the encoder: the
geometries simplified to the zoom band's tolerance (when the layer asks), moved to Web
Mercator, clipped to the tile and its buffer, and encoded with ``ST_AsMVT``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, cast

import pluggy
from sqlalchemy import Integer, Select, func, select

from core.maps import BUFFER, EXTENT, MAX_ZOOM, Tile, TileLayer, simplify_tolerance
from core.plugins import PluginError
from schema.maps.layers import CORE_LAYERS

#: a layer key names a URL path segment and an MVT layer: lower-case words
LAYER_KEY = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
WEB_MERCATOR = 3857


def _check(layer: object, owner: str) -> TileLayer:
    if not isinstance(layer, TileLayer):
        raise PluginError(f"{owner} gave {layer!r} as a tile layer, not a core.maps.TileLayer")
    if not LAYER_KEY.match(layer.key):
        raise PluginError(
            f"{owner} gave the tile layer key {layer.key!r}: use lower-case letters, digits "
            "and _ (starting with a letter)"
        )
    if not 0 <= layer.minzoom <= layer.maxzoom <= MAX_ZOOM:
        raise PluginError(
            f"{owner} gave the tile layer {layer.key!r} the zooms "
            f"{layer.minzoom}..{layer.maxzoom}: they must lie within 0..{MAX_ZOOM}"
        )
    return layer


def tile_layers(pm: pluggy.PluginManager) -> dict[str, TileLayer]:
    """The core's layers and each plugin's, by key; a key given twice (or a core key given
    by a plugin) fails here, when the app is built."""
    layers: dict[str, TileLayer] = {}
    owners: dict[str, str] = {}

    def add(given: object, owner: str) -> None:
        checked = _check(given, owner)
        if checked.key in layers:
            raise PluginError(
                f"the tile layer {checked.key!r} is given by both {owners[checked.key]} and {owner}"
            )
        layers[checked.key], owners[checked.key] = checked, owner

    for layer in CORE_LAYERS:
        add(layer, "the core")
    for impl in pm.hook.gridgov_tile_layers.get_hookimpls():
        contributed = cast(Iterable[object], impl.function() or ())
        for given in contributed:
            add(given, f"the plugin {impl.plugin_name!r}")
    return layers


def tile_statement(layer: TileLayer, features: Select[Any], tile: Tile) -> Any:
    """One statement answering the tile's bytes (``ST_AsMVT``) from the layer's SELECT of
    features: a ``geom`` column (SRID 4326) and the properties; an integer ``id`` column
    becomes the feature id. A feature whose clipped geometry is empty is left out."""
    src = features.subquery("features")
    geom: Any = src.c.geom
    if layer.simplify:
        geom = func.ST_SimplifyPreserveTopology(geom, simplify_tolerance(tile.z))
    mvt_geom = func.ST_AsMVTGeom(
        func.ST_Transform(geom, WEB_MERCATOR),
        tile.envelope(),
        EXTENT,
        BUFFER,
        True,
    ).label("geom")
    props = [c for c in src.c if c.key != "geom"]
    encoded = select(mvt_geom, *props).subquery("encoded")
    rows = select(encoded).where(encoded.c.geom.is_not(None)).subquery("rows")
    id_column = src.c.get("id")
    args: list[Any] = [rows.table_valued(), layer.key, EXTENT, "geom"]
    if id_column is not None and isinstance(id_column.type, Integer):
        args.append("id")
    return select(func.ST_AsMVT(*args))


def layer_index(layers: Mapping[str, TileLayer]) -> list[dict[str, Any]]:
    """The layers as ``/tiles.json`` lists them."""
    return [
        {
            "id": layer.key,
            "title": layer.title,
            "description": layer.description,
            "minzoom": layer.minzoom,
            "maxzoom": layer.maxzoom,
            "fields": dict(layer.fields),
            "params": dict(layer.params),
        }
        for layer in layers.values()
    ]
