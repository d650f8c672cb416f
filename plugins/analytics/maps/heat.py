"""Heat maps: a module's records counted per cell in SQL, under disclosure control.

Cells are BeiDou grid cells of one level (GB/T 39409: the records' stored level-10 codes
cut to that level's length, so a cell is exactly the standard's), or squares or hexagons
of a size in metres. Squares and hexagons are laid in a local equirectangular frame at the
area's latitude (metres east and north of 0°E, 0°N, with the scale of that latitude): over
a county (under 100 km across) their sizes are true within 0.5 %.

Counts are aggregates, which the ``analytics`` grant shows; records the actor may not
``read`` in the module's category are counted too, but a cell holding any of them and
fewer records than the module's ``min_count`` is left out (disclosure control), so that a
map cannot single out a person.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.analysis import AnalysisModule, Scope
from core.codes.beidou import CODE_LENGTHS, bounds, decode, encode
from core.errors import BadInput
from core.models import Grid
from core.models.base import prefix_match
from plugins.analytics.engine import in_scope

#: metres per degree of latitude (and of longitude at the equator), WGS 84 mean
METRES_PER_DEGREE = 111_320.0
#: BeiDou levels a heat map may use: 15′×10′ (3) down to 1/4″, about 7.7 m (7)
BEIDOU_LEVELS = range(3, 8)
#: square and hexagon sizes (metres)
MIN_SIZE, MAX_SIZE = 50, 20_000
#: the most cells one heat map holds (a finer map: a smaller bbox)
MAX_CELLS = 50_000
#: the default BeiDou level and square/hexagon size by the length of the area's prefix
DEFAULT_LEVEL = {6: 4, 9: 5, 12: 5, 15: 6}
DEFAULT_SIZE = {6: 1000, 9: 250, 12: 100, 15: 50}
SQRT3 = math.sqrt(3)
#: decimals of the degrees a map's coordinates carry: 1e-7° is about 1 cm
DECIMALS = 7


class Bins(StrEnum):
    BEIDOU = "beidou"
    SQUARE = "square"
    HEX = "hex"


@dataclass(frozen=True, slots=True)
class Binning:
    """How records are binned: ``level`` for BeiDou cells, ``size`` (metres: a square's
    side, a hexagon's width across flats) and the frame's latitude ``lat0`` otherwise."""

    bins: Bins
    level: int | None = None
    size: float | None = None
    lat0: float = 0.0

    @property
    def sx(self) -> float:
        """Metres per degree of longitude in the frame."""
        return METRES_PER_DEGREE * math.cos(math.radians(self.lat0))


@dataclass(frozen=True, slots=True)
class Cell:
    """One bin: its key (a BeiDou code, ``i,j`` of a square, ``q,r`` of a hexagon), its
    count and its outline (a closed ring of lon/lat)."""

    key: str
    count: int
    ring: list[tuple[float, float]]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        xs, ys = [p[0] for p in self.ring], [p[1] for p in self.ring]
        return min(xs), min(ys), max(xs), max(ys)


class CellOutlines:
    """The edges of BeiDou cells met before, by code: a district's maps draw the same few
    thousand cells of each level again and again. Kept for the app's life in the plugin's
    state, forgotten wholesale past ``limit`` codes."""

    def __init__(self, limit: int = 200_000) -> None:
        self._limit = limit
        self._known: dict[str, tuple[float, float, float, float]] = {}

    def __call__(self, code: str) -> tuple[float, float, float, float]:
        found = self._known.get(code)
        if found is None:
            if len(self._known) >= self._limit:
                self._known.clear()
            found = self._known[code] = bounds(code)
        return found


Outline = Callable[[str], tuple[float, float, float, float]]


@dataclass(slots=True)
class HeatMap:
    binning: Binning
    cells: list[Cell] = field(default_factory=list)
    #: cells left out by disclosure control
    withheld: int = 0


BBox = tuple[float, float, float, float]


def check_bbox(bbox: list[float] | None) -> BBox | None:
    if bbox is None:
        return None
    if len(bbox) != 4 or not all(math.isfinite(v) for v in bbox):
        raise BadInput("bbox is [west, south, east, north] in degrees", argument="bbox")
    west, south, east, north = bbox
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadInput(
            "bbox must have -180 <= west < east <= 180 and -90 <= south < north <= 90",
            argument="bbox",
        )
    return west, south, east, north


async def area_latitude(session: AsyncSession, prefix: str) -> float:
    """The latitude of the middle of the area's current grids (0 when it has none)."""
    extent = func.ST_Extent(Grid.geom)
    found = await session.scalar(
        select((func.ST_YMin(extent) + func.ST_YMax(extent)) / 2).where(
            prefix_match(Grid.code, prefix), Grid.valid_to.is_(None)
        )
    )
    return float(found) if found is not None else 0.0


def binning(bins: Bins, level: int | None, size: float | None, prefix: str, lat0: float) -> Binning:
    """Check the binning a client asked for, with the area's defaults."""
    if bins is Bins.BEIDOU:
        if size is not None:
            raise BadInput("size is for square and hexagon bins; BeiDou bins take a level")
        level = DEFAULT_LEVEL.get(len(prefix), 4) if level is None else level
        if level not in BEIDOU_LEVELS:
            raise BadInput(
                f"a heat map's BeiDou level is {BEIDOU_LEVELS.start}–{BEIDOU_LEVELS.stop - 1}, "
                f"not {level}",
                argument="level",
            )
        return Binning(bins, level=level)
    if level is not None:
        raise BadInput("level is for BeiDou bins; square and hexagon bins take a size")
    size = DEFAULT_SIZE.get(len(prefix), 1000) if size is None else size
    if not (math.isfinite(size) and MIN_SIZE <= size <= MAX_SIZE):
        raise BadInput(f"size is {MIN_SIZE}–{MAX_SIZE} metres, not {size:g}", argument="size")
    return Binning(bins, size=float(size), lat0=lat0)


def _binned(b: Binning, base: Any, readable: Any) -> Any:
    """SQL: each record's bin (``k1`` or ``k1, k2``) and whether the actor may read it.

    Squares and hexagons work on the middle of each record's box (a point's own place),
    computed once per record: ``OFFSET 0`` keeps the planner from copying the expression
    into every use (the hexagon's rounding uses its coordinates a dozen times)."""
    if b.bins is Bins.BEIDOU:
        assert b.level is not None
        cell = func.left(base.c.beidou_code, CODE_LENGTHS[b.level])
        return select(cell.label("k1"), readable.label("readable")).subquery("binned")
    assert b.size is not None
    boxed = (
        select(func.Box2D(base.c.geom).label("box"), readable.label("readable"))
        .offset(0)
        .subquery("boxed")
    )
    box = boxed.c.box
    x = (func.ST_XMin(box) + func.ST_XMax(box)) / 2 * b.sx
    y = (func.ST_YMin(box) + func.ST_YMax(box)) / 2 * METRES_PER_DEGREE
    if b.bins is Bins.SQUARE:
        return select(
            cast(func.floor(x / b.size), Integer).label("k1"),
            cast(func.floor(y / b.size), Integer).label("k2"),
            boxed.c.readable,
        ).subquery("binned")
    # pointy-top hexagons of circumradius R: axial coordinates, rounded in cube space
    radius = b.size / SQRT3
    axial = (
        select(
            ((SQRT3 / 3 * x - y / 3) / radius).label("qf"),
            (2 / 3 * y / radius).label("rf"),
            boxed.c.readable,
        )
        .offset(0)
        .subquery("axial")
    )
    return select(*_hex_rounded(axial), axial.c.readable).subquery("binned")


def _hex_rounded(sub: Any) -> list[Any]:
    qf, rf = sub.c.qf, sub.c.rf
    sf = -qf - rf
    rq, rr, rs = func.round(qf), func.round(rf), func.round(sf)
    dq, dr, ds = func.abs(rq - qf), func.abs(rr - rf), func.abs(rs - sf)
    q_off = (dq > dr) & (dq > ds)
    return [
        cast(case((q_off, -rr - rs), else_=rq), Integer).label("k1"),
        cast(case((~q_off & (dr > ds), -rq - rs), else_=rr), Integer).label("k2"),
    ]


def _ring(b: Binning, k1: Any, k2: Any, outline: Outline = bounds) -> list[tuple[float, float]]:
    """The outline of a bin, closed, counter-clockwise (lon/lat)."""
    if b.bins is Bins.BEIDOU:
        w, s, e, n = outline(str(k1))
        return [(w, s), (e, s), (e, n), (w, n), (w, s)]
    assert b.size is not None
    sy = METRES_PER_DEGREE
    if b.bins is Bins.SQUARE:
        w, s = k1 * b.size / b.sx, k2 * b.size / sy
        e, n = (k1 + 1) * b.size / b.sx, (k2 + 1) * b.size / sy
        return [(w, s), (e, s), (e, n), (w, n), (w, s)]
    radius = b.size / SQRT3
    cx, cy = radius * SQRT3 * (k1 + k2 / 2), radius * 1.5 * k2
    ring = []
    for corner in range(7):
        angle = math.radians(60 * (corner % 6) - 30)
        ring.append(((cx + radius * math.cos(angle)) / b.sx, (cy + radius * math.sin(angle)) / sy))
    return ring


def _key(b: Binning, k1: Any, k2: Any) -> str:
    return str(k1) if b.bins is Bins.BEIDOU else f"{k1},{k2}"


async def heat_map(
    session: AsyncSession,
    module: AnalysisModule,
    scope: Scope,
    actor: Actor,
    filter: str | None,
    b: Binning,
    bbox: BBox | None = None,
    outline: Outline = bounds,
) -> HeatMap:
    """The module's records in the scope (and ``bbox``) counted per bin, in one statement;
    cells under the module's ``min_count`` holding records the actor may not read are left
    out."""
    if b.bins is Bins.BEIDOU and module.cells is not None:
        assert b.level is not None
        counted = module.cells(scope, filter, b.level)
        if counted is not None:
            cells = counted.subquery("cells")
            return await _summed(session, module, actor, b, cells, bbox, outline)
    stmt = in_scope(module, scope, filter, located=True)
    cols = stmt.selected_columns
    if b.bins is Bins.BEIDOU:  # a record has a BeiDou code exactly when it has a place
        stmt = stmt.where(cols.beidou_code.is_not(None))
    else:
        stmt = stmt.where(cols.geom.is_not(None))
    if bbox is not None:
        box = grown(bbox, b)
        stmt = stmt.where(cols.geom.op("&&")(func.ST_MakeEnvelope(*box, 4326)))
    base = stmt.subquery("located")
    readable = actor.reach.where(module.category, "read", base.c.region_code)
    binned = _binned(b, base, readable)
    keys = [binned.c.k1] if b.bins is Bins.BEIDOU else [binned.c.k1, binned.c.k2]
    found = (
        await session.execute(
            select(*keys, func.count(), func.count().filter(binned.c.readable))
            .group_by(*keys)
            .limit(MAX_CELLS + 1)
        )
    ).all()
    rows = sorted(found, key=lambda r: tuple(r[: len(keys)]))  # grouped by hashing
    if len(rows) > MAX_CELLS:
        raise BadInput(
            f"the heat map has more than {MAX_CELLS} cells: choose coarser cells or a bbox",
            argument="bbox",
        )
    out = HeatMap(b)
    for row in rows:
        k1, k2 = row[0], row[1] if b.bins is not Bins.BEIDOU else None
        cell = Cell(_key(b, k1, k2), int(row[-2]), _ring(b, k1, k2, outline))
        if bbox is None or _overlaps(cell.bounds, bbox):
            _add(out, module, cell, int(row[-1]))
    return out


def _add(out: HeatMap, module: AnalysisModule, cell: Cell, readable: int) -> None:
    """Add the cell, or count it withheld (disclosure control)."""
    if readable < cell.count < module.min_count:
        out.withheld += 1
    else:
        out.cells.append(cell)


async def _summed(
    session: AsyncSession,
    module: AnalysisModule,
    actor: Actor,
    b: Binning,
    counted: Any,
    bbox: BBox | None,
    outline: Outline,
) -> HeatMap:
    """A heat map from a module's pre-aggregated counts (``AnalysisModule.cells``)."""
    readable = actor.reach.where(module.category, "read", counted.c.region_code)
    rows = (
        await session.execute(
            select(
                counted.c.cell,
                func.sum(counted.c.n),
                func.coalesce(func.sum(counted.c.n).filter(readable), 0),
            )
            .group_by(counted.c.cell)
            .order_by(counted.c.cell)
        )
    ).all()
    out = HeatMap(b)
    for cell_code, n, readable_n in rows:
        cell = Cell(str(cell_code), int(n), _ring(b, cell_code, None, outline))
        if bbox is not None and not _overlaps(cell.bounds, bbox):
            continue
        _add(out, module, cell, int(readable_n))
    if len(out.cells) > MAX_CELLS:
        raise BadInput(
            f"the heat map has more than {MAX_CELLS} cells: choose coarser cells or a bbox",
            argument="bbox",
        )
    return out


def cells_bbox(bounds: BBox, level: int) -> BBox:
    """The tile's bounds grown to the edges of the level's cells at its corners."""
    west, south, east, north = bounds
    south, north = max(south, -87.999), min(north, 87.999)  # the standard's coded area
    east = min(east, 179.999999)
    low = decode(encode(west, south, level))
    high = decode(encode(east, north, level))
    return (
        float(min(low.west, high.west)),
        float(min(low.south, high.south)),
        float(max(low.east, high.east)),
        float(max(low.north, high.north)),
    )


def grown(bbox: BBox, b: Binning) -> BBox:
    """``bbox`` grown to hold every cell that overlaps it whole."""
    if b.bins is Bins.BEIDOU:
        assert b.level is not None
        return cells_bbox(bbox, b.level)
    assert b.size is not None
    dx, dy = 1.2 * b.size / b.sx, 1.2 * b.size / METRES_PER_DEGREE
    return (bbox[0] - dx, bbox[1] - dy, bbox[2] + dx, bbox[3] + dy)


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def feature_collection(heat: HeatMap) -> dict[str, Any]:
    """The cells as a GeoJSON FeatureCollection (properties ``key`` and ``count``)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": c.key,
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[round(x, DECIMALS), round(y, DECIMALS)] for x, y in c.ring]],
                },
                "properties": {"key": c.key, "count": c.count},
            }
            for c in heat.cells
        ],
    }
