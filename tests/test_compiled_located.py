"""``persons`` completed without per-field resolvers answers and audits exactly as the
resolvers do, for every kind of actor."""

from __future__ import annotations

import dataclasses
from typing import Any

from schema.grid.types import GRID_FIELDS
from schema.located import LOCATED_FIELDS
from schema.person.types import HOUSEHOLD_FIELDS, PERSON_FIELDS
from tests.fixtures import sql_rows, sql_scalar
from tests.test_records import demo_copy


def _all(table: Any) -> str:
    """Every field of a type's table (a field added there is compared here at once)."""
    return " ".join(table.python)


NODE = f"""__typename {_all(PERSON_FIELDS)} {_all(LOCATED_FIELDS)} idNumber passportNumber
  phone address location
  grid {{ __typename {_all(GRID_FIELDS)} }}
  household {{ __typename {_all(HOUSEHOLD_FIELDS)} {_all(LOCATED_FIELDS)} address location }}
  specialGroups {{ __typename code nameZh nameEn }}"""
QUERIES: list[tuple[str, dict[str, Any]]] = [
    (
        f"{{ persons(first: 30) {{ __typename totalCount pageInfo {{ __typename hasNextPage "
        f"hasPreviousPage startCursor endCursor }} edges {{ __typename cursor node {{ {NODE} }} "
        f"}} }} }}",
        {},
    ),
    (
        "query($r: String, $n: Int!) { a: persons(first: $n, regionCode: $r) { nodes { "
        "n: name i: idNumber ...P } } b: persons(first: 2) { edges { node { id } } } } "
        "fragment P on Person { phone ... on Person { h: household { address } } }",
        {"r": "511504100", "n": 8},
    ),
    (
        "query($c: String) { persons(first: 4, after: $c) { edges { cursor node { name "
        "address } } } }",
        {"c": None},
    ),
    ("{ persons(first: 40) { edges { node { name specialGroups { code } } } } }", {}),
    # not compiled (household members, a bad page size): the same
    ("{ persons(first: 3) { edges { node { household { members { name phone } } } } } }", {}),
    ("{ persons(first: 101) { edges { node { name } } } }", {}),
]
ACTORS = (
    "command",
    "ts-511504100",
    "ds-511504-civil-affairs",
    "ds-511504-public-security",
    "admin",
    "citizen",
    None,
)


async def _audit_since(url: str, after: int) -> tuple[int, list[Any]]:
    rows = await sql_rows(
        url,
        "SELECT id, actor_username, record_kind, record_ids, fields, operation "
        "FROM access_audit WHERE id > :a ORDER BY id",
        a=after,
    )
    last = max([after, *(r.id for r in rows)])
    entries = sorted(
        (r.actor_username, r.record_kind, tuple(sorted(r.record_ids)), tuple(r.fields), r.operation)
        for r in rows
    )
    return last, entries


async def _answers(url: str, app_client: Any, actors: tuple[Any, ...], **settings: Any) -> Any:
    out = []
    last, _ = await _audit_since(url, 0)
    async with app_client(url, **settings) as client:
        for who in actors:
            client.token = None
            if who is not None:
                await client.login(who)
            for query, variables in QUERIES:
                answer = await client.gql(query, variables)
                last, audit = await _audit_since(url, last)
                out.append((who, query, answer, audit))
    return out


async def test_compiled_persons_answer_and_audit_as_the_resolvers(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    worker = await _worker(url)
    actors = (*ACTORS, worker)
    fast = await _answers(url, app_client, actors, compiled_reads=True)
    slow = await _answers(url, app_client, actors, compiled_reads=False)
    for (who, query, a, audit_a), (_, _, b, audit_b) in zip(fast, slow, strict=True):
        assert a == b, (who, query)
        assert audit_a == audit_b, (who, query)
    first = {who: (a, audit) for who, q, a, audit in fast if q == QUERIES[0][0]}
    nodes = lambda who: [e["node"] for e in first[who][0]["data"]["persons"]["edges"]]  # noqa: E731
    # not trivial: unmasked and audited for some, masked for others, refused for the public
    assert all("*" not in n["idNumber"] for n in nodes("command") if n["idNumber"])
    assert {e[1] for e in first["command"][1]} == {"person", "household"}
    assert all("*" in n["idNumber"] for n in nodes("admin") if n["idNumber"])
    assert not first["admin"][1]
    assert any(n["household"] for n in nodes("command"))
    assert any(n["grid"] for n in nodes("command"))
    assert first["citizen"][0]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    groups = next(q for q in QUERIES if "persons(first: 40)" in q[0])[0]
    civil = next(a for who, q, a, _ in fast if q == groups and who == "ds-511504-civil-affairs")
    assert any(e["node"]["specialGroups"] for e in civil["data"]["persons"]["edges"])


async def _worker(url: str) -> str:
    """A grid worker with residents in the grid."""
    return str(
        await sql_scalar(
            url,
            "SELECT a.username FROM account a JOIN grid g ON g.worker_id = a.id "
            "WHERE g.valid_to IS NULL AND EXISTS (SELECT 1 FROM person p "
            "WHERE p.grid_id = g.id) ORDER BY g.code LIMIT 1",
        )
    )


async def test_a_value_the_masks_refuse_falls_back_to_the_resolvers(
    demo_url, app_client, monkeypatch
) -> None:
    from schema.compiled import persons

    query = "{ persons(first: 5) { edges { node { name phone } } } }"
    async with app_client(demo_url, compiled_reads=False) as client:
        await client.login("admin")
        expected = await client.gql(query)
    calls: list[str] = []

    def refuse(value: str) -> str:
        calls.append(value)
        raise ValueError("cannot mask")

    # only the compiled path's table: the resolvers keep the real mask
    phone = dataclasses.replace(persons.PERSON_MASKED["phone"], mask=refuse)
    monkeypatch.setattr(persons, "PERSON_MASKED", {**persons.PERSON_MASKED, "phone": phone})
    async with app_client(demo_url) as client:
        await client.login("admin")
        assert await client.gql(query) == expected
    assert calls  # the compiled path tried, then let the resolvers answer


async def test_compiled_persons_cost_fewer_python_calls_not_more_statements(
    demo_url, app_client
) -> None:
    query = QUERIES[0][0]
    counts = {}
    for compiled in (True, False):
        async with app_client(demo_url, compiled_reads=compiled, identity_cache_seconds=0) as c:
            await c.login("ds-511504-civil-affairs")
            await c.gql(query)
            c.sql.reset()
            await c.gql(query)
            counts[compiled] = c.sql.count
    assert counts[True] == counts[False], counts
