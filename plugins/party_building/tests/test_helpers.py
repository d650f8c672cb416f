"""Party members in grid work (党员中心户): appointing helpers, the grid showing them (with no
N+1 across a page of grids), their visits and findings, and a finding attributed to the
event reported for it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from plugins.party_building.tests.setup import build_tree
from plugins.party_building.tests.test_service import code_of, community_codes, data, today
from tests.fixtures import Client, sql_rows, sql_scalar
from tests.test_events import REPORT, report_input
from tests.test_records import demo_copy

APPOINT = """mutation($m: ID!, $g: String!, $h: Int, $since: Date) {
  appointPartyGridHelper(memberId: $m, gridCode: $g, households: $h, since: $since) {
    id gridCode households since until activityCount member { id name } } }"""
APPOINT_DEFAULTS = """mutation($m: ID!, $g: String!) {
  appointPartyGridHelper(memberId: $m, gridCode: $g) { id households since } }"""
END = """mutation($id: ID!, $until: Date) { endPartyGridHelper(id: $id, until: $until) {
  id until } }"""
RECORD = """mutation($h: ID!, $k: PartyHelperActivityKind!, $on: Date!, $e: ID, $note: String) {
  recordPartyHelperActivity(helperId: $h, kind: $k, occurredOn: $on, eventId: $e, note: $note) {
    id kind occurredOn note eventId helper { id } } }"""
GRID = """query($c: String!) { grid(code: $c) { code partyHelpers {
  id gridCode households activityCount member { id } } } }"""
EVENT = """query($id: ID!) { event(id: $id) { id partyHelperActivity {
  kind eventId helper { id gridCode member { id } } } } }"""
ACTIVITIES = """query($h: ID!) { partyHelperActivities(helperId: $h) {
  totalCount nodes { kind eventId } } }"""


async def grids_with_points(url: str, community: str, n: int) -> list[tuple[str, float, float]]:
    """``n`` current grids of the community that have a worker, with a point inside each."""
    rows = await sql_rows(
        url,
        "SELECT code, ST_X(p), ST_Y(p) FROM (SELECT code, ST_PointOnSurface(geom) p FROM grid "
        "WHERE community_code = :c AND valid_to IS NULL AND worker_id IS NOT NULL "
        "ORDER BY code LIMIT :n) s",
        c=community,
        n=n,
    )
    assert len(rows) == n, rows
    return [(str(code), float(x), float(y)) for code, x, y in rows]


async def appoint(client: Client, member: int, grid: str, households: int = 0) -> dict[str, Any]:
    result = await client.gql(APPOINT, {"m": str(member), "g": grid, "h": households})
    return data(result, "appointPartyGridHelper")


async def report(client: Client, lon: float, lat: float) -> str:
    await client.login("citizen")
    reported = data(await client.gql(REPORT, {"input": report_input(lon, lat)}), "reportEvent")
    return str(reported["event"]["id"])


async def test_appointing_helpers_and_the_grid_showing_them(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a, b = await community_codes(url, tree)
    (grid, _, _), (other, _, _) = await grids_with_points(url, a, 2)
    ((grid_b, _, _),) = await grids_with_points(url, b, 1)
    m = tree.members
    async with app_client(url) as client:
        await client.login("command")
        first = await appoint(client, m["a1"], grid, 12)
        assert first["gridCode"] == grid and first["households"] == 12
        assert first["since"] == today().isoformat() and first["until"] is None
        assert first["activityCount"] == 0 and first["member"]["id"] == str(m["a1"])
        again = await client.gql(APPOINT, {"m": str(m["a1"]), "g": other})
        assert code_of(again) == "CONFLICT"  # one current post per member
        tomorrow = (today() + timedelta(days=1)).isoformat()
        cases = [
            ({"m": str(m["a2"]), "g": "511504999999999"}, "NOT_FOUND"),
            ({"m": str(m["a2"]), "g": a}, "BAD_USER_INPUT"),  # a community, not a grid
            ({"m": str(m["a2"]), "g": grid, "h": -1}, "BAD_USER_INPUT"),
            ({"m": str(m["a2"]), "g": grid, "since": tomorrow}, "BAD_USER_INPUT"),
            ({"m": "999999999", "g": grid}, "NOT_FOUND"),
        ]
        for variables, expected in cases:
            assert code_of(await client.gql(APPOINT, variables)) == expected, variables

        await client.login(f"cs-{b}")  # another community's grid
        refused = await client.gql(APPOINT, {"m": str(m["b1"]), "g": grid})
        assert code_of(refused) == "FORBIDDEN"
        await client.login(f"cs-{a}")
        unseen = await client.gql(APPOINT, {"m": str(m["b1"]), "g": grid})
        assert code_of(unseen) == "NOT_FOUND"  # branch B is not community A's to read
        defaults = await client.gql(APPOINT_DEFAULTS, {"m": str(m["a2"]), "g": grid})
        second = data(defaults, "appointPartyGridHelper")  # households and since omitted
        assert second["households"] == 0 and second["since"] == today().isoformat()
        for username in ("citizen", "ds-511504-health"):
            await client.login(username)
            assert code_of(await client.gql(APPOINT, {"m": str(m["a3"]), "g": grid})) == "FORBIDDEN"

        await client.login(f"gw-{grid}")  # the grid's worker reads its helpers
        shown = data(await client.gql(GRID, {"c": grid}), "grid")["partyHelpers"]
        assert [h["member"]["id"] for h in shown] == [str(m["a1"]), str(m["a2"])]
        assert [h["households"] for h in shown] == [12, 0]
        for username in (f"cs-{b}", f"gw-{grid_b}", "ds-511504-health"):
            await client.login(username)
            hidden = data(await client.gql(GRID, {"c": grid}), "grid")
            assert hidden == {"code": grid, "partyHelpers": []}, username

        await client.login(f"gw-{grid}")
        ended = data(await client.gql(END, {"id": first["id"]}), "endPartyGridHelper")
        assert ended["until"] == today().isoformat()
        assert code_of(await client.gql(END, {"id": first["id"]})) == "CONFLICT"
        early = await client.gql(END, {"id": second["id"], "until": "2000-01-01"})
        assert code_of(early) == "BAD_USER_INPUT"
        shown = data(await client.gql(GRID, {"c": grid}), "grid")["partyHelpers"]
        assert [h["id"] for h in shown] == [second["id"]]  # current helpers only
        await client.login("command")
        moved = await appoint(client, m["a1"], other)  # ended, so appointable again
        assert moved["gridCode"] == other


async def test_helpers_of_a_page_of_grids_load_at_once(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    codes = [
        str(r[0])
        for r in await sql_rows(
            url, "SELECT code FROM grid WHERE valid_to IS NULL ORDER BY code LIMIT 20"
        )
    ]
    query = """query($n: Int!) { grids(first: $n) { nodes { code
      partyHelpers { id activityCount member { id name } } } } }"""
    async with app_client(url) as client:
        await client.login("command")
        for key, grid in zip(("a1", "a2", "a3", "b1"), codes[::5], strict=True):
            await appoint(client, tree.members[key], grid)
        await client.gql(query, {"n": 2})  # warm the caches of a first request
        counts = {}
        for n in (2, 20):
            client.sql.reset()
            nodes = data(await client.gql(query, {"n": n}), "grids")["nodes"]
            counts[n] = client.sql.count
        assert len(nodes) == 20
        assert [len(g["partyHelpers"]) for g in nodes] == [
            1 if g in codes[::5] else 0 for g in codes
        ]
        assert counts[20] == counts[2], counts  # one statement for the helpers of the page


async def test_activities_and_event_attribution(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a, b = await community_codes(url, tree)
    (grid, lon, lat), (other, lon2, lat2) = await grids_with_points(url, a, 2)
    m = tree.members
    async with app_client(url) as client:
        event = await report(client, lon, lat)
        elsewhere = await report(client, lon2, lat2)
        region = await sql_scalar(url, "SELECT region_code FROM event WHERE id = :e", e=int(event))
        assert region == grid
        await client.login("command")
        since = (today() - timedelta(days=7)).isoformat()
        appointed = await client.gql(APPOINT, {"m": str(m["a1"]), "g": grid, "since": since})
        helper = data(appointed, "appointPartyGridHelper")["id"]

        await client.login(f"gw-{grid}")
        visit = {"h": helper, "k": "VISIT", "on": today().isoformat(), "note": "走访独居老人"}
        visited = data(await client.gql(RECORD, visit), "recordPartyHelperActivity")
        assert visited["kind"] == "VISIT" and visited["eventId"] is None
        assert visited["helper"] == {"id": helper}
        finding = {
            "h": helper,
            "k": "PATROL_FINDING",
            "on": (today() - timedelta(days=1)).isoformat(),
        }
        tomorrow = (today() + timedelta(days=1)).isoformat()
        cases = [
            ({**visit, "e": event}, "BAD_USER_INPUT"),  # a visit names no event
            ({**finding, "e": "999999999"}, "NOT_FOUND"),
            ({**finding, "e": elsewhere}, "BAD_USER_INPUT"),  # not in the helper's grid
            ({**finding, "on": tomorrow}, "BAD_USER_INPUT"),
            ({**finding, "on": "2000-01-01"}, "BAD_USER_INPUT"),  # before the appointment
            ({**finding, "h": "999999999"}, "NOT_FOUND"),
        ]
        for variables, expected in cases:
            assert code_of(await client.gql(RECORD, variables)) == expected, variables
        found = data(await client.gql(RECORD, {**finding, "e": event}), "recordPartyHelperActivity")
        assert found["eventId"] == event and found["kind"] == "PATROL_FINDING"
        twice = await client.gql(RECORD, {**finding, "e": event})
        assert code_of(twice) == "CONFLICT"  # an event is attributed once

        attributed = data(await client.gql(EVENT, {"id": event}), "event")["partyHelperActivity"]
        assert attributed == {
            "kind": "PATROL_FINDING",
            "eventId": event,
            "helper": {"id": helper, "gridCode": grid, "member": {"id": str(m["a1"])}},
        }
        listed = data(await client.gql(ACTIVITIES, {"h": helper}), "partyHelperActivities")
        assert listed["totalCount"] == 2  # first omitted: the default page
        assert [n["kind"] for n in listed["nodes"]] == ["PATROL_FINDING", "VISIT"]
        shown = data(await client.gql(GRID, {"c": grid}), "grid")["partyHelpers"]
        assert shown[0]["activityCount"] == 2

        await client.login("command")
        none = data(await client.gql(EVENT, {"id": elsewhere}), "event")
        assert none["partyHelperActivity"] is None  # nothing attributed to it
        assert data(await client.gql(EVENT, {"id": event}), "event")["partyHelperActivity"]
        await client.login("citizen")  # the reporter reads the event, not party data
        seen = data(await client.gql(EVENT, {"id": event}), "event")
        assert seen["partyHelperActivity"] is None
        assert code_of(await client.gql(ACTIVITIES, {"h": helper})) == "FORBIDDEN"
        await client.login("ds-511504-health")
        assert code_of(await client.gql(ACTIVITIES, {"h": helper})) == "FORBIDDEN"
        assert code_of(await client.gql(RECORD, visit)) == "FORBIDDEN"
        await client.login(f"cs-{b}")
        assert code_of(await client.gql(ACTIVITIES, {"h": helper})) == "NOT_FOUND"
        assert code_of(await client.gql(RECORD, visit)) == "NOT_FOUND"
        await client.login(f"gw-{other}")  # the next grid's worker: not this helper's grid
        assert code_of(await client.gql(RECORD, visit)) == "NOT_FOUND"

        await client.login(f"cs-{a}")
        data(await client.gql(END, {"id": helper}), "endPartyGridHelper")
        after = await client.gql(RECORD, visit)
        assert code_of(after) == "CONFLICT"  # an ended helper records nothing new
        count = await sql_scalar(
            url, "SELECT count(*) FROM party_helper_activity WHERE helper_id = :h", h=int(helper)
        )
        assert count == 2
