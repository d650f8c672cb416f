"""Community registration (双报到), service projects and small wishes (微心愿), and the
append-only points ledger: the rules, who may do what, and points paid exactly once."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import DBAPIError

from plugins.party_building.tests.setup import Tree, build_tree, make_staff
from tests.fixtures import Client, sql_execute, sql_scalar
from tests.test_records import demo_copy

TZ = ZoneInfo("Asia/Shanghai")

REGISTER = """mutation($m: ID!, $c: String!, $on: Date) {
  registerPartyMember(memberId: $m, communityCode: $c, registeredOn: $on) {
    id communityCode communityName registeredOn endedOn current member { id name } } }"""
END_REGISTRATION = """mutation($id: ID!, $on: Date) {
  endPartyRegistration(id: $id, endedOn: $on) { id endedOn current } }"""
REGISTRATIONS = """query($c: String) { partyRegistrations(communityCode: $c) {
  totalCount nodes { id communityCode current member { id name } } } }"""
PUBLISH = """mutation($input: PartyServiceInput!) { publishPartyService(input: $input) {
  id kind status title wisher points communityCode } }"""
SIGN_UP = """mutation($i: ID!, $m: ID!) { signUpPartyService(itemId: $i, memberId: $m) {
  id hours points member { id } item { id } } }"""
HOURS = """mutation($s: ID!, $on: Date!, $h: Float!) {
  recordPartyServiceHours(signupId: $s, servedOn: $on, hours: $h) {
    id servedOn hours points } }"""
CLAIM = """mutation($i: ID!, $m: ID!) { claimPartyWish(itemId: $i, memberId: $m) {
  id status claimedBy { id } } }"""
COMPLETE = "mutation($i: ID!) { completePartyWish(itemId: $i) { id status doneAt } }"
CANCEL = "mutation($i: ID!) { cancelPartyService(itemId: $i) { id status } }"
POINTS = """query($m: ID!) { partyPoints(memberId: $m) { member { id name } balance
  entries { points reason hours createdAt item { id title wisher } } } }"""


def today() -> date:
    return datetime.now(TZ).date()


def code_of(result: dict[str, Any]) -> str:
    """The error code of a failed request (fails the test when it did not fail)."""
    assert result.get("errors"), result
    return str(result["errors"][0]["extensions"]["code"])


def data(result: dict[str, Any], field: str) -> Any:
    assert "errors" not in result, result
    return result["data"][field]


async def as_user(client: Client, username: str) -> None:
    await client.login(username)


async def community_codes(url: str, tree: Tree) -> tuple[str, str]:
    """The 12-digit codes of the tree's two communities."""
    a = await sql_scalar(url, "SELECT code FROM region WHERE prefix = :p", p=tree.community_a)
    b = await sql_scalar(url, "SELECT code FROM region WHERE prefix = :p", p=tree.community_b)
    return str(a), str(b)


async def register(client: Client, member: int, community: str) -> dict[str, Any]:
    result = await client.gql(REGISTER, {"m": str(member), "c": community})
    return data(result, "registerPartyMember")


async def publish(client: Client, community: str, kind: str, points: int, **extra: Any) -> str:
    variables = {"communityCode": community, "kind": kind, "title": "为老服务", "points": points}
    result = await client.gql(PUBLISH, {"input": {**variables, **extra}})
    return str(data(result, "publishPartyService")["id"])


async def ledger(url: str, source: str) -> list[int]:
    rows = await sql_scalar(
        url, "SELECT array_agg(points) FROM party_point_entry WHERE source = :s", s=source
    )
    return list(rows or [])


