"""Members: joining, stages only forward in order, transfers with both sides' history,
leaving, committees by term, and the errors of bad input."""

from __future__ import annotations

from typing import Any

from plugins.party_building.tests.setup import Tree, build_tree
from tests.fixtures import sql_rows, sql_scalar
from tests.test_records import demo_copy

ADD = """
mutation($input: NewPartyMemberInput!) {
  addPartyMember(input: $input) { id name stage stageOn status steps { stage reachedOn } }
}"""
ADVANCE = """
mutation($id: ID!, $stage: PartyStage!, $on: Date!) {
  advancePartyMember(id: $id, stage: $stage, reachedOn: $on) { stage stageOn steps { stage } }
}"""


def code(result: dict[str, Any]) -> str:
    assert "errors" in result, result
    return str(result["errors"][0]["extensions"]["code"])


def steps(*stages: str) -> list[dict[str, str]]:
    return [{"stage": s, "reachedOn": f"202{i}-05-0{i + 1}"} for i, s in enumerate(stages)]


async def setup(pg_server: Any, template_db: Any) -> tuple[str, Tree]:
    url = await demo_copy(pg_server, template_db)
    return url, await build_tree(url)


async def test_a_member_moves_only_forward_in_order(pg_server, template_db, app_client) -> None:
    url, tree = await setup(pg_server, template_db)
    async with app_client(url) as client:
        await client.login("command")
        person = tree.free_persons[0]
        added = await client.gql(
            ADD,
            {
                "input": {
                    "personId": str(person),
                    "organizationId": str(tree.branch_a),
                    "steps": steps("APPLICANT"),
                }
            },
        )
        assert "errors" not in added, added
        member = added["data"]["addPartyMember"]
        assert member["stage"] == "APPLICANT" and member["status"] == "ACTIVE"
        mid = member["id"]
        # skipping a stage, going back, or repeating are all CONFLICT
        for stage in ("CANDIDATE", "APPLICANT", "FULL"):
            refused = await client.gql(ADVANCE, {"id": mid, "stage": stage, "on": "2024-01-01"})
            assert code(refused) == "CONFLICT", (stage, refused)
        for stage, on in (
            ("ACTIVIST", "2021-01-01"),
            ("CANDIDATE", "2022-01-01"),
            ("PROBATIONARY", "2023-01-01"),
            ("FULL", "2024-01-01"),
        ):
            moved = await client.gql(ADVANCE, {"id": mid, "stage": stage, "on": on})
            assert moved["data"]["advancePartyMember"]["stage"] == stage, moved
        assert [s["stage"] for s in moved["data"]["advancePartyMember"]["steps"]] == [
            "APPLICANT",
            "ACTIVIST",
            "CANDIDATE",
            "PROBATIONARY",
            "FULL",
        ]
        beyond = await client.gql(ADVANCE, {"id": mid, "stage": "FULL", "on": "2024-02-01"})
        assert code(beyond) == "CONFLICT"
        # a date before the current stage's, or in the future, is bad input
        other = await client.gql(
            ADD,
            {
                "input": {
                    "personId": str(tree.free_persons[1]),
                    "organizationId": str(tree.branch_a),
                    "steps": steps("APPLICANT", "ACTIVIST"),
                }
            },
        )
        oid = other["data"]["addPartyMember"]["id"]
        early = await client.gql(ADVANCE, {"id": oid, "stage": "CANDIDATE", "on": "2020-01-01"})
        assert code(early) == "BAD_USER_INPUT"
        future = await client.gql(ADVANCE, {"id": oid, "stage": "CANDIDATE", "on": "2999-01-01"})
        assert code(future) == "BAD_USER_INPUT"
    stored = await sql_rows(
        url, "SELECT stage FROM party_member_step WHERE member_id = :m", m=int(mid)
    )
    assert len(stored) == 5


