"""A server killed (SIGKILL) in the middle of a write leaves the database as it was before
the write: a grid import, a report and a GPS batch each run in one transaction, and one
that never commits is rolled back by PostgreSQL. Each write is held on a lock after its
first statements have run, the process is killed there, then the lock is let go."""

from __future__ import annotations

import asyncio
import signal
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from shapely.geometry import shape
from sqlalchemy import text

from core.database.engine import make_engine
from core.settings import Settings
from tests.fixtures import Client, StatementCounter, sql_scalar
from tests.live import held_on_lock, served_process
from tests.test_events import REPORT, report_input
from tests.test_grid_management import EXPORT, IMPORT, fc, feature
from tests.test_locate import inner_points
from tests.test_records import demo_copy

UPLOAD = "mutation($f: [TrackFixInput!]) { uploadTrack(fixes: $f) { stored } }"
STATE = """SELECT (SELECT count(*) FROM grid) AS grids,
  (SELECT count(*) FROM event) AS events, (SELECT count(*) FROM event_trace) AS steps,
  (SELECT count(*) FROM attendance_fix) AS fixes,
  (SELECT count(*) FROM person WHERE region_code IS NOT NULL) AS persons"""


async def _state(url: str) -> Any:
    engine = make_engine(url, Settings(database_url=url))
    async with engine.connect() as conn:
        row = (await conn.execute(text(STATE))).one()
    await engine.dispose()
    return tuple(row)


async def _write(kind: str, client: Client, grid: str, lon: float, lat: float) -> Any:
    """(who, query, variables, the table it writes last) of one kind of write."""
    if kind == "grid import":
        await client.login("admin")
        exported = (await client.gql(EXPORT, {"c": grid[:12]}))["data"]["gridsGeojson"]
        f = next(f for f in exported["features"] if f["properties"]["code"] == grid)
        smaller = shape(f["geometry"]).buffer(-0.00005)
        props = f["properties"]
        variables = {"fc": fc(feature(grid, smaller, props["name"], props["kind"])), "dry": False}
        return IMPORT, variables, "person"  # redrawn grid rows first, then re-assignment
    if kind == "report":
        await client.login("citizen")
        return REPORT, {"input": report_input(lon, lat, key=uuid.uuid4().hex)}, "event_trace"
    await client.login(f"gw-{grid}")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    fixes = [
        {"at": (start + timedelta(seconds=30 * i)).isoformat(), "lon": lon, "lat": lat}
        for i in range(60)
    ]
    return UPLOAD, {"f": fixes}, "attendance_track_day"


@pytest.mark.parametrize("kind", ["grid import", "report", "gps batch"])
async def test_a_write_killed_midway_leaves_nothing(pg_server, template_db, tmp_path, kind) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, grid = (await inner_points(url, 1))[0]
    before = await _state(url)
    engine = make_engine(url, Settings(database_url=url))
    async with (
        served_process(url, tmp_path / "var") as (base, server),
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        client = Client(http=http, app=None, sql=StatementCounter())
        query, variables, last_table = await _write(kind, client, grid, lon, lat)
        async with engine.connect() as locker:
            tx = await locker.begin()
            await locker.execute(text(f"LOCK TABLE {last_table} IN ACCESS EXCLUSIVE MODE"))
            write = asyncio.create_task(client.gql(query, variables))
            held = asyncio.create_task(held_on_lock(locker))
            await asyncio.wait({held, write}, return_when=asyncio.FIRST_COMPLETED)
            assert not write.done(), write.result()  # it should be waiting, not done
            await held  # its first statements ran; it waits for the last
            server.send_signal(signal.SIGKILL)
            await server.wait()
            with pytest.raises(httpx.TransportError):
                await write
            await tx.rollback()
    await engine.dispose()
    gone = (
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gridgov' "
        "AND datname = current_database() AND pid <> pg_backend_pid()"
    )
    for _ in range(200):  # the killed server's sessions end, their transactions rolled back
        if not await sql_scalar(url, gone):
            break
        await asyncio.sleep(0.05)
    assert await sql_scalar(url, gone) == 0
    assert await _state(url) == before
