"""Map layers served as Mapbox vector tiles (``/tiles/{layer}/{z}/{x}/{y}.mvt``).

The core serves grids, regions, events and places; a plugin adds layers through the
``gridgov_tile_layers`` hook (the analytics plugin its heat cells, early warning its
clusters). A layer says which records fall in a tile *for the caller*: its ``features``
answer a SELECT whose ``geom`` column (SRID 4326) is drawn and whose other columns become
the features' properties. The tile route clips, simplifies and encodes it, so a layer never
writes MVT itself. A layer must apply the same reach as the matching GraphQL list: a tile
never carries a feature its caller could not list.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.actor import Actor
    from core.runtime import Runtime

#: half the width of the Web Mercator square (EPSG:3857), in metres
MERCATOR_HALF = 20037508.342789244
#: the deepest zoom a tile may ask for
MAX_ZOOM = 22
#: tiles are encoded with this many units along an edge (the MVT default)
EXTENT = 4096
#: features are kept (and clipped) this many units (of ``EXTENT``) beyond a tile's edges,
#: so that lines and symbols crossing an edge are drawn whole on both sides
BUFFER = 64
#: the first zoom of each simplification band
ZOOM_BANDS = (0, 6, 10, 13, 16)


@dataclass(frozen=True, slots=True)
class Tile:
    """One tile of the XYZ (Google/OSM) scheme: ``x`` eastwards and ``y`` southwards from
    the north-west corner, ``0 <= x, y < 2**z``."""

    z: int
    x: int
    y: int

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` in degrees (WGS 84)."""
        return self.buffered_bounds(0)

    def buffered_bounds(self, buffer: int = BUFFER) -> tuple[float, float, float, float]:
        """``bounds`` grown by ``buffer`` units (of ``EXTENT``) on every side, clamped to the
        Web Mercator square."""
        n = 1 << self.z
        margin = buffer / EXTENT

        def lon(column: float) -> float:
            return max(0.0, min(float(n), column)) / n * 360 - 180

        def lat(row: float) -> float:
            row = max(0.0, min(float(n), row))
            return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

        return (
            lon(self.x - margin),
            lat(self.y + 1 + margin),
            lon(self.x + 1 + margin),
            lat(self.y - margin),
        )

    def envelope(self) -> Any:
        """SQL: the tile's square in EPSG:3857."""
        return func.ST_TileEnvelope(self.z, self.x, self.y)

    def bbox(self, buffer: int = BUFFER) -> Any:
        """SQL: the tile's bounds as an SRID 4326 box, for ``geom && tile.bbox()`` (an index
        scan) against the tables' 4326 geometries. It takes in the ``buffer`` the encoder
        keeps beyond the edges (pass 0 for the bare tile), so that a point just outside is
        drawn whole on this tile too."""
        west, south, east, north = self.buffered_bounds(buffer)
        return func.ST_MakeEnvelope(west, south, east, north, 4326)

    @property
    def pixel_degrees(self) -> float:
        """The width of one screen pixel (of a 256-pixel tile) in degrees of longitude: a
        simplification tolerance that cannot be seen at this zoom."""
        return 360 / (256 * (1 << self.z))


@dataclass(frozen=True, slots=True)
class TileRequest:
    """What a layer's ``features`` get: the tile, who asks (their reach), the query
    parameters of the request (a layer validates its own and raises ``BadInput`` on a bad
    one), the request's session (one transaction) and the running app."""

    tile: Tile
    actor: Actor
    params: Mapping[str, str]
    session: AsyncSession
    runtime: Runtime


#: ``request -> SELECT geom, <properties>`` of the features in the tile (and the reach)
Features = Callable[[TileRequest], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class TileLayer:
    """A layer of ``/tiles/{key}/{z}/{x}/{y}.mvt`` and its TileJSON ``/tiles/{key}.json``.

    ``features`` answers the SELECT of the tile's features: a ``geom`` column (SRID 4326,
    filtered with ``geom && request.tile.bbox()``) and one column per property; a column
    ``id`` of an integer type becomes the MVT feature id instead of a property. ``fields``
    describes the properties for TileJSON's ``vector_layers`` (name -> a type word:
    ``String``, ``Number`` or ``Boolean``). A tile outside ``minzoom..maxzoom`` is refused
    (400). ``simplify``: the route simplifies geometries to the zoom band's tolerance first
    (``simplify_tolerance``; points are left as they are). ``params`` names the query
    parameters the layer reads (name -> description): any other parameter is refused."""

    key: str
    title: str
    features: Features
    fields: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    minzoom: int = 0
    maxzoom: int = MAX_ZOOM
    simplify: bool = False
    params: Mapping[str, str] = field(default_factory=dict)


def zoom_band(z: int) -> int:
    """The first zoom of ``z``'s simplification band (0-5, 6-9, 10-12, 13-15, 16+): tiles
    of one band share one tolerance, so a polygon keeps its shape across a band's zooms."""
    for start in reversed(ZOOM_BANDS):
        if z >= start:
            return start
    return 0


def simplify_tolerance(z: int) -> float:
    """The tolerance (degrees) geometries of a ``z`` tile are simplified to: one pixel (of a
    256-pixel tile) at the deepest zoom of ``z``'s band (16 for the last band), so the
    simplification cannot be seen at any zoom of the band and tiles of one band agree."""
    band = zoom_band(z)
    later = [start for start in ZOOM_BANDS if start > band]
    deepest = later[0] - 1 if later else band
    return Tile(deepest, 0, 0).pixel_degrees


def utc_text(column: Any) -> Any:
    """SQL: a time as ISO 8601 text in UTC (``2026-05-02T08:30:00Z``), as tiles carry times
    (MVT has no time type)."""
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