async def test_bad_input_when_joining(pg_server, template_db, app_client) -> None:
    url, tree = await setup(pg_server, template_db)
    before = await sql_scalar(url, "SELECT count(*) FROM party_member")

    def member(**over: Any) -> dict[str, Any]:
        base = {
            "personId": str(tree.free_persons[0]),
            "organizationId": str(tree.branch_a),
            "steps": steps("APPLICANT"),
        }
        return {"input": {**base, **over}}

    async with app_client(url) as client:
        await client.login("command")
        cases = [
            (member(organizationId="999999"), "NOT_FOUND"),
            (member(personId="999999999"), "BAD_USER_INPUT"),
            (member(personId=str(tree.persons["a1"])), "CONFLICT"),  # a second membership
            (member(steps=steps("ACTIVIST")), "BAD_USER_INPUT"),  # not from the start
            (member(steps=steps("APPLICANT", "CANDIDATE")), "BAD_USER_INPUT"),  # a gap
            (member(steps=[]), "BAD_USER_INPUT"),
            (
                member(steps=[{"stage": "APPLICANT", "reachedOn": "2999-01-01"}]),
                "BAD_USER_INPUT",
            ),
            (member(organizationId=str(tree.township)), "BAD_USER_INPUT"),  # not a holder
            (member(personId="x"), "BAD_USER_INPUT"),
        ]
        for variables, expected in cases:
            assert code(await client.gql(ADD, variables)) == expected, variables
        missing = await client.gql(
            'mutation { addPartyMember(input: {organizationId: "1", steps: []}) { id } }'
        )
        assert code(missing) == "GRAPHQL_VALIDATION_FAILED"  # a member without a person
    assert await sql_scalar(url, "SELECT count(*) FROM party_member") == before


TRANSFER = """
mutation($id: ID!, $to: ID!) {
  transferPartyMember(id: $id, toOrganizationId: $to, outOn: "2026-01-10") {
    id status fromName toName member { name status }
  }
}"""


async def test_a_transfer_moves_a_member_with_both_sides_history(
    pg_server, template_db, app_client
) -> None:
    url, tree = await setup(pg_server, template_db)
    a1 = tree.members["a1"]
    async with app_client(url) as client:
        await client.login("command")
        sent = await client.gql(TRANSFER, {"id": str(a1), "to": str(tree.branch_b)})
        transfer = sent["data"]["transferPartyMember"]
        assert transfer["status"] == "PENDING", sent
        assert transfer["member"]["status"] == "TRANSFERRING"
        again = await client.gql(TRANSFER, {"id": str(a1), "to": str(tree.branch_b)})
        assert code(again) == "CONFLICT"  # one pending transfer at a time
        stuck = await client.gql(ADVANCE, {"id": str(a1), "stage": "FULL", "on": "2026-01-11"})
        assert code(stuck) == "CONFLICT"
        early = await client.gql(
            'mutation($id: ID!) { receivePartyTransfer(id: $id, inOn: "2026-01-01") { id } }',
            {"id": transfer["id"]},
        )
        assert code(early) == "BAD_USER_INPUT"  # received before it was sent
        received = await client.gql(
            'mutation($id: ID!) { receivePartyTransfer(id: $id, inOn: "2026-01-15") '
            "{ status inOn toOrganization { code } } }",
            {"id": transfer["id"]},
        )
        assert received["data"]["receivePartyTransfer"] == {
            "status": "COMPLETED",
            "inOn": "2026-01-15",
            "toOrganization": {"code": "T0BRB"},
        }, received
        twice = await client.gql(
            "mutation($id: ID!) { receivePartyTransfer(id: $id) { id } }", {"id": transfer["id"]}
        )
        assert code(twice) == "CONFLICT"
        history = """
        query($org: ID!, $dir: PartyTransferDirection) {
          partyTransfers(organizationId: $org, direction: $dir) {
            totalCount nodes { status outOn inOn fromOrganization { code } toOrganization { code } }
          }
        }"""
        out_of_a = await client.gql(history, {"org": str(tree.branch_a), "dir": "OUT"})
        into_b = await client.gql(history, {"org": str(tree.branch_b), "dir": "IN"})
        assert out_of_a["data"]["partyTransfers"] == into_b["data"]["partyTransfers"]
        assert out_of_a["data"]["partyTransfers"]["totalCount"] == 1
        node = out_of_a["data"]["partyTransfers"]["nodes"][0]
        assert (node["fromOrganization"]["code"], node["toOrganization"]["code"]) == (
            "T0BRA",
            "T0BRB",
        )
        into_a = await client.gql(history, {"org": str(tree.branch_a), "dir": "IN"})
        assert into_a["data"]["partyTransfers"]["totalCount"] == 0
        member = await client.gql(
            "query($id: ID!) { partyMember(id: $id) { status organization { code } "
            "transfers { status fromName toName } } }",
            {"id": str(a1)},
        )
        found = member["data"]["partyMember"]
        assert found["status"] == "ACTIVE" and found["organization"]["code"] == "T0BRB"
        assert found["transfers"] == [
            {"status": "COMPLETED", "fromName": "测试A支部", "toName": "测试B支部"}
        ]
        counts = await client.gql(
            "query($a: ID!, $b: ID!) { a: partyOrganization(id: $a) { memberCount } "
            "b: partyOrganization(id: $b) { memberCount } }",
            {"a": str(tree.branch_a), "b": str(tree.branch_b)},
        )
        assert counts["data"] == {"a": {"memberCount": 3}, "b": {"memberCount": 2}}


