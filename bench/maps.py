"""The maps scenario: a demo with 1,000,000 events in a year (and 100,000 residents) in a
database of its own, then heat maps and vector tiles timed over HTTP against a real
uvicorn process.

Goals (issue "Intelligent analysis II"): a heat map over the 1,000,000 events answers in
200 ms or less; a grids or events tile at zooms 12-16 has a p95 of 100 ms or less. Tiles
are drawn where the events are (the tiles of randomly picked events, per zoom).
"""

from __future__ import annotations

import asyncio
import math
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.analytics import prepare
from core.database.engine import make_engine
from core.settings import Settings

HEAT = """query($r: String, $level: Int, $bins: HeatBins, $size: Float) {
  analysis(module: "events_by_area", regionCode: $r, from: "2025-06-30", to: "2026-06-29") {
    heatMap(bins: $bins, level: $level, size: $size) { cellCount count cells } } }"""
#: (name, variables, goal); the period holds every event of the demo's year. The
#: township is the busiest (filled in at run time).
HEAT_PLAN = [
    ("heat map, BeiDou level 3 (district)", {"level": 3}, "p50<=200ms"),
    ("heat map, BeiDou level 4 (district)", {"level": 4}, "p50<=200ms"),
    ("heat map, BeiDou level 5 (township)", {"level": 5, "r": "township"}, ""),
    ("heat map, 1 km squares (district)", {"bins": "SQUARE", "size": 1000}, ""),
    ("heat map, 1 km hexagons (district)", {"bins": "HEX", "size": 1000}, ""),
]
TILE_ZOOMS = (12, 13, 14, 15, 16)


def maps_url(url: str) -> str:
    return make_url(url).set(database="gridgov_bench_maps").render_as_string(hide_password=False)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


async def _event_points(url: str, n: int) -> tuple[list[tuple[float, float]], str]:
    """``n`` events' locations, and the township with the most events. The events are
    vacuumed first, as autovacuum soon does after a bulk load (index-only scans need it)."""
    engine = make_engine(url, Settings(database_url=url))
    async with engine.connect() as conn:
        vacuum = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await vacuum.execute(text("VACUUM (ANALYZE) event"))
        township = await conn.scalar(
            text(
                "SELECT left(region_code, 9) || '000' FROM event GROUP BY 1 "
                "ORDER BY count(*) DESC LIMIT 1"
            )
        )
        rows = (
            await conn.execute(
                text(
                    "SELECT ST_X(geom), ST_Y(geom) FROM event TABLESAMPLE SYSTEM (1) "
                    "WHERE geom IS NOT NULL LIMIT :n"
                ),
                {"n": n},
            )
        ).all()
    await engine.dispose()
    return [(float(x), float(y)) for x, y in rows], str(township)


def _timed(client: httpx.Client, send: Callable[[], httpx.Response]) -> float:
    t = time.perf_counter()
    response = send()
    elapsed = (time.perf_counter() - t) * 1000
    assert response.status_code == 200, response.text[:300]
    return elapsed


def _p(times: list[float], q: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(q * len(times)))]


def bench_maps(
    url: str,
    persons: int,
    events: int,
    requests: int,
    password: str,
    row: Callable[..., None],
    serve: Callable[..., Any],
    token: Callable[[str, str], str],
) -> None:
    url = maps_url(url)
    asyncio.run(prepare(url, persons, events, password, row))
    points, township = asyncio.run(_event_points(url, 2000))
    server, base = serve("server.app:create_app", url, factory=True)
    try:
        headers = {"Authorization": f"Bearer {token(base, 'command')}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            for name, planned, goal in HEAT_PLAN:
                variables = {k: township if v == "township" else v for k, v in planned.items()}

                def send(v: dict[str, Any] = variables) -> httpx.Response:
                    return client.post("/graphql", json={"query": HEAT, "variables": v})

                answer = send().json()  # warm-up, and the figures (read outside the timing)
                assert "errors" not in answer, str(answer)[:300]
                send()
                times = [_timed(client, send) for _ in range(requests)]
                heat = answer["data"]["analysis"]["heatMap"]
                row(
                    f"maps: {name}",
                    events=heat["count"],
                    cells=heat["cellCount"],
                    p50_ms=f"{statistics.median(times):.0f}",
                    p95_ms=f"{_p(times, 0.95):.0f}",
                    goal=goal,
                )
            rng = random.Random(7)
            for layer in ("grids", "events", "heat"):
                for z in TILE_ZOOMS:
                    tiles = [tile_of(lon, lat, z) for lon, lat in rng.sample(points, 100)]
                    for x, y in tiles[:3]:
                        client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")  # warm-up
                    times, sizes = [], []
                    for x, y in tiles:
                        t = time.perf_counter()
                        response = client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
                        times.append((time.perf_counter() - t) * 1000)
                        assert response.status_code == 200, response.text[:300]
                        sizes.append(len(response.content))
                    row(
                        f"maps: {layer} tile z{z}",
                        tiles=len(tiles),
                        p50_ms=f"{statistics.median(times):.0f}",
                        p95_ms=f"{_p(times, 0.95):.0f}",
                        kb_mean=f"{statistics.mean(sizes) / 1024:.1f}",
                        goal="p95<=100ms" if layer != "heat" else "",
                    )
    finally:
        server.terminate()
        server.wait(10)
