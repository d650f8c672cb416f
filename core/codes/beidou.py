"""BeiDou grid location codes (北斗网格位置码), GB/T 39409-2020, the 2-D code, levels 1-10.

A level-10 code has 20 characters::

    N 48 H 51 2 76 23 0 01 13 24 11
    | |  | |  | |  |  | |  |  |  `- level 10: 1/2048″ x 1/2048″, lon digit 0-7, lat digit 0-7
    | |  | |  | |  |  | |  |  `---- level 9: 1/256″, 0-7 0-7
    | |  | |  | |  |  | |  `------- level 8: 1/32″, 0-7 0-7
    | |  | |  | |  |  | `---------- level 7: 1/4″, 0-7 0-7
    | |  | |  | |  |  `------------ level 6: 2″ x 2″, Z-order digit row*2+col, 0-3
    | |  | |  | |  `--------------- level 5: 4″ x 4″, lon 0-E, lat 0-E
    | |  | |  | `------------------ level 4: 1′ x 1′, lon 0-E, lat 0-9
    | |  | |  `-------------------- level 3: 15′ x 10′, Z-order digit row*2+col, 0-5
    | |  | `----------------------- level 2: 30′ x 30′, lon 0-B, lat 0-7
    | |  `------------------------- level 1: latitude band A-V (4° each, from the equator)
    | `---------------------------- level 1: longitude zone 01-60 (6° each, 1:1,000,000 sheet)
    `------------------------------ hemisphere N (lat >= 0) or S

Arithmetic is exact: a coordinate is turned into an integer number of *units* of
1/2048″ (1/7372800 degree) with ``floor(|value| * 7372800)`` computed on the exact value
(a float is taken at its exact binary value, ``Fraction(float)``), and every index below is
integer division of that.  Every cell edge of every level is a whole number of units, so
this is exactly ``floor`` of the exact quotient at each level.

Hemispheres: in the north-eastern hemisphere every index counts from the south-west corner
of the parent cell, eastwards and northwards, and a point exactly on an edge belongs to the
cell east/north of it.  The other hemispheres are the mirror image: indices count from the
corner nearest the equator and the prime meridian, outwards, on ``|lon|`` and ``|lat|``, so
a point on an edge belongs to the cell farther from the equator / prime meridian.  This
includes level 1: the band is ``floor(|lat| / 4°)`` and the western zones are
``30 - floor(|lon| / 6°)``.  Three boundaries need a tie-break that mirroring cannot give:

* the equator (``lat == 0``) is northern and the prime meridian (``lon == 0``) eastern, as
  the hemisphere rule ``N`` for ``lat >= 0`` says (``-0.0`` counts as 0);
* the antimeridian: longitudes are accepted in ``[-180, 180)``; ``-180`` itself is put in
  the westernmost cells of zone ``01`` (as the zone formula ``floor((lon + 180) / 6) + 1``
  says), so those cells are closed on their west edge.

For longitudes that are not an exact multiple of 6° west, the zone equals the standard's
formula ``floor((lon + 180) / 6) + 1``.  At ``lon = -6k`` (k = 1..29) that formula and the
mirror rule disagree (the formula would give a sheet in which the point sits on the far
edge, column 12 of 0-B); the mirror rule is used, so ``-6°`` is in zone ``29``.

Polar caps (``|lat| >= 88°``) are merged cells in the standard and are rejected here.

:func:`decode` normalises its input with ``.strip().upper()`` (so ``"n48h51"`` is accepted)
and reports the normalised code in :attr:`BeidouCell.code`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from core.codes.errors import InvalidCode

__all__ = [
    "CODE_LENGTHS",
    "MAX_LEVEL",
    "BeidouCell",
    "InvalidCode",
    "bounds",
    "decode",
    "encode",
    "encode_many",
    "level_of",
    "parent",
]

MAX_LEVEL = 10

#: Accepted coordinate types (numpy scalars too); floats are taken at their exact value.
Coordinate = float | Fraction | Decimal | int

#: Level -> length of the code at that level.
CODE_LENGTHS: dict[int, int] = {1: 4, 2: 6, 3: 7, 4: 9, 5: 11, 6: 12, 7: 14, 8: 16, 9: 18, 10: 20}
_LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTHS.items()}

#: Units per degree: 1 unit = 1/2048 arc-second.
UNITS_PER_DEGREE = 3600 * 2048  # 7_372_800 = 2**15 * 225

_ZONE = 6 * UNITS_PER_DEGREE  # level-1 cell, longitude
_BAND = 4 * UNITS_PER_DEGREE  # level-1 cell, latitude
_LON_LIMIT = 180 * UNITS_PER_DEGREE
_LAT_LIMIT = 88 * UNITS_PER_DEGREE
_BANDS = "ABCDEFGHIJKLMNOPQRSTUV"  # 22 bands x 4° = 88°
_HEX = "0123456789ABCDEF"


@dataclass(frozen=True, slots=True)
class _Split:
    """How level ``n`` divides its parent (level ``n - 1``)."""

    lon_size: int  # cell width in units
    lat_size: int  # cell height in units
    columns: int
    rows: int
    z_order: bool  # one digit row*2+col instead of a lon digit and a lat digit


_SPLITS: dict[int, _Split] = {
    2: _Split(1800 * 2048, 1800 * 2048, 12, 8, False),  # 30′ x 30′
    3: _Split(900 * 2048, 600 * 2048, 2, 3, True),  # 15′ x 10′
    4: _Split(60 * 2048, 60 * 2048, 15, 10, False),  # 1′ x 1′
    5: _Split(4 * 2048, 4 * 2048, 15, 15, False),  # 4″ x 4″
    6: _Split(2 * 2048, 2 * 2048, 2, 2, True),  # 2″ x 2″
    7: _Split(512, 512, 8, 8, False),  # 1/4″
    8: _Split(64, 64, 8, 8, False),  # 1/32″
    9: _Split(8, 8, 8, 8, False),  # 1/256″
    10: _Split(1, 1, 8, 8, False),  # 1/2048″
}

#: Level -> (cell width, cell height) in units.
_CELL_UNITS: dict[int, tuple[int, int]] = {1: (_ZONE, _BAND)}
_CELL_UNITS.update({level: (s.lon_size, s.lat_size) for level, s in _SPLITS.items()})


def _check_splits() -> None:
    # Each level must tile its parent exactly; a wrong table would silently mis-code.
    width, height = _ZONE, _BAND
    for level in range(2, MAX_LEVEL + 1):
        split = _SPLITS[level]
        assert split.lon_size * split.columns == width, level
        assert split.lat_size * split.rows == height, level
        width, height = split.lon_size, split.lat_size
    assert width == height == 1


_check_splits()


@dataclass(frozen=True, slots=True)
class BeidouCell:
    """A decoded cell: its normalised code, level and exact edges in degrees.

    ``west < east`` and ``south < north`` in every hemisphere.  Which edges belong to the cell
    follows the edge rule (see the module docstring): a north-eastern cell is
    ``[west, east) x [south, north)``; a western cell is ``(west, east]`` in longitude and a
    southern cell ``(south, north]`` in latitude, except that the prime meridian is eastern,
    the equator northern, and ``-180`` belongs to the westernmost cells of zone 01.
    """

    code: str
    level: int
    west: Fraction
    south: Fraction
    east: Fraction
    north: Fraction

    def contains(self, lon: Coordinate, lat: Coordinate) -> bool:
        """Whether the point is in this cell (exact; ``encode(lon, lat, level) == code``).

        Non-numbers raise :class:`InvalidCode`; NaN, infinities and points outside the coded
        area (polar caps, ``lon >= 180``) are in no cell and give ``False``.
        """
        x = _to_fraction(lon, "longitude")
        y = _to_fraction(lat, "latitude")
        if x is None or y is None:
            return False
        if self.code[1:3] >= "31":  # eastern zone: [west, east)
            lon_ok = self.west <= x < self.east
        else:  # western zone: (west, east], but 0 is eastern and -180 is in zone 01
            lon_ok = (self.west < x or x == self.west == -180) and x <= self.east and x < 0
        if self.code[0] == "N":  # [south, north)
            lat_ok = self.south <= y < self.north
        else:  # (south, north], but 0 is northern
            lat_ok = self.south < y <= self.north and y < 0
        return lon_ok and lat_ok

    @property
    def center(self) -> tuple[Fraction, Fraction]:
        """The exact centre ``(lon, lat)``."""
        return (self.west + self.east) / 2, (self.south + self.north) / 2


# --- input checks -----------------------------------------------------------------------------


def _check_level(level: object) -> int:
    if isinstance(level, bool) or not isinstance(level, numbers.Integral):
        raise InvalidCode(
            f"BeiDou level must be an integer 1–{MAX_LEVEL}, got {type(level).__name__}",
            value=level,
        )
    level = int(level)
    if not 1 <= level <= MAX_LEVEL:
        raise InvalidCode(f"BeiDou level {level} is outside 1–{MAX_LEVEL}", value=level)
    return level


def _to_fraction(value: object, what: str) -> Fraction | None:
    """The exact value of a number; ``None`` for NaN/inf; InvalidCode for a non-number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        raise InvalidCode(f"{what} must be a number, got {type(value).__name__}", value=value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Rational):  # int, numpy integers
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, Decimal):
        return Fraction(value) if value.is_finite() else None
    if not math.isfinite(value):
        return None
    as_ratio = getattr(value, "as_integer_ratio", None)  # float, numpy floats: exact
    if as_ratio is not None:
        return Fraction(*as_ratio())
    return Fraction(float(value))  # pragma: no cover - exotic Real without as_integer_ratio


