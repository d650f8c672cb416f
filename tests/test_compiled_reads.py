"""The compiled read path answers exactly as the resolvers do: the same queries, run with
``compiled_reads`` on and off, give the same response for every kind of actor."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from core.database.engine import make_engine
from core.settings import Settings
from schema.event.types import EVENT_FIELDS
from schema.grid.types import GRID_FIELDS, REGION_FIELDS, WORKER_FIELDS
from schema.located import LOCATED_FIELDS
from tests.compare import answer, answers, assert_same, every_field
from tests.test_records import demo_copy

NODE = f"""__typename {every_field(GRID_FIELDS)}
  worker {{ __typename {every_field(WORKER_FIELDS)} phone }}
  region {{ __typename {every_field(REGION_FIELDS)} }}
  events(first: 3) {{ __typename {every_field(EVENT_FIELDS)} {every_field(LOCATED_FIELDS)} }}"""
QUERIES: list[tuple[str, dict[str, Any]]] = [
    (f"{{ grids(first: 7) {{ edges {{ cursor node {{ {NODE} }} }} }} }}", {}),
    (
        "query($n: Int!, $after: String, $r: String) { grids(first: $n, after: $after, "
        "regionCode: $r) { __typename totalCount pageInfo { __typename hasNextPage "
        "hasPreviousPage startCursor endCursor } nodes { code } } }",
        {"n": 5, "r": "511504001000"},
    ),
    (
        "{ a: grids(first: 2) { e: edges { c: cursor n: node { c: code w: worker { n: name } "
        "latest: events(first: 1) { s: status } } } } b: grids(first: 1) { edges { node { "
        "...G } } } } fragment G on Grid { code ... on Grid { region { name } } }",
        {},
    ),
    (
        "query($yes: Boolean!) { grids(first: 4) { edges { node { code "
        "worker @include(if: $yes) { name } region @skip(if: $yes) { code } } } } }",
        {"yes": True},
    ),
    ("{ grids(first: 3) { edges { node { code events(first: 0) { id } } } } }", {}),
    # one grid by code
    ("query($c: String!) { grid(code: $c) { " + NODE + " } }", {"c": "511504001001001"}),
    (
        'query { g: grid(code: "511504001001002") { ... on Grid { c: code w: worker { name } } '
        '__typename } h: grid(code: "511504001001001") { events { id status } } }',
        {},
    ),
    ('{ grid(code: "511504001001999") { code } }', {}),  # no such grid: NOT_FOUND
    ('{ grid(code: "5115040010") { code } }', {}),  # a region's code
    ('{ grid(code: "511504001001001") { code worker { roles { code } } } }', {}),
    # not compiled (a field with its own logic, a plugin's field, a bad argument): the same
    ("{ grids(first: 3) { edges { node { code worker { roles { code } } } } } }", {}),
    ("{ grids(first: 3) { edges { node { code events(first: 99) { id } } } } }", {}),
    ("{ grids(first: 3) { edges { node { worker { attendance { day } } } } } }", {}),
    ("{ grids(first: 101) { edges { node { code } } } }", {}),
    ('{ grids(first: 2, after: "bm90IGEgY3Vyc29y") { edges { node { code } } } }', {}),
]
ACTORS = ("command", "citizen", "admin", "ds-511504-urban-management", None)


async def _seed_events(url: str) -> str:
    """Five events in each of the first grids: the citizen reported one, the worker the rest."""
    engine = make_engine(url, Settings(database_url=url))
    async with engine.begin() as conn:
        await conn.execute(
            text("""
            INSERT INTO event (category_code, title, description, address, status, level,
              handling_region, assignee_id, reporter_id, channel, idempotency_key,
              deadline_at, geom, grid_id, region_code, county, beidou_code, collected_at,
              resolved_at, rating)
            SELECT 'city.sanitation', '垃圾 "堆积" ' || i, E'需要\\n清运', '北路' || i,
              (ARRAY['assigned','accepted','resolved','closed'])[1 + i % 4], 'grid',
              g.code, g.worker_id,
              CASE WHEN i = 1 THEN (SELECT id FROM account WHERE username = 'citizen')
                   ELSE g.worker_id END,
              'citizen_app', 'cmp-' || g.id || '-' || i,
              timestamptz '2026-07-01 08:00:00.5+08' + i * interval '1 hour',
              ST_PointOnSurface(g.geom), g.id, g.code, left(g.code, 6), 'N48A',
              timestamptz '2026-06-30 10:00:00+08' - i * interval '1 minute',
              CASE WHEN i % 4 >= 2 THEN now() END, CASE WHEN i % 4 = 3 THEN 4 END
            FROM (SELECT * FROM grid WHERE valid_to IS NULL ORDER BY code LIMIT 12) g,
                 generate_series(1, 5) i""")
        )
        worker = await conn.scalar(
            text(
                "SELECT username FROM account a JOIN grid g ON g.worker_id = a.id "
                "WHERE g.valid_to IS NULL ORDER BY g.code LIMIT 1"
            )
        )
    await engine.dispose()
    return str(worker)


async def test_compiled_and_resolved_answers_are_the_same(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    worker = await _seed_events(url)
    found = await answers(url, app_client, (*ACTORS, worker), QUERIES)
    assert_same(found, statements=False)
    # the answers are not trivial: events seen by some, hidden from others
    first = {who: answer(found, who, QUERIES[0][0]) for who in (*ACTORS, worker)}
    events = lambda a: sum(len(e["node"]["events"]) for e in a["data"]["grids"]["edges"])  # noqa: E731
    assert events(first["command"]) == 21 and events(first[worker]) == 3
    assert events(first["citizen"]) == 7 and events(first["admin"]) == 21
    assert events(first["ds-511504-urban-management"]) == 0
    assert first["citizen"]["data"]["grids"]["edges"][0]["node"]["worker"]["phone"] is not None
    statements = {
        compiled: {a.query: a.statements for a in found[compiled] if a.who == "command"}
        for compiled in (True, False)
    }
    grids, one_grid = QUERIES[0][0], QUERIES[5][0]  # one grid by code with its subtree
    assert statements[True][grids] < statements[False][grids]
    assert statements[True][one_grid] == 1 and statements[False][one_grid] > 1, statements
    one = {who: answer(found, who, one_grid) for who in ("command", "citizen")}
    assert len(one["command"]["data"]["grid"]["events"]) == 3
    assert one["citizen"]["data"]["grid"]["worker"]["phone"] is not None
    missing = next(a.response for a in found[True] if "001001999" in a.query and a.who == "command")
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("compiled", [True, False])
async def test_compiled_reads_keep_the_resolvers_errors(demo_url, app_client, compiled) -> None:
    async with app_client(demo_url, compiled_reads=compiled) as client:
        bad = await client.gql('{ grids(regionCode: "511504001099") { edges { node { code } } } }')
        assert bad["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        big = await client.gql("{ grids(first: 101) { edges { node { code } } } }")
        assert big["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_fast_cursors_are_the_cursors_of_the_list() -> None:
    from schema.compiled.grids import _cursor
    from schema.pagination import encode_cursor

    for code in ("511504001001001", "000000000000000", "51150400100100X", ""):
        assert _cursor(code) == encode_cursor("grid", (code,)), code
