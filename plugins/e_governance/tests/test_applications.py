"""Applications (办件) through the API: a grid worker files for a resident of their grid
(代办) and the resident's citizen account follows it; the department works its queue
through 受理, 补正, 审查, 决定, 办结; steps out of order, missing materials, a withdrawn
item; who sees what (masked identity numbers, the access audit); live updates."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from plugins.e_governance.workdays import Calendar
from tests.fixtures import Client, StatementCounter, fence, sql_execute, sql_rows, sql_scalar
from tests.live import Subscriber, live_app
from tests.test_events import jpeg_with_gps
from tests.test_records import demo_copy

DEPARTMENT = "511504-CIVIL-AFFAIRS"
STAFF = "ds-511504-civil-affairs"
OTHER_STAFF = "ds-511504-health"
APP_FIELDS = """id status channel visits applicantName idNumber phone departmentCode
  regionCode submittedAt acceptedOn deadlineOn pausedDays pausedSince decision completedOn
  onTime overdue dueSoon workingDaysLeft revision
  item { id code name version } agent { username name } terms { promisedDays }
  materials { seq name required handedIn filename key requested }
  steps { step fromStatus toStatus actor { username name } asAgent note at materials }"""
SUBMIT = f"""mutation($input: GovSubmitApplicationInput!) {{
  submitApplication(input: $input) {{ {APP_FIELDS} }} }}"""
APPLICATION = f"query($id: ID!) {{ application(id: $id) {{ {APP_FIELDS} }} }}"
MINE = """query($s: GovApplicationStatus) { myApplications(status: $s) {
  totalCount nodes { id status item { code } } } }"""
QUEUE = """query($s: GovApplicationStatus, $o: Boolean, $after: String, $first: Int! = 50) {
  applicationsToHandle(status: $s, overdue: $o, after: $after, first: $first) {
  totalCount nodes { id status deadlineOn item { code } }
  pageInfo { endCursor hasNextPage } } }"""
LIST = """query($d: String, $r: String, $s: GovApplicationStatus, $i: ID) {
  applications(departmentCode: $d, regionCode: $r, status: $s, itemId: $i) {
  totalCount nodes { id applicantName idNumber phone } } }"""
GRANT = """mutation($i: GrantInput!) { grantAccess(input: $i) { id active } }"""
#: the arguments' GraphQL types, for ``step``
ARGUMENT_TYPES = {
    "id": "ID!",
    "acceptedOn": "Date",
    "reason": "String",
    "refusedOn": "Date",
    "materials": "[Int!]!",
    "note": "String",
    "requestedOn": "Date",
    "startedOn": "Date",
    "decision": "GovDecision!",
    "decidedOn": "Date",
    "completedOn": "Date",
}
#: arguments a mutation requires that another takes optionally
REQUIRED = {"refuseApplication": {"reason": "String!"}}
SUPPLY = f"""mutation($id: ID!, $m: [GovMaterialInput!]!, $on: Date) {{
  supplyCorrection(id: $id, materials: $m, suppliedOn: $on) {{ {APP_FIELDS} }} }}"""


@dataclass(frozen=True)
class Resident:
    id: int
    name: str
    id_number: str
    phone: str
    grid: str


# --- helpers (the deadline tests use them too) ------------------------------------------------


async def make_item(
    url: str,
    *,
    department: str = DEPARTMENT,
    promised: int = 5,
    channel: str = "window",
    materials: tuple[tuple[str, bool], ...] = (("居民身份证", True), ("户口簿", True)),
    status: str = "published",
) -> tuple[int, str]:
    """A service item written straight into the tables; its id and code."""
    code = f"T-{uuid.uuid4().hex[:10].upper()}"
    await sql_execute(
        url,
        "INSERT INTO gov_service_item (code, department_code, status, version) "
        "VALUES (:code, :dept, :status, 1)",
        code=code,
        dept=department,
        status=status,
    )
    item_id = int(await sql_scalar(url, "SELECT id FROM gov_service_item WHERE code = :c", c=code))
    await sql_execute(
        url,
        "INSERT INTO gov_service_version (item_id, version, name, legal_basis, conditions, "
        "legal_days, promised_days, fee, channel, place) VALUES (:id, 1, :name, "
        "'《中华人民共和国行政许可法》', '本区户籍居民', :legal, :promised, 0, :channel, "
        "'区政务服务中心3号窗口')",
        id=item_id,
        name=f"测试事项{code}",
        legal=max(promised, 20),
        promised=promised,
        channel=channel,
    )
    for seq, (name, required) in enumerate(materials, start=1):
        await sql_execute(
            url,
            "INSERT INTO gov_service_material (item_id, version, seq, name, required, form) "
            "VALUES (:id, 1, :seq, :name, :required, 'original')",
            id=item_id,
            seq=seq,
            name=name,
            required=required,
        )
    return item_id, code


async def resident(url: str, not_grid: str = "") -> Resident:
    """A resident with an identity number and a phone, living in a grid with a worker
    (not in ``not_grid``)."""
    rows = await sql_rows(
        url,
        "SELECT p.id, p.name, p.id_number, p.phone, p.region_code FROM person p "
        "JOIN grid g ON g.code = p.region_code AND g.valid_to IS NULL "
        "JOIN account a ON a.username = 'gw-' || g.code "
        "WHERE p.id_number IS NOT NULL AND p.phone IS NOT NULL AND p.region_code <> :g "
        "ORDER BY p.id LIMIT 1",
        g=not_grid,
    )
    r = rows[0]
    return Resident(r.id, r.name, r.id_number, r.phone, r.region_code)


async def other_worker(url: str, grid: str) -> str:
    """A grid worker of another grid."""
    return str(
        await sql_scalar(
            url,
            "SELECT username FROM account WHERE role = 'grid_worker' AND username <> :u "
            "ORDER BY id LIMIT 1",
            u=f"gw-{grid}",
        )
    )


def data(result: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in result, result
    return result["data"]


def error(result: dict[str, Any]) -> dict[str, Any]:
    assert result.get("errors"), result
    return result["errors"][0]


def code(result: dict[str, Any]) -> str:
    return str(error(result)["extensions"]["code"])


async def submit(
    client: Client, input: dict[str, Any], files: dict[int, bytes] | None = None
) -> dict[str, Any]:
    """``submitApplication``; ``files`` maps a material's index in the input to a file
    sent as a GraphQL multipart upload."""
    return await with_files(client, SUBMIT, {"input": input}, "input.materials", files)


async def with_files(
    client: Client,
    query: str,
    variables: dict[str, Any],
    path: str,
    files: dict[int, bytes] | None,
) -> dict[str, Any]:
    if not files:
        return await client.gql(query, variables)
    target: Any = variables
    for key in path.split("."):
        target = target[key]
    mapping: dict[str, list[str]] = {}
    parts: dict[str, tuple[str, bytes, str]] = {}
    for n, (index, content) in enumerate(files.items()):
        target[index]["file"] = None  # the multipart spec's placeholder
        mapping[str(n)] = [f"variables.{path}.{index}.file"]
        parts[str(n)] = (f"material-{index}.jpg", content, "image/jpeg")
    response = await client.http.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps(mapping),
        },
        files=parts,
        headers={"Authorization": f"Bearer {client.token}"},
    )
    return dict(response.json())


async def step(client: Client, mutation: str, **arguments: Any) -> dict[str, Any]:
    """One step mutation, answering the application's fields."""
    types = {**ARGUMENT_TYPES, **REQUIRED.get(mutation, {})}
    declared = ", ".join(f"${k}: {types[k]}" for k in arguments)
    passed = ", ".join(f"{k}: ${k}" for k in arguments)
    return await client.gql(
        f"mutation({declared}) {{ {mutation}({passed}) {{ {APP_FIELDS} }} }}", arguments
    )