async def test_refused_and_cancelled_transfers_leave_the_member(
    pg_server, template_db, app_client
) -> None:
    url, tree = await setup(pg_server, template_db)
    async with app_client(url) as client:
        await client.login("command")
        for verb in ("rejectPartyTransfer", "cancelPartyTransfer"):
            sent = await client.gql(
                TRANSFER, {"id": str(tree.members["a2"]), "to": str(tree.branch_b)}
            )
            tid = sent["data"]["transferPartyMember"]["id"]
            done = await client.gql(
                f"mutation($id: ID!) {{ {verb}(id: $id) {{ status member {{ status }} }} }}",
                {"id": tid},
            )
            assert done["data"][verb]["member"]["status"] == "ACTIVE", done
        to_itself = await client.gql(
            TRANSFER, {"id": str(tree.members["a2"]), "to": str(tree.branch_a)}
        )
        assert code(to_itself) == "BAD_USER_INPUT"
        nowhere = await client.gql(TRANSFER, {"id": str(tree.members["a2"]), "to": "987654"})
        assert code(nowhere) == "NOT_FOUND"
    org = await sql_scalar(
        url, "SELECT organization_id FROM party_member WHERE id = :m", m=tree.members["a2"]
    )
    assert org == tree.branch_a


async def test_leaving(pg_server, template_db, app_client) -> None:
    url, tree = await setup(pg_server, template_db)
    leave = """
    mutation($id: ID!, $on: Date!) {
      recordPartyMemberLeaving(id: $id, leftOn: $on, leaveType: DECEASED) {
        status leftOn leaveType
      }
    }"""
    async with app_client(url) as client:
        await client.login("command")
        before_stage = await client.gql(leave, {"id": str(tree.members["a3"]), "on": "2018-01-01"})
        assert code(before_stage) == "BAD_USER_INPUT"
        left = await client.gql(leave, {"id": str(tree.members["a3"]), "on": "2026-02-01"})
        assert left["data"]["recordPartyMemberLeaving"] == {
            "status": "LEFT",
            "leftOn": "2026-02-01",
            "leaveType": "DECEASED",
        }
        again = await client.gql(leave, {"id": str(tree.members["a3"]), "on": "2026-02-01"})
        assert code(again) == "CONFLICT"
        listed = await client.gql(
            "query($o: ID!) { partyMembers(organizationId: $o) { totalCount } "
            "gone: partyMembers(organizationId: $o, status: LEFT) { totalCount } }",
            {"o": str(tree.branch_a)},
        )
        assert listed["data"] == {"partyMembers": {"totalCount": 3}, "gone": {"totalCount": 1}}


ELECT = """
mutation($org: ID!, $on: Date!, $seats: [PartyCommitteeSeatInput!]!) {
  electPartyCommittee(organizationId: $org, startsOn: $on, seats: $seats) {
    startsOn endsOn seats { post member { name } }
  }
}"""


