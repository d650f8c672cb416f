"""The service catalogue through GraphQL (publish, revise with versions kept, withdraw,
public reads, bad input, who may write), ``applicable_version`` for filing, and the
holiday calendar's queries and ``setCalendarYear``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.database.engine import make_engine, make_sessionmaker
from core.errors import BadInput, Conflict, NotFound
from core.settings import Settings
from plugins.e_governance.catalogue import MaterialTerms, Terms, applicable_version, clean_terms
from plugins.e_governance.models import Channel, MaterialForm
from tests.fixtures import sql_execute, sql_rows, sql_scalar
from tests.test_records import demo_copy

HEALTH = "511504-HEALTH"
CIVIL = "511504-CIVIL-AFFAIRS"
HEALTH_STAFF = "ds-511504-health"
CIVIL_STAFF = "ds-511504-civil-affairs"

ITEM_FIELDS = """
  id code status version name legalBasis conditions legalDays promisedDays fee channel
  place publishedAt department { code name }
  materials { seq name required form copies }
  versions { version name promisedDays fee channel materials { seq name form copies } }
"""
PUBLISH = f"""
mutation($i: GovServiceItemInput!) {{ publishServiceItem(input: $i) {{ {ITEM_FIELDS} }} }}"""
REVISE = f"""
mutation($id: ID!, $i: GovServiceTermsInput!) {{
  reviseServiceItem(id: $id, input: $i) {{ {ITEM_FIELDS} }}
}}"""
WITHDRAW = "mutation($id: ID!) { withdrawServiceItem(id: $id) { id status version } }"
REPUBLISH = "mutation($id: ID!) { republishServiceItem(id: $id) { id status version } }"
ITEM_BY_CODE = f"query($c: String!) {{ serviceItem(code: $c) {{ {ITEM_FIELDS} }} }}"
ITEM_BY_ID = "query($id: ID!) { serviceItem(id: $id) { id code status } }"
ITEMS = """
query($d: String, $ch: GovChannel, $s: GovItemStatus, $q: String, $f: Int, $a: String) {
  serviceItems(departmentCode: $d, channel: $ch, status: $s, search: $q, first: $f, after: $a) {
    totalCount
    nodes { code status }
    pageInfo { hasNextPage endCursor }
  }
}"""
WORKING_DAYS = """
query($f: Date!, $t: Date!) {
  workingDays(from: $f, to: $t) { from to workingDays holidays { day kind name } }
}"""
ADD_DAYS = "query($f: Date!, $n: Int!) { addWorkingDays(from: $f, days: $n) }"
SET_YEAR = """
mutation($y: Int!, $d: [GovCalendarDayInput!]!) {
  setCalendarYear(year: $y, days: $d) { day kind name }
}"""


def code_of(result: dict[str, Any]) -> str:
    assert result.get("errors"), result
    return str(result["errors"][0]["extensions"]["code"])


def item_input(code: str, department: str = HEALTH, **changes: Any) -> dict[str, Any]:
    """A valid new item (the 公共场所卫生许可 of the health bureau), with changes."""
    terms: dict[str, Any] = {
        "code": code,
        "departmentCode": department,
        "name": "公共场所卫生许可",
        "legalBasis": "《公共场所卫生管理条例》第八条",
        "conditions": "经营场所符合卫生标准和要求",
        "legalDays": 20,
        "promisedDays": 5,
        "fee": "0",
        "channel": "ONE_VISIT",
        "place": "区政务服务中心二楼 12 号窗口",
        "materials": [
            {"name": "卫生许可申请表", "required": True, "form": "ORIGINAL", "copies": 1},
            {"name": "营业执照", "required": True, "form": "COPY", "copies": 2},
        ],
    }
    terms.update(changes)
    return terms


def terms_of(**changes: Any) -> dict[str, Any]:
    """The revise input: the new item's terms without code and department."""
    out = {k: v for k, v in item_input("X").items() if k not in ("code", "departmentCode")}
    out.update(changes)
    return out


@asynccontextmanager
async def db_session(url: str) -> AsyncIterator[AsyncSession]:
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


# --- the rules of the terms, without a database ---------------------------------------


def _terms(**changes: Any) -> Terms:
    base: dict[str, Any] = {
        "name": " 名称 ",
        "legal_basis": "依据",
        "conditions": "条件",
        "legal_days": 20,
        "promised_days": 5,
        "fee": Decimal("12.5"),
        "channel": Channel.WINDOW,
        "place": " 窗口 ",
        "materials": [MaterialTerms(" 申请表 ", True, MaterialForm.ORIGINAL, 1)],
    }
    base.update(changes)
    return Terms(**base)


