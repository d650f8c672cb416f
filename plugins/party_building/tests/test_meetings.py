"""三会一课 and 主题党日: planning and recording meetings with attendance, the quarterly
compliance view on a hand-computed example, who may do what, and the statement count of the
compliance view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from plugins.party_building.tests.setup import Tree, build_tree
from tests.fixtures import sql_execute, sql_rows, sql_scalar
from tests.test_records import demo_copy

TZ = ZoneInfo("Asia/Shanghai")
#: a quarter well in the past: 1 July to 30 September 2025
QUARTER = "2025-Q3"

PLAN = """mutation($o: ID!, $k: PartyMeetingKind!, $t: String!, $d: Date!, $v: String) {
  planPartyMeeting(input: {organizationId: $o, kind: $k, title: $t, plannedOn: $d, venue: $v})
  { id kind title plannedOn heldOn venue organization { id } } }"""
RECORD = """mutation($id: ID!, $d: Date!, $m: String, $a: [PartyAttendanceInput!]!) {
  recordPartyMeeting(id: $id, heldOn: $d, minutes: $m, attendance: $a) {
    id heldOn minutes attendanceCounts { present absent excused } } }"""
CANCEL = "mutation($id: ID!) { cancelPartyMeeting(id: $id) }"
MEETING = """query($id: ID!) { partyMeeting(id: $id) {
  id kind title heldOn minutes organization { id code }
  attendance { member { id name } status } attendanceCounts { present absent excused } } }"""
COMPLIANCE = """query($q: String!, $o: ID, $r: String, $c: Boolean, $first: Int! = 50,
                      $after: String) {
  partyMeetingCompliance(quarter: $q, organizationId: $o, regionCode: $r, compliant: $c,
                         first: $first, after: $after) {
    quarter startsOn endsOn totalCount summary { organizations compliant }
    pageInfo { hasNextPage endCursor }
    nodes { organization { id kind } compliant attendanceRate
            items { kind required held met } } } }"""


def ok(result: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in result, result
    data: dict[str, Any] = result["data"]
    return data


def code(result: dict[str, Any]) -> str:
    assert result.get("errors"), result
    return str(result["errors"][0]["extensions"]["code"])


def today() -> date:
    return datetime.now(TZ).date()


async def plan(client: Any, org: int, kind: str, day: str, title: str = "会议") -> str:
    r = ok(await client.gql(PLAN, {"o": str(org), "k": kind, "t": title, "d": day}))
    return str(r["planPartyMeeting"]["id"])


async def held(
    client: Any, org: int, kind: str, day: str, attendance: Sequence[tuple[int, str]] = ()
) -> str:
    """Plan a meeting for ``day`` and record it held that day with this attendance."""
    meeting = await plan(client, org, kind, day)
    lines = [{"memberId": str(m), "status": s} for m, s in attendance]
    ok(await client.gql(RECORD, {"id": meeting, "d": day, "a": lines}))
    return meeting


def by_org(data: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(n["organization"]["id"]): n for n in data["partyMeetingCompliance"]["nodes"]}


def items(node: dict[str, Any]) -> dict[str, tuple[int, int, bool]]:
    return {i["kind"]: (i["required"], i["held"], i["met"]) for i in node["items"]}


async def test_plan_record_and_the_quarterly_view(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    m = tree.members
    # a3 belongs to the party group under branch A: it may attend both
    await sql_execute(
        url, "UPDATE party_member SET organization_id = :g WHERE id = :m", g=tree.group_a, m=m["a3"]
    )
    async with app_client(url) as client:
        await client.login("command")

        # branch A: every kind as often as required, attendance at three of them
        await held(
            client,
            tree.branch_a,
            "GENERAL_ASSEMBLY",
            "2025-07-03",
            [(m["a1"], "PRESENT"), (m["a2"], "PRESENT"), (m["a3"], "ABSENT"), (m["p1"], "EXCUSED")],
        )
        for day in ("2025-07-10", "2025-08-10", "2025-09-10"):
            await held(client, tree.branch_a, "COMMITTEE", day)
        await held(client, tree.branch_a, "LECTURE", "2025-08-20", [(m["a1"], "PRESENT")])
        await held(
            client,
            tree.branch_a,
            "THEME_DAY",
            "2025-07-01",
            [(m["a1"], "PRESENT"), (m["a2"], "ABSENT"), (m["p1"], "PRESENT")],
        )
        for day in ("2025-08-01", "2025-09-30"):
            await held(client, tree.branch_a, "THEME_DAY", day)
        # branch B: two theme days held in the quarter (of three), one held in October, one
        # planned in the quarter and never held
        await held(client, tree.branch_b, "GENERAL_ASSEMBLY", "2025-07-05")
        for day in ("2025-07-15", "2025-08-15", "2025-09-15"):
            await held(client, tree.branch_b, "COMMITTEE", day)
        await held(client, tree.branch_b, "LECTURE", "2025-09-01", [(m["b1"], "ABSENT")])
        for day in ("2025-07-02", "2025-08-02"):
            await held(client, tree.branch_b, "THEME_DAY", day)
        await held(client, tree.branch_b, "THEME_DAY", "2025-10-01", [(m["b1"], "PRESENT")])
        planned_b = await plan(client, tree.branch_b, "THEME_DAY", "2025-09-02")
        # group A1: three group meetings; the group's own member present at one
        for day in ("2025-07-20", "2025-08-20"):
            await held(client, tree.group_a, "GROUP", day)
        await held(client, tree.group_a, "GROUP", "2025-09-20", [(m["a3"], "PRESENT")])
        # the township committee holds a lecture: it has no quarterly requirements
        await held(client, tree.township, "LECTURE", "2025-08-05")

        data = ok(await client.gql(COMPLIANCE, {"q": QUARTER, "o": str(tree.township)}))
        view = data["partyMeetingCompliance"]
        assert (view["quarter"], view["startsOn"], view["endsOn"]) == (
            "2025-Q3",
            "2025-07-01",
            "2025-09-30",
        )
        assert view["totalCount"] == 3 and view["summary"] == {"organizations": 3, "compliant": 2}
        rows = by_org(data)
        assert set(rows) == {tree.branch_a, tree.group_a, tree.branch_b}  # not the committee
        a, b, g = rows[tree.branch_a], rows[tree.branch_b], rows[tree.group_a]
        assert items(a) == {
            "GENERAL_ASSEMBLY": (1, 1, True),
            "COMMITTEE": (3, 3, True),
            "LECTURE": (1, 1, True),
            "THEME_DAY": (3, 3, True),
        }
        assert a["compliant"] is True
        # branch A recorded 4 + 1 + 3 = 8 lines, 2 + 1 + 2 = 5 of them present
        assert a["attendanceRate"] == 5 / 8
        assert items(b)["THEME_DAY"] == (3, 2, False) and items(b)["COMMITTEE"] == (3, 3, True)
        assert b["compliant"] is False
        assert b["attendanceRate"] == 0.0  # b1 absent at the lecture; October is not Q3
        assert items(g) == {"GROUP": (3, 3, True)} and g["compliant"] is True
        assert g["attendanceRate"] == 1.0

        # the other quarters: Q4 (under way or past) holds one theme day of branch B
        q4 = ok(await client.gql(COMPLIANCE, {"q": "2025-Q4", "o": str(tree.township)}))
        assert items(by_org(q4)[tree.branch_b])["THEME_DAY"] == (3, 1, False)
        assert by_org(q4)[tree.branch_b]["attendanceRate"] == 1.0
        assert by_org(q4)[tree.branch_a]["attendanceRate"] is None

        # compliant filter, regionCode, paging
        only = ok(await client.gql(COMPLIANCE, {"q": QUARTER, "o": str(tree.township), "c": False}))
        view = only["partyMeetingCompliance"]
        assert [int(n["organization"]["id"]) for n in view["nodes"]] == [tree.branch_b]
        assert view["totalCount"] == 1 and view["summary"] == {"organizations": 3, "compliant": 2}
        region = ok(await client.gql(COMPLIANCE, {"q": QUARTER, "r": tree.community_a}))
        assert tree.branch_b not in by_org(region)
        assert {tree.branch_a, tree.group_a} <= set(by_org(region))
        first = ok(
            await client.gql(COMPLIANCE, {"q": QUARTER, "o": str(tree.township), "first": 2})
        )
        page = first["partyMeetingCompliance"]
        assert len(page["nodes"]) == 2 and page["pageInfo"]["hasNextPage"] is True
        rest = ok(
            await client.gql(
                COMPLIANCE,
                {"q": QUARTER, "o": str(tree.township), "after": page["pageInfo"]["endCursor"]},
            )
        )
        assert set(by_org(first)) | set(by_org(rest)) == set(rows)
        assert not set(by_org(first)) & set(by_org(rest))

        # quarters malformed or not begun
        for bad in ("2025Q3", "2025-Q5", "Q3-2025", ""):
            assert code(await client.gql(COMPLIANCE, {"q": bad})) == "BAD_USER_INPUT", bad
        t = today()
        next_quarter = (
            f"{t.year + 1}-Q1" if t.month >= 10 else f"{t.year}-Q{(t.month - 1) // 3 + 2}"
        )
        assert code(await client.gql(COMPLIANCE, {"q": next_quarter})) == "BAD_USER_INPUT"
        current = f"{t.year}-Q{(t.month - 1) // 3 + 1}"
        ok(await client.gql(COMPLIANCE, {"q": current}))

        # the list: defaulted arguments omitted, subtree, filters, newest planned first
        everything = ok(await client.gql("{ partyMeetings { totalCount } }"))
        assert everything["partyMeetings"]["totalCount"] >= 21
        listed = ok(
            await client.gql(
                """query($o: ID!) { partyMeetings(organizationId: $o, first: 100) {
                     totalCount nodes { id plannedOn heldOn } } }""",
                {"o": str(tree.branch_a)},
            )
        )["partyMeetings"]
        assert listed["totalCount"] == 8 + 3  # branch A and its group
        days = [(n["plannedOn"], int(n["id"])) for n in listed["nodes"]]
        assert days == sorted(days, reverse=True)
        not_held = ok(
            await client.gql(
                """query($o: ID!) { partyMeetings(organizationId: $o, held: false) {
                     nodes { id } } }""",
                {"o": str(tree.branch_b)},
            )
        )
        assert [n["id"] for n in not_held["partyMeetings"]["nodes"]] == [planned_b]
        theme_days = ok(
            await client.gql(
                """query($o: ID!) { partyMeetings(organizationId: $o, kind: THEME_DAY,
                     from: "2025-08-01", to: "2025-09-30", first: 1) {
                     totalCount pageInfo { hasNextPage endCursor } nodes { plannedOn } } }""",
                {"o": str(tree.township)},
            )
        )["partyMeetings"]
        # A: 08-01, 09-30; B: 08-02, 09-02 (planned)
        assert theme_days["totalCount"] == 4 and theme_days["nodes"] == [
            {"plannedOn": "2025-09-30"}
        ]
        after = ok(
            await client.gql(
                """query($o: ID!, $a: String) { partyMeetings(organizationId: $o,
                     kind: THEME_DAY, from: "2025-08-01", to: "2025-09-30", after: $a) {
                     nodes { plannedOn } } }""",
                {"o": str(tree.township), "a": theme_days["pageInfo"]["endCursor"]},
            )
        )
        assert [n["plannedOn"] for n in after["partyMeetings"]["nodes"]] == [
            "2025-09-02",
            "2025-08-02",
            "2025-08-01",
        ]
        reversed_range = await client.gql(
            '{ partyMeetings(from: "2025-09-01", to: "2025-08-01") { totalCount } }'
        )
        assert code(reversed_range) == "BAD_USER_INPUT"


async def test_recording_rules(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    m = tree.members
    async with app_client(url) as client:
        await client.login("command")
        meeting = await plan(client, tree.branch_a, "THEME_DAY", "2025-09-01", "主题党日")

        # kinds that do not fit the organization, an empty title, an unknown organization
        for org, kind in (
            (tree.group_a, "THEME_DAY"),
            (tree.branch_a, "GROUP"),
            (tree.township, "GENERAL_ASSEMBLY"),
            (tree.district, "COMMITTEE"),
        ):
            r = await client.gql(PLAN, {"o": str(org), "k": kind, "t": "x", "d": "2025-09-01"})
            assert code(r) == "BAD_USER_INPUT", (org, kind)
            assert r["errors"][0]["extensions"]["argument"] == "kind"
        await plan(client, tree.district, "THEME_DAY", "2025-09-01")  # a committee may
        r = await client.gql(
            PLAN, {"o": str(tree.branch_a), "k": "LECTURE", "t": "  ", "d": "2025-09-01"}
        )
        assert code(r) == "BAD_USER_INPUT"
        r = await client.gql(PLAN, {"o": "999999999", "k": "LECTURE", "t": "x", "d": "2025-09-01"})
        assert code(r) == "NOT_FOUND"

        async def record(day: str, lines: list[tuple[int, str]], minutes: str = "纪要") -> Any:
            attendance = [{"memberId": str(i), "status": s} for i, s in lines]
            return await client.gql(
                RECORD, {"id": meeting, "d": day, "m": minutes, "a": attendance}
            )

        async def stored() -> tuple[Any, int]:
            when = await sql_scalar(
                url, "SELECT held_on FROM party_meeting WHERE id = :i", i=int(meeting)
            )
            lines = await sql_scalar(
                url,
                "SELECT count(*) FROM party_meeting_attendance WHERE meeting_id = :i",
                i=int(meeting),
            )
            return when, int(lines)

        # held tomorrow (local), a non-member, an unknown member, a member twice: refused,
        # nothing written
        tomorrow = (today() + timedelta(days=1)).isoformat()
        r = await record(tomorrow, [(m["a1"], "PRESENT")])
        assert code(r) == "BAD_USER_INPUT" and r["errors"][0]["extensions"]["argument"] == "heldOn"
        r = await record("2025-09-01", [(m["a1"], "PRESENT"), (m["b1"], "PRESENT")])
        assert code(r) == "BAD_USER_INPUT" and str(m["b1"]) in r["errors"][0]["message"]
        r = await record("2025-09-01", [(m["a1"], "PRESENT"), (999999999, "ABSENT")])
        assert code(r) == "BAD_USER_INPUT" and "999999999" in r["errors"][0]["message"]
        r = await record("2025-09-01", [(m["a1"], "PRESENT"), (m["a1"], "ABSENT")])
        assert code(r) == "BAD_USER_INPUT"
        assert await stored() == (None, 0)
        # a member who left is no longer an attendee
        await sql_execute(
            url,
            "UPDATE party_member SET status = 'left', left_on = '2025-06-01', "
            "leave_type = 'moved_away' WHERE id = :m",
            m=m["a3"],
        )
        r = await record("2025-09-01", [(m["a3"], "PRESENT")])
        assert code(r) == "BAD_USER_INPUT" and str(m["a3"]) in r["errors"][0]["message"]
        assert await stored() == (None, 0)

        # recorded today (local today is not the future), then corrected: replaced
        r = ok(await record(today().isoformat(), [(m["a1"], "PRESENT"), (m["a2"], "ABSENT")]))
        assert r["recordPartyMeeting"]["attendanceCounts"] == {
            "present": 1,
            "absent": 1,
            "excused": 0,
        }
        r = ok(await record("2025-09-02", [(m["p1"], "EXCUSED")], minutes="  "))
        assert r["recordPartyMeeting"]["heldOn"] == "2025-09-02"
        assert r["recordPartyMeeting"]["minutes"] is None
        assert r["recordPartyMeeting"]["attendanceCounts"] == {
            "present": 0,
            "absent": 0,
            "excused": 1,
        }
        assert await stored() == (date(2025, 9, 2), 1)

        # a held meeting is not cancelled; a planned one is, and is gone
        assert code(await client.gql(CANCEL, {"id": meeting})) == "CONFLICT"
        planned = await plan(client, tree.branch_a, "LECTURE", "2025-12-01")
        assert ok(await client.gql(CANCEL, {"id": planned}))["cancelPartyMeeting"] == planned
        assert code(await client.gql(MEETING, {"id": planned})) == "NOT_FOUND"
        assert code(await client.gql(CANCEL, {"id": planned})) == "NOT_FOUND"
        assert code(await client.gql(RECORD, {"id": planned, "d": "2025-09-01", "a": []})) == (
            "NOT_FOUND"
        )


async def test_who_may_see_and_change_meetings(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    m = tree.members
    found = dict(
        await sql_rows(
            url,
            "SELECT id, name FROM person WHERE id IN (:a1, :a2)",
            a1=tree.persons["a1"],
            a2=tree.persons["a2"],
        )
    )
    names = {key: found[tree.persons[key]] for key in ("a1", "a2")}
    lines = [{"memberId": str(m["a1"]), "status": "PRESENT"}]
    lines.append({"memberId": str(m["a2"]), "status": "ABSENT"})
    async with app_client(url) as client:
        # the community's own staff plan and record a meeting of its branch
        await client.login(f"cs-{tree.community_a}")
        meeting = await plan(client, tree.branch_a, "GENERAL_ASSEMBLY", "2025-08-01")
        ok(await client.gql(RECORD, {"id": meeting, "d": "2025-08-01", "a": lines}))

        # another community's staff: the organization and the meeting do not exist for them
        await client.login(f"cs-{tree.community_b}")
        r = await client.gql(
            PLAN, {"o": str(tree.branch_a), "k": "LECTURE", "t": "x", "d": "2025-08-01"}
        )
        assert code(r) == "NOT_FOUND"
        assert code(await client.gql(MEETING, {"id": meeting})) == "NOT_FOUND"
        assert code(await client.gql(CANCEL, {"id": meeting})) == "NOT_FOUND"
        assert code(await client.gql(RECORD, {"id": meeting, "d": "2025-08-01", "a": []})) == (
            "NOT_FOUND"
        )
        r = await client.gql(COMPLIANCE, {"q": QUARTER, "o": str(tree.branch_a)})
        assert code(r) == "NOT_FOUND"
        theirs = ok(await client.gql("{ partyMeetings { nodes { id } } }"))
        assert meeting not in [n["id"] for n in theirs["partyMeetings"]["nodes"]]
        reached = by_org(ok(await client.gql(COMPLIANCE, {"q": QUARTER})))
        assert tree.branch_b in reached and not {tree.branch_a, tree.group_a} & set(reached)

        # township staff read it, names masked (no party:member grant)
        await client.login(f"ts-{tree.township_code}")
        seen = ok(await client.gql(MEETING, {"id": meeting}))["partyMeeting"]
        masked = {a["member"]["id"]: a["member"]["name"] for a in seen["attendance"]}
        assert masked == {
            str(m["a1"]): names["a1"][0] + "*" * (len(names["a1"]) - 1),
            str(m["a2"]): names["a2"][0] + "*" * (len(names["a2"]) - 1),
        }
        assert seen["attendanceCounts"] == {"present": 1, "absent": 1, "excused": 0}
        view = ok(await client.gql(COMPLIANCE, {"q": QUARTER}))
        assert {tree.branch_a, tree.group_a, tree.branch_b} <= set(by_org(view))

        # the district command centre sees them whole
        await client.login("command")
        seen = ok(await client.gql(MEETING, {"id": meeting}))["partyMeeting"]
        assert {a["member"]["id"]: a["member"]["name"] for a in seen["attendance"]} == {
            str(m["a1"]): names["a1"],
            str(m["a2"]): names["a2"],
        }
        assert seen["organization"] == {"id": str(tree.branch_a), "code": "T0BRA"}

        # a department without any party grant, a citizen, nobody
        await client.login("ds-511504-health")
        for query, variables in (
            ("{ partyMeetings { totalCount } }", {}),
            (MEETING, {"id": meeting}),
            (COMPLIANCE, {"q": QUARTER}),
        ):
            assert code(await client.gql(query, variables)) == "FORBIDDEN", query
        await client.login("citizen")
        assert code(await client.gql("{ partyMeetings { totalCount } }")) == "FORBIDDEN"
        assert code(await client.gql(COMPLIANCE, {"q": QUARTER})) == "FORBIDDEN"
        r = await client.gql(
            PLAN, {"o": str(tree.branch_a), "k": "LECTURE", "t": "x", "d": "2025-08-01"}
        )
        assert code(r) == "FORBIDDEN"
        client.token = None
        assert code(await client.gql("{ partyMeetings { totalCount } }")) == "UNAUTHENTICATED"
        assert code(await client.gql(COMPLIANCE, {"q": QUARTER})) == "UNAUTHENTICATED"
        assert code(await client.gql(CANCEL, {"id": meeting})) == "UNAUTHENTICATED"


async def add_branches(url: str, tree: Tree, count: int) -> None:
    """``count`` more branches under the township, each with a held theme day attended."""
    await sql_execute(
        url,
        "WITH ids AS (SELECT nextval(pg_get_serial_sequence('party_organization', 'id')) AS id "
        "  FROM generate_series(1, :n)) "
        "INSERT INTO party_organization (id, code, name, kind, parent_id, path, area_code) "
        "SELECT ids.id, 'T0X' || ids.id, '加测支部' || ids.id, 'branch', t.id, "
        "  t.path || ids.id || '/', :area FROM ids, party_organization t WHERE t.id = :town",
        n=count,
        area=tree.community_b,
        town=tree.township,
    )
    await sql_execute(
        url,
        "INSERT INTO party_meeting (organization_id, kind, title, planned_on, held_on) "
        "SELECT id, 'theme_day', '主题党日', '2025-08-08', '2025-08-08' FROM party_organization "
        "WHERE code LIKE 'T0X%' AND id NOT IN (SELECT organization_id FROM party_meeting)",
    )
    await sql_execute(
        url,
        "INSERT INTO party_meeting_attendance (meeting_id, member_id, status) "
        "SELECT m.id, :b1, 'present' FROM party_meeting m "
        "JOIN party_organization o ON o.id = m.organization_id "
        "WHERE o.code LIKE 'T0X%' "
        "AND m.id NOT IN (SELECT meeting_id FROM party_meeting_attendance)",
        b1=tree.members["b1"],
    )


async def test_compliance_statements_do_not_grow(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    await add_branches(url, tree, 2)
    async with app_client(url) as client:
        await client.login("command")
        await held(client, tree.group_a, "GROUP", "2025-07-20")

        async def statements() -> tuple[int, int]:
            client.sql.reset()
            data = ok(
                await client.gql(COMPLIANCE, {"q": QUARTER, "o": str(tree.township), "r": "511504"})
            )
            return client.sql.count, len(data["partyMeetingCompliance"]["nodes"])

        await statements()  # warm: the request's first statements are not the view's
        few, rows = await statements()
        assert rows == 3 + 2
        await add_branches(url, tree, 12)
        many, rows = await statements()
        assert rows == 3 + 14
        assert many == few, (few, many)
        data = ok(await client.gql(COMPLIANCE, {"q": QUARTER, "o": str(tree.township)}))
        added = [
            n
            for n in by_org(data).values()
            if n["organization"]["id"]
            not in {str(tree.branch_a), str(tree.branch_b), str(tree.group_a)}
        ]
        assert len(added) == 14
        assert all(n["attendanceRate"] == 1.0 and not n["compliant"] for n in added)
        assert all(items(n)["THEME_DAY"] == (3, 1, False) for n in added)
