"""Party dues: the arrears rule by hand, the GraphQL API, the monthly statement (and its
XLSX), who may read and write them, and the access audit of those reads."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl

from core.plugins import hookimpl, make_plugin_manager
from core.settings import Settings
from plugins.party_building.calendar import add_months, month_text
from plugins.party_building.dues import Ledger, months_from
from plugins.party_building.tests.setup import build_tree, make_staff
from plugins.party_building.xlsx import ROUTES
from tests.fixtures import sql_execute, sql_rows, sql_scalar
from tests.test_records import demo_copy

D = Decimal
XLSX_PATH = "/party/dues-statement.xlsx"

SET_RATE = """
mutation($m: ID!, $f: String!, $a: Decimal!) {
  setPartyDuesRate(memberId: $m, fromMonth: $f, amount: $a) { fromMonth amount member { id } }
}"""
PAY = """
mutation($m: ID!, $mo: String!, $a: Decimal!, $d: Date!) {
  payPartyDues(memberId: $m, month: $mo, amount: $a, paidOn: $d) {
    id month amount paidOn member { id }
  }
}"""
DUES = """
query($m: ID!, $f: String, $t: String) {
  partyDues(memberId: $m, from: $f, to: $t) {
    member { id name }
    rates { fromMonth amount }
    months { month due paid owed }
    arrears
  }
}"""
STATEMENT = """
query($o: ID!, $mo: String!) {
  partyDuesStatement(organizationId: $o, month: $mo) {
    organization { id code }
    month
    rows { member { id name } due paid arrears }
    totals { due paid arrears }
  }
}"""

#: the hand-computed example: rate 10.00 from 2026-01, 12.50 from 2026-04
EXAMPLE_RATES = [("2026-01", "10.00"), ("2026-04", "12.50")]
EXAMPLE_PAYMENTS = [
    ("2026-01", "10.00"),
    ("2026-02", "5.00"),
    ("2026-03", "10.00"),
    ("2026-04", "12.50"),
    ("2026-05", "20.00"),  # overpaid: pays no other month
]
#: (month, due, paid, owed) January to June, June unpaid
EXAMPLE_MONTHS = [
    ("2026-01", "10.00", "10.00", "0.00"),
    ("2026-02", "10.00", "5.00", "5.00"),
    ("2026-03", "10.00", "10.00", "0.00"),
    ("2026-04", "12.50", "12.50", "0.00"),
    ("2026-05", "12.50", "20.00", "0.00"),
    ("2026-06", "12.50", "0.00", "12.50"),
]


def this_month() -> date:
    return datetime.now(ZoneInfo(Settings().timezone)).date().replace(day=1)


def code_of(result: dict[str, Any]) -> str:
    assert result.get("errors"), result
    return str(result["errors"][0]["extensions"]["code"])


def ok(result: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in result, result
    return result["data"]


class DuesRoutes:
    """Serves the statement route in a test app when the plugin does not hook it yet."""

    @hookimpl
    def gridgov_routes(self) -> list[Any]:
        return ROUTES


def route_plugins() -> list[Any]:
    """No extra plugin once ``plugins.party_building`` returns ``ROUTES`` itself."""
    hooked = make_plugin_manager(Settings()).hook.gridgov_routes()
    return [] if any(extra is ROUTES for extra in hooked) else [DuesRoutes()]


async def set_rate(client: Any, member: int, month: str, amount: str) -> dict[str, Any]:
    return await client.gql(SET_RATE, {"m": str(member), "f": month, "a": amount})


async def pay(
    client: Any, member: int, month: str, amount: str, paid_on: str | None = None
) -> dict[str, Any]:
    day = paid_on or f"{month}-15"
    return await client.gql(PAY, {"m": str(member), "mo": month, "a": amount, "d": day})


async def write_example(client: Any, member: int) -> None:
    for month, amount in EXAMPLE_RATES:
        ok(await set_rate(client, member, month, amount))
    for month, amount in EXAMPLE_PAYMENTS:
        ok(await pay(client, member, month, amount))


# --- the rule, by hand -----------------------------------------------------------------


def example_ledger(last: date | None = None) -> Ledger:
    rates = tuple((date(2026, 1 + i, 1), D(a)) for i, a in ((0, "10.00"), (3, "12.50")))
    paid = {date(2026, int(m[5:]), 1): D(a) for m, a in EXAMPLE_PAYMENTS}
    return Ledger(rates, paid, last)


def test_ledger_by_hand() -> None:
    ledger = example_ledger()
    june = date(2026, 6, 1)
    assert ledger.arrears(june) == D("17.50")
    got = [
        (month_text(m.month), str(m.due), str(m.paid), str(m.owed))
        for m in ledger.months(date(2025, 6, 1), june)
    ]
    assert got == EXAMPLE_MONTHS
    # the arrears are the owed months summed, whatever the window listed
    assert ledger.arrears(june) == sum(
        (m.owed for m in ledger.months(date(2026, 4, 1), june)), D(0)
    ) + D(5)
    assert ledger.arrears(date(2025, 12, 1)) == 0  # nothing due before the first rate
    assert ledger.rate(date(2025, 12, 1)) is None and ledger.rate(june) == D("12.50")
    # a year on: 6 more months at 12.50
    assert ledger.arrears(date(2026, 12, 1)) == D("17.50") + 6 * D("12.50")
    # left in April: May and June not due, May's overpayment pays nothing else
    left = example_ledger(last=date(2026, 4, 1))
    assert left.arrears(june) == D("5.00")
    assert [month_text(m.month) for m in left.months(date(2026, 1, 1), june)] == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
    ]
    assert months_from(date(2026, 1, 1), date(2026, 12, 1)) == 12
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)


# --- GraphQL ---------------------------------------------------------------------------


async def test_member_dues_example(pg_server: Any, template_db: str, app_client: Any) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a1 = tree.members["a1"]
    async with app_client(url) as client:
        await client.login("command")
        # a rate set twice for a month is replaced
        ok(await set_rate(client, a1, "2026-04", "11.00"))
        await write_example(client, a1)
        rates = await sql_rows(
            url,
            "SELECT to_char(from_month, 'YYYY-MM'), amount::text FROM party_dues_rate "
            "WHERE member_id = :m ORDER BY from_month",
            m=a1,
        )
        assert [tuple(r) for r in rates] == EXAMPLE_RATES

        data = ok(await client.gql(DUES, {"m": str(a1), "f": "2026-01", "t": "2026-06"}))
        dues = data["partyDues"]
        assert dues["member"]["id"] == str(a1)
        assert dues["arrears"] == "17.50"
        got = [(m["month"], m["due"], m["paid"], m["owed"]) for m in dues["months"]]
        assert got == EXAMPLE_MONTHS
        assert [(r["fromMonth"], r["amount"]) for r in dues["rates"]] == EXAMPLE_RATES

        # a narrower window lists fewer months; the arrears still count from the first rate
        data = ok(await client.gql(DUES, {"m": str(a1), "f": "2026-05", "t": "2026-06"}))
        assert [m["month"] for m in data["partyDues"]["months"]] == ["2026-05", "2026-06"]
        assert data["partyDues"]["arrears"] == "17.50"

        # defaults: through the current month, the 12 months ending with it
        now = this_month()
        data = ok(await client.gql(DUES, {"m": str(a1)}))
        expected = D("17.50") + D("12.50") * months_from(date(2026, 7, 1), now)
        assert data["partyDues"]["arrears"] == str(expected)
        months = [m["month"] for m in data["partyDues"]["months"]]
        start = max(add_months(now, -11), date(2026, 1, 1))
        assert months == [month_text(add_months(start, i)) for i in range(len(months))]
        assert months[-1] == month_text(now)

    # every read of the member's dues is in the access audit
    audited = await sql_rows(
        url,
        "SELECT fields, operation FROM access_audit WHERE record_kind = 'party_member' "
        "AND :m = ANY(record_ids) AND 'dues' = ANY(fields)",
        m=a1,
    )
    assert len(audited) == 3, audited
    assert all("partyDues" in r.operation for r in audited)


async def test_bad_input(pg_server: Any, template_db: str, app_client: Any) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a1, a3 = tree.members["a1"], tree.members["a3"]
    now = this_month()
    tomorrow = (datetime.now(ZoneInfo(Settings().timezone)).date() + timedelta(days=1)).isoformat()
    async with app_client(url) as client:
        await client.login("command")
        ok(await set_rate(client, a1, "2026-01", "10.00"))
        ok(await set_rate(client, a1, "2026-02", "0"))  # exempt (免交) is a rate too

        bad_rates = [
            ("2026-03", "-1.00", "amount"),
            ("2026-03", "1.005", "amount"),  # more than cents
            ("2026-03", "1e400", "amount"),  # too large to count in cents at all
            ("2026-13", "1.00", "fromMonth"),
            ("2026-3", "1.00", "fromMonth"),
            ("March", "1.00", "fromMonth"),
        ]
        for month, amount, argument in bad_rates:
            result = await set_rate(client, a1, month, amount)
            assert code_of(result) == "BAD_USER_INPUT", (month, amount, result)
            assert result["errors"][0]["extensions"].get("argument") == argument, result

        bad_payments = [
            ("2026-01", "0", None, "amount"),
            ("2026-01", "-5", None, "amount"),
            ("2026-01", "1e400", None, "amount"),  # found by the fuzzing
            ("2026-00", "5", "2026-01-15", "month"),
            ("26-01", "5", "2026-01-15", "month"),
            ("2026-01", "5", tomorrow, "paidOn"),
            ("2025-12", "5", "2025-12-15", "month"),  # before the first rate
            (month_text(add_months(now, 13)), "5", "2026-01-15", "month"),  # too far ahead
        ]
        for month, amount, paid_on, argument in bad_payments:
            result = await pay(client, a1, month, amount, paid_on)
            assert code_of(result) == "BAD_USER_INPUT", (month, amount, result)
            assert result["errors"][0]["extensions"].get("argument") == argument, result
        # twelve months ahead is fine: paying ahead
        ahead = month_text(add_months(now, 12))
        payment = ok(await pay(client, a1, ahead, "10.00", "2026-01-15"))["payPartyDues"]
        assert payment["month"] == ahead and payment["amount"] == "10.00"
        # a member without a rate has no due month to pay
        assert code_of(await pay(client, a3, "2026-01", "5")) == "BAD_USER_INPUT"
        assert code_of(await client.gql(DUES, {"m": str(a1), "f": "2026-06", "t": "2026-01"})) == (
            "BAD_USER_INPUT"
        )
        assert code_of(await client.gql(DUES, {"m": "x"})) == "BAD_USER_INPUT"
        assert code_of(await client.gql(DUES, {"m": "999999999"})) == "NOT_FOUND"

        # a member who left in March: March is due, April is not
        ok(await set_rate(client, a3, "2026-01", "8.00"))
        await sql_execute(
            url,
            "UPDATE party_member SET status = 'left', left_on = '2026-03-20', "
            "leave_type = 'moved_away' WHERE id = :m",
            m=a3,
        )
        ok(await pay(client, a3, "2026-03", "8.00"))
        assert code_of(await pay(client, a3, "2026-04", "8.00")) == "CONFLICT"
        assert code_of(await set_rate(client, a3, "2026-05", "9.00")) == "CONFLICT"
        dues = ok(await client.gql(DUES, {"m": str(a3), "f": "2026-01", "t": "2026-06"}))
        assert [m["month"] for m in dues["partyDues"]["months"]] == [
            "2026-01",
            "2026-02",
            "2026-03",
        ]
        assert dues["partyDues"]["arrears"] == "16.00"

        # an applicant is no party member yet: no dues
        applicant = await add_member(url, tree.free_persons[0], tree.branch_a, "applicant")
        assert code_of(await set_rate(client, applicant, "2026-01", "1.00")) == "CONFLICT"
    # nothing half-written: no rate or payment came of the refusals
    assert await sql_scalar(url, "SELECT count(*) FROM party_dues_rate") == 3
    assert await sql_scalar(url, "SELECT count(*) FROM party_dues_payment") == 2


# --- the statement ---------------------------------------------------------------------


async def add_member(url: str, person: int, org: int, stage: str = "full") -> int:
    await sql_execute(
        url,
        "INSERT INTO party_member (person_id, organization_id, stage, stage_on) "
        "VALUES (:p, :o, :s, '2020-01-01')",
        p=person,
        o=org,
        s=stage,
    )
    return int(await sql_scalar(url, "SELECT id FROM party_member WHERE person_id = :p", p=person))


async def statement_of(client: Any, org: int, month: str) -> dict[str, Any]:
    return ok(await client.gql(STATEMENT, {"o": str(org), "mo": month}))["partyDuesStatement"]


def check_totals(found: dict[str, Any]) -> None:
    for key in ("due", "paid", "arrears"):
        assert D(found["totals"][key]) == sum((D(r[key]) for r in found["rows"]), D(0)), key


async def test_statement_and_xlsx(pg_server: Any, template_db: str, app_client: Any) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    m = tree.members
    async with app_client(url, plugins=route_plugins()) as client:
        await client.login("command")
        await write_example(client, m["a1"])
        ok(await set_rate(client, m["a2"], "2026-03", "20.00"))
        ok(await pay(client, m["a2"], "2026-06", "20.00"))
        ok(await pay(client, m["a2"], "2026-06", "5.00"))  # two payments, one month
        ok(await set_rate(client, m["p1"], "2026-05", "2.50"))
        ok(await set_rate(client, m["b1"], "2025-11", "15.00"))
        ok(await pay(client, m["b1"], "2026-02", "15.00"))
        # a3: no rate; a member of branch A all the same

        found = await statement_of(client, tree.branch_a, "2026-06")
        assert found["organization"]["code"] == "T0BRA" and found["month"] == "2026-06"
        ids = [int(r["member"]["id"]) for r in found["rows"]]
        assert sorted(ids) == sorted([m["a1"], m["a2"], m["a3"], m["p1"]])
        check_totals(found)
        by_id = {int(r["member"]["id"]): r for r in found["rows"]}
        figures = {k: (r["due"], r["paid"], r["arrears"]) for k, r in by_id.items()}
        assert figures == {
            m["a1"]: ("12.50", "0.00", "17.50"),  # the hand-computed example
            m["a2"]: ("20.00", "25.00", "60.00"),  # March to June at 20.00, June paid 25.00
            m["a3"]: ("0.00", "0.00", "0.00"),  # no rate
            m["p1"]: ("2.50", "0.00", "5.00"),  # May and June at 2.50
        }
        assert found["totals"] == {"due": "35.00", "paid": "25.00", "arrears": "82.50"}

        # every row is what partyDues tells of that member through the month
        township = await statement_of(client, tree.township, "2026-06")
        check_totals(township)
        assert len(township["rows"]) == 5
        for row in township["rows"]:
            dues = ok(await client.gql(DUES, {"m": row["member"]["id"], "t": "2026-06"}))
            dues = dues["partyDues"]
            assert dues["arrears"] == row["arrears"], row
            june = [(x["due"], x["paid"]) for x in dues["months"] if x["month"] == "2026-06"]
            assert (june or [("0.00", "0.00")]) == [(row["due"], row["paid"])], row

        # the spreadsheet holds the same rows and totals, names whole
        response = await client.http.get(
            f"{XLSX_PATH}?organizationId={tree.township}&month=2026-06",
            headers={"Authorization": f"Bearer {client.token}"},
        )
        assert response.status_code == 200, response.text
        assert "dues-T0TOWN-2026-06.xlsx" in response.headers["content-disposition"]
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        lines = list(book.worksheets[0].iter_rows(values_only=True))
        assert list(lines[0]) == ["党组织", "姓名", "应缴", "实缴", "累计欠缴"]
        names = {
            int(pid): name
            for pid, name in await sql_rows(
                url,
                "SELECT m.id, p.name FROM party_member m JOIN person p ON p.id = m.person_id",
            )
        }

        def money(value: Any) -> str:
            return str(D(str(value)).quantize(D("0.01")))

        sheet_rows = [(ln[1], money(ln[2]), money(ln[3]), money(ln[4])) for ln in lines[1:-1]]
        assert sheet_rows == [
            (names[int(r["member"]["id"])], r["due"], r["paid"], r["arrears"])
            for r in township["rows"]
        ]
        assert all(r["member"]["name"] == names[int(r["member"]["id"])] for r in township["rows"])
        assert lines[-1][0] == "合计"
        assert [money(v) for v in lines[-1][2:]] == list(township["totals"].values())

    # the download is audited too: every member it shows
    downloads = await sql_rows(
        url,
        "SELECT record_ids, fields FROM access_audit WHERE record_kind = 'party_member' "
        "AND operation LIKE 'download dues-statement%'",
    )
    assert len(downloads) == 1
    assert sorted(downloads[0].record_ids) == sorted(m.values())
    assert sorted(downloads[0].fields) == ["dues", "name"]


async def test_statement_statements_and_leavers(
    pg_server: Any, template_db: str, app_client: Any
) -> None:
    """The statement costs the same number of SQL statements on a tree of 1 member and of
    9; who left before the month is not listed, who left in it is."""
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    async with app_client(url) as client:
        await client.login("command")
        for member in tree.members.values():
            ok(await set_rate(client, member, "2026-01", "10.00"))
            ok(await pay(client, member, "2026-02", "10.00"))
        await statement_of(client, tree.branch_b, "2026-03")  # warm up: the token is known

        async def counted(org: int) -> tuple[int, int]:
            client.sql.reset()
            found = await statement_of(client, org, "2026-03")
            return client.sql.count, len(found["rows"])

        small = await counted(tree.branch_b)
        assert small[1] == 1
        for person in tree.free_persons:
            added = await add_member(url, person, tree.group_a)
            ok(await set_rate(client, added, "2025-06", "3.00"))
            ok(await pay(client, added, "2026-03", "1.00"))
        large = await counted(tree.district)
        assert large[1] == 9
        assert large[0] == small[0], (small, large)

        # b1 left in March: still in March's statement, not in April's
        await sql_execute(
            url,
            "UPDATE party_member SET status = 'left', left_on = '2026-03-31', "
            "leave_type = 'deceased' WHERE id = :m",
            m=tree.members["b1"],
        )
        march = await statement_of(client, tree.branch_b, "2026-03")
        assert [int(r["member"]["id"]) for r in march["rows"]] == [tree.members["b1"]]
        assert march["rows"][0]["arrears"] == "20.00"  # Jan and March; February paid
        assert (await statement_of(client, tree.branch_b, "2026-04"))["rows"] == []


# --- who may ---------------------------------------------------------------------------


async def test_access(pg_server: Any, template_db: str, app_client: Any) -> None:
    url = await demo_copy(pg_server, template_db)
    tree = await build_tree(url)
    a1, b1 = tree.members["a1"], tree.members["b1"]
    township_staff = f"ts-{tree.township_code}"
    async with app_client(url, plugins=route_plugins()) as client:
        await client.login("command")
        ok(await set_rate(client, a1, "2026-01", "10.00"))
        ok(await set_rate(client, b1, "2026-01", "10.00"))

        def xlsx(org: int, token: str | None) -> Any:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return client.http.get(
                f"{XLSX_PATH}?organizationId={org}&month=2026-06", headers=headers
            )

        anonymous = await xlsx(tree.branch_a, None)
        assert anonymous.status_code == 401
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        bad = await client.http.get(
            f"{XLSX_PATH}?organizationId={tree.branch_a}&month=2026-13",
            headers={"Authorization": f"Bearer {client.token}"},
        )
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

        # township staff read the party (organizations) but not members' records
        staff = await client.login(township_staff)
        assert code_of(await client.gql(DUES, {"m": str(a1)})) == "FORBIDDEN"
        statement = {"o": str(tree.branch_a), "mo": "2026-06"}
        assert code_of(await client.gql(STATEMENT, statement)) == "FORBIDDEN"
        assert code_of(await set_rate(client, a1, "2026-02", "1.00")) == "FORBIDDEN"
        assert code_of(await pay(client, a1, "2026-02", "1.00")) == "FORBIDDEN"
        refused = await xlsx(tree.branch_a, staff)
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert await sql_scalar(url, "SELECT count(*) FROM access_audit") == 0

        # made staff of branch A, they read and write its members' dues (not branch B's)
        await make_staff(url, township_staff, tree.branch_a)
        ok(await set_rate(client, a1, "2026-02", "12.00"))
        ok(await pay(client, a1, "2026-02", "12.00"))
        dues = ok(await client.gql(DUES, {"m": str(a1), "t": "2026-02"}))["partyDues"]
        assert dues["arrears"] == "10.00"
        assert dues["member"]["name"] == await sql_scalar(
            url, "SELECT name FROM person WHERE id = :p", p=tree.persons["a1"]
        )
        assert code_of(await client.gql(DUES, {"m": str(b1)})) == "FORBIDDEN"
        found = ok(await client.gql(STATEMENT, statement))["partyDuesStatement"]
        assert {int(r["member"]["id"]) for r in found["rows"]} == {
            tree.members[k] for k in ("a1", "a2", "a3", "p1")
        }
        assert (await xlsx(tree.branch_a, staff)).status_code == 200
        assert (await xlsx(tree.branch_b, staff)).status_code == 403

        # department staff hold no party grant: the member and organization are not found
        await client.login("ds-511504-health")
        assert code_of(await client.gql(DUES, {"m": str(a1)})) == "NOT_FOUND"
        assert code_of(await client.gql(STATEMENT, statement)) == "NOT_FOUND"
        assert code_of(await pay(client, a1, "2026-02", "1.00")) == "NOT_FOUND"
        assert (await xlsx(tree.branch_a, client.token)).status_code == 404

    # the staff's reads are audited under their name, each naming the member and field
    audited = await sql_rows(
        url,
        "SELECT actor_username, record_ids, fields, region_codes, operation FROM access_audit "
        "WHERE record_kind = 'party_member' AND 'dues' = ANY(fields) ORDER BY at, id",
    )
    by_staff = [r for r in audited if r.actor_username == township_staff]
    assert len(by_staff) == 3, audited  # partyDues, the statement, the download
    assert by_staff[0].record_ids == [a1] and by_staff[0].region_codes == [tree.community_a]
    assert sorted(by_staff[1].record_ids) == sorted(
        tree.members[k] for k in ("a1", "a2", "a3", "p1")
    )
    assert not any(r.actor_username == "ds-511504-health" for r in audited)
