from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from core.codes.errors import InvalidCode
from core.codes.timecode import (
    DEFAULT_TZ,
    TimeInterval,
    TimeLevel,
    decode_time,
    encode_time,
    parent_time,
    time_code_range,
    time_level_of,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
SECOND = timedelta(seconds=1)
LEVELS = list(TimeLevel)
LENGTHS = [4, 6, 8, 10, 12, 14]

# Europe/Berlin 2026: clocks jump 02:00 CET -> 03:00 CEST on 29 March (01:00Z) and fall
# back 03:00 CEST -> 02:00 CET on 25 October (01:00Z).
SPRING = datetime(2026, 3, 29, 1, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 25, 1, tzinfo=UTC)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def matches(prefixes: list[str], code: str) -> int:
    return sum(code.startswith(p) for p in prefixes)


# --- levels -----------------------------------------------------------------------------------


def test_levels() -> None:
    assert [level.value for level in TimeLevel] == [
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
    ]
    assert [level.length for level in TimeLevel] == LENGTHS
    assert TimeLevel.DAY == "day"
    assert DEFAULT_TZ == "Asia/Shanghai"


# --- encode -----------------------------------------------------------------------------------


def test_encode_every_level() -> None:
    moment = sh(2026, 11, 25, 14, 30, 7, 999_999)
    expected = ["2026", "202611", "20261125", "2026112514", "202611251430", "20261125143007"]
    assert [encode_time(moment, level) for level in TimeLevel] == expected
    assert [encode_time(moment, level.value) for level in TimeLevel] == expected
    assert encode_time(moment) == "20261125143007"  # second by default, microseconds dropped
    assert encode_time(moment, " Day ") == "20261125"


def test_encode_converts_to_the_zone() -> None:
    moment = utc(2026, 12, 31, 20)
    assert encode_time(moment) == "20270101040000"
    assert encode_time(moment, "year").startswith("2027")
    assert encode_time(moment, tz="UTC") == "20261231200000"
    assert encode_time(moment, tz=UTC) == "20261231200000"
    assert encode_time(moment, tz=BERLIN) == "20261231210000"
    # the same instant, given in another zone, has the same code
    assert encode_time(moment.astimezone(ZoneInfo("America/New_York"))) == "20270101040000"


def test_encode_refuses_naive_datetimes() -> None:
    with pytest.raises(InvalidCode, match="naive datetime") as info:
        encode_time(datetime(2026, 11, 25, 14, 30))
    assert "aware" in str(info.value)
    assert info.value.value == datetime(2026, 11, 25, 14, 30)


@pytest.mark.parametrize("bad", ["2026-11-25", 1_700_000_000, None, datetime(2026, 1, 1).date()])
def test_encode_refuses_non_datetimes(bad: object) -> None:
    with pytest.raises(InvalidCode, match="must be a datetime"):
        encode_time(bad)  # type: ignore[arg-type]


def test_encode_bad_level_and_zone() -> None:
    moment = sh(2026, 1, 1)
    with pytest.raises(InvalidCode, match="time level must be one of year, month"):
        encode_time(moment, "week")
    with pytest.raises(InvalidCode, match="time level"):
        encode_time(moment, 3)  # type: ignore[arg-type]
    with pytest.raises(InvalidCode, match="unknown time zone 'Mars/Olympus'"):
        encode_time(moment, tz="Mars/Olympus")
    with pytest.raises(InvalidCode, match="unknown time zone"):
        encode_time(moment, tz="../etc/passwd")
    with pytest.raises(InvalidCode, match="time zone must be"):
        encode_time(moment, tz=8)  # type: ignore[arg-type]


def test_encode_year_range() -> None:
    assert encode_time(sh(1900, 1, 1)) == "19000101000000"
    assert encode_time(sh(9999, 12, 31, 23, 59, 59)) == "99991231235959"
    with pytest.raises(InvalidCode, match="year 1899"):
        encode_time(sh(1899, 12, 31, 23, 59, 59))
    # 1900-01-01 00:00 Shanghai (LMT +08:05:43) is still 1899 in UTC
    with pytest.raises(InvalidCode, match="year 1899"):
        encode_time(sh(1900, 1, 1), tz="UTC")
    # a Shanghai wall clock past 9999 is not representable at all
    with pytest.raises(InvalidCode, match="outside the years 1900-9999"):
        encode_time(datetime.max.replace(tzinfo=UTC))


# --- decode -----------------------------------------------------------------------------------


def test_decode_second() -> None:
    interval = decode_time("20261125143000")
    assert interval == TimeInterval(
        code="20261125143000",
        level=TimeLevel.SECOND,
        start=sh(2026, 11, 25, 14, 30),
        end=sh(2026, 11, 25, 14, 30, 1),
    )
    assert interval.start.tzinfo is SHANGHAI
    assert interval.duration == SECOND


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2026", (2026, 1, 1), (2027, 1, 1)),
        ("2024", (2024, 1, 1), (2025, 1, 1)),
        ("202602", (2026, 2, 1), (2026, 3, 1)),
        ("202402", (2024, 2, 1), (2024, 3, 1)),
        ("202412", (2024, 12, 1), (2025, 1, 1)),
        ("202604", (2026, 4, 1), (2026, 5, 1)),
        ("20240229", (2024, 2, 29), (2024, 3, 1)),
        ("20261231", (2026, 12, 31), (2027, 1, 1)),
        ("20260430", (2026, 4, 30), (2026, 5, 1)),
        ("2026123123", (2026, 12, 31, 23), (2027, 1, 1)),
        ("202612312359", (2026, 12, 31, 23, 59), (2027, 1, 1)),
        ("20261231235959", (2026, 12, 31, 23, 59, 59), (2027, 1, 1)),
        ("2026113000", (2026, 11, 30), (2026, 11, 30, 1)),
    ],
)
def test_decode_boundaries(code: str, start: tuple[int, ...], end: tuple[int, ...]) -> None:
    interval = decode_time(code)
    assert (interval.start, interval.end) == (sh(*start), sh(*end))
    assert interval.level is LEVELS[LENGTHS.index(len(code))]


