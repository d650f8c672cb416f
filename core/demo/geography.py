"""Synthetic administrative partition of the reference deployment (叙州区, 511504).

The district outline is REAL: it is read from the vendored file
``data/xuzhou-511504-boundary.geojson`` (see the licence file beside it).  Everything inside it
is SYNTHETIC: the townships (街道/镇), communities (社区), villages (村) and grids (网格), their
shapes, codes and names are generated here and do not describe the real subdivisions of the
district.  Any resemblance of a generated name to a real place is a coincidence of the small
syllable pools used.

Model (after the grid-management rules of the source deployment):

* an **urban grid** is one residents' group; several urban grids form one urban community
  (kind ``"community"``); urban communities form the ``streets`` street-type townships;
* a **rural grid** is one whole administrative village, so every village (kind ``"village"``)
  has exactly one grid; villages form the ``towns`` town-type townships.

Geometry: grids tile the district exactly.  Seed points are drawn inside the boundary (urban
seeds densely inside a star-shaped urban zone around the district seat near 104.56 E, 28.70 N,
rural seeds over the rest), their Voronoi edges are noded together with the boundary and the
urban-zone outline (snap-rounded to a 1e-11 degree grid), the noded linework is polygonized and
every face is given to the seed whose Voronoi cell holds it.  Faces that end up detached from the
main body of their grid are handed to the neighbour they share the longest border with, so grids
are edge-connected in practice.  Communities and townships are built top-down by recursive
bisection of grid centroids (with a similar contiguity repair) and their geometries are the
coverage unions of their grids, so containment holds by construction.  Contiguity of
communities and townships is best effort and not guaranteed.

Coding: township ``511504`` + segment (streets ``001``.., towns ``100``..) + ``000``;
community = township's first 9 digits + segment (urban communities ``001``.., villages
``200``..); grid = community code + 3-digit sequence ``001``...

The output is a pure function of ``(boundary, seed, counts)``: the same arguments give identical
codes, names and geometries (WKB).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

__all__ = [
    "BOUNDARY_FILE",
    "DISTRICT_CODE",
    "DISTRICT_NAME",
    "URBAN_CENTRE",
    "DemoCommunity",
    "DemoGrid",
    "DemoPartition",
    "DemoTownship",
    "build_partition",
    "load_boundary",
]

DISTRICT_CODE = "511504"
DISTRICT_NAME = "叙州区"
BOUNDARY_FILE = "xuzhou-511504-boundary.geojson"
#: Approximate district seat (near Yibin city); the urban zone is centred on the point of the
#: district nearest to it.
URBAN_CENTRE: tuple[float, float] = (104.56, 28.70)

_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON_EQUATOR = 111.320
#: Target mean area of an urban grid (one residents' group), km².
_URBAN_GRID_KM2 = 0.2
#: Snap-rounding grid used when noding the linework, degrees (about 1 micrometre).
_GRID_SIZE = 1e-11
#: Overshoot used when clipping Voronoi edges at the urban-zone outline, degrees (about 1 cm).
_CLIP_EPS = 1e-7
#: Seeds keep at least this distance (km) from the zone outlines.
_SEED_MARGIN_KM = 0.05
_STREET_SEGMENT_FIRST = 1
_TOWN_SEGMENT_FIRST = 100
_COMMUNITY_SEGMENT_FIRST = 1
_VILLAGE_SEGMENT_FIRST = 200
_MAX_STREETS = 99
_MAX_TOWNS = 100
_MAX_COMMUNITIES_PER_STREET = 199
_MAX_VILLAGES_PER_TOWN = 799
_MAX_GRIDS_PER_COMMUNITY = 999
_COMMUNITY_GRIDS_LO = 6
_COMMUNITY_GRIDS_HI = 12
_COMMUNITY_GRIDS_MEAN = 9


@dataclass(frozen=True, slots=True)
class DemoTownship:
    code: str  # 12 digits: "511504" + 3-digit township segment + "000"
    name: str
    kind: Literal["street", "town"]
    geometry: MultiPolygon


@dataclass(frozen=True, slots=True)
class DemoCommunity:
    code: str  # 12 digits: township's first 9 digits + 3-digit community segment
    name: str
    kind: Literal["community", "village"]
    township_code: str
    geometry: MultiPolygon


@dataclass(frozen=True, slots=True)
class DemoGrid:
    code: str  # 15 digits: community code + 3-digit sequence "001".."999"
    name: str
    kind: Literal["urban", "rural"]
    community_code: str
    geometry: MultiPolygon


@dataclass(frozen=True, slots=True)
class DemoPartition:
    district: MultiPolygon  # coverage union of the townships (= the boundary, re-noded)
    townships: tuple[DemoTownship, ...]
    communities: tuple[DemoCommunity, ...]
    grids: tuple[DemoGrid, ...]


# --------------------------------------------------------------------------------------------
# boundary


def load_boundary() -> MultiPolygon:
    """Read the vendored real outline of 叙州区 (WGS84 lon/lat) as a valid MultiPolygon."""
    path = Path(__file__).resolve().parent / "data" / BOUNDARY_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("type") == "FeatureCollection":
        geometries = [f["geometry"] for f in data["features"] if f.get("geometry")]
    elif data.get("type") == "Feature":
        geometries = [data["geometry"]]
    else:
        geometries = [data]
    shapes = [shape(g) for g in geometries]
    merged = shapes[0] if len(shapes) == 1 else shapely.unary_union(shapes)
    if not merged.is_valid:
        merged = shapely.make_valid(merged)
    result = _as_multipolygon(merged)
    if result.is_empty:
        raise ValueError(f"{path} holds no polygon")
    return result


# --------------------------------------------------------------------------------------------
# helpers


def _as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom]) if not geom.is_empty else MultiPolygon()
    polygons: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon) and not part.is_empty:
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(part.geoms)
    return MultiPolygon(polygons)


def _union_coverage(geoms: Sequence[BaseGeometry]) -> MultiPolygon:
    if len(geoms) == 1:
        return _as_multipolygon(geoms[0])
    return _as_multipolygon(shapely.coverage_union_all(np.asarray(geoms, dtype=object)))


class _Projection:
    """Local equirectangular projection to kilometres around an origin."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0 = lon0
        self.lat0 = lat0
        self.kx = _KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0))
        self.ky = _KM_PER_DEG_LAT

    def to_xy(self, coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords, dtype=float)
        out[:, 0] = (coords[:, 0] - self.lon0) * self.kx
        out[:, 1] = (coords[:, 1] - self.lat0) * self.ky
        return out

    def to_lonlat(self, coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords, dtype=float)
        out[:, 0] = coords[:, 0] / self.kx + self.lon0
        out[:, 1] = coords[:, 1] / self.ky + self.lat0
        return out


