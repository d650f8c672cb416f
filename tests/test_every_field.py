"""Every field of the schema answers, for every kind of actor: requests generated from the
composed schema (tests/schema_walk.py) against a demo with an event taken round the loop.

No generated request may end in INTERNAL_SERVER_ERROR or in an error without a code; the
same request written with its defaults left out or as unset variables (or with values as
literals or as variables) gives the same answer; where the compiled read path serves a
shape it answers as the resolvers do; and every field is reached with data by some actor,
so a field added tomorrow is walked (or its missing demo value named) without anyone
writing its test. The requests are made once per module; the tests read their answers."""

from __future__ import annotations

import asyncio
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    parse,
    validate,
)

from core.database.engine import make_engine, make_sessionmaker
from core.services.account_admin import CLI, create_account_logged
from core.settings import Settings
from tests.fixtures import DEMO_PASSWORD, Client, serve, sql_scalar
from tests.schema_walk import SAME_ANSWER, Probe, Variant, found, probes
from tests.test_events import REPORT, drive_loop, jpeg_with_gps, report_input, upload
from tests.test_locate import inner_points
from tests.test_records import demo_copy

DEPARTMENT = "511504-URBAN-MANAGEMENT"
COMPILED_ROOTS = ("grids", "persons")  # the root fields schema/compiled/ may answer
COMPILED_VARIANTS = (Variant.MINIMAL, Variant.VARIABLES)
# Root fields whose answers the walk itself changes while it runs: the access audit
# records the walk's own unmasked reads (newest first), so two requests moments apart
# differ.
CHANGED_BY_THE_WALK = ("accessAudit",)
OK_CODES = {"BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT"}
#: the administrator's mutations on an account (by id)
ACCOUNT_MUTATIONS = (
    "updateAccount",
    "disableAccount",
    "enableAccount",
    "resetPassword",
    "endAccountSessions",
)
#: mutations that end the asking account's session (its token stops working)
SESSION_ENDING = {"logout", "logoutEverywhere", "endMySession", "changeMyPassword"}
ACTORS = (
    "anonymous",
    "citizen",
    "grid_worker",
    "community_staff",
    "township_staff",
    "district_command",
    "department_staff",
    "admin",
    "auditor",
)

# Every variant is asked as these; the others ask the minimal requests (the time the suite
# takes grows with actors × variants, and how arguments are written does not depend on who
# asks).
FULL = ("citizen", "grid_worker", "district_command")

Result = tuple[Probe, int, dict[str, Any]]


