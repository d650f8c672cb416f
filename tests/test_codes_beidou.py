from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from core.codes.beidou import (
    CODE_LENGTHS,
    MAX_LEVEL,
    BeidouCell,
    bounds,
    decode,
    encode,
    encode_many,
    level_of,
    parent,
)
from core.codes.errors import InvalidCode

UNIT = Fraction(1, 3600 * 2048)  # 1/2048″ in degrees
U = 3600 * 2048

# The design note's worked value: 104.6189° E, 28.7701° N (near Yibin).
WORKED = {
    1: "N48H",
    2: "N48H51",
    3: "N48H512",
    4: "N48H51276",
    5: "N48H5127623",
    6: "N48H51276230",
    7: "N48H5127623001",
    8: "N48H512762300113",
    9: "N48H51276230011324",
    10: "N48H5127623001132411",
}

# Cell size per level (lon extent, lat extent) in degrees, from the design note's table.
SIZES = {
    1: (Fraction(6), Fraction(4)),
    2: (Fraction(1, 2), Fraction(1, 2)),
    3: (Fraction(1, 4), Fraction(1, 6)),
    4: (Fraction(1, 60), Fraction(1, 60)),
    5: (Fraction(4, 3600), Fraction(4, 3600)),
    6: (Fraction(2, 3600), Fraction(2, 3600)),
    7: (Fraction(1, 4 * 3600), Fraction(1, 4 * 3600)),
    8: (Fraction(1, 32 * 3600), Fraction(1, 32 * 3600)),
    9: (Fraction(1, 256 * 3600), Fraction(1, 256 * 3600)),
    10: (Fraction(1, 2048 * 3600), Fraction(1, 2048 * 3600)),
}

LEVELS = range(1, MAX_LEVEL + 1)


def random_points(seed: int, count: int, region: str) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    boxes = {
        "china": (73.0, 135.5, 3.5, 53.6),
        "NE": (0.0, 180.0, 0.0, 88.0),
        "NW": (-180.0, 0.0, 0.0, 88.0),
        "SE": (0.0, 180.0, -88.0, 0.0),
        "SW": (-180.0, 0.0, -88.0, 0.0),
    }
    west, east, south, north = boxes[region]
    points = []
    while len(points) < count:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if -180 <= lon < 180 and abs(lat) < 88:
            points.append((lon, lat))
    return points


REGIONS = ["china", "NE", "NW", "SE", "SW"]


def inner_corner(cell: BeidouCell) -> tuple[Fraction, Fraction]:
    """The corner nearest the equator and prime meridian: the cell's own corner."""
    east = cell.code[1:3] >= "31"
    north = cell.code[0] == "N"
    return (cell.west if east else cell.east, cell.south if north else cell.north)


# --- the design note's values ----------------------------------------------------------------


def test_constants() -> None:
    assert MAX_LEVEL == 10
    assert CODE_LENGTHS == {1: 4, 2: 6, 3: 7, 4: 9, 5: 11, 6: 12, 7: 14, 8: 16, 9: 18, 10: 20}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        (104.6189, 28.7701),
        (Decimal("104.6189"), Decimal("28.7701")),
        (Fraction("104.6189"), Fraction("28.7701")),
    ],
)
def test_worked_value(level: int, lon: object, lat: object) -> None:
    code = encode(lon, lat, level)  # type: ignore[arg-type]
    assert code == WORKED[level]
    assert len(code) == CODE_LENGTHS[level]
    assert level_of(code) == level
    cell = decode(code)
    assert cell.level == level
    assert cell.contains(lon, lat)  # type: ignore[arg-type]


def test_default_level_is_10() -> None:
    assert encode(104.6189, 28.7701) == WORKED[10]


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (116.3, 39.99, "N50J"),
        (104.6, 28.77, "N48H"),
        (116.3, 28.77, "N50H"),
        (104.6, 39.99, "N48J"),
    ],
)
def test_level_1_examples(lon: float, lat: float, expected: str) -> None:
    assert encode(lon, lat, 1) == expected