def test_clean_terms_normalises() -> None:
    terms = clean_terms(_terms())
    assert (terms.name, terms.place, terms.fee) == ("名称", "窗口", Decimal("12.50"))
    assert terms.materials[0].name == "申请表"
    # online items need no place; a blank one is stored as none
    assert clean_terms(_terms(channel=Channel.ONLINE, place="  ")).place is None


@pytest.mark.parametrize(
    ("changes", "argument"),
    [
        ({"legal_days": 0, "promised_days": 0}, "legalDays"),
        ({"legal_days": 366, "promised_days": 5}, "legalDays"),
        ({"legal_days": 5, "promised_days": 6}, "promisedDays"),
        ({"promised_days": 0}, "promisedDays"),
        ({"fee": Decimal("-0.01")}, "fee"),
        ({"fee": Decimal("1.001")}, "fee"),
        ({"fee": Decimal("NaN")}, "fee"),
        ({"fee": Decimal("100000000")}, "fee"),
        ({"name": "  "}, "name"),
        ({"name": "名" * 201}, "name"),
        ({"legal_basis": ""}, "legalBasis"),
        ({"conditions": " "}, "conditions"),
        ({"place": None}, "place"),
        ({"materials": [MaterialTerms(" ", True, MaterialForm.COPY, 1)]}, "materials"),
        ({"materials": [MaterialTerms("表", True, MaterialForm.COPY, 0)]}, "materials"),
        ({"materials": [MaterialTerms("表", True, MaterialForm.COPY, 21)]}, "materials"),
        (
            {"materials": [MaterialTerms("表", True, MaterialForm.COPY, 1)] * 2},
            "materials",
        ),
        (
            {"materials": [MaterialTerms(f"表{i}", True, MaterialForm.COPY, 1) for i in range(51)]},
            "materials",
        ),
    ],
)
def test_clean_terms_refuses(changes: dict[str, Any], argument: str) -> None:
    with pytest.raises(BadInput) as caught:
        clean_terms(_terms(**changes))
    assert caught.value.details["argument"] == argument


def test_clean_terms_accepts_the_limits() -> None:
    fifty = [MaterialTerms(f"表{i}", False, MaterialForm.ELECTRONIC, 20) for i in range(50)]
    terms = clean_terms(_terms(legal_days=365, promised_days=365, fee=Decimal(0), materials=fifty))
    assert (terms.legal_days, len(terms.materials)) == (365, 50)
    assert clean_terms(_terms(legal_days=1, promised_days=1)).promised_days == 1


# --- through GraphQL --------------------------------------------------------------------


