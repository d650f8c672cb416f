"""Accounts an administrator runs: creating, changing, disabling, enabling, reset codes and
ending sessions, through the API and the command line, every change in the admin log."""

from __future__ import annotations

import json
from typing import Any

from core.services.account_admin import LOGGED_FIELDS, code_hash
from tests.fixtures import DEMO_PASSWORD, Client, sql_execute, sql_rows, sql_scalar
from tests.test_cli import run_cli
from tests.test_records import demo_copy

PASSWORD = "Correct-Horse-42-battery"
NEW_PASSWORD = "Staple-Lantern-77-river"
DEPARTMENT = "511504-URBAN-MANAGEMENT"

MANAGED = """id username name role phone active lastLoginAt createdAt passwordChangedAt
  openSessions region { code } department { code }"""
CREATE = f"""mutation($i: CreateAccountInput!) {{ createAccount(input: $i) {{ {MANAGED} }} }}"""
UPDATE = f"""mutation($id: ID!, $i: UpdateAccountInput!) {{
  updateAccount(id: $id, input: $i) {{ {MANAGED} }} }}"""
DISABLE = "mutation($id: ID!, $r: String!) { disableAccount(id: $id, reason: $r) { active } }"
ENABLE = "mutation($id: ID!) { enableAccount(id: $id) { active } }"
RESET = "mutation($id: ID!) { resetPassword(id: $id) { code expiresAt } }"
END = "mutation($id: ID!) { endAccountSessions(id: $id) }"
WITH_CODE = """mutation($u: String!, $c: String!, $p: String!) {
  setPasswordWithCode(username: $u, code: $c, newPassword: $p) }"""
LOG = """query($a: ID, $first: Int, $after: String) {
  accountAdminLog(accountId: $a, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id at actor account { id username } action before after note } } }"""
ME = "{ me { username role } }"
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"