@pytest.mark.parametrize("level", LEVELS)
def test_cell_sizes(level: int) -> None:
    width, height = SIZES[level]
    for region in REGIONS:
        for lon, lat in random_points(level, 50, region):
            cell = decode(encode(lon, lat, level))
            assert cell.east - cell.west == width
            assert cell.north - cell.south == height
            assert cell.west < cell.east and cell.south < cell.north


def test_worked_cell_edges() -> None:
    cell = decode(WORKED[10])
    # 104.6189 = 102° + 2°37′8.04″: level-10 cell starts at a whole number of units.
    assert cell.west == math.floor(Fraction("104.6189") / UNIT) * UNIT
    assert cell.south == math.floor(Fraction("28.7701") / UNIT) * UNIT
    assert decode("N48H") == BeidouCell(
        "N48H", 1, Fraction(102), Fraction(28), Fraction(108), Fraction(32)
    )
    assert decode("N48H51").west == Fraction(1045, 10)
    assert decode("N48H51").south == Fraction(285, 10)


# --- prefix property and round trips --------------------------------------------------------


@pytest.mark.parametrize("region", REGIONS)
def test_prefix_property(region: str) -> None:
    for lon, lat in random_points(1000 + len(region), 2000, region):
        codes = [encode(lon, lat, level) for level in LEVELS]
        for level in range(1, MAX_LEVEL):
            assert codes[level].startswith(codes[level - 1])
            assert parent(codes[-1], level) == codes[level - 1]
        assert [len(code) for code in codes] == list(CODE_LENGTHS.values())


@pytest.mark.parametrize("region", REGIONS)
def test_round_trip(region: str) -> None:
    for lon, lat in random_points(2000 + len(region), 400, region):
        outer: BeidouCell | None = None
        for level in LEVELS:
            code = encode(lon, lat, level)
            cell = decode(code)
            assert cell.code == code and cell.level == level
            assert cell.contains(lon, lat)
            center_lon, center_lat = cell.center
            assert encode(center_lon, center_lat, level) == code
            assert cell.contains(center_lon, center_lat)
            # The corner nearest the equator/prime meridian belongs to the cell (the SW
            # corner in the north-eastern hemisphere), unless it lies on the equator or
            # the prime meridian, which belong to the northern/eastern hemisphere.
            corner_lon, corner_lat = inner_corner(cell)
            if corner_lon != 0 and corner_lat != 0:
                assert decode(encode(corner_lon, corner_lat, level)) == cell
            # Nesting: the cell lies inside its parent.
            if outer is not None:
                assert outer.west <= cell.west < cell.east <= outer.east
                assert outer.south <= cell.south < cell.north <= outer.north
            outer = cell


def test_south_west_corner_belongs_to_cell_in_north_east() -> None:
    for lon, lat in random_points(7, 300, "china"):
        for level in LEVELS:
            cell = decode(encode(lon, lat, level))
            assert decode(encode(cell.west, cell.south, level)) == cell
            assert cell.contains(cell.west, cell.south)
            assert not cell.contains(cell.east, cell.south)
            assert not cell.contains(cell.west, cell.north)


@pytest.mark.parametrize("region", ["NE", "china"])
def test_mirror_symmetry(region: str) -> None:
    """West/south codes are the mirror of the north-eastern ones (zone z <-> 61 - z)."""
    for lon, lat in random_points(3000 + len(region), 500, region):
        if lon == 0 or lat == 0:
            continue
        code = encode(lon, lat)
        zone = int(code[1:3])
        mirrored_zone = f"{61 - zone:02d}"
        assert encode(-lon, lat) == "N" + mirrored_zone + code[3:]
        assert encode(lon, -lat) == "S" + code[1:]
        assert encode(-lon, -lat) == "S" + mirrored_zone + code[3:]
        cell, west_cell = decode(code), decode("N" + mirrored_zone + code[3:])
        assert (west_cell.west, west_cell.east) == (-cell.east, -cell.west)
        south_cell = decode("S" + code[1:])
        assert (south_cell.south, south_cell.north) == (-cell.north, -cell.south)


