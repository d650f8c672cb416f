"""The event loop end to end over HTTP: report with a photo, the four levels, a
department, verification, closing, rating; concurrency, idempotency, refused uploads,
indicators."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import text

from core.services.indicators import rates
from tests.fixtures import Client
from tests.test_locate import inner_points
from tests.test_records import count, demo_copy

REPORT = """mutation($input: ReportEventInput!) { reportEvent(input: $input) {
  created possibleDuplicates { id } event { id status level handlingRegion version
  grid { code } assignee { kind name level } attachments { key mime kind size } } } }"""
EVENT = """query($id: ID!) { event(id: $id) { id status level version rating
  assignee { kind code level } trace { step action actor actorRole note detail
  attachments { mime } } } }"""


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (28.0, 46.0, 12.0), "E", (104.0, 37.0, 8.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


async def upload(
    client: Client,
    query: str,
    variables: dict[str, Any],
    files: list[tuple[str, bytes, str]],
    path: str = "input.attachments",
) -> dict[str, Any]:
    """A GraphQL multipart request (the spec the apps use for photos)."""
    target = variables
    *parents, leaf = path.split(".")
    for key in parents:
        target = target[key]
    target[leaf] = [None] * len(files)  # the multipart spec's placeholders
    operations = {"query": query, "variables": variables}
    mapping = {str(i): [f"variables.{path}.{i}"] for i in range(len(files))}
    response = await client.http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files={str(i): f for i, f in enumerate(files)},
        headers={"Authorization": f"Bearer {client.token}"},
    )
    return response.json()


def report_input(lon: float, lat: float, key: str | None = None, **extra: Any) -> dict:
    return {
        "categoryCode": "city.sanitation",
        "title": "垃圾堆积",
        "description": "小区门口垃圾三天没有清运",
        "location": {"lon": lon, "lat": lat},
        "idempotencyKey": key or uuid.uuid4().hex,
        "attachments": [],
        **extra,
    }


async def step(client: Client, mutation: str, **variables: Any) -> dict[str, Any]:
    args = ", ".join(f"{k}: ${k}" for k in variables)
    types = {
        "id": "ID!",
        "note": "String",
        "departmentCode": "String!",
        "reason": "String!",
        "result": "String!",
        "passed": "Boolean!",
        "score": "Int!",
        "comment": "String",
        "card": "SupervisionCard!",
        "expectedVersion": "Int",
    }
    decl = ", ".join(f"${k}: {types[k]}" for k in variables)
    result = await client.gql(
        f"mutation({decl}) {{ {mutation}({args}) {{ id status level version }} }}", variables
    )
    return result


def loop_steps(grid: str) -> list[tuple[str, str, dict[str, Any], str]]:
    """The loop after the report: (who, mutation, arguments, status after the step)."""
    dept = "ds-511504-urban-management"
    return [
        (f"gw-{grid}", "acceptEvent", {}, "ACCEPTED"),
        (f"gw-{grid}", "escalateEvent", {"note": "需要社区协调"}, "ASSIGNED"),
        (f"cs-{grid[:12]}", "escalateEvent", {}, "ASSIGNED"),
        (f"ts-{grid[:9]}", "escalateEvent", {}, "ASSIGNED"),
        ("command", "dispatchEvent", {"departmentCode": "511504-URBAN-MANAGEMENT"}, "DISPATCHED"),
        (dept, "sendBackEvent", {"reason": "属于物业管理范围"}, "ASSIGNED"),
        (
            "command",
            "dispatchEvent",
            {"departmentCode": "511504-URBAN-MANAGEMENT", "note": "物业已撤场，请执法局处理"},
            "DISPATCHED",
        ),
        (dept, "acceptEvent", {}, "ACCEPTED"),
        (dept, "resolveEvent", {"result": "已清运"}, "RESOLVED"),
        (f"gw-{grid}", "verifyEvent", {"passed": False, "note": "还有一堆没清走"}, "ACCEPTED"),
        (dept, "resolveEvent", {"result": "已全部清运"}, "RESOLVED"),
        (f"gw-{grid}", "verifyEvent", {"passed": True}, "VERIFIED"),
        (f"gw-{grid}", "closeEvent", {}, "CLOSED"),
    ]


async def drive_loop(
    citizen: Client,
    staff: Client,
    grid: str,
    lon: float,
    lat: float,
    uploads: Path,
    after_step: Any = None,
) -> str:
    """Report with a photo, then every step of the loop; checks the trace. Returns the id."""
    await citizen.login("citizen")
    reported = await upload(
        citizen,
        REPORT,
        {"input": report_input(lon, lat)},
        [("photo.jpg", jpeg_with_gps(), "image/jpeg")],
    )
    assert "errors" not in reported, reported
    event = reported["data"]["reportEvent"]["event"]
    assert event["status"] == "ASSIGNED" and event["level"] == "GRID"
    assert event["grid"]["code"] == grid and event["handlingRegion"] == grid
    assert event["assignee"]["kind"] == "WORKER"
    stored = event["attachments"][0]
    assert stored["mime"] == "image/jpeg"
    with Image.open(uploads / stored["key"]) as kept:
        assert not kept.getexif().get_ifd(0x8825)  # no GPS left in the stored photo
    eid = event["id"]
    if after_step is not None:
        await after_step("report", eid, "ASSIGNED")
    for who, mutation, arguments, status in loop_steps(grid):
        await staff.login(who)
        if mutation == "sendBackEvent":
            no_reason = await step(staff, "sendBackEvent", id=eid, reason="  ")
            assert no_reason["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        result = await step(staff, mutation, id=eid, **arguments)
        assert "errors" not in result, (who, mutation, result)
        assert result["data"][mutation]["status"] == status
        if after_step is not None:
            await after_step(mutation, eid, status)
    rated = await step(citizen, "rateEvent", id=eid, score=5, comment="很快")
    assert rated["data"]["rateEvent"]["status"] == "CLOSED", rated
    if after_step is not None:
        await after_step("rateEvent", eid, "CLOSED")
    again = await step(citizen, "rateEvent", id=eid, score=1)
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"

    await staff.login("command")
    full = (await staff.gql(EVENT, {"id": eid}))["data"]["event"]
    assert [s["action"] for s in full["trace"]] == [
        "REPORT",
        "ACCEPT",
        "ESCALATE",
        "ESCALATE",
        "ESCALATE",
        "DISPATCH",
        "SEND_BACK",
        "DISPATCH",
        "ACCEPT",
        "RESOLVE",
        "VERIFY",
        "RESOLVE",
        "VERIFY",
        "CLOSE",
        "RATE",
    ]
    assert [s["step"] for s in full["trace"]] == list(range(1, 16))
    assert full["trace"][0]["attachments"] == [{"mime": "image/jpeg"}]
    assert full["trace"][6]["note"] == "属于物业管理范围"
    assert full["trace"][5]["detail"] == "department:511504-URBAN-MANAGEMENT"
    assert full["rating"] == 5
    public = (await citizen.gql(EVENT, {"id": eid}))["data"]["event"]["trace"]
    assert [s["action"] for s in public] == [
        "REPORT",
        "ACCEPT",
        "ACCEPT",
        "RESOLVE",
        "VERIFY",
        "RESOLVE",
        "VERIFY",
        "CLOSE",
        "RATE",
    ]
    assert all(s["detail"] is None for s in public)
    handler_names = {s["actor"] for s in public if s["actorRole"] != "CITIZEN"}
    assert handler_names <= {"网格员", "职能部门"}  # roles, not people's names
    mine = await citizen.gql("{ myReports(first: 10) { edges { node { id } } } }")
    assert [e["node"]["id"] for e in mine["data"]["myReports"]["edges"]] == [eid]
    return eid


async def test_the_whole_loop(pg_server, template_db, app_client, tmp_path) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, grid = (await inner_points(url, 1))[0]
    uploads = tmp_path / "uploads"
    async with (
        app_client(url, upload_root=uploads) as citizen,
        app_client(url, upload_root=uploads) as staff,
    ):
        await drive_loop(citizen, staff, grid, lon, lat, uploads)


async def test_refusals_and_routing(pg_server, template_db, app_client, tmp_path) -> None:
    url = await demo_copy(pg_server, template_db)
    _lon, _lat, _grid = (await inner_points(url, 1))[0]
    async with app_client(url, upload_root=tmp_path / "u") as client:
        await client.login("citizen")
        outside = await client.gql(REPORT, {"input": report_input(110.0, 30.0)})
        event = outside["data"]["reportEvent"]["event"]
        assert event["level"] == "DISTRICT" and event["grid"] is None
        assert event["handlingRegion"] == "511504000000"
        eid = event["id"]
        forbidden = await step(client, "acceptEvent", id=eid)
        assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        early = await step(client, "rateEvent", id=eid, score=4)
        assert early["errors"][0]["extensions"]["code"] == "CONFLICT"
        await client.login("command")
        assert "errors" not in await step(client, "acceptEvent", id=eid)
        close = await step(client, "closeEvent", id=eid)
        assert close["errors"][0]["extensions"]["code"] == "CONFLICT"
        wrong = await step(client, "dispatchEvent", id=eid, departmentCode="511504-HEALTH")
        assert wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        stale = await step(client, "superviseEvent", id=eid, card="RED", expectedVersion=1)
        assert stale["errors"][0]["extensions"]["code"] == "CONFLICT"
        await client.login("citizen")
        nearby = await client.gql(REPORT, {"input": report_input(110.0001, 30.0001)})
        assert nearby["data"]["reportEvent"]["possibleDuplicates"] == [{"id": eid}]
        missing = await client.gql(EVENT, {"id": "999999"})
        assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        await client.login("ds-511504-education")
        hidden = await client.gql(EVENT, {"id": eid})
        assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_retried_report_returns_the_first_event(
    pg_server, template_db, app_client, tmp_path
) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, _ = (await inner_points(url, 1))[0]
    async with app_client(url, upload_root=tmp_path / "u") as client:
        await client.login("citizen")
        data = report_input(lon, lat, key="phone-retry-0001")
        first = await upload(
            client, REPORT, {"input": data}, [("a.jpg", jpeg_with_gps(), "image/jpeg")]
        )
        second = await upload(
            client, REPORT, {"input": data}, [("a.jpg", jpeg_with_gps(), "image/jpeg")]
        )
        assert first["data"]["reportEvent"]["created"] is True
        assert second["data"]["reportEvent"]["created"] is False
        assert (
            second["data"]["reportEvent"]["event"]["id"]
            == first["data"]["reportEvent"]["event"]["id"]
        )
    assert await count(url, "SELECT count(*) FROM event") == 1
    assert await count(url, "SELECT count(*) FROM event_attachment") == 1


async def test_lying_or_oversized_uploads_keep_nothing(
    pg_server, template_db, app_client, tmp_path
) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, _ = (await inner_points(url, 1))[0]
    root = tmp_path / "u"
    async with app_client(url, upload_root=root, upload_max_bytes=4096) as client:
        await client.login("citizen")
        lying = await upload(
            client,
            REPORT,
            {"input": report_input(lon, lat)},
            [("a.png", jpeg_with_gps(), "image/png")],
        )
        assert lying["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "declared image/png" in lying["errors"][0]["message"]
        script = await upload(
            client,
            REPORT,
            {"input": report_input(lon, lat)},
            [("a.jpg", b"<script>alert(1)</script>", "image/jpeg")],
        )
        assert script["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        noise = io.BytesIO()
        Image.effect_noise((400, 400), 90).convert("RGB").save(noise, "JPEG", quality=95)
        too_big = await upload(
            client,
            REPORT,
            {"input": report_input(lon, lat)},
            [("big.jpg", noise.getvalue(), "image/jpeg")],
        )
        assert too_big["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "limit" in too_big["errors"][0]["message"]
    assert await count(url, "SELECT count(*) FROM event") == 0
    assert files_under(root) == []


async def test_fifty_concurrent_conflicting_transitions(
    pg_server, template_db, app_client, tmp_path
) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, grid = (await inner_points(url, 1))[0]
    async with app_client(url, upload_root=tmp_path / "u") as client:
        await client.login("citizen")
        eid = (await client.gql(REPORT, {"input": report_input(lon, lat)}))["data"]["reportEvent"][
            "event"
        ]["id"]
        token = await client.login(f"gw-{grid}")
        mutation = "mutation($id: ID!) { acceptEvent(id: $id) { status } }"
        results = await asyncio.gather(
            *(client.gql(mutation, {"id": eid}, token=token) for _ in range(50))
        )
    wins = [r for r in results if "errors" not in r]
    codes = sorted({r["errors"][0]["extensions"]["code"] for r in results if "errors" in r})
    assert len(wins) == 1 and codes == ["CONFLICT"], codes
    accepted = await count(
        url, f"SELECT count(*) FROM event_trace WHERE event_id = {eid} AND action = 'accept'"
    )
    assert accepted == 1


def test_indicator_arithmetic() -> None:
    assert rates(972, 911, 737) == (93.72, 75.82)
    assert rates(0, 0, 0) == (None, None)
    assert rates(3, 2, 1) == (66.67, 33.33)


async def test_indicators_through_the_api(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    from core.database.engine import make_engine
    from core.settings import Settings

    engine = make_engine(url, Settings(database_url=url))
    async with engine.begin() as conn:  # 972 events due in June; 911 closed, 737 on time
        await conn.execute(
            text("""
            INSERT INTO event (category_code, title, description, status, level,
              handling_region, reporter_id, channel, idempotency_key, deadline_at, closed_at,
              rating, region_code, county, geom, collected_at)
            SELECT 'city.road', 'e' || i, 'd', CASE WHEN i <= 911 THEN 'closed'
                   ELSE 'accepted' END, 'district', '511504000000', 3, 'command',
                   'bulk-' || i, timestamptz '2026-06-01 00:00+08' + i * interval '40 min',
                   CASE WHEN i <= 737 THEN timestamptz '2026-06-01 00:00+08'
                                          + i * interval '40 min' - interval '1 hour'
                        WHEN i <= 911 THEN timestamptz '2026-06-01 00:00+08'
                                          + i * interval '40 min' + interval '1 day' END,
                   CASE WHEN i <= 911 THEN 1 + i % 5 END, '511504', '511504', NULL,
                   timestamptz '2026-05-20 00:00+08'
            FROM generate_series(1, 972) i""")
        )
    await engine.dispose()
    async with app_client(url) as client:
        await client.login("command")
        result = await client.gql("""{ eventIndicators(from: "2026-06-01T00:00:00+08:00",
            to: "2026-07-01T00:00:00+08:00") { due closed closedOnTime closeRate onTimeRate
            averageSatisfaction overdue } }""")
        figures = result["data"]["eventIndicators"]
        assert figures["due"] == 972 and figures["closed"] == 911
        assert figures["closedOnTime"] == 737
        assert figures["closeRate"] == 93.72 and figures["onTimeRate"] == 75.82
        assert figures["overdue"] == 972 - 911
        assert 1 <= figures["averageSatisfaction"] <= 5


async def test_hook_gridgov_event_transition_fires_on_each_step(
    pg_server, template_db, app_client, tmp_path
) -> None:
    from tests.sample_plugin import SamplePlugin

    url = await demo_copy(pg_server, template_db)
    lon, lat, grid = (await inner_points(url, 1))[0]
    plugin = SamplePlugin()
    async with app_client(url, plugins=[plugin], upload_root=tmp_path / "u") as client:
        await client.login("citizen")
        eid = (await client.gql(REPORT, {"input": report_input(lon, lat)}))["data"]["reportEvent"][
            "event"
        ]["id"]
        await client.login(f"gw-{grid}")
        assert "errors" not in await step(client, "acceptEvent", id=eid)
    calls = plugin.called("event_transition")
    assert [t for _, t, _ in calls] == ["report", "accept"]
    assert all(event.id == int(eid) for event, _, _ in calls)


async def test_address_only_reports_go_to_the_command_centre_and_show_up_here(
    pg_server, template_db, app_client, tmp_path
) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, grid = (await inner_points(url, 1))[0]
    async with app_client(url, upload_root=tmp_path / "u") as client:
        await client.login("citizen")
        data = report_input(lon, lat)
        del data["location"]
        data["address"] = "南岸街道某小区3栋"
        event = (await client.gql(REPORT, {"input": data}))["data"]["reportEvent"]["event"]
        assert event["level"] == "DISTRICT" and event["grid"] is None
        neither = report_input(lon, lat)
        del neither["location"]
        refused = await client.gql(REPORT, {"input": neither})
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        await client.gql(REPORT, {"input": report_input(lon, lat)})
        await client.login("command")
        here = await client.gql(
            "query($c: String!) { here(code: $c) { counts { events } "
            "events(first: 5) { edges { node { grid { code } } } } } }",
            {"c": grid},
        )
        assert here["data"]["here"]["counts"]["events"] == 1
        assert here["data"]["here"]["events"]["edges"][0]["node"]["grid"]["code"] == grid


async def test_grid_latest_events_are_batched(pg_server, template_db, app_client, tmp_path) -> None:
    url = await demo_copy(pg_server, template_db)
    points = await inner_points(url, 2)
    async with app_client(url, upload_root=tmp_path / "u") as client:
        await client.login("citizen")
        ids = []
        for lon, lat, _ in points + points[:1]:
            result = await client.gql(REPORT, {"input": report_input(lon, lat)})
            ids.append(result["data"]["reportEvent"]["event"]["id"])
        await client.login("command")
        query = """query($n: Int!) { grids(first: $n) { edges { node { code worker { name }
          events(first: 10) { id status } } } } }"""
        await client.gql(query, {"n": 1})
        counts = {}
        for n in (1, 10, 100):
            client.sql.reset()
            result = await client.gql(query, {"n": n})
            assert "errors" not in result, result
            counts[n] = client.sql.count
        assert counts[1] == counts[10] == counts[100], counts
        nodes = {e["node"]["code"]: e["node"]["events"] for e in result["data"]["grids"]["edges"]}
        assert [e["id"] for e in nodes[points[0][2]]] == [ids[2], ids[0]]  # newest first
        assert [e["id"] for e in nodes[points[1][2]]] == [ids[1]]
        await client.login("ds-511504-education")  # no event grant: nothing leaks
        hidden = await client.gql(query, {"n": 100})
        assert all(e["node"]["events"] == [] for e in hidden["data"]["grids"]["edges"])


ACTION_OF = {
    "acceptEvent": "ACCEPT",
    "escalateEvent": "ESCALATE",
    "dispatchEvent": "DISPATCH",
    "sendBackEvent": "SEND_BACK",
    "resolveEvent": "RESOLVE",
    "verifyEvent": "VERIFY",
    "closeEvent": "CLOSE",
}
ACTIONS = "query($id: ID!) { event(id: $id) { status actions } }"


async def test_actions_offer_each_step_to_whoever_may_take_it(
    pg_server, template_db, app_client
) -> None:
    """Before every step of the loop, its actor's ``Event.actions`` offers it (and the
    actor of the step before no longer holds what they handed on)."""
    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), *_ = await inner_points(url, 1)
    async with app_client(url) as client:
        await client.login("citizen")
        reported = await client.gql(REPORT, {"input": report_input(lon, lat)})
        eid = reported["data"]["reportEvent"]["event"]["id"]
        assert (await client.gql(ACTIONS, {"id": eid}))["data"]["event"]["actions"] == []
        previous: str | None = None
        for who, mutation, arguments, _status in loop_steps(grid):
            await client.login(who)
            offered = (await client.gql(ACTIONS, {"id": eid}))["data"]["event"]["actions"]
            assert ACTION_OF[mutation] in offered, (who, mutation, offered)
            result = await step(client, mutation, id=eid, **arguments)
            assert "errors" not in result, result
            if previous is not None and previous != who and mutation == "escalateEvent":
                await client.login(previous)
                assert (await client.gql(ACTIONS, {"id": eid}))["data"]["event"]["actions"] == []
            previous = who
        await client.login("citizen")
        assert (await client.gql(ACTIONS, {"id": eid}))["data"]["event"]["actions"] == ["RATE"]
        await step(client, "rateEvent", id=eid, score=4)
        assert (await client.gql(ACTIONS, {"id": eid}))["data"]["event"]["actions"] == []
        await client.login("command")
        assert (await client.gql(ACTIONS, {"id": eid}))["data"]["event"]["actions"] == []
