"""A coordinator and two workers: rows of a county live together and a county's query
goes to one worker; gridgov's migrations and API run on the coordinator unchanged."""

from __future__ import annotations

import itertools

import asyncpg
import httpx
from asgi_lifespan import LifespanManager

from core.database.citus import CitusCluster
from core.database.engine import make_engine
from core.database.migrate import upgrade
from core.plugins import make_plugin_manager
from core.settings import Settings
from server.app import create_app

NAMES = itertools.count(1)


async def _connect(citus: CitusCluster, database: str) -> asyncpg.Connection:
    node = citus.coordinator
    return await asyncpg.connect(host=str(node.socket_dir), user=node.superuser, database=database)


async def test_a_countys_rows_live_together_and_its_query_goes_to_one_worker(
    citus: CitusCluster,
) -> None:
    name = f"gg_citus_{next(NAMES)}"
    await citus.create_database(name)
    conn = await _connect(citus, name)
    try:
        assert len(await conn.fetch("SELECT * FROM citus_get_active_worker_nodes()")) == 2
        await conn.execute(
            "CREATE TABLE spot (county char(6), id bigint, geom geometry(Point, 4490), "
            "PRIMARY KEY (county, id))"
        )
        await conn.execute("SELECT create_distributed_table('spot', 'county')")
        await conn.execute(
            "INSERT INTO spot SELECT c, i, ST_SetSRID(ST_MakePoint(104 + i * 0.001, 28), 4490) "
            "FROM unnest(ARRAY['511504', '511502', '511503']) c, generate_series(1, 100) i"
        )
        one = await conn.fetch(
            "EXPLAIN SELECT count(*) FROM spot WHERE county = '511504' AND ST_X(geom) > 104.05"
        )
        plan = "\n".join(r[0] for r in one)
        assert "Task Count: 1" in plan, plan
        every = "\n".join(r[0] for r in await conn.fetch("EXPLAIN SELECT count(*) FROM spot"))
        assert "Task Count: 8" in every, every
        assert await conn.fetchval("SELECT count(*) FROM spot WHERE county = '511504'") == 100
        placed = await conn.fetchval(
            "SELECT count(DISTINCT nodename) FROM citus_shards WHERE table_name = 'spot'::regclass"
        )
        assert placed == 2  # the shards are spread over both workers
    finally:
        await conn.close()


async def test_migrations_and_the_api_run_on_the_coordinator(citus: CitusCluster, tmp_path) -> None:
    name = f"gg_citus_{next(NAMES)}"
    url = await citus.create_database(name)
    settings = Settings(
        database_url=url, var_dir=tmp_path, secret_key="a-test-secret-that-is-at-least-32-bytes"
    )
    engine = make_engine(url, settings)
    await upgrade(engine, make_plugin_manager(settings))
    await engine.dispose()
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            answer = await http.post("/graphql", json={"query": "{ regions { totalCount } }"})
            assert answer.json() == {"data": {"regions": {"totalCount": 0}}}