# --- edges and corners ---------------------------------------------------------------------


def internal_edge_cells(level: int) -> list[BeidouCell]:
    """Cells whose east and north edges are edges of this level only (not coarser ones)."""
    # Column/row 0 of a parent cell: its east/north edges are internal to the parent
    # (for level 1: a zone/band edge in the middle of the hemisphere).
    base = encode(Fraction(104), Fraction(28), level)  # SW corner of sheet N48H
    if level == 1:
        return [decode(base)]
    return [decode(base), decode(encode(Fraction("104.6189"), Fraction("28.7701"), level))]


@pytest.mark.parametrize("level", LEVELS)
def test_edge_goes_east_and_north(level: int) -> None:
    width, height = SIZES[level]
    for cell in internal_edge_cells(level):
        mid_lat = (cell.south + cell.north) / 2
        mid_lon = (cell.west + cell.east) / 2
        east_neighbour = decode(encode(cell.east, mid_lat, level))
        assert east_neighbour.west == cell.east
        assert east_neighbour.south == cell.south
        north_neighbour = decode(encode(mid_lon, cell.north, level))
        assert north_neighbour.south == cell.north
        assert north_neighbour.west == cell.west
        corner = decode(encode(cell.east, cell.north, level))
        assert (corner.west, corner.south) == (cell.east, cell.north)
        # Just inside the edge stays in the cell (one unit of 1/2048″ is finer than any
        # level, so use a hundredth of one).
        just_in = (cell.east - UNIT / 100, cell.north - UNIT / 100)
        assert encode(*just_in, level) == cell.code
        assert cell.contains(*just_in)
        assert not cell.contains(cell.east, mid_lat)
        assert not cell.contains(mid_lon, cell.north)
        assert east_neighbour.contains(cell.east, mid_lat)
        assert cell.east - cell.west == width and cell.north - cell.south == height


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("lon_sign", "lat_sign"), [(-1, 1), (1, -1), (-1, -1)])
def test_edge_goes_away_from_equator_and_meridian(level: int, lon_sign: int, lat_sign: int) -> None:
    """Mirror of the edge rule: an edge point belongs to the cell farther out."""
    for ne_cell in internal_edge_cells(level):
        outer_lon = lon_sign * ne_cell.east  # the edge farther from the prime meridian
        outer_lat = lat_sign * ne_cell.north  # the edge farther from the equator
        mid_lon = lon_sign * (ne_cell.west + ne_cell.east) / 2
        mid_lat = lat_sign * (ne_cell.south + ne_cell.north) / 2
        cell = decode(encode(mid_lon, mid_lat, level))
        assert cell.contains(mid_lon, mid_lat)
        beyond_lon = decode(encode(outer_lon, mid_lat, level))
        beyond_lat = decode(encode(mid_lon, outer_lat, level))
        if lon_sign < 0:
            assert beyond_lon.east == outer_lon == cell.west
            assert not cell.contains(outer_lon, mid_lat)
            assert cell.contains(cell.east, mid_lat)  # the inner edge belongs to the cell
        else:
            assert beyond_lon.west == outer_lon == cell.east
        if lat_sign < 0:
            assert beyond_lat.north == outer_lat == cell.south
            assert not cell.contains(mid_lon, outer_lat)
            assert cell.contains(mid_lon, cell.north)
        else:
            assert beyond_lat.south == outer_lat == cell.north
        assert beyond_lon.contains(outer_lon, mid_lat)
        assert beyond_lat.contains(mid_lon, outer_lat)


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (0, 0, "N31A0000000000000000"),
        (-0.0, -0.0, "N31A0000000000000000"),  # -0.0 is 0: eastern, northern
        (Decimal("-0"), 0, "N31A0000000000000000"),
        (-1e-300, 1e-300, "N30A0000000000000000"),  # column/row 0 from the meridian
        (1e-300, -1e-300, "S31A0000000000000000"),
        (6, 4, "N32B0000000000000000"),
        (-6, 4, "N29B0000000000000000"),  # mirror: on the edge -> farther from meridian
        (6, -4, "S32B0000000000000000"),
        # -180: zone 01, every index at its maximum (the westernmost cells).
        (-180, 0, "N01AB01E0E0170707070"),
        (Fraction(-180), Fraction(-1, 10**9), "S01AB01E0E0170707070"),
    ],
)
def test_special_points(lon: object, lat: object, expected: str) -> None:
    assert encode(lon, lat) == expected  # type: ignore[arg-type]
    assert decode(expected).contains(lon, lat)  # type: ignore[arg-type]


