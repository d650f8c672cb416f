"""The single objects (``region``, ``department``, ``me``, ``locate``, ``event`` with its
trace, files and actions) built from their shapes answer and query exactly as the
resolvers do, for every kind of actor."""

from __future__ import annotations

import json
import re
from typing import Any

from schema.account.types import ACCOUNT_FIELDS
from schema.department.types import DEPARTMENT_FIELDS
from schema.event.types import ATTACHMENT_FIELDS, EVENT_FIELDS, TRACE_STEP_FIELDS
from schema.grid.types import GRID_FIELDS, REGION_FIELDS
from schema.located import LOCATED_FIELDS
from tests.compare import answers, assert_same, every_field
from tests.fixtures import sql_rows, sql_scalar
from tests.test_events import loop_steps, report_input, step, upload
from tests.test_files import REPORT, photo
from tests.test_locate import inner_points
from tests.test_records import demo_copy

REGION = f"__typename {every_field(REGION_FIELDS)}"
GRID = f"__typename {every_field(GRID_FIELDS)} region {{ {REGION} }}"
DEPARTMENT = f"__typename {every_field(DEPARTMENT_FIELDS)} areas region {{ {REGION} }}"
ACCOUNT = f"""__typename {every_field(ACCOUNT_FIELDS)} region {{ {REGION} parent {{ code }} }}
  department {{ {DEPARTMENT} }} grid {{ {GRID} }}"""
EVENT = f"""__typename {every_field(EVENT_FIELDS)} {every_field(LOCATED_FIELDS)} location
  reporter category {{ __typename code kind nameZh nameEn deadlineHours departmentTypes }}
  grid {{ {GRID} }} assignee {{ __typename kind code name level }}"""
PAGE_INFO = "pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }"
CHILDREN = f"__typename totalCount {PAGE_INFO} edges {{ __typename cursor node {{ {REGION} }} }}"
LOCATION = f"""__typename longitude latitude beidouCode regionCode grid {{ {GRID} }}
  community {{ {REGION} parent {{ {REGION} }} }} township {{ {REGION} }}"""
ACTORS = (
    "command",
    "ts-511504100",
    "ds-511504-civil-affairs",
    "ds-511504-urban-management",
    "admin",
    "citizen",
    None,
)


async def _queries(url: str) -> tuple[list[tuple[str, dict[str, Any]]], tuple[str, ...]]:
    (lon, lat), *_ = await sql_rows(
        url,
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM grid "
        "WHERE valid_to IS NULL ORDER BY code LIMIT 1) g",
    )
    department = await sql_scalar(url, "SELECT code FROM department ORDER BY code LIMIT 1")
    reporter, event = (
        await sql_rows(
            url,
            "SELECT a.username, e.id FROM account a JOIN event e ON e.reporter_id = a.id "
            "WHERE a.role = 'citizen' AND e.assignee_id IS NOT NULL ORDER BY e.id LIMIT 1",
        )
    )[0]
    worker = await sql_scalar(
        url,
        "SELECT a.username FROM account a JOIN event e ON e.assignee_id = a.id "
        "WHERE a.role = 'grid_worker' AND e.id = :e",
        e=event,
    )
    queries = [
        (f"{{ me {{ {ACCOUNT} }} }}", {}),
        (f'{{ region(code: "511504100") {{ {REGION} parent {{ {REGION} }} geometry }} }}', {}),
        (
            "query($c: String!) { r: region(code: $c) { n: name p: parent { parent { code } } } }",
            {"c": "511504"},
        ),
        (f'{{ department(code: "{department}") {{ {DEPARTMENT} }} }}', {}),
        (f"{{ locate(lon: {lon}, lat: {lat}) {{ {LOCATION} }} }}", {}),
        ("{ locate(lon: 104.0, lat: 28.0) { regionCode grid { code } community { name } } }", {}),
        (f'{{ event(id: "{event}") {{ {EVENT} }} }}', {}),
        ('{ event(id: "999999999") { id } }', {}),
        (f"{{ regions {{ totalCount nodes {{ {REGION} children {{ {CHILDREN} }} }} }} }}", {}),
        (
            "query($n: Int) { regions(level: TOWNSHIP, first: 5) { edges { cursor node { name "
            "children(first: $n) { nodes { code grids(first: 3) { totalCount nodes { code "
            "region { name } } } } } } } } }",
            {"n": 2},
        ),
        ('{ region(code: "511504") { name children(first: 3) { nodes { name } } } }', {}),
        # not compiled (a page the resolver refuses, a plugin's field): the same
        ('{ region(code: "511504") { name children(first: 101) { nodes { name } } } }', {}),
        (f'{{ event(id: "{event}") {{ id patrolFinding {{ __typename }} }} }}', {}),
    ]
    return queries, (*ACTORS, reporter, worker)


