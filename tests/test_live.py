"""The whole loop through real HTTP servers, with real tokens, a real multipart upload and
real WebSocket subscriptions served by another server process than the one changing the
event (they meet through PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures import Client, StatementCounter
from tests.live import Subscriber, live_server
from tests.test_events import drive_loop
from tests.test_locate import inner_points
from tests.test_records import demo_copy

TASKS = "subscription { myNewTasks { id status level } }"
UPDATES = "subscription($id: ID!) { eventUpdated(id: $id) { id status version } }"


async def test_loop_over_http_with_live_subscriptions(pg_server, template_db, tmp_path) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, grid = (await inner_points(url, 1))[0]
    uploads = tmp_path / "uploads"
    async with (
        live_server(url, tmp_path / "a", upload_root=uploads) as server_a,
        live_server(url, tmp_path / "b", upload_root=uploads) as server_b,
        httpx.AsyncClient(base_url=server_b, timeout=30) as http_citizen,
        httpx.AsyncClient(base_url=server_b, timeout=30) as http_staff,
    ):
        citizen = Client(http=http_citizen, app=None, sql=StatementCounter())
        staff = Client(http=http_staff, app=None, sql=StatementCounter())
        worker_token = await staff.login(f"gw-{grid}")
        citizen_token = await citizen.login("citizen")
        seen: list[tuple[str, str]] = []
        async with (
            Subscriber(server_a, worker_token) as worker,
            Subscriber(server_a, citizen_token) as watcher,
        ):
            await worker.subscribe("tasks", TASKS)

            async def after_step(action: str, eid: str, status: str) -> None:
                if action == "report":
                    task = await worker.next()
                    assert task["type"] == "next", task
                    assert task["payload"]["data"]["myNewTasks"] == {
                        "id": eid,
                        "status": "ASSIGNED",
                        "level": "GRID",
                    }
                    await watcher.subscribe("updates", UPDATES, {"id": eid})
                    return
                update: Any = await watcher.next()
                assert update["type"] == "next", update
                got = update["payload"]["data"]["eventUpdated"]
                seen.append((action, got["status"]))
                assert got["status"] == status, (action, got)

            await drive_loop(citizen, staff, grid, lon, lat, uploads, after_step)
        assert len(seen) == 14 and seen[-1] == ("rateEvent", "CLOSED")


async def test_websocket_with_a_bad_token_is_refused(pg_server, template_db, tmp_path) -> None:
    import pytest
    import websockets

    url = await demo_copy(pg_server, template_db)
    async with live_server(url, tmp_path / "a") as server:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            async with Subscriber(server, "not-a-token") as sub:
                await sub.next()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
