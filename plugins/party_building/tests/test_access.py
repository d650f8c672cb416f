"""Who sees what of the party tree, in the style of the authorization matrix: each actor,
the organizations listed, and each member whole, masked or not there at all; a
department sees members only as far as its grants reach; every whole read is audited."""

from __future__ import annotations

from typing import Any

from plugins.party_building.tests.setup import Tree, build_tree, make_staff
from tests.fixtures import fence, sql_rows, sql_scalar
from tests.test_records import demo_copy

ORGS = "{ partyOrganizations(first: 100) { nodes { code } } }"
MEMBERS = "{ partyMembers(first: 100) { nodes { id name personId steps { stage } } } }"
TEST_CODES = {"T0DIST", "T0TOWN", "T0BRA", "T0GRA1", "T0BRB"}
WHOLE, MASKED, ABSENT = "whole", "masked", "absent"


async def view(client: Any, tree: Tree) -> tuple[set[str], dict[str, str]] | str:
    """The test organizations listed, and how each test member is shown; or the error."""
    orgs = await client.gql(ORGS)
    if "errors" in orgs:
        return str(orgs["errors"][0]["extensions"]["code"])
    codes = {n["code"] for n in orgs["data"]["partyOrganizations"]["nodes"]} & TEST_CODES
    members = await client.gql(MEMBERS)
    assert "errors" not in members, members
    shown = {n["id"]: n for n in members["data"]["partyMembers"]["nodes"]}
    seen: dict[str, str] = {}
    for key, mid in tree.members.items():
        node = shown.get(str(mid))
        if node is None:
            seen[key] = ABSENT
        elif node["personId"] is not None and "*" not in node["name"] and node["steps"]:
            seen[key] = WHOLE
        else:
            assert node["personId"] is None and node["steps"] == [], node
            assert node["name"].endswith("*"), node
            seen[key] = MASKED
    return codes, seen


def each(how: str, keys: str = "a1 a2 a3 p1 b1") -> dict[str, str]:
    return dict.fromkeys(keys.split(), how)


async def test_the_matrix(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    other_township = await sql_scalar(
        url,
        "SELECT prefix FROM region WHERE level = 'township' AND prefix <> :t ORDER BY code LIMIT 1",
        t=tree.township_code,
    )
    # staffing: the citizen runs branch A, the admin the township committee
    await make_staff(url, "citizen", tree.branch_a)
    await make_staff(url, "admin", tree.township)
    a_only = {"T0BRA", "T0GRA1"}
    below_town = {"T0TOWN", "T0BRA", "T0GRA1", "T0BRB"}
    expected: dict[str, Any] = {
        "command": (TEST_CODES, each(WHOLE)),
        f"ts-{tree.township_code}": (below_town, each(MASKED)),
        f"cs-{tree.community_a}": (a_only, {**each(MASKED, "a1 a2 a3 p1"), "b1": ABSENT}),
        f"cs-{tree.community_b}": ({"T0BRB"}, {**each(ABSENT, "a1 a2 a3 p1"), "b1": MASKED}),
        f"ts-{other_township}": (set(), each(ABSENT)),
        "citizen": (a_only, {**each(WHOLE, "a1 a2 a3 p1"), "b1": ABSENT}),
        "admin": (below_town, each(WHOLE)),
        "ds-511504-health": "FORBIDDEN",
        None: "UNAUTHENTICATED",
    }
    wrong = []
    async with app_client(url) as client:
        for username, want in expected.items():
            client.token = None
            if username is not None:
                await client.login(username)
            got = await view(client, tree)
            if got != want:
                wrong.append(f"{username}: got {got}, want {want}")
        # one member by id: NOT_FOUND outside the reader's reach, as if it were not there
        await client.login(f"cs-{tree.community_a}")
        b1 = await client.gql(
            "query($id: ID!) { partyMember(id: $id) { id } }", {"id": str(tree.members["b1"])}
        )
        assert b1["errors"][0]["extensions"]["code"] == "NOT_FOUND", b1
    assert wrong == [], "\n".join(wrong)


async def test_a_department_sees_members_as_far_as_its_grants(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    grant = """mutation($c: String!, $r: String!) {
      grantAccess(input: {departmentCode: "511504-HEALTH", category: $c, regionCode: $r}) { id }
    }"""
    async with app_client(url) as admin, app_client(url) as department:
        await admin.login("admin")
        await department.login("ds-511504-health")
        assert await view(department, tree) == "FORBIDDEN"
        granted = await admin.gql(grant, {"c": "party", "r": tree.community_a})
        assert "errors" not in granted, granted
        await fence(department.app, url)
        assert await view(department, tree) == (
            {"T0BRA", "T0GRA1"},
            {**each(MASKED, "a1 a2 a3 p1"), "b1": ABSENT},
        )
        assert await sql_scalar(url, "SELECT count(*) FROM access_audit") == 0
        granted = await admin.gql(grant, {"c": "party:member", "r": tree.community_a})
        assert "errors" not in granted, granted
        await fence(department.app, url)
        assert await view(department, tree) == (
            {"T0BRA", "T0GRA1"},
            {**each(WHOLE, "a1 a2 a3 p1"), "b1": ABSENT},
        )
    audited = await sql_rows(
        url,
        "SELECT record_kind, record_ids, fields FROM access_audit "
        "WHERE actor_username = 'ds-511504-health'",
    )
    ids = {i for row in audited for i in row.record_ids}
    assert {r.record_kind for r in audited} == {"party_member"}
    assert ids == {tree.members[k] for k in ("a1", "a2", "a3", "p1")}
    assert {"name", "personId", "steps"} <= {f for row in audited for f in row.fields}


async def test_writes_follow_the_same_reach(pg_server, template_db, app_client) -> None:
    """Community staff hold party but not party:member: they may not add or move members;
    staff of the branch may; nobody writes where they cannot read."""
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    add = """mutation($p: ID!, $o: ID!) { addPartyMember(input: {personId: $p,
      organizationId: $o, steps: [{stage: APPLICANT, reachedOn: "2025-01-01"}]}) { id } }"""
    await make_staff(url, "citizen", tree.branch_a)
    async with app_client(url) as client:
        person = str(tree.free_persons[0])
        await client.login(f"cs-{tree.community_a}")
        denied = await client.gql(add, {"p": person, "o": str(tree.branch_a)})
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN", denied
        await client.login("citizen")
        unseen = await client.gql(add, {"p": person, "o": str(tree.branch_b)})
        assert unseen["errors"][0]["extensions"]["code"] == "NOT_FOUND", unseen
        added = await client.gql(add, {"p": person, "o": str(tree.group_a)})
        assert "errors" not in added, added


async def test_a_persons_membership_needs_the_member_grant(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    person = tree.persons["a1"]
    region = await sql_scalar(url, "SELECT region_code FROM person WHERE id = :p", p=person)
    query = """query($r: String!) {
      persons(regionCode: $r, first: 100) { nodes { id name partyMember { id stage } } }
    }"""

    async def seen(client: Any) -> Any:
        answer = await client.gql(query, {"r": region})
        nodes = answer["data"]["persons"]["nodes"]
        return next(n for n in nodes if n["id"] == str(person))

    async with app_client(url) as client:
        await client.login("command")
        assert (await seen(client))["partyMember"] == {
            "id": str(tree.members["a1"]),
            "stage": "FULL",
        }
        await client.login(f"cs-{region[:12]}")  # reads the person, not party members
        hidden = await seen(client)
        assert hidden["name"] and hidden["partyMember"] is None, hidden