def test_antimeridian() -> None:
    """-180 is accepted and lies in the westernmost cells of zone 01 (closed west edge)."""
    for level in LEVELS:
        code = encode(-180, 10, level)
        assert code[1:3] == "01"
        cell = decode(code)
        assert cell.west == -180
        assert cell.contains(-180, 10)
        assert cell.contains(cell.east, 10)
        assert encode(cell.center[0], 10, level) == code
    # Zone 60 ends just before +180.
    assert encode(Fraction(180) - UNIT / 10, 10, 1) == "N60C"
    assert not decode("N60C").contains(180, 10)


def test_zone_boundaries_west() -> None:
    # Design note's formula floor((lon + 180) / 6) + 1, except exactly on a western zone
    # edge where the mirror rule puts the point in the zone farther from the meridian.
    assert encode(-5.999, 1, 1) == "N30A"
    assert encode(-6, 1, 1) == "N29A"
    assert encode(-6.001, 1, 1) == "N29A"
    assert encode(-174, 1, 1) == "N01A"
    assert encode(-173.999, 1, 1) == "N02A"
    rng = random.Random(11)
    for _ in range(2000):
        lon = rng.uniform(-180, 180)
        assert int(encode(lon, 1, 1)[1:3]) == math.floor((lon + 180) / 6) + 1


def test_latitude_band_limits() -> None:
    assert encode(0, Fraction(88) - UNIT / 10, 1) == "N31V"
    assert encode(0, Fraction(-88) + UNIT / 10, 1) == "S31V"
    assert encode(0, 4, 1) == "N31B"
    assert encode(0, -4, 1) == "S31B"
    assert encode(0, Decimal("-3.9999999"), 1) == "S31A"


def test_contains_rejects_and_excludes() -> None:
    cell = decode(WORKED[1])
    assert not cell.contains(float("nan"), 30)
    assert not cell.contains(105, float("inf"))
    assert not cell.contains(Decimal("NaN"), 30)
    assert not cell.contains(110, 30)
    assert not decode("N60V").contains(179, 88)
    assert not decode("S60V").contains(179, -88)
    assert decode("S60V").contains(179, Fraction(-88) + UNIT)
    with pytest.raises(InvalidCode, match="must be a number"):
        cell.contains("105", 30)  # type: ignore[arg-type]


def test_contains_matches_encode_around_edges() -> None:
    """contains() (interval arithmetic) agrees with encode() on a lattice over neighbours."""
    rng = random.Random(5)
    for region in REGIONS:
        for lon, lat in random_points(len(region), 20, region):
            level = rng.randint(1, MAX_LEVEL)
            cell = decode(encode(lon, lat, level))
            width, height = SIZES[level]
            lons = [cell.west + width * k / 2 for k in range(-2, 5)]
            lats = [cell.south + height * k / 2 for k in range(-2, 5)]
            for x in lons:
                for y in lats:
                    if not (-180 <= x < 180 and -88 < y < 88):
                        assert not cell.contains(x, y)
                        continue
                    assert cell.contains(x, y) == (encode(x, y, level) == cell.code), (x, y)


