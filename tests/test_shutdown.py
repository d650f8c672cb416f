"""SIGTERM to `gridgov serve`: new connections refused at once, requests in flight
finished, live subscriptions closed with 1012 (service restart), a clean exit."""

from __future__ import annotations

import asyncio
import signal

import httpx
import pytest
import websockets
from sqlalchemy import text

from core.database.engine import make_engine
from core.settings import Settings
from tests.fixtures import Client, StatementCounter
from tests.live import Subscriber, held_on_lock, served_process
from tests.test_live import TASKS
from tests.test_locate import inner_points
from tests.test_records import demo_copy


async def test_sigterm_finishes_what_is_in_flight(pg_server, template_db, tmp_path) -> None:
    url = await demo_copy(pg_server, template_db)
    _, _, grid = (await inner_points(url, 1))[0]
    engine = make_engine(url, Settings(database_url=url))
    async with (
        served_process(url, tmp_path / "var", GRIDGOV_SHUTDOWN_GRACE_SECONDS="20") as (
            base,
            server,
        ),
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        client = Client(http=http, app=None, sql=StatementCounter())
        token = await client.login(f"gw-{grid}")
        async with Subscriber(base, token) as worker, engine.connect() as locker:
            await worker.subscribe("tasks", TASKS)
            tx = await locker.begin()
            await locker.execute(text("LOCK TABLE grid IN ACCESS EXCLUSIVE MODE"))
            in_flight = asyncio.create_task(
                client.gql("{ grids(first: 2) { totalCount nodes { code } } }")
            )
            await held_on_lock(locker)
            server.send_signal(signal.SIGTERM)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await worker.next(wait=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
            with pytest.raises(httpx.ConnectError):  # no longer accepting
                async with httpx.AsyncClient(base_url=base) as late:
                    await late.get("/healthz")
            assert server.returncode is None  # still finishing the request in flight
            await tx.rollback()
        answer = await asyncio.wait_for(in_flight, 20)
        assert answer["data"]["grids"]["totalCount"] > 0, answer
        # uvicorn re-raises the signal once it has shut down: the exit status says SIGTERM
        assert await asyncio.wait_for(server.wait(), 20) in (0, -signal.SIGTERM)
    await engine.dispose()
