"""Where a position is: its grid (point-in-polygon in PostGIS, GiST-indexed), its region
code, its BeiDou code; and coding located records on write."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.codes import beidou
from core.codes.errors import InvalidCode
from core.codes.timecode import encode_time
from core.errors import BadInput
from core.tenancy import county_of

BEIDOU_LEVEL = 10

# One statement: the grid covering the point (lowest code on a shared edge, so the answer
# is deterministic), else the smallest region covering it, else the deployment's only
# district. A point outside every grid is kept, unassigned, in the command centre's reach.
_PLACE = text("""
WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g),
hit AS (
  SELECT grid.id, grid.code, grid.name, grid.kind, grid.special_type, grid.community_code,
         grid.worker_id, grid.valid_from
  FROM grid, pt WHERE grid.valid_to IS NULL AND ST_Intersects(grid.geom, pt.g)
  ORDER BY grid.code LIMIT 1),
reg AS (
  SELECT region.prefix FROM region, pt WHERE ST_Intersects(region.geom, pt.g)
  ORDER BY length(region.prefix) DESC LIMIT 1),
root AS (SELECT min(prefix) AS prefix FROM region WHERE level = 'district' HAVING count(*) = 1)
SELECT hit.*, coalesce(hit.code, (SELECT prefix FROM reg), (SELECT prefix FROM root))
       AS region_code
FROM (SELECT 1) one LEFT JOIN hit ON true
""")


@dataclass(frozen=True, slots=True)
class Placement:
    grid_id: int | None
    region_code: str | None
    beidou_code: str
    grid: Any  # the grid row (id, code, name, kind, …) or None

    @property
    def assigned(self) -> bool:
        return self.grid_id is not None


def check_position(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise BadInput("longitude and latitude must be finite numbers")
    if not (-180 <= lon < 180 and -90 <= lat <= 90):
        raise BadInput(f"({lon}, {lat}) is not a longitude/latitude position")


def beidou_of(lon: float, lat: float, level: int = BEIDOU_LEVEL) -> str:
    try:
        return beidou.encode(lon, lat, level)
    except InvalidCode as exc:
        raise BadInput(str(exc)) from exc


async def place_point(session: AsyncSession, lon: float, lat: float) -> Placement:
    """The grid and region code of a position, and its level-10 BeiDou code."""
    check_position(lon, lat)
    code = beidou_of(lon, lat)
    row = (await session.execute(_PLACE, {"lon": lon, "lat": lat})).one()
    return Placement(
        grid_id=row.id,
        region_code=row.region_code,
        beidou_code=code,
        grid=row if row.id is not None else None,
    )


def time_code_of(moment: datetime, tz: str) -> str:
    try:
        return encode_time(moment, "second", tz=tz)
    except InvalidCode as exc:
        raise BadInput(str(exc)) from exc


async def code_record(
    session: AsyncSession, record: Any, lon: float, lat: float, collected_at: datetime, tz: str
) -> Placement:
    """Set a located record's position, grid, region, BeiDou and time codes."""
    placement = await place_point(session, lon, lat)
    record.geom = f"SRID=4326;POINT({lon!r} {lat!r})"
    record.grid_id = placement.grid_id
    record.region_code = placement.region_code or ""
    record.county = county_of(record.region_code)
    record.beidou_code = placement.beidou_code
    record.collected_at = collected_at
    record.time_code = time_code_of(collected_at, tz)
    return placement
