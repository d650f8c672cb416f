"""Live subscriptions hold no database connection while they wait: a district's workers
keep the app open all day, far more of them than a pool has connections."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import httpx

from tests.fixtures import Client, StatementCounter
from tests.live import Subscriber, eventually, live_app
from tests.test_events import REPORT, report_input
from tests.test_live import TASKS
from tests.test_locate import inner_points
from tests.test_records import demo_copy

SUBSCRIBERS = 100
POOL = 5  # and as many again of overflow


async def test_a_hundred_subscribers_on_a_pool_of_five(pg_server, template_db, tmp_path) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, grid = (await inner_points(url, 1))[0]
    async with (
        live_app(url, tmp_path / "a", db_pool_size=POOL, rate_limit_per_minute=0) as (base, app),
        httpx.AsyncClient(base_url=base, timeout=60) as http_worker,
        httpx.AsyncClient(base_url=base, timeout=60) as http_citizen,
        AsyncExitStack() as stack,
    ):
        worker = Client(http=http_worker, app=app, sql=StatementCounter())
        citizen = Client(http=http_citizen, app=app, sql=StatementCounter())
        token = await worker.login(f"gw-{grid}")
        await citizen.login("citizen")
        subscribers = [
            await stack.enter_async_context(Subscriber(base, token)) for _ in range(SUBSCRIBERS)
        ]
        await asyncio.gather(*(s.subscribe("tasks", TASKS) for s in subscribers))
        await eventually(lambda: app.state.gridgov.broker.subscriber_count == SUBSCRIBERS, 30)
        pool = app.state.gridgov.engine.pool
        assert pool.checkedout() == 0, pool.status()  # waiting holds nothing

        reported = await citizen.gql(REPORT, {"input": report_input(lon, lat)})
        assert "errors" not in reported, reported
        event_id = reported["data"]["reportEvent"]["event"]["id"]

        async def query_meanwhile() -> dict:
            return await worker.gql(
                "query($c: String!) { grid(code: $c) { code worker { name } } }", {"c": grid}
            )

        answers, *messages = await asyncio.gather(
            query_meanwhile(), *(s.next(wait=30) for s in subscribers)
        )
        assert answers["data"]["grid"]["code"] == grid, answers
        for message in messages:
            assert message["type"] == "next", message
            assert message["payload"]["data"]["myNewTasks"]["id"] == event_id
        await eventually(lambda: pool.checkedout() == 0)  # the fan-out's reads gave them back