async def test_registration_rules(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a, b = await community_codes(url, tree)
    township = f"{tree.township_code}{'0' * (12 - len(tree.township_code))}"
    m = tree.members
    async with app_client(url) as client:
        await client.login("command")
        done = await register(client, m["a1"], a)
        assert done["communityCode"] == a and done["current"] and done["endedOn"] is None
        assert done["registeredOn"] == today().isoformat()  # omitted: local today
        assert done["member"] == {"id": str(m["a1"]), "name": done["member"]["name"]}
        again = await client.gql(REGISTER, {"m": str(m["a1"]), "c": b})
        assert code_of(again) == "CONFLICT"  # one current registration per member
        cases = [
            ({"m": str(m["a2"]), "c": "511504999999"}, "NOT_FOUND"),
            ({"m": str(m["a2"]), "c": township}, "BAD_USER_INPUT"),
            ({"m": str(m["a2"]), "c": "5115"}, "BAD_USER_INPUT"),
            ({"m": "999999999", "c": a}, "NOT_FOUND"),
            ({"m": "x", "c": a}, "BAD_USER_INPUT"),
            (
                {"m": str(m["a2"]), "c": a, "on": (today() + timedelta(days=1)).isoformat()},
                "BAD_USER_INPUT",
            ),
        ]
        for variables, expected in cases:
            assert code_of(await client.gql(REGISTER, variables)) == expected, variables
        await sql_execute(
            url,
            "UPDATE party_member SET status = 'left', left_on = '2024-01-01', "
            "leave_type = 'moved_away' WHERE id = :m",
            m=m["p1"],
        )
        left = await client.gql(REGISTER, {"m": str(m["p1"]), "c": a})
        assert code_of(left) == "CONFLICT"

        # ending: not before it began, once
        reg = done["id"]
        early = await client.gql(END_REGISTRATION, {"id": reg, "on": "2000-01-01"})
        assert code_of(early) == "BAD_USER_INPUT"
        ended = data(await client.gql(END_REGISTRATION, {"id": reg}), "endPartyRegistration")
        assert ended["endedOn"] == today().isoformat() and not ended["current"]
        assert code_of(await client.gql(END_REGISTRATION, {"id": reg})) == "CONFLICT"
        before = (today() - timedelta(days=3)).isoformat()
        overlap = await client.gql(REGISTER, {"m": str(m["a1"]), "c": b, "on": before})
        assert code_of(overlap) == "BAD_USER_INPUT"  # before the last one ended
        moved = await register(client, m["a1"], b)  # registered anew after moving
        assert moved["communityCode"] == b and moved["current"]

        # who may register: whoever writes the member's records
        for username in ("citizen", "ds-511504-health", f"cs-{a}"):
            await client.login(username)  # community A reads branch A, not its members
            refused = await client.gql(REGISTER, {"m": str(m["a2"]), "c": a})
            assert code_of(refused) == "FORBIDDEN", username
        await make_staff(url, f"cs-{b}", tree.branch_b)
        await client.login(f"cs-{b}")  # runs branch B: members' records, but not A's
        hidden = await client.gql(REGISTER, {"m": str(m["a2"]), "c": b})
        assert code_of(hidden) == "NOT_FOUND"
        await make_staff(url, f"cs-{b}", tree.branch_a)
        staffed = await register(client, m["a2"], b)  # staff of branch A now
        assert staffed["member"]["id"] == str(m["a2"])


async def test_registrations_list_by_community_and_organization(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a, b = await community_codes(url, tree)
    m = tree.members
    async with app_client(url) as client:
        await client.login("command")
        await register(client, m["a1"], b)  # lives in community B, works in branch A
        await register(client, m["b1"], b)
        everything = data(await client.gql(REGISTRATIONS), "partyRegistrations")
        assert everything["totalCount"] == 2  # communityCode omitted: all seen
        only_a = data(await client.gql(REGISTRATIONS, {"c": a}), "partyRegistrations")
        assert only_a["totalCount"] == 0
        await client.login(f"cs-{b}")  # the community sees both, names masked or not
        seen = data(await client.gql(REGISTRATIONS, {"c": b}), "partyRegistrations")
        assert {n["member"]["id"] for n in seen["nodes"]} == {str(m["a1"]), str(m["b1"])}
        await client.login(f"cs-{a}")  # community A reaches branch A: a1's registration
        seen = data(await client.gql(REGISTRATIONS), "partyRegistrations")
        assert [n["member"]["id"] for n in seen["nodes"]] == [str(m["a1"])]
        await client.login("ds-511504-health")
        assert code_of(await client.gql(REGISTRATIONS)) == "FORBIDDEN"
        await client.login("citizen")
        assert code_of(await client.gql(REGISTRATIONS)) == "FORBIDDEN"


async def test_registration_names_are_masked_without_party_member(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    _, b = await community_codes(url, tree)
    person = await sql_scalar(url, "SELECT name FROM person WHERE id = :p", p=tree.persons["a1"])
    async with app_client(url) as client:
        await client.login("command")
        whole = await register(client, tree.members["a1"], b)
        assert whole["member"]["name"] == person
        await client.login(f"cs-{b}")  # party read on the community, nothing on branch A
        seen = data(await client.gql(REGISTRATIONS, {"c": b}), "partyRegistrations")
        assert seen["nodes"][0]["member"]["name"] != person
        assert seen["nodes"][0]["member"]["name"][0] == person[0]


async def test_wish_claimed_and_done_pays_once(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a, b = await community_codes(url, tree)
    m = tree.members
    async with app_client(url) as client:
        await client.login("command")
        await register(client, m["a1"], a)
        await register(client, m["a3"], a)
        await register(client, m["b1"], b)
        await client.login(f"cs-{a}")
        wish = await publish(client, a, "WISH", 5, wisher="王大妈", description="修好收音机")
        unregistered = await client.gql(CLAIM, {"i": wish, "m": str(m["a2"])})
        assert code_of(unregistered) == "CONFLICT"  # a2 is registered nowhere
        elsewhere = await client.gql(CLAIM, {"i": wish, "m": str(m["b1"])})
        assert code_of(elsewhere) == "NOT_FOUND"  # registered with B only, branch B unseen
        early = await client.gql(COMPLETE, {"i": wish})
        assert code_of(early) == "CONFLICT"  # not claimed yet
        claimed = data(await client.gql(CLAIM, {"i": wish, "m": str(m["a1"])}), "claimPartyWish")
        assert claimed["status"] == "CLAIMED" and claimed["claimedBy"]["id"] == str(m["a1"])
        taken = await client.gql(CLAIM, {"i": wish, "m": str(m["a3"])})
        assert code_of(taken) == "CONFLICT"
        await client.login(f"cs-{b}")  # another community: not theirs to see
        assert code_of(await client.gql(COMPLETE, {"i": wish})) == "NOT_FOUND"
        await client.login(f"cs-{a}")
        done = data(await client.gql(COMPLETE, {"i": wish}), "completePartyWish")
        assert done["status"] == "DONE" and done["doneAt"]
        second = await client.gql(COMPLETE, {"i": wish})
        assert code_of(second) == "CONFLICT"
        assert code_of(await client.gql(CANCEL, {"i": wish})) == "CONFLICT"  # DONE stays
        assert await ledger(url, f"wish:{wish}") == [5]  # exactly one entry

        await client.login("command")
        points = data(await client.gql(POINTS, {"m": str(m["a1"])}), "partyPoints")
        assert points["balance"] == 5
        assert [(e["points"], e["reason"], e["hours"]) for e in points["entries"]] == [
            (5, "WISH_DONE", None)
        ]
        assert points["entries"][0]["item"] == {"id": wish, "title": "为老服务", "wisher": "王大妈"}

        # two completions at once: the row lock serializes them, one pays
        await client.login(f"cs-{a}")
        other = await publish(client, a, "WISH", 7)
        data(await client.gql(CLAIM, {"i": other, "m": str(m["a3"])}), "claimPartyWish")
        both = await asyncio.gather(*(client.gql(COMPLETE, {"i": other}) for _ in range(2)))
        assert sorted("errors" in r for r in both) == [False, True], both
        assert code_of(next(r for r in both if "errors" in r)) == "CONFLICT"
        assert await ledger(url, f"wish:{other}") == [7]

        # a claimed wish may be withdrawn; then it is no longer claimable
        third = await publish(client, a, "WISH", 1)
        data(await client.gql(CLAIM, {"i": third, "m": str(m["a3"])}), "claimPartyWish")
        cancelled = data(await client.gql(CANCEL, {"i": third}), "cancelPartyService")
        assert cancelled["status"] == "CANCELLED"
        assert code_of(await client.gql(COMPLETE, {"i": third})) == "CONFLICT"
        assert await ledger(url, f"wish:{third}") == []


async def test_project_hours_recorded_once(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a, _ = await community_codes(url, tree)
    m = tree.members
    async with app_client(url) as client:
        await client.login("command")
        await register(client, m["a1"], a)
        await client.login(f"cs-{a}")
        project = await publish(client, a, "PROJECT", 3)
        no_registration = await client.gql(SIGN_UP, {"i": project, "m": str(m["a2"])})
        assert code_of(no_registration) == "CONFLICT"
        signup = data(
            await client.gql(SIGN_UP, {"i": project, "m": str(m["a1"])}), "signUpPartyService"
        )
        assert signup["hours"] is None and signup["points"] is None
        assert signup["item"] == {"id": project}
        twice = await client.gql(SIGN_UP, {"i": project, "m": str(m["a1"])})
        assert code_of(twice) == "CONFLICT"
        wish = await publish(client, a, "WISH", 3)
        wrong_kind = await client.gql(SIGN_UP, {"i": wish, "m": str(m["a1"])})
        assert code_of(wrong_kind) == "BAD_USER_INPUT"

        served = (today() - timedelta(days=1)).isoformat()
        tomorrow = (today() + timedelta(days=1)).isoformat()
        for hours, on in ((0, served), (-1, served), (24.5, served), (1.25, served), (2, tomorrow)):
            bad = await client.gql(HOURS, {"s": signup["id"], "on": on, "h": hours})
            assert code_of(bad) == "BAD_USER_INPUT", (hours, on)
        recorded = data(
            await client.gql(HOURS, {"s": signup["id"], "on": served, "h": 2.5}),
            "recordPartyServiceHours",
        )
        assert recorded == {"id": signup["id"], "servedOn": served, "hours": 2.5, "points": 8}
        again = await client.gql(HOURS, {"s": signup["id"], "on": served, "h": 1})
        assert code_of(again) == "CONFLICT"
        assert await ledger(url, f"signup:{signup['id']}") == [8]  # round(2.5 × 3) once
        hours = await sql_scalar(
            url, "SELECT hours FROM party_service_signup WHERE id = :s", s=int(signup["id"])
        )
        assert float(hours) == 2.5

        items = """query($c: String, $k: PartyServiceKind) {
          partyServiceItems(communityCode: $c, kind: $k) {
            totalCount nodes { id wisher signups { id hours points } } } }"""
        listed = data(await client.gql(items, {"k": "PROJECT"}), "partyServiceItems")
        assert listed["totalCount"] == 1
        assert listed["nodes"][0]["signups"] == [{"id": signup["id"], "hours": 2.5, "points": 8}]
        await client.login(f"ts-{tree.township_code[:9]}")  # the township sees its communities
        listed = data(await client.gql(items, {"c": a}), "partyServiceItems")
        assert {n["id"] for n in listed["nodes"]} == {project, wish}
        await client.login("command")
        points = data(await client.gql(POINTS, {"m": str(m["a1"])}), "partyPoints")
        assert points["balance"] == 8
        assert points["entries"][0]["reason"] == "SERVICE_HOURS"
        assert points["entries"][0]["hours"] == 2.5


async def test_publishing_rules_and_authorization(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a, b = await community_codes(url, tree)
    items = "{ partyServiceItems { totalCount nodes { id wisher } } }"
    async with app_client(url) as client:
        await client.login(f"cs-{a}")
        base = {"communityCode": a, "kind": "WISH", "title": "买一台轮椅", "points": 10}
        cases = [
            ({**base, "points": 101}, "BAD_USER_INPUT"),
            ({**base, "points": -1}, "BAD_USER_INPUT"),
            ({**base, "title": "  "}, "BAD_USER_INPUT"),
            ({**base, "kind": "PROJECT", "wisher": "李奶奶"}, "BAD_USER_INPUT"),
            ({**base, "communityCode": "511504999999"}, "NOT_FOUND"),
            ({**base, "communityCode": b}, "FORBIDDEN"),
        ]
        for variables, expected in cases:
            result = await client.gql(PUBLISH, {"input": variables})
            assert code_of(result) == expected, variables
        wish = await publish(client, a, "WISH", 10, wisher="李奶奶")
        seen = data(await client.gql(items), "partyServiceItems")
        assert seen["nodes"] == [{"id": wish, "wisher": "李奶奶"}]
        await client.login(f"cs-{b}")
        assert data(await client.gql(items), "partyServiceItems")["totalCount"] == 0
        assert code_of(await client.gql(CANCEL, {"i": wish})) == "NOT_FOUND"
        await client.login(f"gw-{await grid_of(url, a)}")  # a grid: not the community's
        assert data(await client.gql(items), "partyServiceItems")["totalCount"] == 0
        for username in ("citizen", "ds-511504-health"):
            await client.login(username)
            assert code_of(await client.gql(items)) == "FORBIDDEN", username
            refused = await client.gql(PUBLISH, {"input": base})
            assert code_of(refused) == "FORBIDDEN", username
            assert code_of(await client.gql(CANCEL, {"i": wish})) == "NOT_FOUND", username


async def grid_of(url: str, community: str) -> str:
    """A current grid of the community that has a worker."""
    return str(
        await sql_scalar(
            url,
            "SELECT code FROM grid WHERE community_code = :c AND valid_to IS NULL "
            "AND worker_id IS NOT NULL ORDER BY code LIMIT 1",
            c=community,
        )
    )


async def test_points_are_personal_and_audited(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a, b = await community_codes(url, tree)
    member = str(tree.members["a1"])
    balance = "query($m: ID!) { partyPoints(memberId: $m) { balance entries { points } } }"
    audited = (
        "SELECT count(*) FROM access_audit WHERE record_kind = 'party_member' "
        "AND :m = ANY(record_ids) AND 'points' = ANY(fields)"
    )
    async with app_client(url) as client:
        for username in (f"cs-{a}", f"cs-{b}"):  # party data, but no members' records
            await client.login(username)
            assert code_of(await client.gql(balance, {"m": member})) == "FORBIDDEN", username
        await make_staff(url, f"cs-{b}", tree.branch_b)
        assert code_of(await client.gql(balance, {"m": member})) == "NOT_FOUND"  # not B's
        assert await sql_scalar(url, audited, m=int(member)) == 0
        await make_staff(url, f"cs-{b}", tree.branch_a)  # now runs branch A too
        points = data(await client.gql(balance, {"m": member}), "partyPoints")
        assert points == {"balance": 0, "entries": []}
        assert await sql_scalar(url, audited, m=int(member)) == 1  # the read is audited
        for username in ("citizen", "ds-511504-health"):
            await client.login(username)
            assert code_of(await client.gql(balance, {"m": member})) == "FORBIDDEN", username
        await client.login("command")
        assert code_of(await client.gql(balance, {"m": "999999999"})) == "NOT_FOUND"


async def test_the_ledger_is_append_only(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a, _ = await community_codes(url, tree)
    async with app_client(url) as client:
        await client.login("command")
        await register(client, tree.members["a1"], a)
        wish = await publish(client, a, "WISH", 9)
        data(await client.gql(CLAIM, {"i": wish, "m": str(tree.members["a1"])}), "claimPartyWish")
        data(await client.gql(COMPLETE, {"i": wish}), "completePartyWish")
    with pytest.raises(DBAPIError, match="append-only"):
        await sql_execute(url, "UPDATE party_point_entry SET points = 100")
    with pytest.raises(DBAPIError, match="append-only"):
        await sql_execute(url, "DELETE FROM party_point_entry")
    assert await ledger(url, f"wish:{wish}") == [9]