@dataclass
class Demo:
    """A writable demo with one event taken round the whole loop and one just reported."""

    url: str
    grid: str
    lon: float
    lat: float
    event: str  # a patrol finding's event, resolved with a photo
    open_event: str  # just reported: what the mutations act on
    warning: str  # an early warning: three open reports of one category at one spot
    party: dict[str, str]  # party records that show every party field (see _party)
    gov: dict[str, str]  # an item with versions, an application filed by an agent
    worker: str
    account: str  # an account for the administrator's mutations
    uploads: Path
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def usernames(self) -> dict[str, str | None]:
        g = self.grid
        return {
            "anonymous": None,
            "citizen": "citizen",
            "grid_worker": f"gw-{g}",
            "community_staff": f"cs-{g[:12]}",
            "township_staff": f"ts-{g[:9]}",
            "district_command": "command",
            "department_staff": f"ds-{DEPARTMENT.lower()}",
            "admin": "admin",
            "auditor": "auditor",
        }

    def values(self, parent: str, field_name: str, arg: str, _: GraphQLArgument) -> Any:
        """A demo value for an argument (or an input field) by where it is, then by name;
        Undefined leaves it to the argument's default or to its type."""
        where = {
            ("Query", "event", "id"): self.event,
            ("Query", "warning", "id"): self.warning,
            # the party building plugin: a branch with a committee, staff and a transfer,
            # a member, a held meeting, the quarter under way
            ("Query", "partyOrganization", "id"): self.party["organization"],
            ("Query", "partyOrganization", "code"): None,
            ("Query", "partyMember", "id"): self.party["member"],
            ("Query", "partyMeeting", "id"): self.party["meeting"],
            # the e-governance plugin: a revised item, an agent's application, a span of
            # days with holidays and make-up working days (2026's National Day)
            ("Query", "serviceItem", "id"): self.gov["item"],
            ("Query", "serviceItem", "code"): None,
            ("Query", "application", "id"): self.gov["application"],
            ("Query", "workingDays", "from"): "2026-09-19",
            ("Query", "workingDays", "to"): "2026-10-12",
            ("Query", "partyMeetingCompliance", "quarter"): (
                f"{self.now.year}-Q{(self.now.month - 1) // 3 + 1}"
            ),
            ("Query", "region", "code"): self.grid[:12],
            ("Query", "here", "code"): self.grid[:12],
            ("Query", "department", "code"): DEPARTMENT,
            ("Query", "departmentGrants", "code"): DEPARTMENT,
            ("Query", "decodeCode", "code"): "N48A",
            ("Query", "trackPlayback", "from"): (self.now - timedelta(days=7)).isoformat(),
            ("Query", "trackPlayback", "to"): self.now.isoformat(),
            ("Query", "encodeLocation", "level"): 7,
            # enum filters, by member name (as a client sends them), each matching data
            ("Query", "events", "status"): "ASSIGNED",
            ("Query", "regions", "level"): "TOWNSHIP",
            ("Query", "places", "kind"): "BUILDING",
            ("Query", "things", "kind"): "FACILITY",
            ("Query", "organizations", "kind"): "ENTERPRISE",
            # the analytics plugin's open sets (plugins add modules, panels, indicators)
            ("Query", "analysis", "module"): "events_by_area",
            ("Dashboard", "panel", "key"): "population",
            ("DashboardPanel", "figure", "key"): "total",
            # the administrator's: an account that is none of the walk's actors
            ("Query", "account", "id"): self.account,
            ("Query", "accountAdminLog", "accountId"): self.account,
            **{("Mutation", m, "id"): self.account for m in ACCOUNT_MUTATIONS},
            ("Mutation", "setAssessmentWeights", "indicator"): "visits",
            ("Mutation", "setAssessmentWeights", "weight"): 5.0,
        }.get((parent, field_name, arg), Undefined)
        if where is not Undefined:
            return where
        return {
            "code": self.grid,
            "gridCode": self.grid,
            "id": self.open_event,
            "worker": self.worker,
            "month": self.now.strftime("%Y-%m"),
            "lon": self.lon,
            "lat": self.lat,
            "first": 3,
            "departmentCode": DEPARTMENT,
            "categoryCode": "city.sanitation",
            "parentCode": "511504",
            "username": "citizen",
            "password": DEMO_PASSWORD,
        }.get(arg, Undefined)


FIELDWORK = {
    "patrol": "mutation($lon: Float!, $lat: Float!) { startPatrol(location: {lon: $lon, "
    'lat: $lat}, note: "巡查") { id } }',
    "finding": "mutation($p: ID!, $lon: Float!, $lat: Float!) { addPatrolFinding(patrolId: $p, "
    'note: "井盖松动", location: {lon: $lon, lat: $lat}, report: {categoryCode: '
    '"city.sanitation", title: "井盖松动"}) { eventId } }',
    "accept": "mutation($id: ID!) { acceptEvent(id: $id) { id } }",
    "resolve": "mutation($id: ID!, $attachments: [Upload!]) { resolveEvent(id: $id, "
    'result: "已更换", attachments: $attachments) { id } }',
    "visit": "mutation($h: ID, $lon: Float!, $lat: Float!, $photos: [Upload!]) { recordVisit("
    'householdId: $h, note: "入户走访", location: {lon: $lon, lat: $lat}, photos: $photos) '
    "{ id } }",
}


async def _fieldwork(worker: Client, lon: float, lat: float, household: int) -> str:
    """A patrol finding reported as an event, resolved with a photo, and a visit with a
    photo: the worker's day, so that every attendance field has data. Returns the event."""
    at = {"lon": lon, "lat": lat}
    photo = [("photo.jpg", jpeg_with_gps(), "image/jpeg")]
    patrol = await worker.gql(FIELDWORK["patrol"], at)
    finding = await worker.gql(
        FIELDWORK["finding"], {"p": patrol["data"]["startPatrol"]["id"], **at}
    )
    event = finding["data"]["addPatrolFinding"]["eventId"]
    accepted = await worker.gql(FIELDWORK["accept"], {"id": event})
    resolved = await upload(worker, FIELDWORK["resolve"], {"id": event}, photo, "attachments")
    visit = await upload(worker, FIELDWORK["visit"], {"h": household, **at}, photo, "photos")
    for answer in (accepted, resolved, visit):
        assert "errors" not in answer, answer
    return str(event)


