"""County tenancy: one deployment, three counties. A county's staff never see another
county's records, whatever their role; a city's command centre sees every county of it;
administrators run the accounts of their own county only."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import BadInput
from core.reach import Reach
from core.tenancy import clip, parse_tenancy, single_county
from tests.fixtures import load_demo_into, sql_rows, sql_scalar
from tests.test_locate import inner_points

XUZHOU, CUIPING, NANXI = "511504", "511502", "511503"
COUNTIES = (XUZHOU, CUIPING, NANXI)
CITY = "5115"
LISTS = ("persons", "households", "places", "things", "organizations", "events")
CODES = {
    "persons": "regionCode",
    "households": "regionCode",
    "places": "regionCode",
    "things": "regionCode",
    "organizations": "regionCode",
    "events": "regionCode",
}


async def _three_counties(url: str) -> None:
    await load_demo_into(url, persons=300, seed=5, events=200, counties=2, county_grids=40)


async def counties_copy(pg_server: Any, template_db: str) -> str:
    """A writable copy of a demo of three counties (Xuzhou and two small ones)."""
    source = await pg_server.template("counties", template_db, _three_counties)
    return str(await pg_server.create(pg_server.new_name("c"), template=source))


def ok(result: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in result, result
    data: dict[str, Any] = result["data"]
    return data


def error_code(result: dict[str, Any]) -> str:
    assert "errors" in result, result
    return str(result["errors"][0]["extensions"]["code"])


def test_tenancy_codes_and_clipping() -> None:
    assert parse_tenancy("511504") == "511504"
    assert parse_tenancy("511500") == "5115" == parse_tenancy("5115")
    assert parse_tenancy("510000000000") == "51"
    assert parse_tenancy(" ") == ""
    for bad in ("5", "51150", "5115040", "51a504", "511504001"):
        with pytest.raises(BadInput):
            parse_tenancy(bad)
    assert clip(["", "511504001"], "511504") == ("511504",)
    assert clip(["511502", "511504001"], "511504") == ("511504001",)
    assert clip(["51"], "5115") == ("5115",)
    assert clip(["511502"], "511504") == ()
    assert single_county(["511504001", "511504100001001"]) == XUZHOU
    assert single_county(["511504001", "511502"]) is None
    assert single_county([""]) is None and single_county([]) is None
    reach = Reach({("event", "read"): [""]}, {}).within(XUZHOU)
    assert reach.prefixes("event") == (XUZHOU,)
    assert reach.allows("event", "read", XUZHOU + "001001001")
    assert not reach.allows("event", "read", CUIPING + "001001001")
    assert reach.within(XUZHOU) is reach


async def test_the_demo_loads_three_counties(pg_server, template_db) -> None:
    url = await counties_copy(pg_server, template_db)
    districts = await sql_rows(url, "SELECT prefix FROM region WHERE level = 'district' ORDER BY 1")
    assert [r.prefix for r in districts] == sorted(COUNTIES)
    for county in COUNTIES:
        like = county + "%"
        for table in ("grid", "person", "place", "thing", "organization", "event"):
            column = "code" if table == "grid" else "region_code"
            found = await sql_scalar(
                url, f"SELECT count(*) FROM {table} WHERE {column} LIKE :c", c=like
            )
            assert found > 0, (county, table)
        # the county's events are handled inside it, by its own people
        strays = await sql_scalar(
            url,
            "SELECT count(*) FROM event e LEFT JOIN account a ON a.id = e.assignee_id "
            "WHERE e.region_code LIKE :c AND (e.handling_region NOT LIKE :c "
            "OR (a.id IS NOT NULL AND a.tenancy <> :t))",
            c=like,
            t=county,
        )
        assert strays == 0
    tenancies = {
        r.username: r.tenancy
        for r in await sql_rows(
            url,
            "SELECT username, tenancy FROM account WHERE username IN "
            "('admin', 'command', 'admin-511502', 'command-511502', 'command-5115')",
        )
    }
    assert tenancies == {
        "admin": "",
        "command": XUZHOU,
        "admin-511502": CUIPING,
        "command-511502": CUIPING,
        "command-5115": CITY,
    }
    # every staff account of a county belongs to it
    wrong = await sql_scalar(
        url,
        "SELECT count(*) FROM account WHERE role NOT IN ('citizen', 'admin', 'auditor') "
        "AND left(coalesce(region_code, department_code, 'x'), 6) <> tenancy "
        "AND username <> 'command-5115'",
    )
    assert wrong == 0


LARGE = ("place", "household", "person", "thing", "organization", "event")
CHILDREN = (
    ("event_trace", "event", "event_id"),
    ("event_attachment", "event", "event_id"),
    ("person_special_group", "person", "person_id"),
)


async def assert_counties_written(url: str) -> None:
    """Every large row carries its county: its region code's, or its parent's."""
    present = {
        r.table_name
        for r in await sql_rows(
            url, "SELECT table_name FROM information_schema.columns WHERE column_name = 'county'"
        )
    }
    for table in (*LARGE, "attendance_visit", "attendance_patrol", "attendance_patrol_finding"):
        if table not in present:  # a plugin switched off
            continue
        wrong = await sql_scalar(
            url,
            f"SELECT count(*) FROM {table} WHERE county <> left(region_code, 6) "
            "OR (county = '' AND region_code <> '')",
        )
        assert wrong == 0, table
    for table, parent, key in CHILDREN:
        wrong = await sql_scalar(
            url,
            f"SELECT count(*) FROM {table} c WHERE NOT EXISTS (SELECT 1 FROM {parent} p "
            f"WHERE p.id = c.{key} AND p.county = c.county)",
        )
        assert wrong == 0, table
    filled = await sql_scalar(url, "SELECT count(DISTINCT county) FROM event_trace")
    assert filled >= 2


async def _totals(client: Any) -> dict[str, int]:
    fields = " ".join(f"{name} {{ totalCount }}" for name in LISTS)
    data = ok(await client.gql(f"{{ {fields} }}"))
    return {name: data[name]["totalCount"] for name in LISTS}


async def _in_county(url: str, county: str) -> dict[str, int]:
    tables = {
        "persons": "person",
        "households": "household",
        "places": "place",
        "things": "thing",
        "organizations": "organization",
        "events": "event",
    }
    out = {}
    for name, table in tables.items():
        out[name] = int(
            await sql_scalar(
                url, f"SELECT count(*) FROM {table} WHERE region_code LIKE :c", c=county + "%"
            )
        )
    return out


async def test_a_county_never_sees_another_and_the_city_sees_all(
    pg_server, template_db, app_client
) -> None:
    url = await counties_copy(pg_server, template_db)
    async with app_client(url) as client:
        await county_isolation(url, client)


async def county_isolation(url: str, client: Any) -> None:
    """County A's staff see none of county B, the city's command centre all (here and on
    Citus: tests_citus)."""
    per_county = {c: await _in_county(url, c) for c in COUNTIES}
    await client.login("command")
    assert await _totals(client) == per_county[XUZHOU]
    await client.login("command-511502")
    assert await _totals(client) == per_county[CUIPING]
    await client.login("command-5115")
    assert await _totals(client) == {
        name: sum(per_county[c][name] for c in COUNTIES) for name in LISTS
    }
    # each county's records, asked for by region, from the other side of the border
    await client.login("command")
    for name in LISTS:
        query = f"query($c: String) {{ {name}(regionCode: $c) {{ totalCount }} }}"
        result = await client.gql(query, {"c": CUIPING})
        assert "errors" in result or result["data"][name]["totalCount"] == 0, (name, result)
    # one record by id, from the other county: as if it did not exist
    event_id = await sql_scalar(
        url, "SELECT min(id) FROM event WHERE region_code LIKE :c", c=CUIPING + "%"
    )
    person_id = await sql_scalar(
        url, "SELECT min(id) FROM person WHERE region_code LIKE :c", c=CUIPING + "%"
    )
    lookup = "query($id: ID!) { event(id: $id) { id } }"
    assert error_code(await client.gql(lookup, {"id": str(event_id)})) == "NOT_FOUND"
    await client.login("command-511502")
    assert ok(await client.gql(lookup, {"id": str(event_id)}))["event"]["id"]
    await client.login("command-5115")
    assert ok(await client.gql(lookup, {"id": str(event_id)}))["event"]["id"]
    # staff below the command centre, and department staff, stay in their county too
    township = await sql_scalar(
        url,
        "SELECT min(username) FROM account WHERE role = 'township_staff' AND tenancy = :c",
        c=CUIPING,
    )
    police = await sql_scalar(
        url,
        "SELECT min(username) FROM account WHERE role = 'department_staff' "
        "AND tenancy = :c AND username LIKE '%-police'",
        c=CUIPING,
    )
    urban = f"ds-{CUIPING}-urban-management"
    seen: list[str] = []
    for username in (township, police, urban):
        await client.login(username)
        for field in ("persons", "events", "places"):
            result = await client.gql(f"{{ {field}(first: 100) {{ nodes {{ regionCode }} }} }}")
            if "errors" in result:
                assert error_code(result) == "FORBIDDEN"
                continue
            codes = [n["regionCode"] for n in result["data"][field]["nodes"]]
            assert all(code.startswith(CUIPING) for code in codes), (username, field, codes)
            seen += codes
    assert seen
    assert person_id is not None


REPORT = """mutation($i: ReportEventInput!) { reportEvent(input: $i) { event {
  id regionCode status level grid { code } } } }"""


def _report(key: str, **where: Any) -> dict[str, Any]:
    return {
        "i": {
            "categoryCode": "city.road",
            "title": "路面塌陷",
            "description": "路面塌陷了",
            "idempotencyKey": key,
            **where,
        }
    }


async def test_a_report_is_routed_inside_its_county(pg_server, template_db, app_client) -> None:
    url = await counties_copy(pg_server, template_db)
    async with app_client(url) as client:
        await report_routing(url, client)


async def report_routing(url: str, client: Any) -> None:
    """A report goes to the county its position lies in, and stays there."""
    points = await inner_points(url, 2000)
    lon, lat, code = next(p for p in points if p[2].startswith(NANXI))
    tasks = "{ myTasks(first: 100) { nodes { id } } }"
    await client.login("citizen")
    where = {"location": {"lon": lon, "lat": lat}}
    event = ok(await client.gql(REPORT, _report("tenancy-1", **where)))["reportEvent"]["event"]
    assert event["regionCode"] == code and event["grid"]["code"] == code
    assert event["level"] == "GRID"
    assignee = await sql_scalar(
        url,
        "SELECT a.username FROM event e JOIN account a ON a.id = e.assignee_id WHERE e.id = :i",
        i=int(event["id"]),
    )
    assert assignee == f"gw-{code}"
    # an address alone: the whole deployment's citizen must say where (three counties)
    result = await client.gql(REPORT, _report("tenancy-2", address="长江大道1号"))
    assert error_code(result) == "BAD_USER_INPUT"
    # ... while a county's own staff send it to their county's command centre
    await client.login(f"cs-{code[:12]}")
    event = ok(await client.gql(REPORT, _report("tenancy-3", address="长江大道1号")))[
        "reportEvent"
    ]["event"]
    assert event["level"] == "DISTRICT"
    handling = await sql_scalar(
        url, "SELECT handling_region FROM event WHERE id = :i", i=int(event["id"])
    )
    assert handling == NANXI + "000000"
    await client.login("command-511503")
    assert event["id"] in [n["id"] for n in ok(await client.gql(tasks))["myTasks"]["nodes"]]
    await client.login("command")
    assert event["id"] not in [n["id"] for n in ok(await client.gql(tasks))["myTasks"]["nodes"]]
    verify = """mutation($id: ID!) { verifyEvent(id: $id, passed: true, note: "x") { id } }"""
    assert error_code(await client.gql(verify, {"id": event["id"]})) in (
        "FORBIDDEN",
        "NOT_FOUND",
    )
    county = await sql_scalar(
        url,
        "SELECT string_agg(DISTINCT county, ',') FROM event_trace WHERE event_id = :i",
        i=int(event["id"]),
    )
    assert county == NANXI
    await assert_counties_written(url)


CREATE = """mutation($i: CreateAccountInput!) { createAccount(input: $i) {
  id username tenancy region { code } } }"""
UPDATE = """mutation($id: ID!, $i: UpdateAccountInput!) { updateAccount(id: $id, input: $i) {
  tenancy } }"""
ACCOUNTS = "query($f: Int) { accounts(first: $f) { totalCount nodes { id username tenancy } } }"
PASSWORD = "Correct-Horse-42-battery"


def _account(username: str, role: str, **more: Any) -> dict[str, Any]:
    return {
        "i": {"username": username, "name": username, "password": PASSWORD, "role": role, **more}
    }


async def test_administrators_run_their_own_county(pg_server, template_db, app_client) -> None:
    url = await counties_copy(pg_server, template_db)
    in_county = int(
        await sql_scalar(url, "SELECT count(*) FROM account WHERE tenancy LIKE '511502%'")
    )
    xuzhou_id = await sql_scalar(url, "SELECT id FROM account WHERE username = 'command'")
    township = await sql_scalar(
        url, "SELECT min(code) FROM region WHERE level = 'township' AND code LIKE '511502%'"
    )
    async with app_client(url) as client:
        await client.login("admin-511502")
        listed = ok(await client.gql(ACCOUNTS, {"f": 100}))["accounts"]
        assert listed["totalCount"] == in_county > 0
        assert {n["tenancy"] for n in listed["nodes"]} == {CUIPING}
        whole = await sql_scalar(url, "SELECT count(*) FROM account")
        assert whole > in_county
        # another county's account: as if it did not exist, for reading and for changing
        one = "query($id: ID!) { account(id: $id) { id } }"
        assert error_code(await client.gql(one, {"id": str(xuzhou_id)})) == "NOT_FOUND"
        disable = 'mutation($id: ID!) { disableAccount(id: $id, reason: "x") { active } }'
        assert error_code(await client.gql(disable, {"id": str(xuzhou_id)})) == "NOT_FOUND"
        # new accounts: inside the county only; the tenancy follows the region
        made = ok(
            await client.gql(CREATE, _account("ts-new", "TOWNSHIP_STAFF", regionCode=township))
        )["createAccount"]
        assert made["tenancy"] == CUIPING
        auditor = ok(await client.gql(CREATE, _account("aud-511502", "AUDITOR")))
        assert auditor["createAccount"]["tenancy"] == CUIPING  # the admin's own
        xuzhou_township = "511504001000"
        result = await client.gql(
            CREATE, _account("ts-other", "TOWNSHIP_STAFF", regionCode=xuzhou_township)
        )
        assert error_code(result) == "FORBIDDEN"
        result = await client.gql(CREATE, _account("city-admin", "ADMIN", tenancy="511500"))
        assert error_code(result) == "FORBIDDEN"
        result = await client.gql(UPDATE, {"id": made["id"], "i": {"tenancy": ""}})
        assert error_code(result) == "FORBIDDEN"
        assert (
            await sql_scalar(
                url, "SELECT count(*) FROM account WHERE username IN ('ts-other', 'city-admin')"
            )
            == 0
        )
        # the whole deployment's admin makes a city's command centre
        await client.login("admin")
        city = ok(
            await client.gql(CREATE, _account("city-duty", "DISTRICT_COMMAND", tenancy="511500"))
        )["createAccount"]
        assert city["tenancy"] == CITY and city["region"] is None
        result = await client.gql(
            CREATE, _account("bad-mix", "TOWNSHIP_STAFF", regionCode=township, tenancy=XUZHOU)
        )
        assert error_code(result) == "BAD_USER_INPUT"
        assert result["errors"][0]["extensions"]["argument"] == "tenancy"
        result = await client.gql(CREATE, _account("bad-code", "ADMIN", tenancy="51150"))
        assert error_code(result) == "BAD_USER_INPUT"
        await client.login("city-duty", PASSWORD)
        permissions = ok(await client.gql("{ myPermissions { category action prefixes } }"))
        # the city holds every county of this deployment: it reaches everywhere
        assert {p for row in permissions["myPermissions"] for p in row["prefixes"]} == {""}


GRANT = """mutation($i: GrantInput!) { grantAccess(input: $i) { id } }"""


async def test_grants_stay_inside_a_county(pg_server, template_db, app_client) -> None:
    url = await counties_copy(pg_server, template_db)
    async with app_client(url) as client:
        await client.login("admin-511502")
        grant = {"category": "place", "action": "READ"}
        own = {"departmentCode": f"{CUIPING}-CIVIL-AFFAIRS", "regionCode": CUIPING, **grant}
        assert ok(await client.gql(GRANT, {"i": own}))
        other = {"departmentCode": f"{XUZHOU}-CIVIL-AFFAIRS", "regionCode": XUZHOU, **grant}
        assert error_code(await client.gql(GRANT, {"i": other})) in ("FORBIDDEN", "NOT_FOUND")
        await client.login("admin")
        across = {"departmentCode": f"{CUIPING}-CIVIL-AFFAIRS", "regionCode": XUZHOU, **grant}
        result = await client.gql(GRANT, {"i": across})
        assert error_code(result) == "BAD_USER_INPUT"
        # the grant reads as before: a Xuzhou department's grants are not Cuiping's business
        await client.login("admin-511502")
        grants = "query($c: String!) { departmentGrants(code: $c) { id } }"
        result = await client.gql(grants, {"c": f"{XUZHOU}-CIVIL-AFFAIRS"})
        assert error_code(result) == "NOT_FOUND"


DASHBOARD = """{ dashboard { area { level prefix } panels { key figures { key value } } } }"""


def _figure(data: dict[str, Any], panel: str, key: str) -> float:
    found = next(p for p in data["dashboard"]["panels"] if p["key"] == panel)
    value = next(f["value"] for f in found["figures"] if f["key"] == key)
    assert value is not None
    return float(value)


async def test_the_city_dashboard_adds_up_its_counties(pg_server, template_db, app_client) -> None:
    url = await counties_copy(pg_server, template_db)
    counts = (("population", "total"), ("actual_data", "households"), ("actual_data", "things"))
    async with app_client(url) as client:
        per_county = []
        for username, county in (
            ("command", XUZHOU),
            ("command-511502", CUIPING),
            ("command-511503", NANXI),
        ):
            await client.login(username)
            data = ok(await client.gql(DASHBOARD))
            assert data["dashboard"]["area"] == {"level": "DISTRICT", "prefix": county}
            per_county.append(data)
        await client.login("command-5115")
        city = ok(await client.gql(DASHBOARD))
        # the city holds every county here: its area is the whole deployment
        assert city["dashboard"]["area"] == {"level": "DEPLOYMENT", "prefix": ""}
        for panel, key in counts:
            assert _figure(city, panel, key) == sum(_figure(d, panel, key) for d in per_county)
