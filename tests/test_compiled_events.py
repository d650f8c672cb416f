"""Event pages completed without per-field resolvers answer exactly as the resolvers do,
for every kind of actor (``compiled_reads`` on and off)."""

from __future__ import annotations

from typing import Any

from schema.event.types import EVENT_FIELDS
from schema.grid.types import GRID_FIELDS
from schema.located import LOCATED_FIELDS
from tests.compare import answer, answers, assert_same, completed_pages, every_field
from tests.fixtures import sql_scalar

NODE = f"""__typename {every_field(EVENT_FIELDS)} {every_field(LOCATED_FIELDS)} location reporter
  category {{ __typename code kind nameZh nameEn deadlineHours departmentTypes }}
  grid {{ __typename {every_field(GRID_FIELDS)} }}
  assignee {{ __typename kind code name level }}"""
PAGE = (
    "__typename totalCount pageInfo { __typename hasNextPage hasPreviousPage startCursor "
    "endCursor } edges { __typename cursor node { " + NODE + " } }"
)
QUERIES: list[tuple[str, dict[str, Any]]] = [
    (f"{{ events(first: 40) {{ {PAGE} }} }}", {}),
    (f"{{ myTasks {{ {PAGE} }} }}", {}),
    (f"{{ myReports(first: 30) {{ {PAGE} }} }}", {}),
    (f"{{ overdueEvents(first: 20) {{ {PAGE} }} }}", {}),
    (
        "query($s: EventStatus, $n: Int!) { a: events(status: $s, first: $n) { nodes { "
        "i: id ...E } } b: events(first: 2, overdue: false) { edges { node { id } } } } "
        "fragment E on Event { status ... on Event { who: assignee { kind name } "
        "g: grid { code } } }",
        {"s": "CLOSED", "n": 15},
    ),
    (
        'query($c: String) { events(first: 5, after: $c, regionCode: "511504") { '
        "edges { cursor node { title category { nameZh } } } } }",
        {"c": None},
    ),
    ("{ events(first: 5) { edges { node { id trace { action actor note } } } } }", {}),
    ("{ events(first: 5) { edges { node { id actions attachments { kind } } } } }", {}),
    # not compiled (a plugin's field, a bad page size): the same
    ("{ events(first: 5) { edges { node { id patrolFinding { __typename } } } } }", {}),
    ("{ events(first: 101) { edges { node { id } } } }", {}),
]
ACTORS = ("command", "citizen", "admin", "ds-511504-urban-management", None)


async def test_compiled_and_resolved_event_pages_are_the_same(demo_url, app_client) -> None:
    worker = await sql_scalar(
        demo_url,
        "SELECT a.username FROM account a JOIN event e ON e.assignee_id = a.id "
        "WHERE a.role = 'grid_worker' AND e.status <> 'closed' ORDER BY a.id LIMIT 1",
    )
    reporter = await sql_scalar(
        demo_url,
        "SELECT a.username FROM account a JOIN event e ON e.reporter_id = a.id "
        "WHERE a.role = 'citizen' GROUP BY a.username ORDER BY count(*) DESC LIMIT 1",
    )
    township = await sql_scalar(
        demo_url, "SELECT username FROM account WHERE role = 'township_staff' ORDER BY id LIMIT 1"
    )
    found = await answers(demo_url, app_client, (*ACTORS, worker, township, reporter), QUERIES)
    assert_same(found)  # the same loaders, the same statements
    # not trivial: pages with every kind of holder, reporters hidden and shown
    nodes = [e["node"] for e in answer(found, "command", QUERIES[0][0])["data"]["events"]["edges"]]
    assert len(nodes) == 40
    assert len({n["assignee"]["kind"] for n in nodes}) >= 2
    reports = answer(found, reporter, QUERIES[2][0])
    assert reports["data"]["myReports"]["edges"], "the citizen has reports"
    tasks = answer(found, worker, QUERIES[1][0])
    assert tasks["data"]["myTasks"]["edges"], "the worker has tasks"
    anonymous = answer(found, None, QUERIES[0][0])
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_event_page_costs_the_same_statements_at_any_size(demo_url, app_client) -> None:
    query = (
        "query($n: Int!) { events(first: $n) { totalCount edges { node { id title status "
        "reporter category { nameZh } grid { code } assignee { name } } } } }"
    )
    async with app_client(demo_url) as client:
        await client.login("command")
        counts = {}
        for n in (5, 50, 100):
            await client.gql(query, {"n": n})  # warm (grants, categories)
            client.sql.reset()
            answer = await client.gql(query, {"n": n})
            assert len(answer["data"]["events"]["edges"]) == n
            counts[n] = client.sql.count
    # one statement for the page with everything in it, one for the count
    assert set(counts.values()) == {2}, counts


async def test_each_page_takes_the_fastest_path_that_declares_it(
    demo_url, app_client, monkeypatch
) -> None:
    completed = completed_pages(monkeypatch)
    async with app_client(demo_url) as client:
        await client.login("command")
        for query in (
            "{ events(first: 5) { nodes { id title assignee { name } } } }",  # one statement
            "{ events(first: 5) { nodes { id trace { action } actions } } }",  # the shape
            "{ events(first: 5) { nodes { id patrolFinding { __typename } } } }",  # resolvers
        ):
            client.sql.reset()
            assert "errors" not in await client.gql(query)
    assert completed == ["Event"], completed  # the second only