def _point_units(lon: object, lat: object) -> tuple[bool, bool, int, int]:
    """``(east, north, x, y)``: hemisphere flags and ``floor(|coord|)`` in units, validated."""
    x = _to_fraction(lon, "longitude")
    if x is None:
        raise InvalidCode(f"longitude {lon!r} is not a finite number", value=lon)
    y = _to_fraction(lat, "latitude")
    if y is None:
        raise InvalidCode(f"latitude {lat!r} is not a finite number", value=lat)
    if not -180 <= x < 180:
        raise InvalidCode(f"longitude {lon} is outside [-180, 180)", value=lon)
    if not -88 < y < 88:
        raise InvalidCode(
            f"latitude {lat} is in a polar cap (|lat| ≥ 88°): merged polar cells are not "
            "supported by this BeiDou implementation",
            value=lat,
        )
    east = x >= 0
    north = y >= 0
    ux = math.floor(abs(x) * UNITS_PER_DEGREE)
    if ux >= _LON_LIMIT:  # lon == -180: westernmost cells of zone 01
        ux = _LON_LIMIT - 1
    uy = math.floor(abs(y) * UNITS_PER_DEGREE)
    return east, north, ux, uy


def _code_from_units(east: bool, north: bool, x: int, y: int, level: int) -> str:
    zone = 31 + x // _ZONE if east else 30 - x // _ZONE
    parts = ["N" if north else "S", f"{zone:02d}", _BANDS[y // _BAND]]
    x %= _ZONE
    y %= _BAND
    for n in range(2, level + 1):
        split = _SPLITS[n]
        column, x = divmod(x, split.lon_size)
        row, y = divmod(y, split.lat_size)
        if split.z_order:
            parts.append(_HEX[row * 2 + column])
        else:
            parts.append(_HEX[column] + _HEX[row])
    return "".join(parts)


# --- public API -------------------------------------------------------------------------------


def encode(lon: Coordinate, lat: Coordinate, level: int = MAX_LEVEL) -> str:
    """The level-``level`` BeiDou code of the point ``(lon, lat)`` in degrees.

    Exact: floats are taken at their binary value.  Raises :class:`InvalidCode` for a level
    outside 1–10, a non-number, NaN/inf, ``lon`` outside ``[-180, 180)`` or ``|lat| >= 88``.
    """
    level = _check_level(level)
    east, north, x, y = _point_units(lon, lat)
    return _code_from_units(east, north, x, y, level)


def _bad_char(text: str, position: int, what: str, allowed: str) -> InvalidCode:
    return InvalidCode(
        f"BeiDou code {text!r}: {what} {text[position]!r} (position {position + 1}) "
        f"is outside {allowed}",
        value=text,
    )


def _digit(text: str, position: int, limit: int, what: str) -> int:
    value = _HEX.find(text[position])
    if not 0 <= value < limit:
        raise _bad_char(text, position, what, f"0–{_HEX[limit - 1]}")
    return value


def _parse(code: object) -> tuple[str, int, bool, bool, int, int]:
    """Validate a code: ``(text, level, east, north, x0, y0)``.

    ``x0``/``y0`` are the cell's offsets in units from the prime meridian / equator (on
    ``|lon|``/``|lat|``) to its inner corner.
    """
    if not isinstance(code, str):
        raise InvalidCode(f"BeiDou code must be a string, got {type(code).__name__}", value=code)
    text = code.strip()
    if not text:
        raise InvalidCode("BeiDou code is empty", value=code)
    if not text.isascii():
        raise InvalidCode(f"BeiDou code {text!r} contains non-ASCII characters", value=code)
    text = text.upper()
    level = _LEVEL_BY_LENGTH.get(len(text))
    if level is None:
        lengths = ", ".join(str(n) for n in CODE_LENGTHS.values())
        raise InvalidCode(
            f"BeiDou code {text!r}: length {len(text)} is not a code length "
            f"({lengths} characters for levels 1–{MAX_LEVEL})",
            value=code,
        )
    if text[0] not in "NS":
        raise InvalidCode(
            f"BeiDou code {text!r}: hemisphere {text[0]!r} (position 1) must be N or S",
            value=code,
        )
    north = text[0] == "N"
    zone_text = text[1:3]
    if not all(ch in "0123456789" for ch in zone_text):
        raise InvalidCode(
            f"BeiDou code {text!r}: longitude zone {zone_text!r} (positions 2–3) must be two "
            "digits 01–60",
            value=code,
        )
    zone = int(zone_text)
    if not 1 <= zone <= 60:
        raise InvalidCode(
            f"BeiDou code {text!r}: longitude zone {zone_text!r} is outside 01–60", value=code
        )
    band = _BANDS.find(text[3])
    if band < 0:
        raise _bad_char(text, 3, "latitude band", "A–V")
    east = zone >= 31
    x0 = (zone - 31 if east else 30 - zone) * _ZONE
    y0 = band * _BAND
    position = 4
    for n in range(2, level + 1):
        split = _SPLITS[n]
        if split.z_order:
            digit = _digit(text, position, split.rows * split.columns, f"level-{n} Z-order digit")
            row, column = divmod(digit, 2)
            position += 1
        else:
            column = _digit(text, position, split.columns, f"level-{n} longitude digit")
            row = _digit(text, position + 1, split.rows, f"level-{n} latitude digit")
            position += 2
        x0 += column * split.lon_size
        y0 += row * split.lat_size
    return text, level, east, north, x0, y0


def decode(code: str) -> BeidouCell:
    """The cell of a code (any level 1–10), with exact edges in degrees.

    The input is normalised with ``.strip().upper()``.  Raises :class:`InvalidCode` for a
    malformed code: wrong length, bad hemisphere, zone outside 01–60, band outside A–V, or a
    character out of range for its position.
    """
    text, level, east, north, x0, y0 = _parse(code)
    width, height = _CELL_UNITS[level]
    inner_x = Fraction(x0, UNITS_PER_DEGREE)
    outer_x = Fraction(x0 + width, UNITS_PER_DEGREE)
    inner_y = Fraction(y0, UNITS_PER_DEGREE)
    outer_y = Fraction(y0 + height, UNITS_PER_DEGREE)
    west, east_edge = (inner_x, outer_x) if east else (-outer_x, -inner_x)
    south, north_edge = (inner_y, outer_y) if north else (-outer_y, -inner_y)
    return BeidouCell(text, level, west, south, east_edge, north_edge)


def bounds(code: str) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of a code's cell as floats (the nearest doubles to
    :func:`decode`'s exact edges, without its fractions: for drawing many cells)."""
    _, level, east, north, x0, y0 = _parse(code)
    width, height = _CELL_UNITS[level]
    inner_x, outer_x = x0 / UNITS_PER_DEGREE, (x0 + width) / UNITS_PER_DEGREE
    inner_y, outer_y = y0 / UNITS_PER_DEGREE, (y0 + height) / UNITS_PER_DEGREE
    west, east_edge = (inner_x, outer_x) if east else (-outer_x, -inner_x)
    south, north_edge = (inner_y, outer_y) if north else (-outer_y, -inner_y)
    return west, south, east_edge, north_edge


def level_of(code: str) -> int:
    """The level of a (validated) code."""
    return _parse(code)[1]


def parent(code: str, level: int) -> str:
    """The code of the enclosing cell at ``level`` (1 up to the code's own level).

    It is a prefix of the (normalised) code; ``level`` equal to the code's level returns the
    normalised code itself.
    """
    text, own_level, *_ = _parse(code)
    level = _check_level(level)
    if level > own_level:
        raise InvalidCode(
            f"BeiDou code {text!r} is level {own_level}; it has no parent at finer level {level}",
            value=code,
        )
    return text[: CODE_LENGTHS[level]]


# --- bulk encoding ----------------------------------------------------------------------------

_HEX_ORD = np.frombuffer(_HEX.encode("ascii"), dtype=np.uint8).astype(np.uint32)
_BAND_ORD = np.frombuffer(_BANDS.encode("ascii"), dtype=np.uint8).astype(np.uint32)


def _units_exact(values: np.ndarray) -> np.ndarray:
    """``floor(|v| * 7372800)`` for float64 ``|v| <= 180``, exactly, as int64.

    ``v = mantissa * 2**(e - 53)`` with an integer 53-bit mantissa, and
    ``7372800 = 225 * 2**15``, so ``|v| * 7372800 = mantissa * 225 * 2**(e - 38)``: an integer
    below 2**61 shifted right by ``38 - e >= 30`` bits, which is the exact floor.
    """
    fraction, exponent = np.frexp(np.abs(values))
    mantissa = np.ldexp(fraction, 53).astype(np.int64)  # exact: 53 significant bits
    shift = np.minimum(38 - exponent.astype(np.int64), 63)
    shifted: np.ndarray = np.right_shift(mantissa * 225, shift)
    return shifted


def _first_bad(lons: np.ndarray, lats: np.ndarray, bad: np.ndarray, level: int) -> InvalidCode:
    index = int(np.argmax(bad))
    lon, lat = lons[index].item(), lats[index].item()
    try:
        encode(lon, lat, level)
    except InvalidCode as exc:
        reason = str(exc)
    else:  # pragma: no cover - the vector and scalar checks agree
        reason = "rejected"
    return InvalidCode(f"encode_many: point {index} (lon={lon!r}, lat={lat!r}): {reason}")


def _as_coordinates(values: object, what: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise InvalidCode(f"encode_many: {what} must be one-dimensional, got shape {array.shape}")
    return array


def encode_many(lons: np.ndarray, lats: np.ndarray, level: int = MAX_LEVEL) -> list[str]:
    """Codes of many points at once; element ``i`` equals ``encode(lons[i], lats[i], level)``.

    Vectorised with exact integer arithmetic on the floats' mantissas (integer and
    float16/32/64 arrays); other dtypes (object arrays of Decimal/Fraction, long double) are
    coded point by point.  Raises :class:`InvalidCode` naming the index of the first bad point.
    """
    level = _check_level(level)
    lon_array = _as_coordinates(lons, "lons")
    lat_array = _as_coordinates(lats, "lats")
    if lon_array.shape != lat_array.shape:
        raise InvalidCode(
            f"encode_many: lons and lats differ in length ({lon_array.size} != {lat_array.size})"
        )
    if lon_array.size == 0:
        return []
    vectorisable = all(
        a.dtype.kind in "iu" or (a.dtype.kind == "f" and a.dtype.itemsize <= 8)
        for a in (lon_array, lat_array)
    )
    if not vectorisable:
        return _encode_each(lon_array, lat_array, level)

    # Range checks on the original dtype (exact for integers; False for NaN), then float64,
    # which is exact for every accepted value (integers are within +-180).
    with np.errstate(invalid="ignore"):
        good = (lon_array >= -180) & (lon_array < 180) & (lat_array > -88) & (lat_array < 88)
    if not good.all():
        raise _first_bad(lon_array, lat_array, ~good, level)
    lon = lon_array.astype(np.float64, copy=False)
    lat = lat_array.astype(np.float64, copy=False)

    east = lon >= 0  # -0.0 is 0: eastern
    north = lat >= 0
    x = np.minimum(_units_exact(lon), _LON_LIMIT - 1)  # -180 -> zone 01
    y = _units_exact(lat)

    n = lon.size
    length = CODE_LENGTHS[level]
    chars = np.empty((n, length), dtype=np.uint32)
    chars[:, 0] = np.where(north, ord("N"), ord("S"))
    zone_index = x // _ZONE
    zone = np.where(east, 31 + zone_index, 30 - zone_index)
    chars[:, 1] = ord("0") + zone // 10
    chars[:, 2] = ord("0") + zone % 10
    chars[:, 3] = _BAND_ORD[y // _BAND]
    x = x - zone_index * _ZONE
    y = y % _BAND
    position = 4
    for level_n in range(2, level + 1):
        split = _SPLITS[level_n]
        column = x // split.lon_size
        row = y // split.lat_size
        if level_n < MAX_LEVEL:
            x = x - column * split.lon_size
            y = y - row * split.lat_size
        if split.z_order:
            chars[:, position] = _HEX_ORD[row * 2 + column]
            position += 1
        else:
            chars[:, position] = _HEX_ORD[column]
            chars[:, position + 1] = _HEX_ORD[row]
            position += 2
    return chars.view(np.dtype(f"U{length}")).ravel().tolist()


def _encode_each(lons: np.ndarray, lats: np.ndarray, level: int) -> list[str]:
    codes = []
    # Iterate the array itself, not .tolist(): long doubles must keep their precision.
    for index, (lon, lat) in enumerate(zip(lons, lats, strict=True)):
        try:
            codes.append(encode(lon, lat, level))
        except InvalidCode as exc:
            raise InvalidCode(
                f"encode_many: point {index} (lon={lon!r}, lat={lat!r}): {exc}"
            ) from exc
    return codes
