"""The whole loop through real HTTP servers, with real tokens, a real multipart upload and
real WebSocket subscriptions served by another server process than the one changing the
event (they meet through PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures import Client, StatementCounter, sql_rows
from tests.live import Subscriber, live_server
from tests.test_events import drive_loop, report_input
from tests.test_locate import inner_points
from tests.test_records import demo_copy

TASKS = "subscription { myNewTasks { id status level } }"
UPDATES = "subscription($id: ID!) { eventUpdated(id: $id) { id status version } }"
REGION = "subscription($r: String) { eventChanged(regionCode: $r) { id status } }"


async def test_loop_over_http_with_live_subscriptions(pg_server, template_db, tmp_path) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, grid = (await inner_points(url, 1))[0]
    elsewhere = (
        await sql_rows(
            url,
            "SELECT ST_X(p), ST_Y(p), code FROM (SELECT ST_PointOnSurface(geom) p, code "
            "FROM grid WHERE valid_to IS NULL AND left(code, 9) <> :t ORDER BY code LIMIT 1) s",
            t=grid[:9],
        )
    )[0]
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
        command_token = await staff.login("command")
        citizen_token = await citizen.login("citizen")
        seen: list[tuple[str, str]] = []
        async with (
            Subscriber(server_a, worker_token) as worker,
            Subscriber(server_a, citizen_token) as watcher,
            Subscriber(server_a, command_token) as screen,
            Subscriber(server_a, command_token) as other_screen,
        ):
            await worker.subscribe("tasks", TASKS)
            # a command centre's screens: the event's township, and another one
            await screen.subscribe("township", REGION, {"r": grid[:9]})
            await other_screen.subscribe("elsewhere", REGION, {"r": elsewhere[2][:9]})

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
                    changed: Any = await screen.next()
                    assert changed["payload"]["data"]["eventChanged"] == {
                        "id": eid,
                        "status": "ASSIGNED",
                    }
                    return
                changed = await screen.next()
                assert changed["payload"]["data"]["eventChanged"] == {"id": eid, "status": status}
                update: Any = await watcher.next()
                assert update["type"] == "next", update
                got = update["payload"]["data"]["eventUpdated"]
                seen.append((action, got["status"]))
                assert got["status"] == status, (action, got)

            await drive_loop(citizen, staff, grid, lon, lat, uploads, after_step)
            # the other township's screen saw none of it: its first change is its own
            other = await citizen.gql(
                "mutation($i: ReportEventInput!) { reportEvent(input: $i) { event { id } } }",
                {"i": report_input(elsewhere[0], elsewhere[1])},
            )
            other_id = other["data"]["reportEvent"]["event"]["id"]
            first: Any = await other_screen.next()
            assert first["payload"]["data"]["eventChanged"] == {
                "id": other_id,
                "status": "ASSIGNED",
            }
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