def test_decode_durations() -> None:
    assert decode_time("2024").duration == timedelta(days=366)
    assert decode_time("2025").duration == timedelta(days=365)
    assert decode_time("2000").duration == timedelta(days=366)
    assert decode_time("2100").duration == timedelta(days=365)
    assert decode_time("202402").duration == timedelta(days=29)
    assert decode_time("210002").duration == timedelta(days=28)


def test_decode_strips_whitespace_and_other_zones() -> None:
    assert decode_time(" 2026 ").code == "2026"
    interval = decode_time("20270101", tz="UTC")
    assert interval.start == utc(2027, 1, 1)
    assert interval.start.utcoffset() == timedelta(0)
    assert decode_time("20270101", tz=timezone(timedelta(hours=8))).start == sh(2027, 1, 1)


def test_round_trip_every_level() -> None:
    rng = random.Random(20261125)
    for _ in range(300):
        moment = utc(1950, 1, 1) + timedelta(seconds=rng.randrange(200 * 366 * 86_400))
        for level in TimeLevel:
            code = encode_time(moment, level)
            interval = decode_time(code)
            assert interval.code == code and interval.level is level
            assert interval.start <= moment < interval.end
            assert interval.contains(moment)
            assert encode_time(interval.start, level) == code
            assert encode_time(interval.end - SECOND, level) == code
            assert not interval.contains(interval.end)
            assert not interval.contains(interval.start - timedelta(microseconds=1))
        assert decode_time(encode_time(moment)).start == moment.replace(microsecond=0)


def test_prefixes_are_enclosing_intervals() -> None:
    code = "20240229235959"
    intervals = [decode_time(code[:length]) for length in LENGTHS]
    for outer, inner in pairwise(intervals):
        assert inner.code.startswith(outer.code)
        assert outer.start <= inner.start and inner.end <= outer.end
    assert [i.end for i in intervals] == [sh(2025, 1, 1)] + [sh(2024, 3, 1)] * 5


