from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest

import core.codes
from core.codes.errors import InvalidCode
from core.codes.spacetime import (
    SEPARATOR,
    SpaceTimeCell,
    decode_spacetime,
    encode_spacetime,
    split_spacetime,
)
from core.codes.timecode import TimeLevel, decode_time, encode_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXAMPLE = "N48H5127623001132411/20261125143000"
# 叙州区 (Xuzhou District, Yibin) and a moment in Shanghai time
LON, LAT = 104.5, 28.7
MOMENT = datetime(2026, 11, 25, 14, 30, 7, tzinfo=SHANGHAI)


@pytest.fixture
def beidou() -> ModuleType:
    """The BeiDou module; the test is skipped where it does not exist yet."""
    return pytest.importorskip("core.codes.beidou")


@pytest.fixture
def without_beidou(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``from core.codes import beidou`` fail, as before beidou.py existed."""
    monkeypatch.setitem(sys.modules, "core.codes.beidou", None)
    monkeypatch.delattr(core.codes, "beidou", raising=False)


# --- splitting and validation (no BeiDou module needed) ----------------------------------------


def test_split() -> None:
    assert SEPARATOR == "/"
    assert split_spacetime(EXAMPLE) == ("N48H5127623001132411", "20261125143000")
    assert split_spacetime(" N48H/2026 ") == ("N48H", "2026")
    # only the structure is checked here
    assert split_spacetime("anything/else") == ("anything", "else")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "spatio-temporal code is empty"),
        ("  ", "spatio-temporal code is empty"),
        ("N48H5127623001132411", "has no '/' separators; expected exactly one"),
        ("N48H5127623001132411-20261125143000", "has no '/' separators"),
        ("N48H5127623001132411\\20261125143000", "has no '/' separators"),
        ("N48H/2026/11", "has 2 '/' separators"),
        ("N48H//2026", "has 2 '/' separators"),
        ("/20261125143000", "the BeiDou code before '/' is empty"),
        ("N48H5127623001132411/", "the time code after '/' is empty"),
        ("/", "the BeiDou code before '/' is empty"),
        ("N48H / 2026", "must not contain spaces"),
        ("N48H/2026\t11", "must not contain spaces"),
    ],
)
def test_split_rejects(code: str, message: str) -> None:
    for function in (split_spacetime, decode_spacetime):
        with pytest.raises(InvalidCode, match=message) as info:
            function(code)
        assert info.value.value == code


@pytest.mark.parametrize("bad", [None, 20261125, b"N48H/2026"])
def test_split_rejects_non_strings(bad: object) -> None:
    with pytest.raises(InvalidCode, match="spatio-temporal code must be a string"):
        split_spacetime(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("time_part", "message"),
    [
        ("2025022912", "day 29 does not exist, February 2025 has 28 days"),
        ("202613", "month 13 is outside 01-12"),
        ("20261125143", "has 11 digits"),
        ("2026-11", "only digits"),
        ("1899", "year 1899"),
        ("20261125240000", "hour 24 is outside 00-23"),
    ],
)
def test_decode_rejects_bad_time_part(without_beidou: None, time_part: str, message: str) -> None:
    code = f"N48H5127623001132411/{time_part}"
    with pytest.raises(InvalidCode, match=f"spatio-temporal code {code!r}: time code .*{message}"):
        decode_spacetime(code)


def test_time_part_is_checked_before_beidou_is_needed(without_beidou: None) -> None:
    with pytest.raises(ImportError):
        decode_spacetime(EXAMPLE)
    with pytest.raises(InvalidCode, match="naive datetime"):
        encode_spacetime(LON, LAT, datetime(2026, 11, 25, 14, 30))
    with pytest.raises(InvalidCode, match="time level"):
        encode_spacetime(LON, LAT, MOMENT, time_level="week")
    with pytest.raises(InvalidCode, match="unknown time zone"):
        encode_spacetime(LON, LAT, MOMENT, tz="Nowhere/Special")
    with pytest.raises(ImportError):
        encode_spacetime(LON, LAT, MOMENT)


# --- with the BeiDou module -------------------------------------------------------------------


def test_encode(beidou: ModuleType) -> None:
    code = encode_spacetime(LON, LAT, MOMENT)
    cell_code, time_code = split_spacetime(code)
    assert cell_code == beidou.encode(LON, LAT, 10) and len(cell_code) == 20
    assert time_code == "20261125143007"
    assert encode_spacetime(LON, LAT, MOMENT, level=1, time_level="day") == (
        f"{beidou.encode(LON, LAT, 1)}/20261125"
    )


def test_decode(beidou: ModuleType) -> None:
    decoded = decode_spacetime(EXAMPLE)
    assert isinstance(decoded, SpaceTimeCell)
    assert decoded.beidou == "N48H5127623001132411"
    assert decoded.cell == beidou.decode("N48H5127623001132411")
    assert decoded.cell.level == 10
    assert decoded.time == decode_time("20261125143000")
    assert decoded.code == EXAMPLE
    assert decoded.time.start == datetime(2026, 11, 25, 14, 30, tzinfo=SHANGHAI)


def test_decode_normalises_the_beidou_part(beidou: ModuleType) -> None:
    decoded = decode_spacetime("n48h51/2026")
    assert decoded.beidou == "N48H51"
    assert decoded.code == "N48H51/2026"


@pytest.mark.parametrize("bad", ["X48H/2026", "N48H5/2026", "N61H/2026", "N48Z/2026"])
def test_decode_rejects_bad_beidou_part(beidou: ModuleType, bad: str) -> None:
    with pytest.raises(InvalidCode, match=f"spatio-temporal code {bad!r}: BeiDou code"):
        decode_spacetime(bad)


def test_encode_rejects_bad_space_arguments(beidou: ModuleType) -> None:
    with pytest.raises(InvalidCode):
        encode_spacetime(LON, LAT, MOMENT, level=11)
    with pytest.raises(InvalidCode):
        encode_spacetime(LON, 89.0, MOMENT)
    with pytest.raises(InvalidCode):
        encode_spacetime("104.5", LAT, MOMENT)  # type: ignore[arg-type]


def test_round_trip_every_level(beidou: ModuleType) -> None:
    points = [(LON, LAT), (-73.98, 40.75), (151.2, -33.9), (-58.4, -34.6), (0.0, 0.0)]
    moments = [MOMENT, datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)]
    for lon, lat in points:
        for moment in moments:
            for level in range(1, 11):
                for time_level in TimeLevel:
                    code = encode_spacetime(lon, lat, moment, level=level, time_level=time_level)
                    decoded = decode_spacetime(code)
                    assert decoded.code == code
                    assert decoded.cell.level == level
                    assert decoded.time.level is time_level
                    assert decoded.contains(lon, lat, moment)
                    assert not decoded.contains(lon, lat, decoded.time.end)
                    assert decoded.cell.contains(lon, lat)


def test_prefixes_are_coarser_cells_and_periods(beidou: ModuleType) -> None:
    finest = encode_spacetime(LON, LAT, MOMENT)
    # a coarser cell (any time) is a prefix
    for level in range(1, 11):
        assert finest.startswith(beidou.encode(LON, LAT, level))
    # the same cell with a coarser period is a prefix
    for time_level in TimeLevel:
        assert finest.startswith(encode_spacetime(LON, LAT, MOMENT, time_level=time_level))
    # a coarser cell *and* a coarser period is not: query the two parts separately
    assert not finest.startswith(encode_spacetime(LON, LAT, MOMENT, level=3, time_level="year"))
    cell_code, time_code = split_spacetime(finest)
    assert cell_code.startswith(beidou.encode(LON, LAT, 3)) and time_code.startswith("2026")


def test_time_zone(beidou: ModuleType) -> None:
    moment = datetime(2026, 12, 31, 20, tzinfo=UTC)  # 2027-01-01 04:00 in Shanghai
    code = encode_spacetime(LON, LAT, moment)
    assert split_spacetime(code)[1] == "20270101040000"
    assert split_spacetime(code)[1] == encode_time(moment)
    in_utc = encode_spacetime(LON, LAT, moment, tz="UTC")
    assert split_spacetime(in_utc)[1] == "20261231200000"
    decoded = decode_spacetime(in_utc, tz="UTC")
    assert decoded.time.start == moment
    assert decoded.time.duration == timedelta(seconds=1)
    # the same code read in another zone names another instant
    assert decode_spacetime(in_utc).time.start == moment - timedelta(hours=8)