def _validate(urban_grids: int, rural_grids: int, streets: int, towns: int) -> None:
    if not 1 <= streets <= _MAX_STREETS:
        raise ValueError(f"streets must be in 1..{_MAX_STREETS}, got {streets}")
    if not 1 <= towns <= _MAX_TOWNS:
        raise ValueError(f"towns must be in 1..{_MAX_TOWNS}, got {towns}")
    if urban_grids < streets:
        raise ValueError(f"urban_grids ({urban_grids}) must be at least streets ({streets})")
    if rural_grids < towns:
        raise ValueError(f"rural_grids ({rural_grids}) must be at least towns ({towns})")
    # keep headroom for uneven group sizes so that the 3-digit code segments cannot overflow
    if urban_grids > streets * _MAX_COMMUNITIES_PER_STREET * _COMMUNITY_GRIDS_HI:
        raise ValueError(f"too many urban grids ({urban_grids}) for {streets} streets")
    if rural_grids > towns * _MAX_VILLAGES_PER_TOWN // 2:
        raise ValueError(f"too many rural grids ({rural_grids}) for {towns} towns")


def _urban_centre(boundary: MultiPolygon, seat: tuple[float, float]) -> Point:
    """``seat`` if it lies well inside the district, else the nearest point ~100 m inside."""
    target = Point(seat)
    for margin in (1e-3, 1e-4, 0.0):
        inner = boundary.buffer(-margin) if margin else boundary
        if inner.is_empty:
            continue
        if inner.contains(target):
            return target
        return nearest_points(inner, target)[0]
    raise ValueError("empty boundary")  # pragma: no cover


def _star(radius: float, harmonics: Sequence[tuple[int, float, float]]) -> Polygon:
    theta = np.linspace(0.0, 2.0 * np.pi, 360, endpoint=False)
    r = np.ones_like(theta)
    for k, amplitude, phase in harmonics:
        r += amplitude * np.sin(k * theta + phase)
    r *= radius
    return Polygon(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))


