"""Statistical division codes (统计用区划代码) and grid codes.

A division code has 12 digits::

    511504 001 201
    |      |   `- community segment: 000 = the township itself, 001-199 residents' committee
    |      |      (居委会, "community"), 200-399 villagers' committee (村委会, "village"),
    |      |      400-599 other units
    |      `----- township segment: 000 = the county itself, 001-099 street (街道),
    |             100-199 town (镇), 200-399 township (乡), 400-599 other units
    `------------ county code (GB/T 2260): province 11-82, city, county

A grid code appends a 3-digit grid sequence 001-999 to a community code (15 digits).

``prefix`` strings (6, 9, 12 or 15 digits) match every code inside a region with a plain
string prefix test, e.g. ``code.startswith(region_prefix("511504001"))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from core.codes.errors import InvalidCode

__all__ = [
    "CommunityKind",
    "DivisionCode",
    "GridCode",
    "InvalidCode",
    "RegionLevel",
    "TownshipKind",
    "child_code",
    "parse_division_code",
    "parse_grid_code",
    "region_prefix",
]

TownshipKind = Literal["street", "town", "township", "other"]
CommunityKind = Literal["community", "village", "other"]


class RegionLevel(StrEnum):
    DISTRICT = "district"
    TOWNSHIP = "township"
    COMMUNITY = "community"


@dataclass(frozen=True, slots=True)
class DivisionCode:
    code: str  # always the full 12 digits
    county: str
    township: str
    community: str
    level: RegionLevel
    township_kind: TownshipKind | None
    community_kind: CommunityKind | None
    prefix: str  # 6, 9 or 12 digits
    parent: str | None  # 12-digit code of the enclosing region, None for a county


@dataclass(frozen=True, slots=True)
class GridCode:
    code: str  # 15 digits
    community: DivisionCode
    sequence: str  # 3 digits, 001-999


def _digits(code: object, what: str) -> str:
    if not isinstance(code, str):
        raise InvalidCode(f"{what} must be a string, got {type(code).__name__}", value=code)
    text = code.strip()
    if not text:
        raise InvalidCode(f"{what} is empty", value=code)
    if not (text.isascii() and text.isdigit()):
        raise InvalidCode(f"{what} {code!r} must contain only digits 0-9", value=code)
    return text


def _township_kind(segment: int) -> TownshipKind:
    if 1 <= segment <= 99:
        return "street"
    if segment <= 199:
        return "town"
    if segment <= 399:
        return "township"
    if segment <= 599:
        return "other"
    raise InvalidCode(f"township segment {segment:03d} is outside 001-599")


def _community_kind(segment: int) -> CommunityKind:
    if 1 <= segment <= 199:
        return "community"
    if segment <= 399:
        return "village"
    if segment <= 599:
        return "other"
    raise InvalidCode(f"community segment {segment:03d} is outside 001-599")


def _check_county(county: str, code: str) -> None:
    province, city = int(county[:2]), county[2:4]
    if not 11 <= province <= 82:
        raise InvalidCode(
            f"division code {code!r}: province {county[:2]} is outside 11-82", value=code
        )
    if city == "00":
        # The county segment may be 00 for prefecture-level cities without districts
        # (e.g. 东莞 441900), but city 00 is always a province itself.
        raise InvalidCode(
            f"division code {code!r}: {county} is a province, not a county-level code",
            value=code,
        )


def parse_division_code(code: str) -> DivisionCode:
    """Parse a 12-digit division code, or its 6-digit county / 9-digit township short form."""
    text = _digits(code, "division code")
    if len(text) == 6:
        full = text + "000000"
    elif len(text) == 9:
        if text[6:] == "000":
            raise InvalidCode(
                f"9-digit township code {text!r} has township segment 000; "
                "use the 6-digit county code for the county itself",
                value=code,
            )
        full = text + "000"
    elif len(text) == 12:
        full = text
    else:
        raise InvalidCode(
            f"division code {text!r} must have 6, 9 or 12 digits, got {len(text)}", value=code
        )

    county, township, community = full[:6], full[6:9], full[9:]
    _check_county(county, text)
    town_seg, comm_seg = int(township), int(community)

    if town_seg == 0:
        if comm_seg != 0:
            raise InvalidCode(
                f"division code {text!r} has community segment {community} "
                "but no township (township segment 000)",
                value=code,
            )
        return DivisionCode(
            code=full,
            county=county,
            township=township,
            community=community,
            level=RegionLevel.DISTRICT,
            township_kind=None,
            community_kind=None,
            prefix=county,
            parent=None,
        )

    try:
        township_kind = _township_kind(town_seg)
    except InvalidCode as exc:
        raise InvalidCode(f"division code {text!r}: {exc}", value=code) from None
    if comm_seg == 0:
        return DivisionCode(
            code=full,
            county=county,
            township=township,
            community=community,
            level=RegionLevel.TOWNSHIP,
            township_kind=township_kind,
            community_kind=None,
            prefix=county + township,
            parent=county + "000000",
        )

    try:
        community_kind = _community_kind(comm_seg)
    except InvalidCode as exc:
        raise InvalidCode(f"division code {text!r}: {exc}", value=code) from None
    return DivisionCode(
        code=full,
        county=county,
        township=township,
        community=community,
        level=RegionLevel.COMMUNITY,
        township_kind=township_kind,
        community_kind=community_kind,
        prefix=full,
        parent=county + township + "000",
    )


def parse_grid_code(code: str) -> GridCode:
    """Parse a 15-digit grid code: a community-level division code + grid sequence 001-999."""
    text = _digits(code, "grid code")
    if len(text) != 15:
        raise InvalidCode(f"grid code {text!r} must have 15 digits, got {len(text)}", value=code)
    try:
        community = parse_division_code(text[:12])
    except InvalidCode as exc:
        raise InvalidCode(f"grid code {text!r}: {exc}", value=code) from None
    if community.level is not RegionLevel.COMMUNITY:
        raise InvalidCode(
            f"grid code {text!r}: {text[:12]} is a {community.level.value}, "
            "a grid must belong to a community",
            value=code,
        )
    sequence = text[12:]
    if sequence == "000":
        raise InvalidCode(f"grid code {text!r}: grid sequence must be 001-999", value=code)
    return GridCode(code=text, community=community, sequence=sequence)


def region_prefix(code: str) -> str:
    """Validate a 6/9/12-digit division code or 15-digit grid code and return its prefix.

    Every code inside the region (including the region's own 12/15-digit code) starts with
    the returned prefix: 6 digits for a county, 9 for a township, 12 for a community and 15
    for a grid.
    """
    text = _digits(code, "region code")
    if len(text) == 15:
        return parse_grid_code(text).code
    return parse_division_code(text).prefix


def child_code(parent: str, segment: int) -> str:
    """Build the code one level below ``parent``.

    county (6 or 12 digits) + segment 1..599 -> 12-digit township code;
    township (9 or 12 digits) + segment 1..599 -> 12-digit community code;
    community (12 digits) + segment 1..999 -> 15-digit grid code.
    """
    if isinstance(segment, bool) or not isinstance(segment, int):
        raise InvalidCode(f"segment must be an integer, got {segment!r}", value=segment)
    text = _digits(parent, "parent code")
    if len(text) == 15:
        raise InvalidCode(f"grid code {text!r} has no child codes", value=parent)
    region = parse_division_code(text)
    if region.level is RegionLevel.DISTRICT:
        if not 1 <= segment <= 599:
            raise InvalidCode(f"township segment must be 1..599, got {segment}", value=segment)
        return f"{region.county}{segment:03d}000"
    if region.level is RegionLevel.TOWNSHIP:
        if not 1 <= segment <= 599:
            raise InvalidCode(f"community segment must be 1..599, got {segment}", value=segment)
        return f"{region.county}{region.township}{segment:03d}"
    if not 1 <= segment <= 999:
        raise InvalidCode(f"grid sequence must be 1..999, got {segment}", value=segment)
    return f"{region.code}{segment:03d}"
