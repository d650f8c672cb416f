"""The Xuzhou reference deployment as loaded into PostGIS."""

from __future__ import annotations

import json

from sqlalchemy import text

from core.database.engine import make_engine
from core.demo.geography import BOUNDARY_FILE
from core.settings import Settings
from tests.fixtures import DEMO_PERSONS
from tests.fixtures import sql_scalar as scalar


def boundary_geojson() -> str:
    from importlib.resources import files

    data = json.loads(files("core.demo").joinpath("data", BOUNDARY_FILE).read_text("utf-8"))
    return json.dumps(data["features"][0]["geometry"])


async def test_579_grids_282_urban_297_rural_each_with_a_worker(demo_url) -> None:
    counts = await scalar(
        demo_url,
        """
        SELECT json_build_object(
          'all', count(*), 'urban', count(*) FILTER (WHERE kind = 'urban'),
          'rural', count(*) FILTER (WHERE kind = 'rural'),
          'workers', count(DISTINCT a.id) FILTER (WHERE a.role = 'grid_worker'))
        FROM grid g LEFT JOIN account a ON a.id = g.worker_id WHERE g.valid_to IS NULL""",
    )
    assert counts == {"all": 579, "urban": 282, "rural": 297, "workers": 579}


async def test_grids_lie_inside_the_real_boundary(demo_url) -> None:
    # Every grid is covered by the boundary widened by 1e-9 degrees (about 0.1 mm): grid
    # edges meet the boundary at computed points, so floating noise is all that may stick out.
    outside = await scalar(
        demo_url,
        """
        WITH b AS (SELECT ST_Buffer(ST_SetSRID(ST_GeomFromGeoJSON(:boundary), 4326), 1e-9)
                   AS geom)
        SELECT count(*) FROM grid g, b WHERE NOT ST_CoveredBy(g.geom, b.geom)""",
        boundary=boundary_geojson(),
    )
    assert outside == 0
    uncovered = await scalar(
        demo_url,
        """
        WITH b AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(:boundary), 4326) AS geom)
        SELECT ST_Area(ST_Difference(b.geom, (SELECT ST_Union(geom) FROM grid))) / ST_Area(b.geom)
        FROM b""",
        boundary=boundary_geojson(),
    )
    # The grids tile the district: what is left is floating noise (planar area; geodesic
    # area of micrometre slivers is numerically meaningless).
    assert uncovered < 1e-9


async def test_no_two_grids_overlap(demo_url) -> None:
    overlapping = await scalar(
        demo_url,
        """
        SELECT count(*) FROM grid a JOIN grid b ON a.id < b.id AND a.geom && b.geom
        WHERE ST_Relate(a.geom, b.geom, '2********')""",
    )
    assert overlapping == 0


async def test_hierarchy_codes_and_containment(demo_url) -> None:
    bad = await scalar(
        demo_url,
        """
        SELECT count(*) FROM grid g JOIN region c ON c.code = g.community_code
        JOIN region t ON t.code = c.parent_code
        WHERE c.level <> 'community' OR t.level <> 'township' OR t.parent_code <> '511504000000'
           OR left(g.code, 12) <> c.code OR left(c.code, 9) <> t.prefix
           OR NOT ST_CoveredBy(g.geom, ST_Buffer(c.geom, 1e-9))""",
    )
    assert bad == 0


async def test_people_and_other_domains_are_located_in_their_grid(demo_url) -> None:
    assert await scalar(demo_url, "SELECT count(*) FROM person") == DEMO_PERSONS
    misplaced = await scalar(
        demo_url,
        """
        SELECT count(*) FROM (
          SELECT geom, grid_id, region_code FROM person UNION ALL
          SELECT geom, grid_id, region_code FROM place UNION ALL
          SELECT geom, grid_id, region_code FROM thing UNION ALL
          SELECT geom, grid_id, region_code FROM organization) r
        JOIN grid g ON g.id = r.grid_id
        WHERE r.region_code <> g.code OR NOT ST_Intersects(r.geom, g.geom)""",
    )
    assert misplaced == 0
    kinds = await scalar(demo_url, "SELECT array_agg(DISTINCT kind ORDER BY kind) FROM thing")
    assert kinds == ["component", "facility", "iot_device"]
    orgs = await scalar(demo_url, "SELECT array_agg(DISTINCT kind ORDER BY kind) FROM organization")
    assert orgs == ["enterprise", "party_organization", "social_organization"]


async def test_demo_records_carry_their_beidou_and_time_codes(demo_url) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from core.codes import beidou

    engine = make_engine(demo_url, Settings(database_url=demo_url))
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("""
            SELECT ST_X(geom), ST_Y(geom), beidou_code, collected_at, time_code FROM person
            UNION ALL SELECT ST_X(geom), ST_Y(geom), beidou_code, collected_at, time_code
            FROM thing UNION ALL SELECT ST_X(geom), ST_Y(geom), beidou_code, collected_at,
            time_code FROM organization ORDER BY 3 LIMIT 2000""")
            )
        ).all()
    await engine.dispose()
    shanghai = ZoneInfo("Asia/Shanghai")
    for x, y, code, collected_at, time_code in rows:
        assert code == beidou.encode(x, y, 10)
        assert time_code == collected_at.astimezone(shanghai).strftime("%Y%m%d%H%M%S")
        assert 8 <= datetime.strptime(time_code, "%Y%m%d%H%M%S").hour < 18  # working hours
