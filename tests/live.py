"""Real servers for end-to-end tests: uvicorn on a loopback port, in the test's loop."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import websockets
from sqlalchemy import text

from core.settings import Settings
from server.app import create_app
from tests.fixtures import TEST_SECRET

ROOT = Path(__file__).resolve().parent.parent


async def eventually(condition: Any, seconds: float = 10) -> None:
    """Wait until ``condition()`` holds (TimeoutError after ``seconds``)."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 (a state of another task, not an event)
            await asyncio.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def live_server(url: str, var_dir: Path, **settings: Any) -> AsyncIterator[str]:
    """A uvicorn server of a fresh app on the database; yields its base URL."""
    async with live_app(url, var_dir, **settings) as (base_url, _app):
        yield base_url


@asynccontextmanager
async def live_app(url: str, var_dir: Path, **settings: Any) -> AsyncIterator[tuple[str, Any]]:
    """A uvicorn server of a fresh app on the database; yields its base URL and the app."""
    app = create_app(
        Settings(database_url=url, var_dir=var_dir, secret_key=TEST_SECRET, **settings)
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


class Subscriber:
    """A graphql-transport-ws client."""

    def __init__(self, base_url: str, token: str) -> None:
        self.url = base_url.replace("http://", "ws://") + "/graphql"
        self.token = token
        self.ws: Any = None

    async def __aenter__(self) -> Subscriber:
        self.ws = await websockets.connect(self.url, subprotocols=["graphql-transport-ws"])
        await self.ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}}
            )
        )
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), 5))
        assert ack["type"] == "connection_ack", ack
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def subscribe(self, sub_id: str, query: str, variables: dict | None = None) -> None:
        await self.ws.send(
            json.dumps(
                {
                    "id": sub_id,
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables or {}},
                }
            )
        )

    async def next(self, wait: float = 10) -> dict[str, Any]:
        while True:
            async with asyncio.timeout(wait):
                message = json.loads(await self.ws.recv())
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            return message


@asynccontextmanager
async def served_process(
    url: str, var_dir: Path, **env: str
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    """`gridgov serve` as a process of its own (for signals), once its /healthz answers
    200; yields its base URL and the process, and kills it if it is still running."""
    port = free_port()
    environment = dict(
        os.environ,
        GRIDGOV_DATABASE_URL=url,
        GRIDGOV_VAR_DIR=str(var_dir),
        GRIDGOV_SECRET_KEY=TEST_SECRET,
        PYTHONPATH=str(ROOT),
        **env,
    )
    gridgov = Path(sys.executable).with_name("gridgov")
    server = await asyncio.create_subprocess_exec(
        gridgov, "serve", "--port", str(port), env=environment, cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            for _ in range(300):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.returncode is None, "the server did not start"
                await asyncio.sleep(0.1)
        yield base, server
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()


async def held_on_lock(conn: Any, seconds: float = 10) -> None:
    """Wait until a statement of the server (application gridgov) waits on a lock."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND application_name = 'gridgov'"
    )
    async with asyncio.timeout(seconds):
        while not await conn.scalar(waiting):  # noqa: ASYNC110 (another process's state)
            await asyncio.sleep(0.05)