def test_contains() -> None:
    day = decode_time("20270101")
    assert day.contains(utc(2026, 12, 31, 20))  # 04:00 in Shanghai
    assert not day.contains(utc(2026, 12, 31, 15, 59, 59))
    assert day.contains(utc(2026, 12, 31, 16))
    assert not day.contains(utc(2027, 1, 1, 16))
    assert not day.contains(datetime.min.replace(tzinfo=UTC))  # overflows in Shanghai
    with pytest.raises(InvalidCode, match="naive"):
        day.contains(datetime(2027, 1, 1, 12))


def test_year_limits() -> None:
    assert decode_time("1900").start == sh(1900, 1, 1)
    last = decode_time("9999")
    # 10000-01-01 00:00 in Shanghai is no datetime, so the end is given in UTC
    assert last.end == utc(9999, 12, 31, 16)
    assert last.end.tzinfo is UTC
    assert last.contains(sh(9999, 12, 31, 23, 59, 59))
    assert decode_time("99991231235959").end == utc(9999, 12, 31, 16)
    # in UTC and west of it the end of 9999 is past the last instant Python has: clamped
    in_utc = decode_time("9999", tz="UTC")
    assert (in_utc.start, in_utc.end) == (utc(9999, 1, 1), datetime.max.replace(tzinfo=UTC))
    assert in_utc.contains(datetime.max.replace(tzinfo=UTC))
    new_york = decode_time("99991231", tz="America/New_York")
    assert new_york.end == datetime.max.replace(tzinfo=UTC)
    assert new_york.start == utc(9999, 12, 31, 5)
    with pytest.raises(InvalidCode, match="starts after the last instant Python can represent"):
        decode_time("9999123120", tz="America/New_York")


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "time code is empty"),
        ("   ", "time code is empty"),
        ("2026-11", "only digits"),
        ("2026 11", "only digits"),
        ("2026112S", "only digits"),
        ("２０２６", "only digits"),  # full-width digits
        ("+2026", "only digits"),
        ("202", "has 3 digits; a time code has 4 \\(year\\), 6 \\(month\\)"),
        ("20261", "has 5 digits"),
        ("2026112514300", "has 13 digits"),
        ("202611251430000", "has 15 digits"),
        ("1899", "year 1899 is outside 1900-9999"),
        ("0000", "year 0 is outside 1900-9999"),
        ("202600", "month 00 is outside 01-12"),
        ("202613", "month 13 is outside 01-12"),
        ("20261100", "day 00 is outside 01-30"),
        ("20260132", "day 32 does not exist, January 2026 has 31 days"),
        ("20261131", "day 31 does not exist, November 2026 has 30 days"),
        ("20250229", "day 29 does not exist, February 2025 has 28 days"),
        ("21000229", "day 29 does not exist, February 2100 has 28 days"),
        ("20240230", "day 30 does not exist, February 2024 has 29 days"),
        ("2026112524", "hour 24 is outside 00-23"),
        ("2026112599", "hour 99 is outside 00-23"),
        ("202611251460", "minute 60 is outside 00-59"),
        ("20261125143060", "second 60 is outside 00-59 \\(leap seconds"),
    ],
)
def test_malformed_codes(code: str, message: str) -> None:
    for function in (decode_time, time_level_of):
        with pytest.raises(InvalidCode, match=message) as info:
            function(code)
        assert info.value.value == code
    with pytest.raises(InvalidCode, match=message):
        parent_time(code, "year")


@pytest.mark.parametrize("bad", [None, 2026, b"2026", ["2026"]])
def test_code_must_be_a_string(bad: object) -> None:
    with pytest.raises(InvalidCode, match="time code must be a string"):
        decode_time(bad)  # type: ignore[arg-type]


def test_invalid_code_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        decode_time("20250229")


@pytest.mark.parametrize("code", ["20240229", "2000022923", "19000228", "99991231235959"])
def test_valid_calendar_edges(code: str) -> None:
    assert time_level_of(code).length == len(code)


