"""Re-assigning located records to the current grids after grids are redrawn.

One set-based statement per table. The (grid, record) pairs are computed on their own
(a MATERIALIZED CTE, so no sort order is pushed into the join): the grid side then drives
it and PostGIS keeps each grid's prepared polygon while it scans that grid's points
through the GiST index. A point on a shared edge goes to the lowest grid code. Records
are located by points, for which ST_Intersects means "covered by" (edges included) and
takes PostGIS's cached point-in-polygon path (3–4× faster than ST_Covers here).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

#: Core tables whose rows carry geom / grid_id / region_code.
LOCATED_TABLES = ("person", "household", "place", "thing", "organization")

_ASSIGN = """
WITH area AS (SELECT ST_SetSRID(ST_GeomFromEWKB(:area), 4326) AS g),
pairs AS MATERIALIZED (
  SELECT r.id AS rid, g.id AS gid, g.code
  FROM grid g JOIN {table} r ON ST_Intersects(g.geom, r.geom), area
  WHERE g.valid_to IS NULL AND g.geom && area.g AND r.geom && area.g),
hit AS (SELECT DISTINCT ON (rid) rid, gid, code FROM pairs ORDER BY rid, code)
UPDATE {table} r SET grid_id = hit.gid, region_code = hit.code
FROM hit WHERE r.id = hit.rid
  AND (r.grid_id IS DISTINCT FROM hit.gid OR r.region_code IS DISTINCT FROM hit.code)
"""

# Rows left on a closed grid version lie outside every current grid: unassigned, in the
# reach of the smallest region that covers them (the command centre's at least).
_ORPHANS = """
UPDATE {table} r SET grid_id = NULL, region_code = coalesce(
  (SELECT region.prefix FROM region WHERE ST_Intersects(region.geom, r.geom)
   ORDER BY length(region.prefix) DESC LIMIT 1),
  (SELECT min(prefix) FROM region WHERE level = 'district' HAVING count(*) = 1), '')
FROM grid g WHERE r.grid_id = g.id AND g.valid_to IS NOT NULL
"""


async def reassign_area(
    session: AsyncSession, area_ewkb: bytes, tables: tuple[str, ...] = LOCATED_TABLES
) -> int:
    """Point-in-polygon again for every record inside ``area``; returns rows changed."""
    changed = 0
    # The estimates of a spatial join are far off; JIT compiling it costs more than it saves.
    await session.execute(text("SET LOCAL jit = off"))
    for table in tables:
        result = await session.execute(text(_ASSIGN.format(table=table)), {"area": area_ewkb})
        changed += result.rowcount or 0  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        result = await session.execute(text(_ORPHANS.format(table=table)))
        changed += result.rowcount or 0  # type: ignore[attr-defined]  # an UPDATE's CursorResult
    await session.execute(text("SET LOCAL jit TO DEFAULT"))
    return changed