async def test_publish_revise_withdraw(pg_server: Any, template_db: str, app_client: Any) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url) as client:
        await client.login(HEALTH_STAFF)
        result = await client.gql(PUBLISH, {"i": item_input("T-HEALTH-0001", fee="12.5")})
        assert "errors" not in result, result
        item = result["data"]["publishServiceItem"]
        assert item["code"] == "T-HEALTH-0001"
        assert (item["status"], item["version"]) == ("PUBLISHED", 1)
        assert item["department"]["code"] == HEALTH
        assert item["department"]["name"] == "叙州区卫生健康局"
        assert (item["legalDays"], item["promisedDays"], item["fee"]) == (20, 5, "12.50")
        assert item["channel"] == "ONE_VISIT"
        assert item["materials"] == [
            {"seq": 1, "name": "卫生许可申请表", "required": True, "form": "ORIGINAL", "copies": 1},
            {"seq": 2, "name": "营业执照", "required": True, "form": "COPY", "copies": 2},
        ]
        assert [v["version"] for v in item["versions"]] == [1]
        item_id = item["id"]

        # an application filed under version 1 (written as the applications code would)
        await sql_execute(
            url,
            "INSERT INTO gov_application (item_id, item_version, department_code, "
            "applicant_name, region_code, channel) "
            "VALUES (:i, 1, :d, '张三', '511504', 'one_visit')",
            i=int(item_id),
            d=HEALTH,
        )

        # revision 2: a shorter promise, online, one electronic material
        revised = terms_of(
            promisedDays=3,
            channel="ONLINE",
            place=None,
            materials=[{"name": "卫生许可申请表", "required": True, "form": "ELECTRONIC"}],
        )
        result = await client.gql(REVISE, {"id": item_id, "i": revised})
        assert "errors" not in result, result
        item = result["data"]["reviseServiceItem"]
        assert (item["version"], item["promisedDays"], item["channel"]) == (2, 3, "ONLINE")
        assert (item["place"], item["fee"]) == (None, "0.00")
        assert item["materials"] == [
            {
                "seq": 1,
                "name": "卫生许可申请表",
                "required": True,
                "form": "ELECTRONIC",
                "copies": 1,
            }
        ]
        # both versions, newest first, each with its own materials
        assert [(v["version"], v["promisedDays"], v["channel"]) for v in item["versions"]] == [
            (2, 3, "ONLINE"),
            (1, 5, "ONE_VISIT"),
        ]
        assert [len(v["materials"]) for v in item["versions"]] == [1, 2]
        assert item["versions"][1]["fee"] == "12.50"
        # the application keeps version 1, which is still there
        assert (
            await sql_scalar(
                url,
                "SELECT v.promised_days FROM gov_application a JOIN gov_service_version v "
                "ON (v.item_id, v.version) = (a.item_id, a.item_version) WHERE a.item_id = :i",
                i=int(item_id),
            )
            == 5
        )
        assert (
            await sql_scalar(
                url, "SELECT count(*) FROM gov_service_material WHERE item_id = :i", i=int(item_id)
            )
            == 3
        )

        # applicable_version: the current version and its materials
        async with db_session(url) as session:
            got, version, materials = await applicable_version(session, int(item_id))
            assert (got.code, version.version, version.promised_days) == ("T-HEALTH-0001", 2, 3)
            assert [(m.seq, m.form) for m in materials] == [(1, "electronic")]

        # withdraw: twice is a conflict; anonymous readers no longer see it
        result = await client.gql(WITHDRAW, {"id": item_id})
        assert result["data"]["withdrawServiceItem"]["status"] == "WITHDRAWN"
        assert code_of(await client.gql(WITHDRAW, {"id": item_id})) == "CONFLICT"
        async with db_session(url) as session:
            with pytest.raises(Conflict, match="withdrawn, cannot be applied for"):
                await applicable_version(session, int(item_id))
            with pytest.raises(NotFound):
                await applicable_version(session, 10**12)

        # its department still sees it, by code, by id and in the list (status WITHDRAWN)
        found = await client.gql(ITEM_BY_CODE, {"c": "T-HEALTH-0001"})
        assert found["data"]["serviceItem"]["status"] == "WITHDRAWN"
        listed = await client.gql(ITEMS, {"d": HEALTH, "s": "WITHDRAWN"})
        assert [n["code"] for n in listed["data"]["serviceItems"]["nodes"]] == ["T-HEALTH-0001"]
        default = await client.gql(ITEMS, {"d": HEALTH})
        assert "T-HEALTH-0001" not in [n["code"] for n in default["data"]["serviceItems"]["nodes"]]

        for who in (None, "citizen", CIVIL_STAFF):
            client.token = None
            if who is not None:
                await client.login(who)
            assert code_of(await client.gql(ITEM_BY_CODE, {"c": "T-HEALTH-0001"})) == "NOT_FOUND"
            assert code_of(await client.gql(ITEM_BY_ID, {"id": item_id})) == "NOT_FOUND"
            listed = await client.gql(ITEMS, {"s": "WITHDRAWN", "f": 100})
            codes = [n["code"] for n in listed["data"]["serviceItems"]["nodes"]]
            assert "T-HEALTH-0001" not in codes, who
            # another department may not withdraw or republish it
            if who == CIVIL_STAFF:
                assert code_of(await client.gql(REPUBLISH, {"id": item_id})) == "FORBIDDEN"

        # the command centre runs every catalogue: it sees and republishes it
        await client.login("command")
        listed = await client.gql(ITEMS, {"d": HEALTH, "s": "WITHDRAWN"})
        assert [n["code"] for n in listed["data"]["serviceItems"]["nodes"]] == ["T-HEALTH-0001"]
        result = await client.gql(REPUBLISH, {"id": item_id})
        assert result["data"]["republishServiceItem"] == {
            "id": item_id,
            "status": "PUBLISHED",
            "version": 2,
        }
        assert code_of(await client.gql(REPUBLISH, {"id": item_id})) == "CONFLICT"
        client.token = None
        found = await client.gql(ITEM_BY_ID, {"id": item_id})
        assert found["data"]["serviceItem"]["status"] == "PUBLISHED"