# --- levels and parents -----------------------------------------------------------------------


def test_time_level_of() -> None:
    assert [time_level_of("20261125143000"[:n]) for n in LENGTHS] == LEVELS


def test_parent_time() -> None:
    code = "20261125143000"
    assert [parent_time(code, level) for level in TimeLevel] == [code[:n] for n in LENGTHS]
    assert parent_time(code, "month") == "202611"
    assert parent_time("20261125", TimeLevel.DAY) == "20261125"
    with pytest.raises(InvalidCode, match="is a day code; hour is finer"):
        parent_time("20261125", "hour")
    with pytest.raises(InvalidCode, match="time level"):
        parent_time("20261125", "fortnight")


# --- daylight saving time (Europe/Berlin) -----------------------------------------------------


def berlin(code: str) -> TimeInterval:
    return decode_time(code, tz="Europe/Berlin")


def in_utc(interval: TimeInterval) -> tuple[datetime, datetime]:
    # Compare in UTC: Python never finds an ambiguous Berlin wall time equal to a UTC one.
    return interval.start.astimezone(UTC), interval.end.astimezone(UTC)


def test_dst_ordinary_periods() -> None:
    summer = berlin("2026071512")
    assert summer.start == utc(2026, 7, 15, 10) and summer.duration == timedelta(hours=1)
    assert berlin("2026").duration == timedelta(days=365)
    assert berlin("202603").duration == timedelta(days=31) - timedelta(hours=1)
    assert berlin("202610").duration == timedelta(days=31) + timedelta(hours=1)


def test_dst_spring_forward() -> None:
    day = berlin("20260329")
    assert in_utc(day) == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))
    assert day.duration == timedelta(hours=23)
    assert in_utc(berlin("2026032901"))[1] == SPRING
    assert in_utc(berlin("2026032903"))[0] == SPRING
    # 02:00-02:59 never happens: valid codes, empty intervals at the jump
    for code in ("2026032902", "202603290200", "202603290259", "20260329023030"):
        skipped = berlin(code)
        assert in_utc(skipped) == (SPRING, SPRING), code
        assert skipped.duration == timedelta(0)
        assert not skipped.contains(SPRING) and not skipped.contains(SPRING - SECOND)
    assert encode_time(SPRING - SECOND, tz=BERLIN) == "20260329015959"
    assert encode_time(SPRING, tz=BERLIN) == "20260329030000"


def test_dst_fall_back() -> None:
    day = berlin("20261025")
    assert in_utc(day) == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    assert day.duration == timedelta(hours=25)
    # hour 02 happens twice, back to back: one interval of two real hours
    hour = berlin("2026102502")
    assert in_utc(hour) == (utc(2026, 10, 25, 0), utc(2026, 10, 25, 2))
    assert in_utc(berlin("2026102501"))[1] == utc(2026, 10, 25, 0)
    assert in_utc(berlin("2026102503"))[0] == utc(2026, 10, 25, 2)
    # both occurrences of 02:30 get the same code
    first, second = AUTUMN - timedelta(minutes=30), AUTUMN + timedelta(minutes=30)
    assert encode_time(first, tz=BERLIN) == encode_time(second, tz=BERLIN) == "20261025023000"
    # a minute inside the repeated hour: two separate minutes; the interval is their hull
    minute = berlin("202610250230")
    assert in_utc(minute) == (first, second + timedelta(minutes=1))
    assert minute.contains(first) and minute.contains(second)
    assert not minute.contains(first + timedelta(minutes=1))  # 02:31 CEST, inside the hull
    assert not minute.contains(AUTUMN)  # 02:00 CET


def test_dst_every_second_round_trips() -> None:
    for transition in (SPRING, AUTUMN):
        for offset in range(-3700, 3700, 7):
            moment = transition + offset * SECOND
            for level in TimeLevel:
                interval = berlin(encode_time(moment, level, BERLIN))
                assert interval.contains(moment)
                assert interval.start.astimezone(UTC) <= moment < interval.end.astimezone(UTC)