async def test_compiled_objects_answer_and_query_as_the_resolvers(demo_url, app_client) -> None:
    queries, actors = await _queries(demo_url)
    found = await answers(demo_url, app_client, actors, queries)
    assert_same(found)
    # not trivial: every object is there for somebody, the event hidden from some
    responses = {(a.who, a.query): a.response for a in found[True]}
    for query, _ in queries[:7]:
        assert responses[("command", query)].get("data"), query
    event = queries[6][0]
    assert responses[(actors[-2], event)]["data"]["event"]["reporter"]
    assert responses[("ds-511504-civil-affairs", event)]["errors"][0]["extensions"]["code"] == (
        "NOT_FOUND"
    )
    me = queries[0][0]
    assert responses[(actors[-1], me)]["data"]["me"]["grid"]["region"]["name"]
    assert responses[(None, me)]["data"]["me"] is None


async def test_every_object_is_built_by_its_shape(demo_url, app_client, monkeypatch) -> None:
    from schema.compiled import records

    queries, _ = await _queries(demo_url)
    built: list[str] = []
    root = records.Builder.root

    async def spy(self: Any, shape: Any, row: Any, selected: Any) -> Any:
        node = await root(self, shape, row, selected)  # NotCompilable: not built
        built.append(shape.typename)
        return node

    monkeypatch.setattr(records.Builder, "root", spy)
    async with app_client(demo_url) as client:
        await client.login("command")
        for query, variables in queries:
            await client.gql(query, variables)
    # all but those the resolvers answer (and the event that is not found)
    assert built == [
        "Account",
        "Region",
        "Region",
        "Department",
        "Location",
        "Location",
        "Event",
        "Region",
    ], built


ATTACHMENT = f"__typename key mime url thumbnailUrl {every_field(ATTACHMENT_FIELDS)}"
TRACE = f"__typename {every_field(TRACE_STEP_FIELDS)} attachments {{ {ATTACHMENT} }}"
HANDLING = f"id actions attachments {{ {ATTACHMENT} }} trace {{ {TRACE} }}"


def _unsigned(response: Any) -> Any:
    """Without the links' signatures: their expiry moves on at the hour."""
    return json.loads(re.sub(r"\?t=[^&\"]+", "?t=", json.dumps(response)))


async def test_traces_files_and_actions_as_the_resolvers(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), *_ = await inner_points(url, 1)
    async with app_client(url) as client:
        await client.login("citizen")
        reported = await upload(
            client, REPORT, {"input": report_input(lon, lat)}, [("p.jpg", photo(), "image/jpeg")]
        )
        event = reported["data"]["reportEvent"]["event"]["id"]
        for who, mutation, variables, _ in loop_steps(grid)[:6]:
            await client.login(who)
            assert "errors" not in await step(client, mutation, id=event, **variables)
    queries: list[tuple[str, dict[str, Any]]] = [
        ("query($id: ID!) { event(id: $id) { " + HANDLING + " } }", {"id": event}),
        ("{ myReports(first: 3) { edges { node { " + HANDLING + " } } } }", {}),
        ("{ events(first: 3) { nodes { id trace { action actor } actions } } }", {}),
    ]
    actors = (
        "citizen",
        f"gw-{grid}",
        f"cs-{grid[:12]}",
        "command",
        "ds-511504-urban-management",
        "ds-511504-civil-affairs",
        "admin",
        None,
    )
    found = await answers(url, app_client, actors, queries)
    assert_same(found, normalise=_unsigned)
    responses = {(a.who, a.query): a.response for a in found[True]}
    mine = responses[("citizen", queries[0][0])]["data"]["event"]
    theirs = responses[("command", queries[0][0])]["data"]["event"]
    # the reporter's trace is the public one, by role; the photo is there with its links
    assert len(mine["trace"]) < len(theirs["trace"])
    assert mine["attachments"][0]["kind"] == "IMAGE"
    assert mine["trace"][0]["attachments"][0]["url"].startswith("/files/")
    assert theirs["actions"] and not mine["actions"]
    # the compiled path's link is a working link
    async with app_client(url) as client:
        link = mine["attachments"][0]["url"]
        assert (await client.http.get(link)).status_code == 200