async def test_public_reads_and_bad_input(
    pg_server: Any, template_db: str, app_client: Any
) -> None:
    url = await demo_copy(pg_server, template_db)
    before = int(await sql_scalar(url, "SELECT count(*) FROM gov_service_item"))
    published_before = int(
        await sql_scalar(url, "SELECT count(*) FROM gov_service_item WHERE status = 'published'")
    )
    async with app_client(url) as client:
        # publishing needs a login, then the department's staff (or the command centre)
        assert code_of(await client.gql(PUBLISH, {"i": item_input("T-ANON-01")})) == (
            "UNAUTHENTICATED"
        )
        await client.login(HEALTH_STAFF)
        assert code_of(await client.gql(PUBLISH, {"i": item_input("T-CIVIL-01", CIVIL)})) == (
            "FORBIDDEN"
        )
        unknown = await client.gql(PUBLISH, {"i": item_input("T-NOPE-01", "511504-NOPE")})
        assert code_of(unknown) == "NOT_FOUND"
        assert unknown["errors"][0]["extensions"].get("argument") == "departmentCode"
        bad: list[tuple[dict[str, Any], str]] = [
            (item_input("t-lower"), "code"),
            (item_input("ABC"), "code"),
            (item_input("T-BAD-01", legalDays=366, promisedDays=5), "legalDays"),
            (item_input("T-BAD-01", legalDays=5, promisedDays=6), "promisedDays"),
            (item_input("T-BAD-01", promisedDays=0), "promisedDays"),
            (item_input("T-BAD-01", fee="-1"), "fee"),
            (item_input("T-BAD-01", fee="0.005"), "fee"),
            (item_input("T-BAD-01", name=" "), "name"),
            (item_input("T-BAD-01", place=None), "place"),
            (
                item_input(
                    "T-BAD-01",
                    materials=[
                        {"name": f"材料{i}", "required": False, "form": "COPY"} for i in range(51)
                    ],
                ),
                "materials",
            ),
            (
                item_input(
                    "T-BAD-01", materials=[{"name": " ", "required": True, "form": "ORIGINAL"}]
                ),
                "materials",
            ),
        ]
        for data, argument in bad:
            result = await client.gql(PUBLISH, {"i": data})
            assert code_of(result) == "BAD_USER_INPUT", (data, result)
            assert result["errors"][0]["extensions"].get("argument") == argument, result
        # an enum outside the closed set is refused by GraphQL itself
        assert "errors" in await client.gql(PUBLISH, {"i": item_input("T-BAD-02", channel="POST")})

        ok = await client.gql(PUBLISH, {"i": item_input("T-HEALTH-0002")})
        assert "errors" not in ok, ok
        assert code_of(await client.gql(PUBLISH, {"i": item_input("T-HEALTH-0002")})) == (
            "CONFLICT"
        )
        item_id = ok["data"]["publishServiceItem"]["id"]
        # nothing half-written: one item, one version, two materials
        assert await sql_scalar(url, "SELECT count(*) FROM gov_service_item") == before + 1
        assert await sql_rows(
            url,
            "SELECT version, count(*) FROM gov_service_material WHERE item_id = :i GROUP BY 1",
            i=int(item_id),
        ) == [(1, 2)]
        # a bad revision writes nothing either
        bad_revision = terms_of(legalDays=3, promisedDays=4)
        result = await client.gql(REVISE, {"id": item_id, "i": bad_revision})
        assert code_of(result) == "BAD_USER_INPUT"
        assert (
            await sql_scalar(
                url, "SELECT count(*) FROM gov_service_version WHERE item_id = :i", i=int(item_id)
            )
            == 1
        )
        assert (
            await sql_scalar(
                url, "SELECT version FROM gov_service_item WHERE id = :i", i=int(item_id)
            )
            == 1
        )
        not_found = await client.gql(REVISE, {"id": "999999999", "i": terms_of()})
        assert code_of(not_found) == "NOT_FOUND"
        assert code_of(await client.gql(REVISE, {"id": "x", "i": terms_of()})) == ("BAD_USER_INPUT")
        assert code_of(await client.gql(WITHDRAW, {"id": "999999999"})) == "NOT_FOUND"

        # the civil affairs staff may not revise or withdraw a health item
        await client.login(CIVIL_STAFF)
        assert code_of(await client.gql(REVISE, {"id": item_id, "i": terms_of()})) == ("FORBIDDEN")
        assert code_of(await client.gql(WITHDRAW, {"id": item_id})) == "FORBIDDEN"
        # the command centre publishes for any department: an online civil affairs item
        await client.login("command")
        online = item_input(
            "T-CIVIL-0001",
            CIVIL,
            name="婚姻登记预约 (100%) 测试",
            channel="ONLINE",
            place=None,
            materials=[],
        )
        result = await client.gql(PUBLISH, {"i": online})
        assert "errors" not in result, result
        assert result["data"]["publishServiceItem"]["materials"] == []

        # public reads: anonymous, defaulted arguments left out
        client.token = None
        everything = await client.gql("{ serviceItems { totalCount } }")
        assert everything == {"data": {"serviceItems": {"totalCount": published_before + 2}}}
        health = await client.gql(ITEMS, {"d": HEALTH})
        assert "T-HEALTH-0002" in [n["code"] for n in health["data"]["serviceItems"]["nodes"]]
        assert "T-CIVIL-0001" not in [n["code"] for n in health["data"]["serviceItems"]["nodes"]]
        online_items = await client.gql(ITEMS, {"ch": "ONLINE", "q": "婚姻"})
        assert [n["code"] for n in online_items["data"]["serviceItems"]["nodes"]] == [
            "T-CIVIL-0001"
        ]
        # search is a plain "contains": % and _ match themselves
        assert [
            n["code"]
            for n in (await client.gql(ITEMS, {"q": "(100%)"}))["data"]["serviceItems"]["nodes"]
        ] == ["T-CIVIL-0001"]
        assert (await client.gql(ITEMS, {"q": "卫生%许可"}))["data"]["serviceItems"][
            "totalCount"
        ] == 0
        found = await client.gql(ITEM_BY_CODE, {"c": "T-HEALTH-0002"})
        assert found["data"]["serviceItem"]["department"]["code"] == HEALTH
        assert code_of(await client.gql(ITEM_BY_CODE, {"c": "T-NONE-0001"})) == "NOT_FOUND"
        assert code_of(await client.gql("{ serviceItem { id } }")) == "BAD_USER_INPUT"
        assert code_of(await client.gql(ITEMS, {"d": "511504-NOPE"})) == "NOT_FOUND"
        # status null: both kinds (anonymous: the published ones only)
        both = await client.gql(ITEMS, {"s": None})
        assert both["data"]["serviceItems"]["totalCount"] == published_before + 2

        # pages by code: one at a time with the cursor
        first = await client.gql(ITEMS, {"d": HEALTH, "f": 1})
        page = first["data"]["serviceItems"]
        total = page["totalCount"]
        codes = [n["code"] for n in page["nodes"]]
        while page["pageInfo"]["hasNextPage"]:
            nxt = await client.gql(ITEMS, {"d": HEALTH, "f": 1, "a": page["pageInfo"]["endCursor"]})
            page = nxt["data"]["serviceItems"]
            codes += [n["code"] for n in page["nodes"]]
        assert len(codes) == total and codes == sorted(codes)
        assert code_of(await client.gql(ITEMS, {"a": "bogus"})) == "BAD_USER_INPUT"


