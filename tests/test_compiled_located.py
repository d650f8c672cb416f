"""The located lists (persons, households, places, things, organizations) completed
without per-field resolvers answer, audit and query exactly as the resolvers do, for
every kind of actor."""

from __future__ import annotations

import dataclasses
from typing import Any

from schema.grid.types import GRID_FIELDS
from schema.located import LOCATED_FIELDS
from schema.person.types import HOUSEHOLD_FIELDS, PERSON_FIELDS
from schema.place.types import ORGANIZATION_FIELDS, PLACE_FIELDS, THING_FIELDS
from tests.compare import answer, answers, assert_same, completed_pages, every_field
from tests.fixtures import sql_scalar
from tests.test_records import demo_copy

LOCATED = f"{every_field(LOCATED_FIELDS)} location grid {{ __typename {every_field(GRID_FIELDS)} }}"
PAGE_INFO = "pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }"
HOUSEHOLD = f"__typename {every_field(HOUSEHOLD_FIELDS)} {LOCATED} address"
PERSON = f"""__typename {every_field(PERSON_FIELDS)} {LOCATED} idNumber passportNumber
  phone address household {{ {HOUSEHOLD} }} specialGroups {{ __typename code nameZh nameEn }}"""
PLACE = f"__typename {every_field(PLACE_FIELDS)} {LOCATED} name address"
THING = f"__typename {every_field(THING_FIELDS)} {LOCATED} place {{ {PLACE} }}"
ORGANIZATION = f"""__typename {every_field(ORGANIZATION_FIELDS)} {LOCATED} phone
  place {{ {PLACE} }} parent {{ __typename id name phone parent {{ id name }} }}"""


def page(root: str, args: str, node: str) -> str:
    return (
        f"{{ {root}({args}) {{ __typename totalCount {PAGE_INFO} edges {{ __typename cursor "
        f"node {{ {node} }} }} }} }}"
    )


PERSONS = page("persons", "first: 30", PERSON)
HOUSEHOLDS = page("households", "first: 30", HOUSEHOLD)
HOUSES = page("places", "kind: HOUSE, first: 30", f"{PLACE} parent {{ {PLACE} }}")
PLACES = page("places", "first: 30", f"{PLACE} parent {{ id name }}")
THINGS = page("things", "first: 30", THING)
ORGANIZATIONS = page("organizations", "first: 40", ORGANIZATION)
QUERIES: list[tuple[str, dict[str, Any]]] = [
    (PERSONS, {}),
    (HOUSEHOLDS, {}),
    (HOUSES, {}),
    (PLACES, {}),
    (THINGS, {}),
    (ORGANIZATIONS, {}),
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
    ("{ things { totalCount nodes { name place { name } } } }", {}),
    # not compiled (household members, a bad page size): the same
    ("{ households(first: 3) { nodes { members { name phone } } } }", {}),
    ("{ persons(first: 3) { edges { node { household { members { name phone } } } } } }", {}),
    ("{ places(first: 101) { edges { node { name } } } }", {}),
]
ACTORS = (
    "command",
    "ts-511504100",
    "ds-511504-civil-affairs",
    "ds-511504-public-security",
    "ds-511504-urban-management",
    "admin",
    "citizen",
    None,
)


async def test_compiled_located_lists_answer_audit_and_query_as_the_resolvers(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    worker = await _worker(url)
    found = await answers(url, app_client, (*ACTORS, worker), QUERIES, identity_cache_seconds=0)
    assert_same(found)
    by_command = [a for a in found[True] if a.who == "command"]
    nodes = lambda who, query, root: [  # noqa: E731
        e["node"] for e in answer(found, who, query)["data"][root]["edges"]
    ]
    # not trivial: unmasked and audited for some, masked for others, refused for the public
    assert all("*" not in n["idNumber"] for n in nodes("command", PERSONS, "persons"))
    kinds = {entry[1] for a in by_command for entry in a.audit}
    assert kinds == {"person", "household", "place", "organization"}, kinds
    assert all("*" in n["idNumber"] for n in nodes("admin", PERSONS, "persons") if n["idNumber"])
    assert not any(a.audit for a in found[True] if a.who == "admin")
    assert any(n["household"] for n in nodes("command", PERSONS, "persons"))
    assert any(n["grid"] for n in nodes("command", PERSONS, "persons"))
    houses = nodes("command", HOUSES, "places")
    assert houses and all(n["kind"] == "HOUSE" and n["parent"] for n in houses)
    assert any("*" in n["address"] for n in nodes("admin", HOUSES, "places"))
    organizations = nodes("command", ORGANIZATIONS, "organizations")
    assert any(n["parent"] for n in organizations)
    assert answer(found, "citizen", PERSONS)["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    groups = QUERIES[8][0]
    civil = answer(found, "ds-511504-civil-affairs", groups)["data"]["persons"]["edges"]
    assert any(e["node"]["specialGroups"] for e in civil)


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

    # only the compiled path's shape: the resolvers keep the real mask
    shape = persons.PERSON_SHAPE
    phone = dataclasses.replace(
        shape.masked["phone"], spec=dataclasses.replace(shape.masked["phone"].spec, mask=refuse)
    )
    monkeypatch.setitem(shape.masked, "phone", phone)  # type: ignore[index]
    async with app_client(demo_url) as client:
        await client.login("admin")
        assert await client.gql(query) == expected
    assert calls  # the compiled path tried, then let the resolvers answer


async def test_every_located_list_is_completed_by_its_shape(
    demo_url, app_client, monkeypatch
) -> None:
    completed = completed_pages(monkeypatch)
    async with app_client(demo_url) as client:
        await client.login("admin")  # masked reads only: the shared demo gets no audit rows
        for query in (PERSONS, HOUSEHOLDS, HOUSES, PLACES, THINGS, ORGANIZATIONS):
            assert "errors" not in await client.gql(query)
        await client.gql(QUERIES[-2][0])  # members: the resolvers'
    assert completed == ["Person", "Household", "Place", "Place", "Thing", "Organization"]
