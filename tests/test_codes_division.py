from __future__ import annotations

import pytest

from core.codes.division import (
    DivisionCode,
    GridCode,
    RegionLevel,
    child_code,
    parse_division_code,
    parse_grid_code,
    region_prefix,
)
from core.codes.errors import InvalidCode

COUNTY = "511504"  # 宜宾市叙州区


def test_region_level_values() -> None:
    assert [level.value for level in RegionLevel] == ["district", "township", "community"]
    assert RegionLevel.TOWNSHIP == "township"


@pytest.mark.parametrize("raw", ["511504", "511504000000", " 511504 "])
def test_county(raw: str) -> None:
    assert parse_division_code(raw) == DivisionCode(
        code="511504000000",
        county="511504",
        township="000",
        community="000",
        level=RegionLevel.DISTRICT,
        township_kind=None,
        community_kind=None,
        prefix="511504",
        parent=None,
    )


@pytest.mark.parametrize("raw", ["511504101", "511504101000"])
def test_township(raw: str) -> None:
    assert parse_division_code(raw) == DivisionCode(
        code="511504101000",
        county="511504",
        township="101",
        community="000",
        level=RegionLevel.TOWNSHIP,
        township_kind="town",
        community_kind=None,
        prefix="511504101",
        parent="511504000000",
    )


def test_community() -> None:
    assert parse_division_code("511504101201") == DivisionCode(
        code="511504101201",
        county="511504",
        township="101",
        community="201",
        level=RegionLevel.COMMUNITY,
        township_kind="town",
        community_kind="village",
        prefix="511504101201",
        parent="511504101000",
    )


@pytest.mark.parametrize(
    ("segment", "kind"),
    [
        ("001", "street"),
        ("099", "street"),
        ("100", "town"),
        ("199", "town"),
        ("200", "township"),
        ("399", "township"),
        ("400", "other"),
        ("599", "other"),
    ],
)
def test_township_kinds(segment: str, kind: str) -> None:
    parsed = parse_division_code(f"{COUNTY}{segment}000")
    assert parsed.level is RegionLevel.TOWNSHIP
    assert parsed.township_kind == kind


@pytest.mark.parametrize(
    ("segment", "kind"),
    [
        ("001", "community"),
        ("199", "community"),
        ("200", "village"),
        ("399", "village"),
        ("400", "other"),
        ("599", "other"),
    ],
)
def test_community_kinds(segment: str, kind: str) -> None:
    parsed = parse_division_code(f"{COUNTY}001{segment}")
    assert parsed.level is RegionLevel.COMMUNITY
    assert parsed.township_kind == "street"
    assert parsed.community_kind == kind


def test_prefecture_city_without_districts_is_accepted() -> None:
    # 东莞市 (441900) has no county-level districts; its streets hang directly below it.
    assert parse_division_code("441900003000").level is RegionLevel.TOWNSHIP
    assert parse_division_code("441900").level is RegionLevel.DISTRICT


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("51150", "6, 9 or 12 digits, got 5"),
        ("5115040", "6, 9 or 12 digits, got 7"),
        ("51150400000", "6, 9 or 12 digits, got 11"),
        ("5115040000000", "6, 9 or 12 digits, got 13"),
        ("511504101201001", "6, 9 or 12 digits, got 15"),
        ("51150A", "only digits"),
        ("511504-101-201", "only digits"),
        ("５１１５０４", "only digits"),  # fullwidth digits
        ("511504000", "township segment 000"),
        ("511504000001", "community segment 001 but no township"),
        ("511504000201", "community segment 201 but no township"),
        ("511504600000", "township segment 600 is outside 001-599"),
        ("511504999000", "township segment 999 is outside 001-599"),
        ("511504101600", "community segment 600 is outside 001-599"),
        ("511504101999", "community segment 999 is outside 001-599"),
        ("101504", "province 10 is outside 11-82"),
        ("831504", "province 83 is outside 11-82"),
        ("000000", "province 00 is outside 11-82"),
        ("510000", "510000 is a province"),
        ("510012001000", "510012 is a province"),
    ],
)
def test_division_rejects_malformed(raw: str, message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        parse_division_code(raw)


def test_division_rejects_non_string() -> None:
    with pytest.raises(InvalidCode, match="must be a string"):
        parse_division_code(511504)  # type: ignore[arg-type]


def test_grid_code() -> None:
    grid = parse_grid_code("511504101201007")
    assert grid == GridCode(
        code="511504101201007",
        community=parse_division_code("511504101201"),
        sequence="007",
    )
    assert parse_grid_code("511504001001999").sequence == "999"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("511504101201", "15 digits, got 12"),
        ("5115041012010071", "15 digits, got 16"),
        ("51150410120100x", "only digits"),
        ("511504101201000", "grid sequence must be 001-999"),
        ("511504101000001", "is a township, a grid must belong to a community"),
        ("511504000000001", "is a district, a grid must belong to a community"),
        ("511504000001001", "no township"),
        ("511504101700001", "community segment 700"),
    ],
)
def test_grid_rejects_malformed(raw: str, message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        parse_grid_code(raw)


@pytest.mark.parametrize(
    ("raw", "prefix"),
    [
        ("511504", "511504"),
        ("511504000000", "511504"),
        ("511504101", "511504101"),
        ("511504101000", "511504101"),
        ("511504101201", "511504101201"),
        ("511504101201007", "511504101201007"),
    ],
)
def test_region_prefix(raw: str, prefix: str) -> None:
    assert region_prefix(raw) == prefix


def test_region_prefix_matches_everything_inside() -> None:
    township = region_prefix("511504101")
    inside = ["511504101000", "511504101201", "511504101201007", "511504101001"]
    outside = ["511504102000", "511504000000", "511504102201007", "511503101201"]
    assert all(code.startswith(township) for code in inside)
    assert not any(code.startswith(township) for code in outside)


@pytest.mark.parametrize("raw", ["51150", "511504000001", "511504101201000", "abc", "5115041"])
def test_region_prefix_validates(raw: str) -> None:
    with pytest.raises(InvalidCode):
        region_prefix(raw)


def test_child_code_each_level() -> None:
    township = child_code("511504", 101)
    assert township == "511504101000"
    assert child_code("511504000000", 1) == "511504001000"
    community = child_code(township, 201)
    assert community == "511504101201"
    assert child_code("511504101", 5) == "511504101005"
    grid = child_code(community, 7)
    assert grid == "511504101201007"
    # The children parse back to the right level and parent.
    assert parse_division_code(township).parent == "511504000000"
    assert parse_division_code(community).parent == township
    assert parse_grid_code(grid).community.code == community


@pytest.mark.parametrize(
    ("parent", "segment", "message"),
    [
        ("511504", 0, "township segment must be 1..599"),
        ("511504", 600, "township segment must be 1..599"),
        ("511504101000", 0, "community segment must be 1..599"),
        ("511504101000", 600, "community segment must be 1..599"),
        ("511504101201", 0, "grid sequence must be 1..999"),
        ("511504101201", 1000, "grid sequence must be 1..999"),
        ("511504101201007", 1, "has no child codes"),
        ("511504", True, "must be an integer"),
        ("511504", "1", "must be an integer"),
        ("511504000001", 1, "no township"),
    ],
)
def test_child_code_rejects(parent: str, segment: int, message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        child_code(parent, segment)