def _sample_seeds(
    rng: np.random.Generator,
    region: BaseGeometry,
    count: int,
    min_dist: float,
    proposal: Callable[[np.random.Generator, int], np.ndarray],
) -> np.ndarray:
    """Poisson-disk-like sampling of ``count`` points of ``region`` (projected km)."""
    shapely.prepare(region)
    accepted = np.empty((count, 2))
    n = 0
    tried = 0
    d2 = min_dist * min_dist
    empty_batches = 0
    while n < count:
        batch = proposal(rng, 2048)
        batch = batch[shapely.contains_xy(region, batch[:, 0], batch[:, 1])]
        empty_batches = 0 if len(batch) else empty_batches + 1
        if empty_batches > 200:
            raise RuntimeError("cannot place seeds: sampling region too small")
        for point in batch:
            tried += 1
            if n == 0 or float(np.min(np.sum((accepted[:n] - point) ** 2, axis=1))) >= d2:
                accepted[n] = point
                n += 1
                if n == count:
                    break
            if tried >= 40 * count:  # too crowded: relax the spacing
                d2 *= 0.7
                tried = 0
    return accepted


def _random_sizes(rng: np.random.Generator, total: int, parts: int, lo: int, hi: int) -> list[int]:
    """``parts`` positive integers summing to ``total``, drawn around [lo, hi] when feasible."""
    if parts == 1:
        return [total]
    weights = rng.uniform(max(lo, 0.5), max(hi, lo + 1), parts)
    raw = weights / weights.sum() * (total - parts)  # one unit each is reserved
    sizes = np.floor(raw).astype(np.int64)
    remainder = total - parts - int(sizes.sum())
    order = np.lexsort((np.arange(parts), -(raw - sizes)))
    sizes[order[:remainder]] += 1
    return [int(v) + 1 for v in sizes]