async def make_demo(pg_server: Any, template_db: str, folder: Path) -> Demo:
    url = await demo_copy(pg_server, template_db)
    engine = make_engine(url, Settings(database_url=url))
    lon, lat, grid = (await inner_points(url, 1))[0]
    async with make_sessionmaker(engine)() as session, session.begin():
        for username, name, role, extra in (
            ("auditor", "审计员", "auditor", {}),
            # what the administrator's mutations act on (not one of the walk's actors),
            # with every field an account may have
            (
                "walk-target",
                "走查对象",
                "department_staff",
                {
                    "department_code": DEPARTMENT,
                    "region_code": grid[:9] + "000",
                    "phone": "13800000000",
                },
            ),
        ):
            await create_account_logged(
                session,
                CLI,
                username=username,
                name=name,
                password=DEMO_PASSWORD,
                role=role,
                min_password_length=12,
                **extra,
            )
    await engine.dispose()
    uploads = folder / "uploads"
    async with (
        serve(url, folder, upload_root=uploads, rate_limit_per_minute=0) as citizen,
        serve(url, folder, upload_root=uploads, rate_limit_per_minute=0) as staff,
    ):
        await drive_loop(citizen, staff, grid, lon, lat, uploads)
        opened = await citizen.gql(REPORT, {"input": report_input(lon, lat)})
        assert "errors" not in opened, opened
        await staff.login(f"gw-{grid}")
        household = await sql_scalar(
            url, "SELECT min(id) FROM household WHERE region_code = :g", g=grid
        )
        found_event = await _fieldwork(staff, lon, lat, household)
        # a third open report of the category at the spot raises an early warning
        third = await citizen.gql(REPORT, {"input": report_input(lon, lat)})
        assert "errors" not in third, third
    warning = await sql_scalar(url, "SELECT min(id) FROM warning")
    assert warning is not None, "no early warning was raised"
    worker = await sql_scalar(url, "SELECT id FROM account WHERE username = :u", u=f"gw-{grid}")
    party = await _party(url, folder, grid, found_event)
    gov = {
        "item": str(
            await sql_scalar(url, "SELECT min(item_id) FROM gov_service_version WHERE version > 1")
        ),
        "application": str(
            await sql_scalar(url, "SELECT min(id) FROM gov_application WHERE agent_id IS NOT NULL")
        ),
    }
    assert "None" not in gov.values(), f"the demo lacks e-governance data: {gov}"
    return Demo(
        url=url,
        grid=grid,
        lon=lon,
        lat=lat,
        event=found_event,
        open_event=opened["data"]["reportEvent"]["event"]["id"],
        warning=str(warning),
        party=party,
        gov=gov,
        worker=str(worker),
        account=str(await sql_scalar(url, "SELECT id FROM account WHERE username = 'walk-target'")),
        uploads=uploads,
    )


PARTY = {
    "helper": "mutation($m: ID!, $g: String!, $on: Date!) { appointPartyGridHelper("
    "memberId: $m, gridCode: $g, households: 6, since: $on) { id } }",
    "finding": "mutation($h: ID!, $e: ID!, $on: Date!) { recordPartyHelperActivity(helperId: "
    '$h, kind: PATROL_FINDING, occurredOn: $on, eventId: $e, note: "井盖松动") { id } }',
    "staff": 'mutation($o: ID!) { addPartyStaff(organizationId: $o, username: "admin") }',
}


async def _party(url: str, folder: Path, grid: str, event: str) -> dict[str, str]:
    """The demo's party records the walk asks about: a branch with a committee, a member
    of it, a held meeting with attendance; and, as the command centre, a grid helper on
    the walk's grid whose patrol finding is the walk's event, and one more staff account."""
    organization = await sql_scalar(
        url,
        "SELECT t.organization_id FROM party_committee_term t "
        "JOIN party_transfer x ON x.to_organization_id = t.organization_id "
        "ORDER BY t.organization_id LIMIT 1",
    )
    member = await sql_scalar(
        url,
        "SELECT min(id) FROM party_member WHERE status = 'active' AND stage = 'full' "
        "AND id NOT IN (SELECT member_id FROM party_grid_helper WHERE until IS NULL)",
    )
    meeting = await sql_scalar(
        url,
        "SELECT min(meeting_id) FROM party_meeting_attendance a "
        "JOIN party_meeting m ON m.id = a.meeting_id WHERE m.held_on IS NOT NULL",
    )
    assert None not in (organization, member, meeting), "the demo lacks party data"
    async with serve(url, folder) as command:
        await command.login("command")
        on = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()  # past everywhere
        helper = await command.gql(PARTY["helper"], {"m": str(member), "g": grid, "on": on})
        assert "errors" not in helper, helper
        found_by = await command.gql(
            PARTY["finding"],
            {"h": helper["data"]["appointPartyGridHelper"]["id"], "e": event, "on": on},
        )
        staff = await command.gql(PARTY["staff"], {"o": str(organization)})
        for answer in (found_by, staff):
            assert "errors" not in answer, answer
    return {"organization": str(organization), "member": str(member), "meeting": str(meeting)}