# --- time_code_range --------------------------------------------------------------------------


def test_range_aligned_blocks() -> None:
    assert time_code_range(sh(2026, 1, 1), sh(2027, 1, 1)) == ["2026"]
    assert time_code_range(sh(2024, 1, 1), sh(2026, 3, 1)) == ["2024", "2025", "202601", "202602"]
    assert time_code_range(sh(2024, 2, 29), sh(2024, 3, 1)) == ["20240229"]
    assert time_code_range(sh(2026, 12, 31, 23), sh(2027, 1, 1, 0, 1)) == [
        "2026123123",
        "202701010000",
    ]
    assert time_code_range(sh(2026, 5, 1, 8, 30), sh(2026, 5, 1, 8, 30, 2)) == [
        "20260501083000",
        "20260501083001",
    ]
    assert time_code_range(sh(2026, 5, 1), sh(2026, 5, 1)) == []
    assert time_code_range(sh(9999, 1, 1), sh(9999, 12, 31, 23, 59, 59)) == time_code_range(
        utc(9998, 12, 31, 16), utc(9999, 12, 31, 15, 59, 59)
    )


def test_range_converts_to_the_zone() -> None:
    # 2026-12-31T16:00Z .. 2027-12-31T16:00Z is the year 2027 in Shanghai
    assert time_code_range(utc(2026, 12, 31, 16), utc(2027, 12, 31, 16)) == ["2027"]
    assert time_code_range(utc(2027, 1, 1), utc(2028, 1, 1), tz="UTC") == ["2027"]


def test_range_unaligned_moments_cover_whole_seconds() -> None:
    start = sh(2026, 5, 1, 8, 0, 0, 500_000)
    assert time_code_range(start, start + timedelta(milliseconds=10)) == ["20260501080000"]
    assert time_code_range(start, sh(2026, 5, 1, 8, 0, 1, 1)) == [
        "20260501080000",
        "20260501080001",
    ]


def test_range_rejects_bad_input() -> None:
    with pytest.raises(InvalidCode, match="is before its start"):
        time_code_range(sh(2026, 1, 2), sh(2026, 1, 1))
    with pytest.raises(InvalidCode, match="naive"):
        time_code_range(datetime(2026, 1, 1), sh(2026, 1, 2))
    with pytest.raises(InvalidCode, match="naive"):
        time_code_range(sh(2026, 1, 1), datetime(2026, 1, 2))
    with pytest.raises(InvalidCode, match="year 1899"):
        time_code_range(sh(1899, 12, 31), sh(1900, 1, 2))
    with pytest.raises(InvalidCode, match="outside the range of datetimes in UTC"):
        time_code_range(datetime.min.replace(tzinfo=SHANGHAI), sh(2000, 1, 1))
    with pytest.raises(InvalidCode, match="unknown time zone"):
        time_code_range(sh(2026, 1, 1), sh(2026, 1, 2), tz="Nowhere/Special")


def check_exact_cover(start: datetime, end: datetime, prefixes: list[str], tz: str) -> None:
    """Prefixes are sorted, disjoint, inside [start, end), and add up to its length."""
    assert prefixes == sorted(prefixes)
    for a, b in pairwise(prefixes):
        assert not b.startswith(a)
    intervals = [decode_time(p, tz) for p in prefixes]
    assert all(start <= i.start and i.end <= end for i in intervals)
    for earlier, later in pairwise(intervals):
        assert earlier.end <= later.start
    assert sum((i.duration for i in intervals), timedelta(0)) == end - start
    # the boundaries
    code = encode_time(start, tz=tz)
    assert matches(prefixes, code) == 1
    assert matches(prefixes, encode_time(end - SECOND, tz=tz)) == 1
    if start.year > 1900:
        assert matches(prefixes, encode_time(start - SECOND, tz=tz)) == 0
    assert matches(prefixes, encode_time(end, tz=tz)) == 0