# --- rejected input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lon", "lat", "level", "message"),
    [
        (104, 28, 0, "level 0 is outside 1–10"),
        (104, 28, 11, "level 11 is outside 1–10"),
        (104, 28, 2.0, "level must be an integer"),
        (104, 28, True, "level must be an integer"),
        (104, 28, "10", "level must be an integer"),
        (180, 28, 10, r"longitude 180 is outside \[-180, 180\)"),
        (180.0, 28, 10, r"longitude 180.0 is outside"),
        (-180.0001, 28, 10, "longitude -180.0001 is outside"),
        (Decimal("200"), 28, 10, "longitude 200 is outside"),
        (104, 88, 10, "polar cap"),
        (104, -88, 10, "polar cap"),
        (104, 90.0, 10, "polar cap"),
        (104, Fraction(-89), 10, "polar cap"),
        (float("nan"), 28, 10, "longitude nan is not a finite number"),
        (104, float("inf"), 10, "latitude inf is not a finite number"),
        (104, Decimal("NaN"), 10, "not a finite number"),
        (Decimal("-Infinity"), 28, 10, "not a finite number"),
        ("104", 28, 10, "longitude must be a number, got str"),
        (104, None, 10, "latitude must be a number, got NoneType"),
        (True, 28, 10, "longitude must be a number, got bool"),
        (104, 28 + 0j, 10, "latitude must be a number, got complex"),
    ],
)
def test_encode_rejects(lon: object, lat: object, level: object, message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        encode(lon, lat, level)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (None, "must be a string, got NoneType"),
        (48, "must be a string, got int"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("N48HÉ1", "non-ASCII"),
        ("N48", "length 3 is not a code length"),
        ("N48H5", "length 5 is not a code length"),
        ("N48H5127", "length 8 is not a code length"),
        ("N48H51276230011324110", "length 21 is not a code length"),
        ("N48H 51", "level-2 longitude digit ' '"),  # 7 characters: a level-3 code
        ("E48H51", "hemisphere 'E' .* must be N or S"),
        ("548H", "hemisphere '5'"),
        ("N00H", "zone '00' is outside 01–60"),
        ("N61H", "zone '61' is outside 01–60"),
        ("S99A", "zone '99' is outside 01–60"),
        ("N4XH", "zone '4X' .* must be two digits"),
        ("N-1H", "zone '-1'"),
        ("N48X51", "latitude band 'X' .* is outside A–V"),
        ("N48W", "latitude band 'W'"),
        ("N481", "latitude band '1'"),
        ("N48HC1", "level-2 longitude digit 'C' .* is outside 0–B"),
        ("N48HG1", "level-2 longitude digit 'G'"),
        ("N48H58", "level-2 latitude digit '8' .* is outside 0–7"),
        ("N48H5A", "level-2 latitude digit 'A'"),
        ("N48H516", "level-3 Z-order digit '6' .* is outside 0–5"),
        ("N48H51F76", "level-3 Z-order digit 'F'"),
        ("N48H512F6", "level-4 longitude digit 'F' .* is outside 0–E"),
        ("N48H5127A", "level-4 latitude digit 'A' .* is outside 0–9"),
        ("N48H51276F3", "level-5 longitude digit 'F' .* is outside 0–E"),
        ("N48H512762F", "level-5 latitude digit 'F' .* is outside 0–E"),
        ("N48H51276234", "level-6 Z-order digit '4' .* is outside 0–3"),
        ("N48H5127623081", "level-7 longitude digit '8' .* is outside 0–7"),
        ("N48H5127623018", "level-7 latitude digit '8'"),
        ("N48H512762300138", "level-8 latitude digit '8'"),
        ("N48H512762300193", "level-8 longitude digit '9'"),
        ("N48H51276230011348", "level-9 latitude digit '8'"),
        ("N48H5127623001138A", "level-9 longitude digit '8'"),
        ("N48H5127623001134A", "level-9 latitude digit 'A'"),
        ("N48H5127623001132481", "level-10 longitude digit '8'"),
        ("N48H512762300113241F", "level-10 latitude digit 'F'"),
    ],
)
def test_decode_rejects(code: object, message: str) -> None:
    with pytest.raises(InvalidCode, match=message) as info:
        decode(code)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    with pytest.raises(InvalidCode):
        level_of(code)  # type: ignore[arg-type]
    with pytest.raises(InvalidCode):
        parent(code, 1)  # type: ignore[arg-type]