def _bisect(points: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """Recursive principal-axis bisection: label ``points`` into groups of exactly ``sizes``."""
    labels = np.zeros(len(points), dtype=np.int64)

    def split(idx: np.ndarray, first: int, group_sizes: Sequence[int]) -> None:
        if len(group_sizes) == 1:
            labels[idx] = first
            return
        half = len(group_sizes) // 2
        n_left = sum(group_sizes[:half])
        pts = points[idx]
        centred = pts - pts.mean(axis=0)
        _, vectors = np.linalg.eigh(centred.T @ centred)
        axis = vectors[:, -1]
        if axis[0] < 0 or (axis[0] == 0 and axis[1] < 0):
            axis = -axis
        order = np.lexsort((idx, centred @ axis))
        split(idx[order[:n_left]], first, group_sizes[:half])
        split(idx[order[n_left:]], first + half, group_sizes[half:])

    split(np.arange(len(points)), 0, list(sizes))
    return labels


def _components(
    items: np.ndarray, labels: np.ndarray, adj: list[dict[int, float]]
) -> list[list[int]]:
    label = labels[items[0]]
    seen: set[int] = set()
    comps: list[list[int]] = []
    for start in items.tolist():
        if start in seen:
            continue
        seen.add(start)
        comp = [start]
        stack = [start]
        while stack:
            i = stack.pop()
            for j in adj[i]:
                if j not in seen and labels[j] == label:
                    seen.add(j)
                    comp.append(j)
                    stack.append(j)
        comps.append(sorted(comp))
    return comps


def _repair_contiguity(
    labels: np.ndarray,
    eligible: np.ndarray,
    adj: list[dict[int, float]],
    weight: np.ndarray,
    rank: Callable[[int, int], int | None],
    max_rounds: int = 12,
) -> None:
    """Hand detached components of each group to the best edge-adjacent group (in place).

    ``rank(from_group, to_group)`` returns a preference (lower is better) or None if the move
    is not allowed.  The heaviest component of every group stays, so no group becomes empty.
    """
    for _ in range(max_rounds):
        changed = False
        for group in np.unique(labels[eligible]).tolist():
            items = np.flatnonzero((labels == group) & eligible)
            if len(items) < 2:
                continue
            comps = _components(items, labels, adj)
            if len(comps) < 2:
                continue
            main = max(comps, key=lambda c: (float(weight[c].sum()), -c[0]))
            for comp in comps:
                if comp is main:
                    continue
                tally: dict[tuple[int, int], float] = defaultdict(float)
                for i in comp:
                    for j, length in adj[i].items():
                        other = int(labels[j])
                        if not eligible[j] or other == group:
                            continue
                        preference = rank(group, other)
                        if preference is not None:
                            tally[(preference, other)] += length
                if not tally:
                    continue
                best = min(tally, key=lambda key: (key[0], -tally[key], key[1]))
                labels[comp] = best[1]
                changed = True
        if not changed:
            return


def _any_group(_from: int, _to: int) -> int | None:
    return 0


def _face_adjacency(
    faces: np.ndarray, proj: _Projection
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of faces sharing at least one exact edge segment, with the shared length (km)."""
    rings, ring_face = shapely.get_rings(faces, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same = coord_ring[:-1] == coord_ring[1:]
    a = coords[:-1][same]
    b = coords[1:][same]
    seg_face = ring_face[coord_ring[:-1][same]]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo = np.where(swap[:, None], b, a)
    hi = np.where(swap[:, None], a, b)
    keys = np.column_stack([lo, hi])
    _, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    sorted_inv = inverse[order]
    pair_first = order[:-1][sorted_inv[:-1] == sorted_inv[1:]]
    pair_second = order[1:][sorted_inv[:-1] == sorted_inv[1:]]
    f1 = seg_face[pair_first]
    f2 = seg_face[pair_second]
    keep = f1 != f2
    f1, f2, seg = f1[keep], f2[keep], pair_first[keep]
    dx = (hi[seg, 0] - lo[seg, 0]) * proj.kx
    dy = (hi[seg, 1] - lo[seg, 1]) * proj.ky
    length = np.hypot(dx, dy)
    first = np.minimum(f1, f2)
    second = np.maximum(f1, f2)
    pairs, pair_inv = np.unique(np.column_stack([first, second]), axis=0, return_inverse=True)
    total = np.zeros(len(pairs))
    np.add.at(total, pair_inv.ravel(), length)
    return pairs[:, 0], pairs[:, 1], total


def _adjacency_lists(
    n: int, first: Iterable[int], second: Iterable[int], length: Iterable[float]
) -> list[dict[int, float]]:
    adj: list[dict[int, float]] = [{} for _ in range(n)]
    for i, j, w in zip(first, second, length, strict=True):
        if i == j:
            continue
        adj[i][j] = adj[i].get(j, 0.0) + w
        adj[j][i] = adj[j].get(i, 0.0) + w
    return adj


# --------------------------------------------------------------------------------------------
# names

_TOWNSHIP_FIRST = "柏金龙凤双高观古柳樟天永横复白华新太安泰福兴庆红青石黄合喜月宗商凉邱仁富"
_TOWNSHIP_SECOND = "溪坝场滩桥江河池坪岭山口湾岩寺堰沙坡林塘嘴关"
_COMMUNITY_FIRST = "滨锦翠紫阳盛华金玉书文南北东西龙凤天安康福和兴长航临星明新春"
_COMMUNITY_SECOND = "江城苑庭园湖岸坪台门府桥街山华安康兴宁泰荣悦景源湾都坊光辉港"
_VILLAGE_FIRST = "红新光永长联团向五建东前黄白金龙凤高青石双大三柏松竹桂梨桃杨柳茶花云天马鹤鱼平和"
_VILLAGE_SECOND = "星华明丰胜利合结阳兴风进桷鹤竹泉鸣峰山林坝湾坪沟岭坡塘田河溪桥堰岩园庙井水树坎包"
_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _names(
    rng: np.random.Generator, count: int, first: str, second: str, suffix: str, taken: set[str]
) -> list[str]:
    """``count`` new unique names ``<two syllables><suffix>``, avoiding and extending ``taken``."""
    bases = [a + b for a in first for b in second if a != b]
    bases = [bases[i] for i in rng.permutation(len(bases))]
    out: list[str] = []
    ordinal = 1
    while len(out) < count:
        for base in bases:
            name = base + ("" if ordinal == 1 else _cn_number(ordinal)) + suffix
            if name not in taken:
                taken.add(name)
                out.append(name)
                if len(out) == count:
                    break
        ordinal += 1
    return out


# --------------------------------------------------------------------------------------------
# construction


def build_partition(
    boundary: MultiPolygon,
    *,
    seed: int = 1,
    urban_grids: int = 282,
    rural_grids: int = 297,
    streets: int = 3,
    towns: int = 15,
    seat: tuple[float, float] = URBAN_CENTRE,
    county: str = DISTRICT_CODE,
) -> DemoPartition:
    """Partition ``boundary`` (WGS84 lon/lat) into synthetic townships, communities and grids.

    Returns exactly ``urban_grids`` urban and ``rural_grids`` rural grids that tile the boundary
    without gaps or overlaps, grouped into ``streets`` street-type and ``towns`` town-type
    townships.  Deterministic for a given ``seed``.
    """
    _validate(urban_grids, rural_grids, streets, towns)
    boundary = _as_multipolygon(boundary)
    if boundary.is_empty:
        raise ValueError("empty boundary")
    if not boundary.is_valid:
        boundary = _as_multipolygon(shapely.make_valid(boundary))
    seq = np.random.SeedSequence(seed)
    rng_zone, rng_urban, rng_rural, rng_groups, rng_names = (
        np.random.default_rng(s) for s in seq.spawn(5)
    )

    centre = _urban_centre(boundary, seat)
    proj = _Projection(centre.x, centre.y)
    boundary_xy = shapely.transform(boundary, proj.to_xy)
    district_km2 = boundary_xy.area

    # urban zone: a wobbly star around the centre, sized so that its part inside the
    # district has about urban_grids * _URBAN_GRID_KM2 km².
    harmonics = [
        (k, amp, float(rng_zone.uniform(0.0, 2.0 * np.pi)))
        for k, amp in ((2, 0.12), (3, 0.08), (5, 0.05))
    ]
    target_km2 = min(urban_grids * _URBAN_GRID_KM2, 0.4 * district_km2)
    radius = math.sqrt(target_km2 / math.pi)
    for _ in range(8):
        area = shapely.intersection(_star(radius, harmonics), boundary_xy).area
        factor = math.sqrt(target_km2 / area) if area > 0 else 2.0
        radius *= min(max(factor, 0.5), 2.0)
        if abs(factor - 1.0) < 1e-3:
            break
    star_xy = _star(radius, harmonics)
    star_ll = shapely.transform(star_xy, proj.to_lonlat)

    # seeds (projected km), drawn strictly inside their zone
    inner_boundary = boundary_xy.buffer(-_SEED_MARGIN_KM / 5)
    urban_region = shapely.intersection(inner_boundary, star_xy.buffer(-_SEED_MARGIN_KM))
    rural_region = shapely.difference(inner_boundary, star_xy.buffer(_SEED_MARGIN_KM))
    if urban_region.area <= 0 or rural_region.area <= 0:
        raise ValueError("boundary too small for the requested partition")
    r_max = float(np.max(np.hypot(*np.asarray(star_xy.exterior.coords).T)))

    def urban_proposal(rng: np.random.Generator, n: int) -> np.ndarray:
        theta = rng.uniform(0.0, 2.0 * np.pi, n)
        r = r_max * rng.uniform(0.0, 1.0, n) ** 0.65  # mildly denser towards the centre
        return np.column_stack([r * np.cos(theta), r * np.sin(theta)])

    rx0, ry0, rx1, ry1 = rural_region.bounds

    def rural_proposal(rng: np.random.Generator, n: int) -> np.ndarray:
        return np.column_stack([rng.uniform(rx0, rx1, n), rng.uniform(ry0, ry1, n)])

    urban_seeds = _sample_seeds(
        rng_urban,
        urban_region,
        urban_grids,
        0.5 * math.sqrt(urban_region.area / urban_grids),
        urban_proposal,
    )
    rural_seeds = _sample_seeds(
        rng_rural,
        rural_region,
        rural_grids,
        0.6 * math.sqrt(rural_region.area / rural_grids),
        rural_proposal,
    )

    # Voronoi edges of each seed family, back in lon/lat, clipped to their zone (+ overshoot)
    bx0, by0, bx1, by1 = boundary_xy.bounds
    pad = 0.1 * max(bx1 - bx0, by1 - by0)
    extent = shapely.box(bx0 - pad, by0 - pad, bx1 + pad, by1 + pad)

    def voronoi_edges(points: np.ndarray) -> BaseGeometry:
        if len(points) < 2:
            return shapely.LineString()
        edges = shapely.voronoi_polygons(MultiPoint(points), extend_to=extent, only_edges=True)
        return shapely.transform(edges, proj.to_lonlat)

    urban_edges = shapely.intersection(voronoi_edges(urban_seeds), star_ll.buffer(_CLIP_EPS))
    rural_edges = shapely.difference(voronoi_edges(rural_seeds), star_ll.buffer(-_CLIP_EPS))
    linework = shapely.unary_union(
        [boundary.boundary, star_ll.exterior, urban_edges, rural_edges], grid_size=_GRID_SIZE
    )
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    faces = faces[~shapely.is_empty(faces) & (shapely.area(faces) > 0)]
    reps = shapely.get_coordinates(shapely.point_on_surface(faces))
    shapely.prepare(boundary)
    faces_in = shapely.contains_xy(boundary, reps[:, 0], reps[:, 1])
    faces, reps = faces[faces_in], reps[faces_in]
    is_urban_face = shapely.contains_xy(star_ll, reps[:, 0], reps[:, 1])

    # each face goes to the nearest seed of its zone (= the Voronoi cell holding it)
    reps_xy = proj.to_xy(reps)
    face_grid = np.empty(len(faces), dtype=np.int64)
    for mask, seeds, offset in (
        (is_urban_face, urban_seeds, 0),
        (~is_urban_face, rural_seeds, urban_grids),
    ):
        if mask.any():
            d2 = ((reps_xy[mask][:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2)
            face_grid[mask] = np.argmin(d2, axis=1) + offset
    n_grids = urban_grids + rural_grids
    if np.any(np.bincount(face_grid, minlength=n_grids) == 0):
        raise RuntimeError("a grid seed received no face; try another seed")

    # move detached face groups to the neighbouring grid sharing the longest border
    face_area = shapely.area(faces) * proj.kx * proj.ky
    f1, f2, flen = _face_adjacency(faces, proj)
    face_adj = _adjacency_lists(len(faces), f1.tolist(), f2.tolist(), flen.tolist())
    urban_grid = np.arange(n_grids) < urban_grids
    _repair_contiguity(
        face_grid,
        np.ones(len(faces), dtype=bool),
        face_adj,
        face_area,
        lambda a, b: 0 if urban_grid[a] == urban_grid[b] else 1,
    )

    members: list[list[int]] = [[] for _ in range(n_grids)]
    for face, grid in enumerate(face_grid.tolist()):
        members[grid].append(face)
    grid_geoms = [_union_coverage(faces[m]) for m in members]
    grid_area = np.array([g.area for g in grid_geoms]) * proj.kx * proj.ky
    grid_xy = proj.to_xy(shapely.get_coordinates(shapely.centroid(grid_geoms)))
    cross = face_grid[f1] != face_grid[f2]
    grid_adj = _adjacency_lists(
        n_grids, face_grid[f1[cross]].tolist(), face_grid[f2[cross]].tolist(), flen[cross].tolist()
    )

    # streets -> urban communities (top-down bisection, then contiguity repair)
    street_of = np.full(n_grids, -1, dtype=np.int64)
    urban_idx = np.arange(urban_grids)
    mean = urban_grids / streets
    sizes = _random_sizes(
        rng_groups, urban_grids, streets, math.floor(0.7 * mean), math.ceil(1.3 * mean)
    )
    street_of[urban_idx] = _bisect(grid_xy[urban_idx], sizes)
    _repair_contiguity(street_of, urban_grid, grid_adj, grid_area, _any_group)

    community_of = np.full(n_grids, -1, dtype=np.int64)
    n_communities = 0
    for street in range(streets):
        idx = np.flatnonzero(street_of == street)
        k = min(max(1, round(len(idx) / _COMMUNITY_GRIDS_MEAN)), _MAX_COMMUNITIES_PER_STREET)
        sizes = _random_sizes(rng_groups, len(idx), k, _COMMUNITY_GRIDS_LO, _COMMUNITY_GRIDS_HI)
        community_of[idx] = _bisect(grid_xy[idx], sizes) + n_communities
        n_communities += k
    community_street = {int(c): int(s) for c, s in zip(community_of, street_of, strict=True)}
    _repair_contiguity(
        community_of,
        urban_grid,
        grid_adj,
        grid_area,
        lambda a, b: 0 if community_street[a] == community_street[b] else None,
    )

    # towns -> villages (one village per rural grid)
    town_of = np.full(n_grids, -1, dtype=np.int64)
    rural_idx = np.arange(urban_grids, n_grids)
    mean = rural_grids / towns
    sizes = _random_sizes(
        rng_groups, rural_grids, towns, math.floor(0.6 * mean), math.ceil(1.5 * mean)
    )
    town_of[rural_idx] = _bisect(grid_xy[rural_idx], sizes)
    _repair_contiguity(town_of, ~urban_grid, grid_adj, grid_area, _any_group)

    # ordering, codes and names
    def north_to_south(items: Iterable[int], xy: Callable[[int], np.ndarray]) -> list[int]:
        return sorted(items, key=lambda i: (-float(xy(i)[1]), float(xy(i)[0]), i))

    def group_xy(label: np.ndarray, group: int) -> np.ndarray:
        mask = label == group
        return np.average(grid_xy[mask], axis=0, weights=grid_area[mask])

    street_order = sorted(
        range(streets), key=lambda s: (float(np.hypot(*group_xy(street_of, s))), s)
    )
    town_order = sorted(
        range(towns),
        key=lambda t: (
            float(np.arctan2(*group_xy(town_of, t)) % (2.0 * np.pi)),  # clockwise from north
            t,
        ),
    )
    township_taken: set[str] = set()
    street_names = _names(
        rng_names, streets, _TOWNSHIP_FIRST, _TOWNSHIP_SECOND, "街道", township_taken
    )
    town_names = _names(rng_names, towns, _TOWNSHIP_FIRST, _TOWNSHIP_SECOND, "镇", township_taken)
    community_names = iter(
        _names(rng_names, n_communities, _COMMUNITY_FIRST, _COMMUNITY_SECOND, "社区", set())
    )
    village_names = iter(
        _names(rng_names, rural_grids, _VILLAGE_FIRST, _VILLAGE_SECOND, "村", set())
    )

    townships: list[DemoTownship] = []
    communities: list[DemoCommunity] = []
    grids: list[DemoGrid] = []

    for position, street in enumerate(street_order):
        t_code = f"{county}{_STREET_SEGMENT_FIRST + position:03d}000"
        t_communities: list[MultiPolygon] = []
        in_street = np.flatnonzero((street_of == street) & urban_grid)
        comm_ids = np.unique(community_of[in_street]).tolist()
        comm_ids = north_to_south(comm_ids, lambda c: group_xy(community_of, c))
        if len(comm_ids) > _MAX_COMMUNITIES_PER_STREET:
            raise ValueError("too many communities in a street")
        for c_pos, comm in enumerate(comm_ids):
            c_code = f"{t_code[:9]}{_COMMUNITY_SEGMENT_FIRST + c_pos:03d}"
            c_name = next(community_names)
            grid_ids = north_to_south(
                np.flatnonzero(community_of == comm).tolist(), lambda g: grid_xy[g]
            )
            if len(grid_ids) > _MAX_GRIDS_PER_COMMUNITY:
                raise ValueError("too many grids in a community")
            for g_pos, grid in enumerate(grid_ids, start=1):
                grids.append(
                    DemoGrid(
                        code=f"{c_code}{g_pos:03d}",
                        name=f"{c_name}第{g_pos}网格",
                        kind="urban",
                        community_code=c_code,
                        geometry=grid_geoms[grid],
                    )
                )
            c_geom = _union_coverage([grid_geoms[g] for g in grid_ids])
            t_communities.append(c_geom)
            communities.append(DemoCommunity(c_code, c_name, "community", t_code, c_geom))
        townships.append(
            DemoTownship(t_code, street_names[position], "street", _union_coverage(t_communities))
        )

    for position, town in enumerate(town_order):
        t_code = f"{county}{_TOWN_SEGMENT_FIRST + position:03d}000"
        village_ids = north_to_south(np.flatnonzero(town_of == town).tolist(), lambda g: grid_xy[g])
        if len(village_ids) > _MAX_VILLAGES_PER_TOWN:
            raise ValueError("too many villages in a town")
        for v_pos, grid in enumerate(village_ids):
            c_code = f"{t_code[:9]}{_VILLAGE_SEGMENT_FIRST + v_pos:03d}"
            v_name = next(village_names)
            geom = grid_geoms[grid]
            communities.append(DemoCommunity(c_code, v_name, "village", t_code, geom))
            grids.append(DemoGrid(f"{c_code}001", f"{v_name}网格", "rural", c_code, geom))
        townships.append(
            DemoTownship(
                t_code,
                town_names[position],
                "town",
                _union_coverage([grid_geoms[g] for g in village_ids]),
            )
        )

    district = _union_coverage([t.geometry for t in townships])
    return DemoPartition(
        district=district,
        townships=tuple(townships),
        communities=tuple(communities),
        grids=tuple(grids),
    )