def random_range(rng: random.Random, span: int) -> tuple[datetime, datetime]:
    base = utc(1992, 1, 1)  # Asia/Shanghai has no DST since 1991
    start = base + timedelta(seconds=rng.randrange(100 * 365 * 86_400))
    return start, start + timedelta(seconds=rng.randrange(1, span))


def test_range_exact_on_random_intervals() -> None:
    rng = random.Random(1125)
    for span in (120, 7200, 3 * 86_400, 90 * 86_400, 3 * 365 * 86_400):
        for _ in range(40):
            start, end = random_range(rng, span)
            prefixes = time_code_range(start, end)
            check_exact_cover(start, end, prefixes, DEFAULT_TZ)
            # worst case is a few hundred prefixes (59 seconds + 59 minutes + 23 hours ...)
            assert len(prefixes) <= 2 * (11 + 30 + 23 + 59 + 59) + 1


def test_range_exact_second_by_second() -> None:
    rng = random.Random(7)
    for _ in range(30):
        start, end = random_range(rng, 5000)
        prefixes = time_code_range(start, end)
        moment = start - timedelta(seconds=200)
        while moment < end + timedelta(seconds=200):
            assert matches(prefixes, encode_time(moment)) == (1 if start <= moment < end else 0)
            moment += SECOND


def test_range_in_a_dst_zone() -> None:
    tz = "Europe/Berlin"
    assert time_code_range(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), tz) == ["20260329"]
    assert time_code_range(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), tz) == ["20261025"]
    assert time_code_range(utc(2025, 12, 31, 23), utc(2026, 12, 31, 23), tz) == ["2026"]
    assert time_code_range(SPRING - timedelta(hours=1), SPRING + timedelta(hours=1), tz) == [
        "2026032901",
        "2026032902",  # never happens, covered to keep the cover coarse
        "2026032903",
    ]
    # two seconds straddling the fall-back: 02:59:59 CEST and 02:00:00 CET
    assert time_code_range(AUTUMN - SECOND, AUTUMN + SECOND, tz) == [
        "20261025020000",
        "20261025025959",
    ]
    long_range = time_code_range(utc(2020, 3, 15), AUTUMN + timedelta(minutes=30), tz)
    assert long_range[:2] == ["2020031501", "2020031502"]
    assert long_range[-2:] == ["2026102501", "2026102502"]  # 02:00-02:59 CEST is inside


@pytest.mark.parametrize(
    ("tz", "transition"),
    [
        ("Europe/Berlin", SPRING),
        ("Europe/Berlin", AUTUMN),
        ("Asia/Shanghai", utc(1991, 9, 14, 17)),  # China's last fall-back (DST 1986-1991)
        ("Australia/Lord_Howe", utc(2026, 4, 4, 15)),  # falls back by 30 minutes
    ],
)
def test_range_matches_exactly_the_codes_of_its_instants(tz: str, transition: datetime) -> None:
    """Around a DST transition a range matches exactly the second codes its instants have."""
    zone = ZoneInfo(tz)
    assert (transition - SECOND).astimezone(zone).utcoffset() != transition.astimezone(
        zone
    ).utcoffset()
    rng = random.Random(tz + str(transition))
    window = [transition + offset * SECOND for offset in range(-5400, 5400)]
    codes = [encode_time(moment, tz=zone) for moment in window]
    middle = len(window) // 2  # the transition
    pairs = [(middle - 1, middle + 1), (middle - 1800, middle + 1800), (middle - 3600, middle)]
    pairs += [(middle - 10, middle + 3610), (middle + 5, middle + 1795), (middle - 3599, middle)]
    for _ in range(6):
        i = rng.randrange(len(window) - 1)
        pairs.append((i, rng.randrange(i + 1, min(len(window), i + 4000))))
    for i, j in pairs:
        prefixes = time_code_range(window[i], window[j], tz)
        inside = set(codes[i:j])
        for k, code in enumerate(codes):
            count = matches(prefixes, code)
            assert count <= 1
            assert count == (1 if code in inside else 0)
            if i <= k < j:
                assert count == 1
