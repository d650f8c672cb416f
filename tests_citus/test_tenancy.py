"""Three counties on Citus, distributed by county (core.database.distribute): the same
isolation and routing as on one PostgreSQL (tests/test_tenancy.py), and a county's
persons page and a report each planned on one shard — one worker.

The plugins are switched off here: their tables and queries are not yet distributed
(docs/citus.md says what runs on Citus today)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest_asyncio

from core.database.citus import CitusCluster
from core.database.engine import make_engine
from core.database.migrate import upgrade
from core.plugins import make_plugin_manager
from core.settings import Settings
from tests.fixtures import load_demo_into
from tests.test_events import drive_loop
from tests.test_locate import inner_points
from tests.test_tenancy import (
    CUIPING,
    NANXI,
    REPORT,
    XUZHOU,
    _report,
    county_isolation,
    ok,
    report_routing,
)

PLUGINS_OFF = "analytics,attendance,e_governance,early_warning,party_building"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def counties_url(citus: CitusCluster) -> AsyncIterator[str]:
    url = await citus.create_database("gg_citus_counties")
    settings = Settings(database_url=url, disabled_plugins=PLUGINS_OFF)
    engine = make_engine(url, settings)
    await upgrade(engine, make_plugin_manager(settings))  # migrates, then distributes
    await engine.dispose()
    await load_demo_into(
        url, persons=300, seed=5, events=200, counties=2, county_grids=40, settings=settings
    )
    yield url


async def _coordinator(citus: CitusCluster) -> asyncpg.Connection:
    node = citus.coordinator
    return await asyncpg.connect(
        host=str(node.socket_dir), user=node.superuser, database="gg_citus_counties"
    )


async def test_the_large_tables_are_distributed_by_county(
    citus: CitusCluster, counties_url: str
) -> None:
    conn = await _coordinator(citus)
    try:
        kinds = {
            r["t"]: r["partmethod"]
            for r in await conn.fetch(
                "SELECT logicalrelid::regclass::text AS t, partmethod::text FROM pg_dist_partition"
            )
        }
        for table in ("person", "household", "place", "thing", "organization", "event"):
            assert kinds[table] == "h", table  # hash-distributed…
        for table in ("event_trace", "event_attachment", "person_special_group"):
            assert kinds[table] == "h", table
        for table in ("region", "grid", "account", "department", "event_category"):
            assert kinds[table] == "n", table  # … the rest replicated to every node
        groups = await conn.fetchval(
            "SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE partmethod = 'h'"
        )
        assert groups == 1  # every county's rows live together
        column = await conn.fetchval(
            "SELECT column_to_column_name(logicalrelid, partkey) FROM pg_dist_partition "
            "WHERE logicalrelid = 'person'::regclass"
        )
        assert column == "county"
    finally:
        await conn.close()


async def test_the_whole_event_loop_on_citus(counties_url: str, app_client, tmp_path) -> None:
    """Report with a photo, escalate to the top, dispatch, send back, resolve, verify,
    close, rate: every step of tests/test_events.py's loop, in Xuzhou, on Citus."""
    points = await inner_points(counties_url, 2000)
    lon, lat, grid = next(p for p in points if p[2].startswith(XUZHOU))
    uploads = tmp_path / "uploads"
    settings = {"upload_root": uploads, "disabled_plugins": PLUGINS_OFF}
    async with (
        app_client(counties_url, **settings) as citizen,
        app_client(counties_url, **settings) as staff,
    ):
        await drive_loop(citizen, staff, grid, lon, lat, uploads)


async def test_locate_and_permissions_on_citus(counties_url: str, app_client) -> None:
    """A point of each county is placed in its grid; each actor's permissions are cut to
    its county (the authorization probes of tests/test_tenancy.py, through Citus)."""
    points = await inner_points(counties_url, 2000)
    async with app_client(counties_url, disabled_plugins=PLUGINS_OFF) as client:
        for county in (XUZHOU, CUIPING, NANXI):
            lon, lat, code = next(p for p in points if p[2].startswith(county))
            where = ok(
                await client.gql(
                    "query($x: Float!, $y: Float!) { locate(lon: $x, lat: $y) "
                    "{ regionCode grid { code } township { code } } }",
                    {"x": lon, "y": lat},
                )
            )["locate"]
            assert where["regionCode"] == code == where["grid"]["code"]
            assert where["township"]["code"] == code[:9] + "000"
        for username, county in (("command-511502", CUIPING), ("command", XUZHOU)):
            await client.login(username)
            rows = ok(await client.gql("{ myPermissions { prefixes } }"))["myPermissions"]
            assert {p for row in rows for p in row["prefixes"]} == {county}


async def test_a_county_never_sees_another_on_citus(counties_url: str, app_client) -> None:
    async with app_client(counties_url, disabled_plugins=PLUGINS_OFF) as client:
        await county_isolation(counties_url, client)


async def test_a_report_is_routed_inside_its_county_on_citus(counties_url: str, app_client) -> None:
    async with app_client(counties_url, disabled_plugins=PLUGINS_OFF) as client:
        await report_routing(counties_url, client)


async def _plan(citus: CitusCluster, statement: str, parameters: Any) -> str:
    conn = await _coordinator(citus)
    try:
        rows = await conn.fetch("EXPLAIN " + statement, *(parameters or ()))
    finally:
        await conn.close()
    return "\n".join(r[0] for r in rows)


def _sent(client: Any, start: str) -> list[tuple[str, Any]]:
    return [
        (s, p)
        for s, p in zip(client.sql.statements, client.sql.parameters, strict=True)
        if s.lstrip().startswith(start)
    ]


async def test_a_countys_persons_page_and_a_report_go_to_one_worker(
    citus: CitusCluster, counties_url: str, app_client
) -> None:
    async with app_client(counties_url, disabled_plugins=PLUGINS_OFF) as client:
        await client.login("command-511502")
        client.sql.reset()
        page = ok(await client.gql("{ persons(first: 20) { nodes { id regionCode } } }"))
        assert page["persons"]["nodes"]
        reads = [(s, p) for s, p in _sent(client, "SELECT") if "FROM person" in s]
        assert reads
        for statement, parameters in reads:
            plan = await _plan(citus, statement, parameters)
            assert "Task Count: 1" in plan, plan
        # a report: its event and its first step are written on the county's shard
        points = await inner_points(counties_url, 2000)
        lon, lat, _ = next(p for p in points if p[2].startswith(NANXI))
        await client.login("citizen")
        client.sql.reset()
        where = {"location": {"lon": lon, "lat": lat}}
        ok(await client.gql(REPORT, _report("citus-route-1", **where)))
        writes = _sent(client, "INSERT INTO event")
        assert {s.split("(")[0].strip() for s, _ in writes} >= {
            "INSERT INTO event",
            "INSERT INTO event_trace",
        }
        for statement, parameters in writes:
            plan = await _plan(citus, statement, parameters)
            assert "Task Count: 1" in plan, plan
