"""SIGTERM to `gridgov serve`: new connections refused at once, requests in flight
finished, live subscriptions closed with 1012 (service restart), a clean exit."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest
import websockets
from sqlalchemy import text

from core.database.engine import make_engine
from core.settings import Settings
from tests.fixtures import DEMO_PASSWORD, TEST_SECRET, Client, StatementCounter
from tests.live import Subscriber, free_port
from tests.test_live import TASKS
from tests.test_locate import inner_points
from tests.test_records import demo_copy

ROOT = Path(__file__).resolve().parent.parent


async def test_sigterm_finishes_what_is_in_flight(pg_server, template_db, tmp_path) -> None:
    url = await demo_copy(pg_server, template_db)
    _, _, grid = (await inner_points(url, 1))[0]
    port = free_port()
    env = dict(
        os.environ,
        GRIDGOV_DATABASE_URL=url,
        GRIDGOV_VAR_DIR=str(tmp_path / "var"),
        GRIDGOV_SECRET_KEY=TEST_SECRET,
        GRIDGOV_SHUTDOWN_GRACE_SECONDS="20",
        PYTHONPATH=str(ROOT),
    )
    server = await asyncio.create_subprocess_exec(
        Path(sys.executable).with_name("gridgov"), "serve", "--port", str(port), env=env, cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for _ in range(300):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.returncode is None, "the server did not start"
                await asyncio.sleep(0.1)
            client = Client(http=http, app=None, sql=StatementCounter())
            token = await client.login(f"gw-{grid}", DEMO_PASSWORD)
            engine = make_engine(url, Settings(database_url=url))
            async with Subscriber(base, token) as worker, engine.connect() as locker:
                await worker.subscribe("tasks", TASKS)
                tx = await locker.begin()
                await locker.execute(text("LOCK TABLE grid IN ACCESS EXCLUSIVE MODE"))
                in_flight = asyncio.create_task(
                    client.gql("{ grids(first: 2) { totalCount nodes { code } } }")
                )
                waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                for _ in range(100):
                    if await locker.scalar(text(waiting)):
                        break
                    await asyncio.sleep(0.05)
                server.send_signal(signal.SIGTERM)
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await worker.next(wait=10)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
                with pytest.raises(httpx.ConnectError):  # no longer accepting
                    async with httpx.AsyncClient(base_url=base) as late:
                        await late.get("/healthz")
                assert server.returncode is None  # still finishing the request in flight
                await tx.rollback()
            await engine.dispose()
            answer = await asyncio.wait_for(in_flight, 20)
            assert answer["data"]["grids"]["totalCount"] > 0, answer
        # uvicorn re-raises the signal once it has shut down: the exit status says SIGTERM
        assert await asyncio.wait_for(server.wait(), 20) in (0, -signal.SIGTERM)
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