async def calendar_of(url: str) -> Calendar:
    rows = await sql_rows(url, "SELECT day, kind FROM gov_holiday")
    return Calendar.of((r.day, r.kind) for r in rows)


async def local_today(url: str) -> Any:
    return await sql_scalar(url, "SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date")


def agent_input(item_id: int, person: Resident, **extra: Any) -> dict[str, Any]:
    return {
        "itemId": str(item_id),
        "channel": "WINDOW",
        "personId": str(person.id),
        "applicantUsername": "citizen",
        "visits": 0,
        "materials": [{"seq": 1}, {"seq": 2}],
        **extra,
    }


# --- the whole cycle ----------------------------------------------------------------------------


async def test_agent_files_resident_follows_department_works_the_queue(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    item_id, item_code = await make_item(
        url, materials=(("居民身份证", True), ("户口簿", True), ("近期免冠照片", False))
    )
    person = await resident(url)
    agent = f"gw-{person.grid}"
    calendar = await calendar_of(url)
    async with app_client(url) as client:
        await client.login(agent)
        # an incomplete filing: no 户口簿; then a complete one, a photo uploaded for 1
        incomplete = data(
            await submit(client, agent_input(item_id, person, materials=[{"seq": 1}]))
        )["submitApplication"]
        filed = data(await submit(client, agent_input(item_id, person), {0: jpeg_with_gps()}))[
            "submitApplication"
        ]
        app_id = filed["id"]
        assert filed["status"] == "SUBMITTED" and filed["revision"] == 1
        # the applicant comes from the person record, seen whole by the agent
        assert filed["applicantName"] == person.name
        assert filed["idNumber"] == person.id_number and filed["phone"] == person.phone
        assert filed["regionCode"] == person.grid and filed["departmentCode"] == DEPARTMENT
        assert filed["item"] == {
            "id": str(item_id),
            "code": item_code,
            "name": f"测试事项{item_code}",
            "version": 1,
        }
        assert filed["terms"] == {"promisedDays": 5}
        assert filed["agent"]["username"] == agent
        (submitted,) = filed["steps"]
        assert submitted["step"] == "SUBMIT" and submitted["asAgent"] is True
        assert submitted["actor"]["username"] == agent and submitted["materials"] == [1, 2]
        materials = {m["seq"]: m for m in filed["materials"]}
        assert materials[1]["handedIn"] and materials[1]["key"] and materials[1]["filename"]
        assert materials[2]["handedIn"] and materials[2]["key"] is None  # seen at the window
        assert not materials[3]["handedIn"] and not materials[3]["required"]
        assert filed["workingDaysLeft"] is None and not filed["overdue"]

        # steps out of order, and steps that are not the agent's
        for mutation in ("startReview", "completeApplication"):
            assert code(await step(client, mutation, id=app_id)) == "FORBIDDEN"
        await client.login(STAFF)
        for mutation in ("startReview", "completeApplication"):
            assert code(await step(client, mutation, id=app_id)) == "CONFLICT", mutation
        assert (
            code(await step(client, "decideApplication", id=app_id, decision="APPROVED"))
            == "CONFLICT"
        )
        assert code(await step(client, "requestCorrection", id=app_id, materials=[3])) == (
            "CONFLICT"
        )

        # 受理 of the incomplete one names what is missing; it is refused instead (final)
        missing = error(await step(client, "acceptApplication", id=incomplete["id"]))
        assert missing["extensions"]["code"] == "BAD_USER_INPUT"
        assert "户口簿" in missing["message"] and "居民身份证" not in missing["message"]
        assert missing["extensions"]["argument"] == "materials"
        assert code(await step(client, "refuseApplication", id=incomplete["id"], reason=" ")) == (
            "BAD_USER_INPUT"
        )
        refused = data(
            await step(client, "refuseApplication", id=incomplete["id"], reason="材料不齐全")
        )["refuseApplication"]
        assert refused["status"] == "NOT_ACCEPTED" and refused["steps"][-1]["note"] == "材料不齐全"
        assert code(await step(client, "acceptApplication", id=incomplete["id"])) == "CONFLICT"

        # 受理: the clock starts today
        accepted = data(await step(client, "acceptApplication", id=app_id))["acceptApplication"]
        today = await local_today(url)
        assert accepted["status"] == "ACCEPTED" and accepted["acceptedOn"] == today.isoformat()
        assert accepted["deadlineOn"] == calendar.add(today, 5).isoformat()
        assert accepted["workingDaysLeft"] == 5 and accepted["dueSoon"] is False
        assert accepted["idNumber"] == person.id_number  # the department sees it whole
        assert accepted["revision"] == 2
        assert code(await step(client, "acceptApplication", id=app_id)) == "CONFLICT"

        # 补正: the photo is asked for; the clock stops
        asked = data(
            await step(
                client, "requestCorrection", id=app_id, materials=[3], note="照片须为近三个月"
            )
        )["requestCorrection"]
        assert asked["status"] == "CORRECTING" and asked["pausedSince"] == today.isoformat()
        assert asked["workingDaysLeft"] is None
        assert [m["seq"] for m in asked["materials"] if m["requested"]] == [3]
        request = asked["steps"][-1]
        assert request["materials"] == [3] and "近期免冠照片" in request["note"]
        assert "照片须为近三个月" in request["note"]
        # the department does not supply; another grid worker does not even see it
        supply = {"id": app_id, "m": [{"seq": 3}]}
        assert code(await client.gql(SUPPLY, supply)) == "FORBIDDEN"
        await client.login(await other_worker(url, person.grid))
        assert code(await client.gql(SUPPLY, supply)) == "NOT_FOUND"

        # the resident's own account supplies it (a photo), naming all it was asked for
        await client.login("citizen")
        short = error(await client.gql(SUPPLY, {"id": app_id, "m": [{"seq": 1}]}))
        assert (
            short["extensions"]["code"] == "BAD_USER_INPUT" and "近期免冠照片" in short["message"]
        )
        supplied = data(
            await with_files(
                client, SUPPLY, {"id": app_id, "m": [{"seq": 3}]}, "m", {0: jpeg_with_gps()}
            )
        )["supplyCorrection"]
        assert supplied["status"] == "ACCEPTED" and supplied["pausedSince"] is None
        assert supplied["pausedDays"] == 0  # asked and supplied the same day
        assert supplied["deadlineOn"] == accepted["deadlineOn"]
        last = supplied["steps"][-1]
        assert last["step"] == "SUPPLY_CORRECTION" and last["asAgent"] is False
        assert last["actor"]["username"] == "citizen" and last["materials"] == [3]
        assert {m["seq"]: m["handedIn"] for m in supplied["materials"]} == {
            1: True,
            2: True,
            3: True,
        }
        assert supplied["idNumber"] == person.id_number  # the applicant sees it whole
        mine = data(await client.gql(MINE))["myApplications"]["nodes"]
        assert {n["id"] for n in mine if n["item"]["code"] == item_code} == {
            app_id,
            incomplete["id"],
        }
        refused_only = data(await client.gql(MINE, {"s": "NOT_ACCEPTED"}))["myApplications"]
        assert incomplete["id"] in {n["id"] for n in refused_only["nodes"]}
        assert app_id not in {n["id"] for n in refused_only["nodes"]}
        for mutation in ("startReview", "acceptApplication"):
            assert code(await step(client, mutation, id=app_id)) == "FORBIDDEN"

        # 审查, 决定, 办结
        await client.login(STAFF)
        queue = data(await client.gql(QUEUE))["applicationsToHandle"]
        ours = [n for n in queue["nodes"] if n["item"]["code"] == item_code]
        assert [n["id"] for n in ours] == [app_id, incomplete["id"]]  # open first
        statuses = [n["status"] for n in queue["nodes"]]
        closed = [i for i, s in enumerate(statuses) if s in ("COMPLETED", "NOT_ACCEPTED")]
        opened = [i for i, s in enumerate(statuses) if s not in ("COMPLETED", "NOT_ACCEPTED")]
        assert not closed or not opened or max(opened) < min(closed)
        late = data(await client.gql(QUEUE, {"o": True}))["applicationsToHandle"]["nodes"]
        assert app_id not in {n["id"] for n in late}
        page = data(await client.gql(QUEUE, {"first": 1}))["applicationsToHandle"]
        rest = data(await client.gql(QUEUE, {"first": 50, "after": page["pageInfo"]["endCursor"]}))
        assert page["nodes"] + rest["applicationsToHandle"]["nodes"][:1] == queue["nodes"][:2]

        reviewing = data(await step(client, "startReview", id=app_id))["startReview"]
        assert reviewing["status"] == "REVIEWING"
        denied = error(await step(client, "decideApplication", id=app_id, decision="DENIED"))
        assert denied["extensions"]["code"] == "BAD_USER_INPUT"
        assert denied["extensions"]["argument"] == "reason"
        decided = data(await step(client, "decideApplication", id=app_id, decision="APPROVED"))
        assert decided["decideApplication"]["decision"] == "APPROVED"
        done = data(await step(client, "completeApplication", id=app_id))["completeApplication"]
        assert done["status"] == "COMPLETED" and done["completedOn"] == today.isoformat()
        assert done["onTime"] is True and done["overdue"] is False
        assert done["workingDaysLeft"] is None and done["revision"] == 7
        assert [s["step"] for s in done["steps"]] == [
            "SUBMIT",
            "ACCEPT",
            "REQUEST_CORRECTION",
            "SUPPLY_CORRECTION",
            "START_REVIEW",
            "DECIDE",
            "COMPLETE",
        ]
        assert [s["asAgent"] for s in done["steps"]] == [True] + [False] * 6
        assert [(s["fromStatus"], s["toStatus"]) for s in done["steps"]][2:4] == [
            ("ACCEPTED", "CORRECTING"),
            ("CORRECTING", "ACCEPTED"),
        ]
        assert code(await step(client, "completeApplication", id=app_id)) == "CONFLICT"
        stored = await sql_rows(
            url,
            "SELECT step, from_status, to_status, as_agent FROM gov_application_step "
            "WHERE application_id = :id ORDER BY id",
            id=int(app_id),
        )
        assert [r.step for r in stored] == [s["step"].lower() for s in done["steps"]]

        # the agent follows it too
        await client.login(agent)
        mine = data(await client.gql(MINE, {"s": "COMPLETED"}))["myApplications"]["nodes"]
        assert app_id in {n["id"] for n in mine}


# --- filing rules -----------------------------------------------------------------------------


async def test_filing_rules(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    item_id, _ = await make_item(url, channel="one_visit")
    withdrawn_id, _ = await make_item(url, status="withdrawn")
    person = await resident(url)
    stranger = await resident(url, not_grid=person.grid)
    async with app_client(url) as client:
        await client.login(f"gw-{person.grid}")
        assert code(await submit(client, agent_input(withdrawn_id, person))) == "CONFLICT"
        assert code(await submit(client, agent_input(999_999_999, person))) == "NOT_FOUND"
        assert code(await submit(client, agent_input(item_id, stranger))) == "FORBIDDEN"
        no_person = agent_input(item_id, person)
        del no_person["personId"]
        assert error(await submit(client, no_person))["extensions"]["argument"] == "personId"
        # a ONE_VISIT item cannot be filed online, nor with two visits
        online = error(await submit(client, agent_input(item_id, person, channel="ONLINE")))
        assert online["extensions"]["argument"] == "channel"
        twice = error(
            await submit(client, agent_input(item_id, person, channel="ONE_VISIT", visits=2))
        )
        assert twice["extensions"]["argument"] == "visits"
        unknown = error(await submit(client, agent_input(item_id, person, materials=[{"seq": 9}])))
        assert unknown["extensions"]["argument"] == "materials"
        nobody = error(
            await submit(client, agent_input(item_id, person, applicantUsername="nobody-here"))
        )
        assert nobody["extensions"]["argument"] == "applicantUsername"
        written = "SELECT count(*) FROM gov_application WHERE item_id = :i"
        assert await sql_scalar(url, written, i=item_id) == 0  # nothing half-written

        # a resident files for themselves; matched to their record by identity number
        await client.login("citizen")
        own = {
            "itemId": str(item_id),
            "channel": "ONE_VISIT",
            "applicantName": person.name,
            "idNumber": person.id_number,
            "phone": "13800001111",
            "visits": 1,
            "materials": [{"seq": 1}, {"seq": 2}],
        }
        filed = data(await submit(client, own))["submitApplication"]
        assert filed["agent"] is None and filed["regionCode"] == person.grid
        assert filed["steps"][0]["asAgent"] is False
        assert filed["steps"][0]["actor"]["username"] == "citizen"
        person_id = await sql_scalar(
            url, "SELECT person_id FROM gov_application WHERE id = :i", i=int(filed["id"])
        )
        assert person_id == person.id
        assert code(await submit(client, {**own, "personId": str(person.id)})) == "BAD_USER_INPUT"
        bad_id = error(await submit(client, {**own, "idNumber": "511504199001011234"}))
        assert bad_id["extensions"]["argument"] == "idNumber"
        assert code(await submit(client, {**own, "applicantName": " "})) == "BAD_USER_INPUT"
        # department staff file nothing; the anonymous nothing at all
        await client.login(STAFF)
        assert code(await submit(client, own)) == "FORBIDDEN"
        client.token = None
        assert code(await submit(client, own)) == "UNAUTHENTICATED"


async def test_online_filing_has_no_visit_and_needs_files(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    item_id, _ = await make_item(url, channel="online", materials=(("申请书", True),))
    async with app_client(url) as client:
        await client.login("citizen")
        base = {
            "itemId": str(item_id),
            "channel": "ONLINE",
            "applicantName": "王小明",
            "materials": [{"seq": 1}],
        }
        assert error(await submit(client, {**base, "visits": 1}))["extensions"]["argument"] == (
            "visits"
        )
        no_file = error(await submit(client, base))
        assert no_file["extensions"]["argument"] == "materials"
        filed = data(await submit(client, base, {0: jpeg_with_gps()}))["submitApplication"]
        assert filed["channel"] == "ONLINE" and filed["visits"] == 0
        assert filed["idNumber"] is None and filed["materials"][0]["key"]


# --- who sees what ------------------------------------------------------------------------------


async def test_visibility_masking_and_audit(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    item_id, _ = await make_item(url)
    person = await resident(url)
    async with app_client(url) as client:
        await client.login(f"gw-{person.grid}")
        app_id = data(await submit(client, agent_input(item_id, person)))["submitApplication"]["id"]
        await client.login(await other_worker(url, person.grid))
        assert code(await client.gql(APPLICATION, {"id": app_id})) == "NOT_FOUND"
        await client.login(OTHER_STAFF)
        assert code(await client.gql(APPLICATION, {"id": app_id})) == "NOT_FOUND"
        assert data(await client.gql(LIST, {"i": str(item_id)}))["applications"]["totalCount"] == 0
        queue = data(await client.gql(QUEUE))["applicationsToHandle"]["nodes"]
        assert app_id not in {n["id"] for n in queue}
        assert code(await client.gql(APPLICATION, {"id": "abc"})) == "BAD_USER_INPUT"
        client.token = None
        assert code(await client.gql(APPLICATION, {"id": app_id})) == "UNAUTHENTICATED"
        assert code(await client.gql(MINE)) == "UNAUTHENTICATED"

        # health gets service read in the district, but no person:identity nor contact
        await client.login("admin")
        granted = await client.gql(
            GRANT,
            {
                "i": {
                    "departmentCode": "511504-HEALTH",
                    "category": "service",
                    "regionCode": "511504",
                }
            },
        )
        assert data(granted)["grantAccess"]["active"]
        await fence(client.app, url)
        before = await sql_scalar(url, "SELECT count(*) FROM access_audit")
        await client.login(OTHER_STAFF)
        seen = data(await client.gql(APPLICATION, {"id": app_id}))["application"]
        assert seen["idNumber"] != person.id_number and "*" in seen["idNumber"]
        assert seen["phone"] != person.phone and "*" in seen["phone"]
        assert seen["applicantName"] == person.name  # health reads person:basic
        listed = data(await client.gql(LIST, {"i": str(item_id), "r": person.grid[:9]}))
        assert listed["applications"]["totalCount"] == 1
        assert "*" in listed["applications"]["nodes"][0]["idNumber"]
        township = await sql_scalar(
            url,
            "SELECT prefix FROM region WHERE level = 'township' AND prefix <> :p LIMIT 1",
            p=person.grid[:9],
        )
        elsewhere = data(await client.gql(LIST, {"i": str(item_id), "r": township}))
        assert elsewhere["applications"]["totalCount"] == 0
        # still not theirs to handle, nor in their queue
        assert code(await step(client, "acceptApplication", id=app_id)) == "FORBIDDEN"
        queue = data(await client.gql(QUEUE))["applicationsToHandle"]["nodes"]
        assert app_id not in {n["id"] for n in queue}
        assert await sql_scalar(url, "SELECT count(*) FROM access_audit") == before

        # the department sees it whole, and the read is audited
        await client.login(STAFF)
        whole = data(await client.gql(APPLICATION, {"id": app_id}))["application"]
        assert whole["idNumber"] == person.id_number and whole["phone"] == person.phone
        audited = await sql_rows(
            url,
            "SELECT record_ids, fields FROM access_audit WHERE record_kind = 'gov_application' "
            "AND actor_username = :u",
            u=STAFF,
        )
        assert any(int(app_id) in r.record_ids and "idNumber" in r.fields for r in audited)
        assert any("phone" in r.fields for r in audited)
        # the command centre reads service everywhere
        await client.login("command")
        everywhere = data(await client.gql(LIST, {"d": DEPARTMENT, "i": str(item_id)}))
        assert [n["id"] for n in everywhere["applications"]["nodes"]] == [app_id]
        assert code(await client.gql(LIST, {"r": "12"})) == "BAD_USER_INPUT"


# --- live ---------------------------------------------------------------------------------------

CHANGES = """subscription { applicationChanged { application { id status revision idNumber }
  step { step toStatus asAgent actor { username } } } }"""


async def test_changes_are_pushed_to_the_department_and_the_applicant(
    pg_server, template_db, tmp_path: Path
) -> None:
    url = await demo_copy(pg_server, template_db)
    item_id, _ = await make_item(url)
    person = await resident(url)
    async with (
        live_app(url, tmp_path / "a") as (base, app),
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        client = Client(http=http, app=app, sql=StatementCounter())
        staff_token = await client.login(STAFF)
        citizen_token = await client.login("citizen")
        stranger_token = await client.login(OTHER_STAFF)
        async with (
            Subscriber(base, staff_token) as staff,
            Subscriber(base, citizen_token) as citizen,
            Subscriber(base, stranger_token) as stranger,
        ):
            for sub in (staff, citizen, stranger):
                await sub.subscribe("a", CHANGES)
            await asyncio.sleep(0.3)  # the subscriptions are registered with the broker
            await client.login(f"gw-{person.grid}")
            app_id = data(await submit(client, agent_input(item_id, person)))["submitApplication"][
                "id"
            ]
            for sub in (staff, citizen):
                message = await sub.next()
                assert message["type"] == "next", message
                update = message["payload"]["data"]["applicationChanged"]
                assert update["application"]["id"] == app_id
                assert update["application"]["status"] == "SUBMITTED"
                assert update["application"]["idNumber"] == person.id_number
                assert update["step"]["step"] == "SUBMIT" and update["step"]["asAgent"] is True
            await client.login(STAFF)
            data(await step(client, "acceptApplication", id=app_id))
            for sub in (staff, citizen):
                update = (await sub.next())["payload"]["data"]["applicationChanged"]
                assert update["application"]["status"] == "ACCEPTED"
                assert update["application"]["revision"] == 2
                assert update["step"] == {
                    "step": "ACCEPT",
                    "toStatus": "ACCEPTED",
                    "asAgent": False,
                    "actor": {"username": STAFF},
                }
            with pytest.raises(TimeoutError):  # another department hears nothing
                await stranger.next(wait=1.5)
    # the whole identity numbers the updates carried were audited before they were sent
    pushed = await sql_rows(
        url,
        "SELECT actor_username, record_ids, fields, operation FROM access_audit "
        "WHERE record_kind = 'gov_application' AND operation LIKE 'subscription%'",
    )
    readers = {r.actor_username for r in pushed if int(app_id) in r.record_ids}
    assert readers == {STAFF, "citizen"}
    assert all(r.fields == ["idNumber"] for r in pushed)  # phone was not asked for