async def ask(client: Client, batch: Iterable[Probe], *, side_by_side: int = 4) -> list[Result]:
    """The probes' answers; requests of one actor run a few at a time (1: in order)."""
    gate = asyncio.Semaphore(side_by_side)
    headers = {"Authorization": f"Bearer {client.token}"} if client.token else {}

    async def one(p: Probe) -> Result:
        async with gate:
            body = {"query": p.document, "variables": p.variables}
            r = await client.http.post("/graphql", json=body, headers=headers)
            return p, r.status_code, r.json()

    return list(await asyncio.gather(*(one(p) for p in batch)))


def checked(batch: Iterable[Probe], schema: GraphQLSchema) -> list[Probe]:
    """The probes, each a valid document (a generator fault is not the server's)."""
    out = list(batch)
    for p in out:
        errors = validate(schema, parse(p.document))
        assert not errors, (p.document, errors)
    return out


@dataclass
class Walked:
    queries: dict[str, list[Result]] = field(default_factory=dict)
    compiled: dict[bool, dict[str, list[Result]]] = field(default_factory=dict)
    compiled_statements: int = 0
    mutations: dict[str, list[Result]] = field(default_factory=dict)
    schema: GraphQLSchema | None = None


async def _as_each_actor(
    client: Client, demo: Demo, batch: list[Probe], *, side_by_side: int = 4
) -> dict[str, list[Result]]:
    """The batch as each actor: every variant for the FULL actors, the minimal requests
    (what a newcomer types) for the others."""
    out = {}
    for actor in ACTORS:
        username = demo.usernames[actor]
        client.token = None if username is None else await client.login(username)
        mine = [p for p in batch if actor in FULL or p.variant is Variant.MINIMAL]
        out[actor] = await ask(client, mine, side_by_side=side_by_side)
    return out


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def walked(pg_server, template_db, tmp_path_factory) -> Walked:  # type: ignore[no-untyped-def]
    out = Walked()
    demo = await make_demo(pg_server, template_db, tmp_path_factory.mktemp("walk"))
    for compiled in (False, True):
        async with serve(
            demo.url,
            tmp_path_factory.mktemp("walk"),
            upload_root=demo.uploads,
            rate_limit_per_minute=0,
            compiled_reads=compiled,
        ) as client:
            schema = out.schema = client.app.state.gridgov.schema._schema
            query = schema.query_type
            family = probes(
                schema, query, demo.values, COMPILED_ROOTS, depth=4, variants=COMPILED_VARIANTS
            )
            out.compiled[compiled] = await _as_each_actor(client, demo, checked(family, schema))
            if not compiled:
                continue
            out.compiled_statements = len(client.app.state.gridgov.compiled_statements)
            everything = checked(probes(schema, query, demo.values), schema)
            out.queries = await _as_each_actor(client, demo, everything)
            # mutations last (they change what they touch), one request at a time
            mutations = probes(
                schema,
                schema.mutation_type,
                demo.values,
                depth=1,
                variants=(Variant.MINIMAL, Variant.VARIABLES),
            )
            # those ending the actor's own session go last: the rest are asked signed in
            ordered = sorted(
                checked(mutations, schema), key=lambda p: p.target.hops[0].field in SESSION_ENDING
            )
            out.mutations = await _as_each_actor(client, demo, ordered, side_by_side=1)
    return out


def faults(results: Iterable[Result]) -> list[str]:
    """What is wrong with the responses to generated (valid) requests."""
    out = []
    for p, status, body in results:
        problems = [f"HTTP {status}"] if status >= 500 else []
        for error in body.get("errors") or ():
            code = (error.get("extensions") or {}).get("code")
            if code not in OK_CODES:
                problems.append(f"{code or 'no code'}: {error.get('message')}")
        out += [f"{p.target} [{p.variant}]: {f}\n    {p.document}" for f in problems]
    return out


