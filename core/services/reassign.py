"""Re-assigning located records to the current grids after grids are redrawn.

One set-based statement per table: the grid side drives the join so PostGIS keeps each
grid's prepared polygon while it scans that grid's points through the GiST index.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

#: Core tables whose rows carry geom / grid_id / region_code.
LOCATED_TABLES = ("person", "household", "place", "thing", "organization")

_ASSIGN = """
WITH area AS (SELECT ST_SetSRID(ST_GeomFromEWKB(:area), 4326) AS g),
hit AS (
  SELECT DISTINCT ON (r.id) r.id AS rid, g.id AS gid, g.code
  FROM grid g JOIN {table} r ON ST_Covers(g.geom, r.geom), area
  WHERE g.valid_to IS NULL AND g.geom && area.g AND r.geom && area.g
  ORDER BY r.id, g.code)
UPDATE {table} r SET grid_id = hit.gid, region_code = hit.code
FROM hit WHERE r.id = hit.rid
  AND (r.grid_id IS DISTINCT FROM hit.gid OR r.region_code IS DISTINCT FROM hit.code)
"""

# Rows left on a closed grid version lie outside every current grid: unassigned, in the
# reach of the smallest region that covers them (the command centre's at least).
_ORPHANS = """
UPDATE {table} r SET grid_id = NULL, region_code = coalesce(
  (SELECT region.prefix FROM region WHERE ST_Covers(region.geom, r.geom)
   ORDER BY length(region.prefix) DESC LIMIT 1),
  (SELECT min(prefix) FROM region WHERE level = 'district' HAVING count(*) = 1))
FROM grid g WHERE r.grid_id = g.id AND g.valid_to IS NOT NULL
"""


async def reassign_area(
    session: AsyncSession, area_ewkb: bytes, tables: tuple[str, ...] = LOCATED_TABLES
) -> int:
    """Point-in-polygon again for every record inside ``area``; returns rows changed."""
    changed = 0
    for table in tables:
        result = await session.execute(text(_ASSIGN.format(table=table)), {"area": area_ewkb})
        changed += result.rowcount or 0  # type: ignore[attr-defined]
        result = await session.execute(text(_ORPHANS.format(table=table)))
        changed += result.rowcount or 0  # type: ignore[attr-defined]
    return changed