def ok(result: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in result, result
    data: dict[str, Any] = result["data"]
    return data


def error(result: dict[str, Any]) -> tuple[Any, Any]:
    """(code, argument) of the one error of a refused request."""
    assert result.get("errors"), result
    extensions = result["errors"][0].get("extensions") or {}
    return extensions.get("code"), extensions.get("argument")


async def regions(url: str) -> tuple[str, str]:
    """A township and one of its communities."""
    community = await sql_scalar(url, "SELECT min(code) FROM region WHERE level = 'community'")
    township = await sql_scalar(
        url, "SELECT code FROM region WHERE level = 'township' AND prefix = :p", p=community[:9]
    )
    return township, community


async def counts(url: str) -> tuple[int, int, int]:
    """Accounts, admin log rows, reset codes."""
    row = (
        await sql_rows(
            url,
            "SELECT (SELECT count(*) FROM account), (SELECT count(*) FROM account_admin_log), "
            "(SELECT count(*) FROM password_reset)",
        )
    )[0]
    return int(row[0]), int(row[1]), int(row[2])


async def login_fails(client: Client, username: str, password: str) -> None:
    response = await client.http.post(
        "/graphql", json={"query": LOGIN, "variables": {"u": username, "p": password}}
    )
    result = response.json()
    assert error(result) == ("UNAUTHENTICATED", None), result
    assert result["errors"][0]["message"] == "wrong username or password"


async def as_user(client: Client, token: str, query: str, variables: Any = None) -> Any:
    """An HTTP response to a request made with ``token``."""
    return await client.http.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_admin_runs_an_account_and_every_change_is_logged(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    township, community = await regions(url)
    async with app_client(url) as client:
        admin_token = await client.login("admin")
        created = ok(
            await client.gql(
                CREATE,
                {
                    "i": {
                        "username": "Zhao.Lei",
                        "name": "赵磊",
                        "password": PASSWORD,
                        "role": "COMMUNITY_STAFF",
                        "regionCode": community,
                        "phone": "13800000000",
                    }
                },
            )
        )["createAccount"]
        assert created["username"] == "zhao.lei" and created["role"] == "COMMUNITY_STAFF"
        assert created["region"] == {"code": community} and created["department"] is None
        assert created["active"] and created["openSessions"] == 0
        assert created["passwordChangedAt"] is not None and created["lastLoginAt"] is None
        account_id = created["id"]

        # the owner signs in; a new name keeps the session, a new role ends it
        user = await client.login("zhao.lei", PASSWORD)
        assert (await as_user(client, user, ME)).json()["data"]["me"]["username"] == "zhao.lei"
        client.token = admin_token
        renamed = ok(await client.gql(UPDATE, {"id": account_id, "i": {"name": "赵 磊"}}))
        assert renamed["updateAccount"]["name"] == "赵 磊"
        assert renamed["updateAccount"]["openSessions"] == 1
        assert renamed["updateAccount"]["region"] == {"code": community}  # left out: kept
        before = await counts(url)
        same = ok(await client.gql(UPDATE, {"id": account_id, "i": {"name": "赵 磊"}}))
        assert same["updateAccount"]["name"] == "赵 磊"
        assert await counts(url) == before  # nothing changed: nothing logged
        promoted = ok(
            await client.gql(
                UPDATE,
                {"id": account_id, "i": {"role": "TOWNSHIP_STAFF", "regionCode": township}},
            )
        )["updateAccount"]
        assert promoted["role"] == "TOWNSHIP_STAFF" and promoted["region"] == {"code": township}
        assert promoted["openSessions"] == 0
        assert promoted["phone"] == "13800000000"
        refused = await as_user(client, user, ME)
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        user = await client.login("zhao.lei", PASSWORD)
        me = (await as_user(client, user, ME)).json()["data"]["me"]
        assert me["role"] == "TOWNSHIP_STAFF"  # the new token carries the new rights
        client.token = admin_token
        cleared = ok(await client.gql(UPDATE, {"id": account_id, "i": {"phone": None}}))
        assert cleared["updateAccount"]["phone"] is None

        # disabled: the token is refused on its next request, signing in fails
        disabled = ok(await client.gql(DISABLE, {"id": account_id, "r": "离职 (left)"}))
        assert disabled["disableAccount"] == {"active": False}
        response = await as_user(client, user, ME)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        await login_fails(client, "zhao.lei", PASSWORD)
        assert ok(await client.gql(ENABLE, {"id": account_id}))["enableAccount"] == {"active": True}
        user = await client.login("zhao.lei", PASSWORD)

        # a reset code: sessions end, the old password stops, the code works once
        client.token = admin_token
        reset = ok(await client.gql(RESET, {"id": account_id}))["resetPassword"]
        code = reset["code"]
        assert len(code) == 19 and code.count("-") == 3 and not set(code) & set("IO01")
        assert (await as_user(client, user, ME)).status_code == 401
        await login_fails(client, "zhao.lei", PASSWORD)
        client.token = None  # no token needed; case, spaces and dashes do not matter
        typed = code.lower().replace("-", " ")
        done = await client.gql(WITH_CODE, {"u": "Zhao.Lei", "c": typed, "p": NEW_PASSWORD})
        assert ok(done)["setPasswordWithCode"] is True
        again = await client.gql(WITH_CODE, {"u": "zhao.lei", "c": code, "p": PASSWORD})
        assert error(again) == ("BAD_USER_INPUT", "code")
        await login_fails(client, "zhao.lei", PASSWORD)
        user = await client.login("zhao.lei", NEW_PASSWORD)

        # ending the account's sessions
        client.token = admin_token
        assert ok(await client.gql(END, {"id": account_id}))["endAccountSessions"] == 1
        assert (await as_user(client, user, ME)).status_code == 401

        # the log, newest first, in pages
        first = ok(await client.gql(LOG, {"a": account_id, "first": 3}))["accountAdminLog"]
        assert first["totalCount"] == 8 and first["pageInfo"]["hasNextPage"]
        cursor = first["pageInfo"]["endCursor"]
        rest = ok(await client.gql(LOG, {"a": account_id, "first": 10, "after": cursor}))
        entries = first["nodes"] + rest["accountAdminLog"]["nodes"]
        assert not rest["accountAdminLog"]["pageInfo"]["hasNextPage"]
        assert [e["action"] for e in entries] == [
            "END_SESSIONS",
            "RESET_PASSWORD",
            "ENABLE",
            "DISABLE",
            "UPDATE",  # phone cleared
            "UPDATE",  # promoted
            "UPDATE",  # renamed
            "CREATE",
        ]
        ids = [int(e["id"]) for e in entries]
        assert ids == sorted(ids, reverse=True)
        assert {e["actor"] for e in entries} == {"admin"}
        assert {e["account"]["username"] for e in entries} == {"zhao.lei"}
        ended, reset_entry, enabled, disabled_entry, phone, promoted_entry, renamed_entry, made = (
            entries
        )
        assert reset_entry["before"] == reset_entry["after"] and reset_entry["note"] is None
        assert made["before"] is None and made["after"]["role"] == "community_staff"
        assert made["after"]["region_code"] == community and made["after"]["is_active"] is True
        assert (
            renamed_entry["before"]["name"] == "赵磊" and renamed_entry["after"]["name"] == "赵 磊"
        )
        assert (promoted_entry["before"]["role"], promoted_entry["after"]["role"]) == (
            "community_staff",
            "township_staff",
        )
        assert promoted_entry["after"]["region_code"] == township
        assert (phone["before"]["phone"], phone["after"]["phone"]) == ("13800000000", None)
        assert disabled_entry["note"] == "离职 (left)"
        assert (disabled_entry["before"]["is_active"], disabled_entry["after"]["is_active"]) == (
            True,
            False,
        )
        assert enabled["after"]["is_active"] is True
        assert ended["note"] == "1 session ended"
        for entry in entries:  # never a password, its hash or a code
            for state in (entry["before"], entry["after"]):
                assert state is None or set(state) == set(LOGGED_FIELDS)
            assert code not in json.dumps(entry) and "argon2" not in json.dumps(entry)
        stored = await sql_scalar(
            url, "SELECT count(*) FROM account_admin_log WHERE actor_label = 'admin'"
        )
        assert stored == 8

        # the accounts list: every filter, the defaults
        everyone = ok(await client.gql("{ accounts { totalCount } }"))["accounts"]["totalCount"]
        assert everyone == await sql_scalar(url, "SELECT count(*) FROM account")
        found = ok(
            await client.gql(
                """{ accounts(search: "ZHAO", role: TOWNSHIP_STAFF, active: true) {
                  totalCount nodes { username lastLoginAt openSessions } } }"""
            )
        )["accounts"]
        assert found["totalCount"] == 1 and found["nodes"][0]["username"] == "zhao.lei"
        assert found["nodes"][0]["lastLoginAt"] is not None
        there = ok(
            await client.gql(
                "query($r: String) { accounts(regionCode: $r, first: 100) { totalCount "
                "nodes { username role region { code } } } }",
                {"r": community},
            )
        )["accounts"]
        roles = {n["role"] for n in there["nodes"]}
        assert roles == {"COMMUNITY_STAFF", "GRID_WORKER"}, there
        assert all(n["region"]["code"].startswith(community[:12]) for n in there["nodes"])
        department = ok(
            await client.gql(
                "query($d: String) { accounts(departmentCode: $d) { nodes { username "
                "department { code } } } }",
                {"d": DEPARTMENT},
            )
        )["accounts"]["nodes"]
        assert department == [
            {"username": f"ds-{DEPARTMENT.lower()}", "department": {"code": DEPARTMENT}}
        ]
        one = ok(await client.gql(f'{{ account(id: "{account_id}") {{ username active }} }}'))
        assert one["account"] == {"username": "zhao.lei", "active": True}
        missing = await client.gql('{ account(id: "999999") { username } }')
        assert error(missing) == ("NOT_FOUND", "id")


QUERIES = {
    "accounts": "{ accounts { totalCount nodes { username } } }",
    "account": '{ account(id: "1") { username openSessions } }',
    "accountAdminLog": "{ accountAdminLog { totalCount nodes { action actor } } }",
    "loginAttempts": "{ loginAttempts { totalCount nodes { username outcome } } }",
}


def mutations(target: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every admin mutation, aimed at account ``target``."""
    new = {
        "username": "sun.li",
        "name": "孙丽",
        "password": PASSWORD,
        "role": "CITIZEN",
    }
    return {
        "createAccount": (CREATE, {"i": new}),
        "updateAccount": (UPDATE, {"id": target, "i": {"name": "改名"}}),
        "disableAccount": (DISABLE, {"id": target, "r": "test"}),
        "enableAccount": (ENABLE, {"id": target}),
        "resetPassword": (RESET, {"id": target}),
        "endAccountSessions": (END, {"id": target}),
    }


async def test_auditors_read_and_no_one_else_changes_accounts(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url) as client:
        await client.login("admin")
        made = ok(
            await client.gql(
                CREATE,
                {
                    "i": {
                        "username": "shen.ji",
                        "name": "审计",
                        "password": PASSWORD,
                        "role": "AUDITOR",
                    }
                },
            )
        )
        assert made["createAccount"]["role"] == "AUDITOR"
        citizen = await sql_scalar(url, "SELECT id FROM account WHERE username = 'citizen'")
        client.token = None
        await login_fails(client, "citizen", "not-the-password-at-all")
        await client.login("shen.ji", PASSWORD)
        for name, query in QUERIES.items():
            data = ok(await client.gql(query))[name]
            assert data is not None, name
        log = ok(await client.gql(QUERIES["accountAdminLog"]))["accountAdminLog"]
        assert log["nodes"] == [{"action": "CREATE", "actor": "admin"}]
        attempts = ok(
            await client.gql(
                """query($from: DateTime) { loginAttempts(username: " Citizen ", outcome: FAILED,
                  from: $from) { totalCount nodes { username outcome account { username } } } }""",
                {"from": "2020-01-01T00:00:00+08:00"},
            )
        )["loginAttempts"]
        assert attempts["totalCount"] == 1
        assert attempts["nodes"] == [
            {"username": "citizen", "outcome": "FAILED", "account": {"username": "citizen"}}
        ]
        every = ok(await client.gql("{ loginAttempts(first: 100) { nodes { id outcome } } }"))
        ids = [int(n["id"]) for n in every["loginAttempts"]["nodes"]]
        assert len(ids) == 3 and ids == sorted(ids, reverse=True)  # newest first
        naive = await client.gql('{ loginAttempts(from: "2026-01-01T00:00:00") { totalCount } }')
        assert error(naive) == ("BAD_USER_INPUT", "from")

        before = await counts(url)
        for actor in ("shen.ji", "citizen", None):
            if actor is None:
                client.token = None
            else:
                await client.login(actor, PASSWORD if actor == "shen.ji" else DEMO_PASSWORD)
            expected = {"shen.ji": "FORBIDDEN", "citizen": "FORBIDDEN", None: "UNAUTHENTICATED"}
            for name, (mutation, variables) in mutations(str(citizen)).items():
                result = await client.gql(mutation, variables)
                assert result["data"] is None, (actor, name, result)
                assert error(result)[0] == expected[actor], (actor, name, result)
            if actor != "shen.ji":
                for name, query in QUERIES.items():
                    result = await client.gql(query)
                    assert error(result)[0] == expected[actor], (actor, name, result)
        assert await counts(url) == before
        assert await sql_scalar(url, "SELECT name FROM account WHERE id = :i", i=citizen) == (
            "市民演示账号"
        )


async def test_bad_input_is_refused_and_nothing_is_written(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    _, community = await regions(url)
    missing_region = community[:9] + "598"
    assert not await sql_scalar(
        url, "SELECT count(*) FROM region WHERE code = :c", c=missing_region
    )
    citizen = str(await sql_scalar(url, "SELECT id FROM account WHERE username = 'citizen'"))
    admin = str(await sql_scalar(url, "SELECT id FROM account WHERE username = 'admin'"))

    def new(**fields: Any) -> dict[str, Any]:
        base = {"username": "wang.wu", "name": "王五", "password": PASSWORD, "role": "CITIZEN"}
        return {"i": {**base, **fields}}

    created = [
        (new(role="COMMUNITY_STAFF", regionCode=missing_region), "NOT_FOUND", "regionCode"),
        (new(role="COMMUNITY_STAFF", regionCode="5115"), "BAD_USER_INPUT", "regionCode"),
        (new(role="TOWNSHIP_STAFF"), "BAD_USER_INPUT", "regionCode"),
        (new(role="TOWNSHIP_STAFF", regionCode=community), "BAD_USER_INPUT", "regionCode"),
        (new(role="DEPARTMENT_STAFF"), "BAD_USER_INPUT", "departmentCode"),
        (new(role="DEPARTMENT_STAFF", departmentCode="NO-SUCH"), "NOT_FOUND", "departmentCode"),
        (new(departmentCode=DEPARTMENT), "BAD_USER_INPUT", "departmentCode"),
        (new(password="short-pass1"), "BAD_USER_INPUT", "password"),
        (new(password="1qaz2wsx3edc"), "BAD_USER_INPUT", "password"),
        (new(password="wang.wu-Horse-42-battery"), "BAD_USER_INPUT", "password"),
        (new(username="citizen"), "CONFLICT", "username"),
        (new(username="王五"), "BAD_USER_INPUT", "username"),
        (new(name="  "), "BAD_USER_INPUT", "name"),
        (new(phone="1" * 21), "BAD_USER_INPUT", "phone"),
        (new(role="EMPEROR"), "BAD_USER_INPUT", None),  # not a Role: refused by GraphQL
    ]
    changed = [
        (UPDATE, {"id": citizen, "i": {"role": "TOWNSHIP_STAFF"}}, "regionCode"),
        (UPDATE, {"id": citizen, "i": {"role": "DEPARTMENT_STAFF"}}, "departmentCode"),
        (UPDATE, {"id": citizen, "i": {"regionCode": "5115041"}}, "regionCode"),
        (UPDATE, {"id": citizen, "i": {"role": None}}, "role"),
        (UPDATE, {"id": citizen, "i": {"name": None}}, "name"),
        (UPDATE, {"id": admin, "i": {"role": "CITIZEN"}}, "role"),  # not one's own
        (UPDATE, {"id": "abc", "i": {"name": "x"}}, "id"),
        (DISABLE, {"id": admin, "r": "myself"}, "id"),  # an admin cannot lock themself out
        (DISABLE, {"id": citizen, "r": "  "}, "reason"),
    ]
    async with app_client(url) as client:
        await client.login("admin")
        before = await counts(url)
        accounts_before = await sql_rows(url, "SELECT * FROM account ORDER BY id")
        for variables, code, argument in created:
            result = await client.gql(CREATE, variables)
            assert result["data"] is None, (variables, result)
            assert error(result) == (code, argument), (variables, result)
        for mutation, given, argument in changed:
            answer = await client.gql(mutation, given)
            assert error(answer) == ("BAD_USER_INPUT", argument), (given, answer)
        not_found = [
            (UPDATE, {"id": "999999", "i": {"name": "x"}}, "id"),
            (RESET, {"id": "999999"}, "id"),
            (END, {"id": "999999"}, "id"),
            (UPDATE, {"id": citizen, "i": {"regionCode": missing_region}}, "regionCode"),
            (
                UPDATE,
                {"id": citizen, "i": {"role": "DEPARTMENT_STAFF", "departmentCode": "NO-SUCH"}},
                "departmentCode",
            ),
        ]
        for mutation, given, argument in not_found:
            answer = await client.gql(mutation, given)
            assert error(answer) == ("NOT_FOUND", argument), (given, answer)
        assert await counts(url) == before
        assert await sql_rows(url, "SELECT * FROM account ORDER BY id") == accounts_before
    result = run_cli(
        ["user", "add", "wang.wu", "--role", "emperor", "--password-stdin"],
        url,
        stdin=PASSWORD + "\n",
        check=False,
    )
    assert result.returncode == 1 and "unknown role 'emperor'" in result.stderr, result.stderr
    result = run_cli(["user", "set", "citizen", "--role", "emperor"], url, check=False)
    assert result.returncode == 1 and "unknown role 'emperor'" in result.stderr, result.stderr
    assert await counts(url) == before


async def test_reset_codes(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    citizen = str(await sql_scalar(url, "SELECT id FROM account WHERE username = 'citizen'"))
    command = await sql_scalar(url, "SELECT id FROM account WHERE username = 'command'")
    expired = "ABCD-EFGH-JKLM-NPQR"
    await sql_execute(
        url,
        "INSERT INTO password_reset (account_id, code_hash, expires_at) "
        "VALUES (:a, :h, now() - interval '1 minute')",
        a=command,
        h=code_hash(expired),
    )
    async with app_client(url, password_reset_seconds=600) as client:
        await client.login("admin")
        superseded = ok(await client.gql(RESET, {"id": citizen}))["resetPassword"]["code"]
        reset = ok(await client.gql(RESET, {"id": citizen}))["resetPassword"]
        code = reset["code"]
        assert code != superseded
        client.token = None
        refusals = [
            await client.gql(WITH_CODE, {"u": "command", "c": expired, "p": NEW_PASSWORD}),
            await client.gql(WITH_CODE, {"u": "citizen", "c": superseded, "p": NEW_PASSWORD}),
            await client.gql(
                WITH_CODE, {"u": "citizen", "c": "WXYZ-WXYZ-WXYZ-WXYZ", "p": NEW_PASSWORD}
            ),
            await client.gql(WITH_CODE, {"u": "nobody", "c": code, "p": NEW_PASSWORD}),
            await client.gql(WITH_CODE, {"u": "command", "c": code, "p": NEW_PASSWORD}),
        ]
        messages = {r["errors"][0]["message"] for r in refusals}
        assert len(messages) == 1  # one answer: nothing told about users or codes
        assert {error(r) for r in refusals} == {("BAD_USER_INPUT", "code")}
        weak = await client.gql(WITH_CODE, {"u": "citizen", "c": code, "p": "1qaz2wsx3edc"})
        assert error(weak) == ("BAD_USER_INPUT", "newPassword")
        assert ok(await client.gql(WITH_CODE, {"u": "citizen", "c": code, "p": NEW_PASSWORD}))
        await login_fails(client, "citizen", DEMO_PASSWORD)
        await client.login("citizen", NEW_PASSWORD)
        client.token = None
        used = await client.gql(WITH_CODE, {"u": "citizen", "c": code, "p": PASSWORD})
        assert error(used) == ("BAD_USER_INPUT", "code")
    rows = await sql_rows(
        url,
        "SELECT code_hash, used_at IS NOT NULL, created_by IS NOT NULL, "
        "expires_at - created_at FROM password_reset WHERE account_id = :a ORDER BY id",
        a=int(citizen),
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (code_hash(superseded), True, True),
        (code_hash(code), True, True),
    ]
    assert all(abs(r[3].total_seconds() - 600) < 5 for r in rows)


async def test_the_command_line_runs_accounts(pg_server, template_db) -> None:
    url = await demo_copy(pg_server, template_db)
    township, community = await regions(url)
    short = run_cli(
        ["user", "add", "li.ming", "--role", "citizen", "--password-stdin"],
        url,
        stdin="short-pass1\n",
        check=False,
    )
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    added = run_cli(
        [
            "user",
            "add",
            "li.ming",
            "--role",
            "community_staff",
            "--region",
            community,
            "--name",
            "李明",
            "--password-stdin",
        ],
        url,
        stdin=PASSWORD + "\n",
    )
    assert "added li.ming" in added.stderr
    listed = run_cli(["user", "list", "--search", "LI.M"], url).stdout
    assert "li.ming" in listed and "李明" in listed and "1 accounts" in listed
    workers = run_cli(["user", "list", "--role", "grid_worker", "--region", community], url)
    assert "gw-" + community in workers.stdout and "li.ming" not in workers.stdout
    run_cli(["user", "set", "li.ming", "--role", "township_staff", "--region", township], url)
    assert await sql_rows(
        url, "SELECT role, region_code FROM account WHERE username = 'li.ming'"
    ) == [("township_staff", township)]
    no_reason = run_cli(["user", "disable", "li.ming"], url, check=False)
    assert no_reason.returncode != 0 and "--reason" in no_reason.stderr
    run_cli(["user", "disable", "li.ming", "--reason", "调离"], url)
    assert "li.ming" in run_cli(["user", "list", "--inactive"], url).stdout
    assert "li.ming" not in run_cli(["user", "list", "--active", "--search", "li"], url).stdout
    run_cli(["user", "enable", "li.ming"], url)
    code = run_cli(["user", "reset-password", "li.ming"], url).stdout.strip()
    assert len(code) == 19
    assert (
        await sql_scalar(
            url,
            "SELECT count(*) FROM password_reset WHERE code_hash = :h AND used_at IS NULL",
            h=code_hash(code),
        )
        == 1
    )
    ended = run_cli(["user", "end-sessions", "li.ming"], url)
    assert "ended 0 session(s) of li.ming" in ended.stderr
    nobody = run_cli(["user", "enable", "nobody"], url, check=False)
    assert nobody.returncode == 1 and "no account has the username 'nobody'" in nobody.stderr
    log = await sql_rows(
        url,
        "SELECT l.action, l.actor_label, l.actor_id, l.note, l.before ->> 'role', "
        "l.after ->> 'role' FROM account_admin_log l JOIN account a ON a.id = l.account_id "
        "WHERE a.username = 'li.ming' ORDER BY l.id",
    )
    assert [tuple(r) for r in log] == [
        ("create", "cli", None, None, None, "community_staff"),
        ("update", "cli", None, None, "community_staff", "township_staff"),
        ("disable", "cli", None, "调离", "township_staff", "township_staff"),
        ("enable", "cli", None, None, "township_staff", "township_staff"),
        ("reset_password", "cli", None, None, "township_staff", "township_staff"),
        ("end_sessions", "cli", None, "0 sessions ended", "township_staff", "township_staff"),
    ]