def test_decode_normalises_case_and_whitespace() -> None:
    cell = decode("  n48h5127623001132411\n")
    assert cell.code == WORKED[10]
    assert cell == decode(WORKED[10])
    assert level_of(" s01a ") == 1
    assert parent("n48h51", 1) == "N48H"


def test_decode_southern_western_cells() -> None:
    assert decode("S30A") == BeidouCell("S30A", 1, Fraction(-6), Fraction(-4), Fraction(0), 0)
    assert decode("N01V").west == -180 and decode("N01V").north == 88
    assert decode("S60V") == BeidouCell("S60V", 1, Fraction(174), Fraction(-88), 180, -84)
    cell = decode("S29B10")  # zone 29: 6°-12° W; column 1, row 0 counted outwards
    assert (cell.west, cell.east) == (Fraction(-7), Fraction(-13, 2))
    assert (cell.south, cell.north) == (Fraction(-9, 2), Fraction(-4))


def test_level_of_and_parent() -> None:
    for level, code in WORKED.items():
        assert level_of(code) == level
        assert parent(WORKED[10], level) == code
        assert parent(code, level) == code
    with pytest.raises(InvalidCode, match="level 2; it has no parent at finer level 3"):
        parent("N48H51", 3)
    with pytest.raises(InvalidCode, match="level 0 is outside"):
        parent(WORKED[10], 0)
    with pytest.raises(InvalidCode, match="level 11 is outside"):
        parent(WORKED[10], 11)


# --- encode_many ---------------------------------------------------------------------------


def assert_many_matches(lons: np.ndarray, lats: np.ndarray, level: int = 10) -> None:
    expected = [encode(lon, lat, level) for lon, lat in zip(lons, lats, strict=True)]
    assert encode_many(lons, lats, level) == expected


def test_encode_many_random() -> None:
    rng = random.Random(20240601)
    lons = np.array([rng.uniform(-180, 180) for _ in range(20_000)])
    lats = np.array([rng.uniform(-88, 88) for _ in range(20_000)])
    lats[np.abs(lats) >= 88] = 0.0
    for level in (10, 1, 3, 6, 7):
        assert_many_matches(lons, lats, level)
    china = random_points(99, 5000, "china")
    assert_many_matches(np.array([p[0] for p in china]), np.array([p[1] for p in china]))


def test_encode_many_worked_value_all_levels() -> None:
    for level, code in WORKED.items():
        assert encode_many(np.array([104.6189]), np.array([28.7701]), level) == [code]


def test_encode_many_edges_and_ulps() -> None:
    """Points on cell edges and floats whose product with the unit is within ulps of one."""
    rng = random.Random(3)
    lons: list[float] = []
    lats: list[float] = []
    below = above = 0
    for _ in range(3000):
        # Multiples of 2**-15 degree are exact floats on level-10 (often coarser) edges.
        for scale in (2**15, 2**4, 2, 1):
            k = rng.randrange(-180 * scale, 180 * scale)
            j = rng.randrange(-88 * scale + 1, 88 * scale)
            lons.append(k / scale)
            lats.append(j / scale)
        # The float nearest k units, and its neighbours: products within ulps of an integer.
        k = rng.randrange(-180 * U + 1, 180 * U)
        j = rng.randrange(-88 * U + 1, 88 * U)
        lon, lat = k / U, j / U
        for steps in range(-2, 3):
            x = lon
            y = lat
            for _ in range(abs(steps)):
                x = math.nextafter(x, math.inf if steps > 0 else -math.inf)
                y = math.nextafter(y, math.inf if steps > 0 else -math.inf)
            if -180 <= x < 180 and abs(y) < 88:
                lons.append(x)
                lats.append(y)
                product = abs(Fraction(x)) * U
                below += product < abs(k) and math.floor(product) == abs(k) - 1
                above += product >= abs(k)
    assert below > 100 and above > 100  # both sides of the integer are exercised
    special = [
        (0.0, 0.0),
        (-0.0, -0.0),
        (-180.0, 87.99999999999999),
        (179.99999999999997, -87.99999999999999),
        (-5e-324, 5e-324),
        (5e-324, -5e-324),
        (-6.0, -4.0),
        (6.0, 4.0),
        (104.6189, 28.7701),
    ]
    lons += [p[0] for p in special]
    lats += [p[1] for p in special]
    for level in (10, 9, 5, 2):
        assert_many_matches(np.array(lons), np.array(lats), level)