def report(problems: list[str], of: int) -> str:
    return f"{len(problems)} faults in {of} requests:\n" + "\n".join(problems[:30])


@pytest.mark.parametrize("actor", ACTORS)
def test_every_query_answers(walked: Walked, actor: str) -> None:
    results = walked.queries[actor] + walked.compiled[True][actor] + walked.compiled[False][actor]
    problems = faults(results)
    assert not problems, report(problems, len(results))


@pytest.mark.parametrize("actor", ACTORS)
def test_every_mutation_answers(walked: Walked, actor: str) -> None:
    problems = faults(walked.mutations[actor])
    assert not problems, report(problems, len(walked.mutations[actor]))


@pytest.mark.parametrize("actor", FULL)
def test_written_another_way_the_answer_is_the_same(walked: Walked, actor: str) -> None:
    """Defaults left out = unset variables; literals = variables = variables' defaults."""
    groups: dict[tuple[str, int], list[tuple[Probe, Any]]] = defaultdict(list)
    for p, _, body in walked.queries[actor]:
        same = [i for i, variants in enumerate(SAME_ANSWER) if p.variant in variants]
        if p.target.hops[0].field in CHANGED_BY_THE_WALK:
            continue
        if same and not body.get("errors"):
            groups[(str(p.target), same[0])].append((p, found(body.get("data"), p.keys)))
    problems = [
        f"{target}: [{p.variant}] answers otherwise than [{answers[0][0].variant}]"
        for (target, _), answers in groups.items()
        for p, answer in answers[1:]
        if unsigned(answer) != unsigned(answers[0][1])
    ]
    assert sum(len(a) > 1 for a in groups.values()) > 100  # there were variants to compare
    assert not problems, report(problems, len(walked.queries[actor]))


LINK_TOKEN = re.compile(r"\?t=[A-Za-z0-9_.-]+")


def unsigned(body: Any) -> str:
    """A body with its file links' tokens left out: a token's expiry moves on the hour,
    and two runs of the same query may fall either side of one."""
    return LINK_TOKEN.sub("?t=", json.dumps(body, sort_keys=True))


@pytest.mark.parametrize("actor", ACTORS)
def test_compiled_reads_answer_as_the_resolvers(walked: Walked, actor: str) -> None:
    fast, slow = walked.compiled[True][actor], walked.compiled[False][actor]
    problems = [
        f"{p.target} [{p.variant}]: {a} != {b}\n    {p.document}"
        for (p, _, a), (_, _, b) in zip(fast, slow, strict=True)
        if unsigned(a) != unsigned(b)
    ]
    assert walked.compiled_statements > 0  # the compiled path served some of these shapes
    assert not problems, report(problems, len(fast))


def test_enum_fields_answer_member_names(walked: Walked) -> None:
    """Every enum-typed field answers the names of its enum's members (``ASSIGNED``, not
    the stored ``assigned``), on either read path."""
    schema = walked.schema
    assert schema is not None
    wrong: set[str] = set()
    checked = set()
    results = [
        r for by_actor in (walked.queries, *walked.compiled.values()) for r in by_actor.values()
    ]
    for p, _, body in (r for batch in results for r in batch):
        last = p.target.hops[-1]
        parent = schema.get_type(last.parent)
        assert isinstance(parent, GraphQLObjectType)
        enum = get_named_type(parent.fields[last.field].type)
        if not isinstance(enum, GraphQLEnumType):
            continue
        for value in found(body.get("data"), p.keys):
            for v in value if isinstance(value, list) else [value]:
                checked.add(str(p.target))
                if v is not None and v not in enum.values:
                    wrong.add(f"{p.target}: {v!r} is not a {enum.name}")
    assert len(checked) > 20, checked
    assert not wrong, "\n".join(sorted(wrong))


def test_every_field_is_reached_with_data(walked: Walked) -> None:
    """Each field's parent object was there for some actor, so the field was resolved."""
    every: set[str] = set()
    reached: set[str] = set()
    for results in walked.queries.values():
        for p, _, body in results:
            every.add(str(p.target))
            if found(body.get("data"), p.keys):
                reached.add(str(p.target))
    missing = sorted(every - reached)
    assert not missing, f"{len(missing)} of {len(every)} fields never reached:\n" + "\n".join(
        missing
    )