# --- the calendar -----------------------------------------------------------------------


async def test_calendar(pg_server: Any, template_db: str, app_client: Any) -> None:
    url = await demo_copy(pg_server, template_db)
    rows_2026 = int(
        await sql_scalar(
            url, "SELECT count(*) FROM gov_holiday WHERE extract(year FROM day) = 2026"
        )
    )
    async with app_client(url) as client:
        # public, from the migrated lists: 248 working days in 2026 (see test_workdays)
        year = await client.gql(WORKING_DAYS, {"f": "2025-12-31", "t": "2026-12-31"})
        assert "errors" not in year, year
        found = year["data"]["workingDays"]
        assert (found["from"], found["to"], found["workingDays"]) == (
            "2025-12-31",
            "2026-12-31",
            248,
        )
        assert len(found["holidays"]) == rows_2026
        # (2/13, 2/25]: 2/14 Sat worked, 2/15–2/23 春节 off, 2/24, 2/25 → 3; the listed
        # days are the workday and the nine holiday days, in order
        spring = (await client.gql(WORKING_DAYS, {"f": "2026-02-13", "t": "2026-02-25"}))["data"][
            "workingDays"
        ]
        assert spring["workingDays"] == 3
        assert spring["holidays"][0] == {
            "day": "2026-02-14",
            "kind": "WORKDAY",
            "name": "春节调休上班",
        }
        assert [h["kind"] for h in spring["holidays"][1:]] == ["HOLIDAY"] * 9
        same = await client.gql(WORKING_DAYS, {"f": "2026-02-13", "t": "2026-02-13"})
        assert same["data"]["workingDays"]["workingDays"] == 0
        add = await client.gql(ADD_DAYS, {"f": "2026-02-13", "n": 3})
        assert add == {"data": {"addWorkingDays": "2026-02-25"}}
        national = await client.gql(ADD_DAYS, {"f": "2026-09-30", "n": 3})
        assert national["data"]["addWorkingDays"] == "2026-10-10"
        assert (await client.gql(ADD_DAYS, {"f": "2026-10-01", "n": 0}))["data"][
            "addWorkingDays"
        ] == "2026-10-01"
        for n in (-1, 366):
            assert code_of(await client.gql(ADD_DAYS, {"f": "2026-01-01", "n": n})) == (
                "BAD_USER_INPUT"
            )
        backwards = await client.gql(WORKING_DAYS, {"f": "2026-02-13", "t": "2026-02-12"})
        assert code_of(backwards) == "BAD_USER_INPUT"
        too_long = await client.gql(WORKING_DAYS, {"f": "2000-01-01", "t": "2026-01-01"})
        assert code_of(too_long) == "BAD_USER_INPUT"
        assert await client.gql("{ calendarYears }") == {"data": {"calendarYears": [2025, 2026]}}

        # setCalendarYear: the command centre only
        days_2027 = [
            {"day": "2027-01-01", "kind": "HOLIDAY", "name": "测试假日"},
            {"day": "2027-01-02", "kind": "HOLIDAY", "name": "测试假日"},
            {"day": "2027-01-03", "kind": "HOLIDAY", "name": "测试假日"},
            {"day": "2027-01-09", "kind": "WORKDAY", "name": "测试调休上班"},
        ]
        assert code_of(await client.gql(SET_YEAR, {"y": 2027, "d": days_2027})) == (
            "UNAUTHENTICATED"
        )
        await client.login(HEALTH_STAFF)
        assert code_of(await client.gql(SET_YEAR, {"y": 2027, "d": days_2027})) == "FORBIDDEN"
        await client.login("command")
        weekday_worked = [{"day": "2027-01-04", "kind": "WORKDAY", "name": "调休"}]
        twice = [days_2027[0], {**days_2027[0], "kind": "WORKDAY"}]
        outside = [{"day": "2026-12-31", "kind": "HOLIDAY", "name": "x"}]
        for days in (weekday_worked, twice, outside):
            result = await client.gql(SET_YEAR, {"y": 2027, "d": days})
            assert code_of(result) == "BAD_USER_INPUT", days
        assert (
            await sql_scalar(url, "SELECT count(*) FROM gov_holiday WHERE day >= '2027-01-01'") == 0
        )

        result = await client.gql(SET_YEAR, {"y": 2027, "d": list(reversed(days_2027))})
        assert "errors" not in result, result
        assert [d["day"] for d in result["data"]["setCalendarYear"]] == [
            "2027-01-01",
            "2027-01-02",
            "2027-01-03",
            "2027-01-09",
        ]
        # Thu 2026-12-31 + 1: 1/1 Fri off, 1/2–1/3 weekend, Mon 1/4 → 2027-01-04;
        # + 5: 1/4–1/8 (1–5); + 6: 1/9 Sat worked
        assert (await client.gql(ADD_DAYS, {"f": "2026-12-31", "n": 1}))["data"][
            "addWorkingDays"
        ] == "2027-01-04"
        assert (await client.gql(ADD_DAYS, {"f": "2026-12-31", "n": 6}))["data"][
            "addWorkingDays"
        ] == "2027-01-09"
        # replacing 2026 by an empty list clears that year only: then Fri 2/13 + 3 is
        # Mon 2/16, Tue 2/17, Wed 2/18 (no holiday, no make-up day)
        result = await client.gql(SET_YEAR, {"y": 2026, "d": []})
        assert result == {"data": {"setCalendarYear": []}}
        assert (await client.gql(ADD_DAYS, {"f": "2026-02-13", "n": 3}))["data"][
            "addWorkingDays"
        ] == "2026-02-18"
        assert await client.gql("{ calendarYears }") == {"data": {"calendarYears": [2025, 2027]}}
        assert (
            await sql_scalar(url, "SELECT count(*) FROM gov_holiday WHERE day = '2025-10-01'") == 1
        )