def test_encode_many_dtypes() -> None:
    ints = np.array([-180, -6, 0, 6, 104, 179], dtype=np.int64)
    int_lats = np.array([-87, -4, 0, 4, 28, 87], dtype=np.int32)
    assert_many_matches(ints, int_lats)
    unsigned = np.array([0, 6, 104, 179], dtype=np.uint8)
    unsigned_lats = np.array([0, 4, 28, 87], dtype=np.uint16)
    assert_many_matches(unsigned, unsigned_lats)
    f32 = np.array([104.6189, -77.03, 0.1], dtype=np.float32)
    f32_lats = np.array([28.7701, -12.05, -0.1], dtype=np.float32)
    assert encode_many(f32, f32_lats) == [
        encode(float(x), float(y)) for x, y in zip(f32, f32_lats, strict=True)
    ]
    decimals = np.array([Decimal("104.6189"), Decimal("-6")], dtype=object)
    assert encode_many(decimals, [Decimal("28.7701"), Fraction(4)]) == [WORKED[10], encode(-6, 4)]
    assert encode_many([104.6189], [28.7701], 4) == [WORKED[4]]
    long = np.array([104.6189], dtype=np.longdouble)
    assert encode_many(long, np.array([28.7701], dtype=np.longdouble), 10) == [
        encode(long[0], np.longdouble(28.7701))
    ]
    assert encode_many(np.array([]), np.array([])) == []


@pytest.mark.parametrize(
    ("lons", "lats", "message"),
    [
        ([1.0, 2.0, 180.0, 300.0], [1.0, 2.0, 3.0, 4.0], r"point 2 .*longitude 180.0 is outside"),
        ([1.0, 2.0, 3.0], [1.0, np.nan, 91.0], "point 1 .*latitude nan is not a finite number"),
        ([1.0, np.inf], [1.0, 2.0], "point 1 .*longitude inf is not a finite number"),
        ([1.0, 2.0], [1.0, -88.0], "point 1 .*polar cap"),
        ([1, 200], [1, 2], "point 1 .*longitude 200 is outside"),
        (np.array([2**64 - 1], dtype=np.uint64), [1], "point 0 .*longitude .* is outside"),
        ([Decimal(1), Decimal("NaN")], [1, 2], "point 1 .*not a finite number"),
        (["1"], [1.0], "point 0 .*longitude must be a number"),
        ([True], [1.0], "point 0 .*longitude must be a number, got bool"),
        ([1.0, 2.0], [1.0], r"differ in length \(2 != 1\)"),
        ([[1.0]], [[1.0]], "one-dimensional"),
        (1.0, 1.0, "one-dimensional"),
    ],
)
def test_encode_many_rejects(lons: object, lats: object, message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        encode_many(lons, lats)  # type: ignore[arg-type]


@pytest.mark.parametrize("level", [0, 11, 2.5, None])
def test_encode_many_rejects_level(level: object) -> None:
    with pytest.raises(InvalidCode, match="level"):
        encode_many(np.array([1.0]), np.array([1.0]), level)  # type: ignore[arg-type]


def test_bounds_are_the_nearest_floats_to_the_exact_edges() -> None:
    rng = random.Random(20)
    for _ in range(2000):
        lon, lat = rng.uniform(-180, 179.999), rng.uniform(-87.99, 87.99)
        level = rng.randint(1, MAX_LEVEL)
        code = encode(lon, lat, level)
        cell = decode(code)
        assert bounds(code) == (
            float(cell.west),
            float(cell.south),
            float(cell.east),
            float(cell.north),
        )
