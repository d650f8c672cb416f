"""Collect once, share by authorization: the role × category × place matrix, grants as
data taking effect without a restart, masking with audit, the audit's immutability."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.codes.identity import make_identity_number
from core.database.engine import make_engine
from core.settings import Settings
from tests.fixtures import fence
from tests.test_locate import inner_points
from tests.test_records import count, demo_copy

PEOPLE = """query($c: String) { persons(regionCode: $c, first: 100) { totalCount
  edges { node { id idNumber phone specialGroups { code } } } } }"""
LIST = "query($c: String) {{ {field}(regionCode: $c, first: 1) {{ totalCount }} }}"
CREATE = {
    "person": ("createPerson", "CreatePersonInput", {"name": "测试"}),
    "place": ("createPlace", "CreatePlaceInput", {"kind": "VENUE", "name": "测试场所"}),
    "thing": (
        "createThing",
        "CreateThingInput",
        {"kind": "FACILITY", "category": "fire_hydrant", "name": "测试消火栓"},
    ),
    "organization": (
        "createOrganization",
        "CreateOrganizationInput",
        {"kind": "SOCIAL_ORGANIZATION", "name": "测试协会"},
    ),
}
CATEGORIES = (
    "person:basic",
    "person:identity",
    "person:contact",
    "person:special_group",
    "place",
    "thing",
    "organization",
)
R, W = "read", "write"


def expected(role: str) -> dict[tuple[str, str, str], bool]:
    """The policy, written out by hand: (category, action, inside|outside) -> allowed."""
    own_full = {(c, a, "inside"): True for c in CATEGORIES for a in (R, W)}
    table: dict[str, dict[tuple[str, str, str], bool]] = {
        "citizen": {},
        "grid_worker": own_full,
        "community_staff": own_full,
        "township_staff": own_full,
        "district_command": {
            (c, a, w): True for c in CATEGORIES for a in (R, W) for w in ("inside", "outside")
        },
        "admin": {
            (c, R, w): True
            for c in ("person:basic", "place", "thing", "organization")
            for w in ("inside", "outside")
        },
        "civil_affairs": {
            (c, R, w): True
            for c in ("person:basic", "person:special_group")
            for w in ("inside", "outside")
        },
        "police_station": {
            **{
                (c, R, "inside"): True
                for c in (
                    "person:basic",
                    "person:identity",
                    "person:contact",
                    "person:special_group",
                    "place",
                )
            }
        },
        "auditor": {},
    }
    return table[role]


async def observe(client: Any, category: str, code: str) -> bool:
    """Can the logged-in client read this category of the records under ``code``?"""
    if category in ("place", "thing", "organization"):
        field = {"place": "places", "thing": "things", "organization": "organizations"}[category]
        result = await client.gql(LIST.format(field=field), {"c": code})
        if "errors" in result:
            assert result["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
            return False
        return result["data"][field]["totalCount"] > 0
    result = await client.gql(PEOPLE, {"c": code})
    if "errors" in result:
        assert result["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
        return False
    people = [e["node"] for e in result["data"]["persons"]["edges"]]
    if category == "person:basic":
        return result["data"]["persons"]["totalCount"] > 0
    if not people:
        return False
    if category == "person:identity":
        return all("*" not in p["idNumber"] for p in people if p["idNumber"])
    if category == "person:contact":
        phones = [p["phone"] for p in people if p["phone"]]
        return bool(phones) and all("*" not in p for p in phones)
    return all(p["specialGroups"] is not None for p in people)


_ids = itertools.count(100)


async def try_write(client: Any, kind: str, lon: float, lat: float) -> bool:
    name, input_type, fields = CREATE[kind]
    data = {**fields, "location": {"lon": lon, "lat": lat}}
    if kind == "person":
        data["idNumber"] = make_identity_number("511504", date(1985, 3, 3), next(_ids), "male")
    result = await client.gql(
        f"mutation($i: {input_type}!){{ {name}(input: $i){{ id }} }}", {"i": data}
    )
    if "errors" in result:
        assert result["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED"), result
        return False
    return True


async def test_role_category_place_matrix(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    points = {code: (lon, lat) for lon, lat, code in await inner_points(url, 579)}
    grid = next(c for c in points if c.startswith("511504100"))
    far = next(c for c in points if c.startswith("511504101"))
    actors = {
        "citizen": ("citizen", grid, far),
        "grid_worker": (f"gw-{grid}", grid, far),
        "community_staff": (f"cs-{grid[:12]}", grid, far),
        "township_staff": ("ts-511504100", grid, far),
        "district_command": ("command", grid, far),
        "admin": ("admin", grid, far),
        "civil_affairs": ("ds-511504-civil-affairs", grid, far),
        "police_station": ("ds-511504100-police", grid, far),
        "auditor": (None, grid, far),
    }
    from tests.test_cli import run_cli

    run_cli(
        ["user", "add", "audit-li", "--role", "auditor", "--password-stdin"],
        url,
        stdin="demo-password-for-tests\n",
    )
    wrong: list[str] = []
    async with app_client(url) as client:
        for role, (username, inside, outside) in actors.items():
            await client.login(username or "audit-li")
            want = expected(role)
            for where, code in (("inside", inside), ("outside", outside)):
                for category in CATEGORIES:
                    got = await observe(client, category, code)
                    if got != want.get((category, R, where), False):
                        wrong.append(f"{role} read {category} {where}: got {got}")
                for kind in ("person", "place", "thing", "organization"):
                    category = "person:basic" if kind == "person" else kind
                    got = await try_write(client, kind, *points[code])
                    if got != want.get((category, W, where), False):
                        wrong.append(f"{role} write {kind} {where}: got {got}")
    assert wrong == [], "\n".join(wrong)


GRANT = """mutation($i: GrantInput!) { grantAccess(input: $i) { id category regionPrefix
  action active } }"""
REVOKE = "mutation($id: ID!) { revokeAccess(id: $id) { id active revokedAt } }"


async def test_grant_unmask_audit_revoke_without_restart(
    pg_server, template_db, app_client, tmp_path
) -> None:
    url = await demo_copy(pg_server, template_db)
    from tests.test_cli import run_cli

    run_cli(
        ["user", "add", "audit-li", "--role", "auditor", "--password-stdin"],
        url,
        stdin="demo-password-for-tests\n",
    )
    async with app_client(url) as admin, app_client(url) as other_process:
        await admin.login("admin")
        # Start from nothing: withdraw the demo's district-wide defaults of civil affairs.
        defaults = await admin.gql('{ departmentGrants(code: "511504-CIVIL-AFFAIRS") { id } }')
        for g in defaults["data"]["departmentGrants"]:
            assert "errors" not in await admin.gql(REVOKE, {"id": g["id"]})
        # other processes learn of grant changes by notification: wait for it each time
        await fence(other_process.app, url)
        await other_process.login("ds-511504-civil-affairs")
        assert (await other_process.gql(PEOPLE, {"c": None}))["errors"][0]["extensions"][
            "code"
        ] == "FORBIDDEN"
        basic = await admin.gql(
            GRANT,
            {
                "i": {
                    "departmentCode": "511504-CIVIL-AFFAIRS",
                    "category": "person:basic",
                    "regionCode": "511504100",
                }
            },
        )
        assert basic["data"]["grantAccess"]["active"], basic
        await fence(other_process.app, url)
        seen = (await other_process.gql(PEOPLE, {"c": None}))["data"]["persons"]
        inside = await count(url, "SELECT count(*) FROM person WHERE region_code LIKE '511504100%'")
        assert seen["totalCount"] == inside > 0  # nobody outside the township
        people = [e["node"] for e in seen["edges"]]
        assert all("*" in p["idNumber"] for p in people if p["idNumber"])
        assert await count(url, "SELECT count(*) FROM access_audit") == 0  # nothing unmasked
        identity = await admin.gql(
            GRANT,
            {
                "i": {
                    "departmentCode": "511504-CIVIL-AFFAIRS",
                    "category": "person:identity",
                    "regionCode": "511504100",
                }
            },
        )
        await fence(other_process.app, url)
        unmasked = (await other_process.gql(PEOPLE, {"c": None}))["data"]["persons"]
        shown = [e["node"] for e in unmasked["edges"] if e["node"]["idNumber"]]
        assert shown and all("*" not in p["idNumber"] for p in shown)
        audited = await count(
            url,
            "SELECT coalesce(sum(cardinality(record_ids)), 0) FROM access_audit "
            "WHERE actor_username = 'ds-511504-civil-affairs' AND 'idNumber' = ANY(fields)",
        )
        assert audited == len(shown)
        await admin.login("audit-li")
        log = await admin.gql("""{ accessAudit(actorUsername: "ds-511504-civil-affairs",
            first: 100) { edges { node { recordKind recordIds fields operation } } } }""")
        nodes = [e["node"] for e in log["data"]["accessAudit"]["edges"]]
        assert sum(len(n["recordIds"]) for n in nodes if "idNumber" in n["fields"]) == audited
        assert {str(p["id"]) for p in shown} <= {i for n in nodes for i in n["recordIds"]}
        assert all(n["recordKind"] == "person" and "/ persons" in n["operation"] for n in nodes)
        one = await admin.gql(
            'query($r: ID){ accessAudit(recordKind: "person", recordId: $r){ totalCount } }',
            {"r": shown[0]["id"]},
        )
        assert one["data"]["accessAudit"]["totalCount"] >= 1
        await admin.login("admin")
        revoked = await admin.gql(REVOKE, {"id": identity["data"]["grantAccess"]["id"]})
        assert revoked["data"]["revokeAccess"]["active"] is False
        await fence(other_process.app, url)
        again = (await other_process.gql(PEOPLE, {"c": None}))["data"]["persons"]
        assert all("*" in e["node"]["idNumber"] for e in again["edges"] if e["node"]["idNumber"])
        history = await admin.gql("""{ departmentGrants(code: "511504-CIVIL-AFFAIRS",
            includeInactive: true) { category active } }""")
        assert history["data"]["departmentGrants"][-2:] == [
            {"category": "person:basic", "active": True},
            {"category": "person:identity", "active": False},
        ]
    assert await count(url, "SELECT count(*) FROM grant_event") > 2


async def test_grants_expire(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url) as admin, app_client(url) as dept:
        await admin.login("admin")
        await dept.login("ds-511504-education")
        soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
        await admin.gql(
            GRANT,
            {
                "i": {
                    "departmentCode": "511504-EDUCATION",
                    "category": "place",
                    "regionCode": "511504",
                    "expiresAt": soon,
                }
            },
        )
        places = "{ places(first: 1) { totalCount } }"
        assert (await dept.gql(places))["data"]["places"]["totalCount"] > 0
        await asyncio.sleep(2.2)
        assert (await dept.gql(places))["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"category": "person:dna"}, "BAD_USER_INPUT"),
        ({"action": "delete"}, "BAD_USER_INPUT"),
        ({"regionCode": "51150X"}, "BAD_USER_INPUT"),
        ({"regionCode": "511504199"}, "NOT_FOUND"),
        ({"departmentCode": "NOPE"}, "NOT_FOUND"),
        ({"expiresAt": "2020-01-01T00:00:00+08:00"}, "BAD_USER_INPUT"),
    ],
)
async def test_bad_grants_are_refused(db_url, demo_url, app_client, change, code) -> None:
    async with app_client(demo_url) as client:
        await client.login("admin")
        grant = {
            "departmentCode": "511504-HEALTH",
            "category": "place",
            "regionCode": "511504100",
            **change,
        }
        result = await client.gql(GRANT, {"i": grant})
        assert result["errors"][0]["extensions"]["code"] == code, result


async def test_only_granters_grant_and_duplicates_conflict(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    grant = {"departmentCode": "511504-HEALTH", "category": "place", "regionCode": "511504100"}
    async with app_client(url) as client:
        await client.login("command")
        assert (await client.gql(GRANT, {"i": grant}))["errors"][0]["extensions"][
            "code"
        ] == "FORBIDDEN"
        await client.login("admin")
        first = await client.gql(GRANT, {"i": grant})
        again = await client.gql(GRANT, {"i": grant})
        assert again["errors"][0]["extensions"]["code"] == "CONFLICT"
        gid = first["data"]["grantAccess"]["id"]
        assert "errors" not in await client.gql(REVOKE, {"id": gid})
        twice = await client.gql(REVOKE, {"id": gid})
        assert twice["errors"][0]["extensions"]["code"] == "CONFLICT"


async def test_access_audit_is_append_only(db_url) -> None:
    engine = make_engine(db_url, Settings(database_url=db_url))
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO access_audit (actor_id, actor_username, record_kind, record_ids, "
                "region_codes, fields, operation) "
                "VALUES (1, 'x', 'person', '{1}', '{}', '{idNumber}', 'query')"
            )
        )
    for sql in (
        "UPDATE access_audit SET fields = '{}'",
        "DELETE FROM access_audit",
        "TRUNCATE access_audit",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(sql))
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM access_audit")) == 1
    await engine.dispose()


async def test_my_permissions(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        await client.login("ds-511504-civil-affairs")
        perms = (await client.gql("{ myPermissions { category action prefixes } }"))["data"]
        table = {(p["category"], p["action"]): p["prefixes"] for p in perms["myPermissions"]}
        assert table[("person:basic", "READ")] == ["511504"]
        assert ("person:identity", "READ") not in table