async def test_committee_terms_keep_their_history(pg_server, template_db, app_client) -> None:
    url, tree = await setup(pg_server, template_db)
    m = {k: str(v) for k, v in tree.members.items()}
    async with app_client(url) as client:
        await client.login("command")
        first = await client.gql(
            ELECT,
            {
                "org": str(tree.branch_a),
                "on": "2021-03-01",
                "seats": [
                    {"memberId": m["a1"], "post": "SECRETARY"},
                    {"memberId": m["a2"], "post": "MEMBER"},
                ],
            },
        )
        assert first["data"]["electPartyCommittee"]["seats"][0]["post"] == "SECRETARY", first
        bad = [
            ([{"memberId": m["a1"], "post": "MEMBER"}], "BAD_USER_INPUT"),  # no secretary
            ([{"memberId": m["p1"], "post": "SECRETARY"}], "BAD_USER_INPUT"),  # probationary
            ([{"memberId": m["b1"], "post": "SECRETARY"}], "BAD_USER_INPUT"),  # other branch
            (
                [
                    {"memberId": m["a1"], "post": "SECRETARY"},
                    {"memberId": m["a1"], "post": "MEMBER"},
                ],
                "BAD_USER_INPUT",
            ),
        ]
        for seats, expected in bad:
            refused = await client.gql(
                ELECT, {"org": str(tree.branch_a), "on": "2024-03-01", "seats": seats}
            )
            assert code(refused) == expected, seats
        older = await client.gql(
            ELECT,
            {
                "org": str(tree.branch_a),
                "on": "2020-03-01",
                "seats": [{"memberId": m["a1"], "post": "SECRETARY"}],
            },
        )
        assert code(older) == "CONFLICT"
        second = await client.gql(
            ELECT,
            {
                "org": str(tree.branch_a),
                "on": "2024-03-01",
                "seats": [
                    {"memberId": m["a2"], "post": "SECRETARY"},
                    {"memberId": m["a3"], "post": "DEPUTY_SECRETARY"},
                ],
            },
        )
        assert "errors" not in second, second
        terms = await client.gql(
            "query($id: ID!) { partyOrganization(id: $id) { committee { startsOn } "
            "committeeTerms { startsOn endsOn seats { post } } } }",
            {"id": str(tree.branch_a)},
        )
        org = terms["data"]["partyOrganization"]
        assert org["committee"] == {"startsOn": "2024-03-01"}
        assert [(t["startsOn"], t["endsOn"]) for t in org["committeeTerms"]] == [
            ("2024-03-01", None),
            ("2021-03-01", "2024-02-29"),
        ]
        assert org["committeeTerms"][0]["seats"] == [
            {"post": "SECRETARY"},
            {"post": "DEPUTY_SECRETARY"},
        ]


CREATE = """
mutation($input: NewPartyOrganizationInput!) {
  createPartyOrganization(input: $input) { id code kind areaCode parent { code } }
}"""


async def test_creating_organizations(pg_server, template_db, app_client) -> None:
    url, tree = await setup(pg_server, template_db)
    group = {
        "code": "T0GRA2",
        "name": "测试A二组",
        "kind": "GROUP",
        "areaCode": tree.community_a,
        "parentId": str(tree.branch_a),
    }
    async with app_client(url) as client:
        await client.login(f"cs-{tree.community_a}")
        made = await client.gql(CREATE, {"input": group})
        assert made["data"]["createPartyOrganization"]["parent"] == {"code": "T0BRA"}, made
        cases = [
            ({**group}, "CONFLICT"),  # the code is taken
            ({**group, "code": "T0X", "kind": "GROUP"}, "BAD_USER_INPUT"),  # too short
            ({**group, "code": "T0GRA3", "kind": "BRANCH"}, "BAD_USER_INPUT"),  # nesting
            ({**group, "code": "T0GRA3", "areaCode": tree.community_b}, "BAD_USER_INPUT"),
            ({**group, "code": "T0GRA3", "areaCode": "511504999999"}, "NOT_FOUND"),
            ({**group, "code": "T0GRA3", "parentId": "999999"}, "NOT_FOUND"),
            ({**group, "code": "T0GRA3", "parentId": str(tree.branch_b)}, "NOT_FOUND"),
            ({**group, "code": "T0GRA3", "parentId": None, "kind": "COMMITTEE"}, "FORBIDDEN"),
        ]
        for variables, expected in cases:
            assert code(await client.gql(CREATE, {"input": variables})) == expected, variables
        tree_view = await client.gql(
            "query($id: ID!) { partyOrganization(id: $id) { children { code } } }",
            {"id": str(tree.branch_a)},
        )
        assert tree_view["data"]["partyOrganization"]["children"] == [
            {"code": "T0GRA1"},
            {"code": "T0GRA2"},
        ]
