"""The party building demo, the dashboard panel and the analysis modules.

The demo: one branch per community and one committee per township under the district
committee, about 4 % of the persons on the rolls in the branch of their home community,
every stage dated in order after the 18th birthday, dues, attendance, the points ledger
and grid helpers consistent with what earned them. The panel: equal to direct counts for
the district and per township. The modules: listed, their totals equal to direct counts
through GraphQL, rows masked and audited, a department without the grant refused.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from sqlalchemy import text

from core.analysis import Figure, Scope
from core.database.engine import make_engine, make_sessionmaker
from core.demo.context import DemoContext
from core.demo.geography import build_partition, load_boundary
from core.settings import Settings
from plugins.party_building import demo as party_demo
from plugins.party_building.models import OrgKind
from plugins.party_building.panel import compute
from plugins.party_building.rules import REQUIRED_PER_QUARTER
from tests.fixtures import sql_rows, sql_scalar
from tests.test_records import demo_copy

TODAY = date(2026, 6, 30)  # the demo's day (core.demo.load)
FIRST, LAST = date(2025, 7, 1), TODAY
TZ = "Asia/Shanghai"
STAGES = ["applicant", "activist", "candidate", "probationary", "full"]
DISTRICT = "511504"


async def load_party_demo(url: str) -> None:
    """The plugin's demo, unless the demo load ran it already (once the hook is there)."""
    if await sql_scalar(url, "SELECT count(*) FROM party_organization"):
        return
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            persons = int(await session.scalar(text("SELECT count(*) FROM person")) or 0)
            partition = build_partition(load_boundary(), seed=11)
            context = DemoContext(seed=11, persons=persons, today=TODAY, partition=partition)
            await party_demo.load_demo(session, context)
    finally:
        await engine.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def party_url(pg_server: Any, template_db: str) -> str:
    """One demo copy with the party demo, whose party data the tests below only read."""
    url: str = await demo_copy(pg_server, template_db)
    await load_party_demo(url)
    return url


def scope(prefix: str = DISTRICT, group_len: int | None = None) -> Scope:
    zone = ZoneInfo(TZ)
    start = datetime.combine(FIRST, time(), zone)
    end = datetime.combine(LAST + timedelta(days=1), time(), zone)
    return Scope(prefix, FIRST, LAST, start, end, datetime.now(UTC), TZ, group_len)


async def one(url: str, sql: str, **params: Any) -> int:
    return int(await sql_scalar(url, sql, **params) or 0)


# --- the demo ----------------------------------------------------------------------------


async def test_one_branch_per_community_and_one_committee_per_township(party_url: str) -> None:
    url = party_url
    assert await one(url, "SELECT count(*) FROM party_organization WHERE parent_id IS NULL") == 1
    root = (
        await sql_rows(
            url, "SELECT kind, area_code, name FROM party_organization WHERE code = 'D511504'"
        )
    )[0]
    assert (root.kind, root.area_code, root.name) == (
        "committee",
        DISTRICT,
        "中共宜宾市叙州区委员会",
    )
    # every community exactly one branch, under its township's committee, on its area
    wrong = await sql_rows(
        url,
        "SELECT r.code, count(b.id) FROM region r "
        "LEFT JOIN party_organization b ON b.area_code = r.prefix AND b.kind = 'branch' "
        "LEFT JOIN party_organization t ON t.id = b.parent_id AND t.kind = 'committee' "
        "  AND t.area_code = left(r.prefix, 9) "
        "WHERE r.level = 'community' GROUP BY r.code HAVING count(b.id) <> 1 "
        "   OR count(t.id) <> 1",
    )
    assert wrong == []
    wrong = await sql_rows(
        url,
        "SELECT r.code FROM region r LEFT JOIN party_organization t ON t.area_code = r.prefix "
        "AND t.kind = 'committee' AND t.parent_id = (SELECT id FROM party_organization "
        "WHERE code = 'D511504') WHERE r.level = 'township' GROUP BY r.code "
        "HAVING count(t.id) <> 1",
    )
    assert wrong == []
    # paths are the chain of ids; codes follow the format
    assert (
        await one(
            url,
            "SELECT count(*) FROM party_organization o LEFT JOIN party_organization p "
            "ON p.id = o.parent_id WHERE o.path <> coalesce(p.path, '/') || o.id || '/' "
            "OR o.code !~ '^[0-9A-Z]{4,32}$'",
        )
        == 0
    )
    # groups: two in a branch of 12 party members or more, each on a grid of the community
    groups = await sql_rows(
        url,
        "SELECT b.id, count(*) AS n, bool_and(left(g.area_code, 12) = b.area_code "
        "AND length(g.area_code) = 15) AS on_grid FROM party_organization g "
        "JOIN party_organization b ON b.id = g.parent_id AND b.kind = 'branch' "
        "WHERE g.kind = 'group' GROUP BY b.id",
    )
    for g in groups:
        assert g.n == 2 and g.on_grid
    big = await one(
        url,
        "SELECT count(*) FROM (SELECT b.id FROM party_organization b "
        "JOIN party_organization o ON o.path LIKE b.path || '%' "
        "JOIN party_member m ON m.organization_id = o.id "
        "WHERE b.kind = 'branch' AND m.stage IN ('full', 'probationary') "
        "GROUP BY b.id HAVING count(*) >= 12) s",
    )
    assert len(groups) == big


async def test_members_live_in_their_branchs_community(party_url: str) -> None:
    url = party_url
    persons = await one(url, "SELECT count(*) FROM person")
    members = await one(url, "SELECT count(*) FROM party_member")
    assert abs(members - 0.04 * persons) <= 1 + 0.002 * persons, (members, persons)
    outside = await one(
        url,
        "SELECT count(*) FROM party_member m JOIN person p ON p.id = m.person_id "
        "JOIN party_organization o ON o.id = m.organization_id "
        "JOIN party_organization b ON b.id = CASE WHEN o.kind = 'group' THEN o.parent_id "
        "  ELSE o.id END "
        "WHERE b.kind <> 'branch' OR left(p.region_code, 12) <> b.area_code "
        "   OR (o.kind = 'group' AND m.stage NOT IN ('full', 'probationary'))",
    )
    assert outside == 0


async def test_every_stage_reached_in_order_after_the_18th_birthday(party_url: str) -> None:
    rows = await sql_rows(
        party_url,
        "SELECT m.id, m.stage, m.stage_on, p.birth_date, "
        "array_agg(s.stage ORDER BY s.reached_on) AS stages, "
        "array_agg(s.reached_on ORDER BY s.reached_on) AS dates "
        "FROM party_member m JOIN person p ON p.id = m.person_id "
        "JOIN party_member_step s ON s.member_id = m.id GROUP BY m.id, p.birth_date",
    )
    assert rows
    assert len(rows) == await one(party_url, "SELECT count(*) FROM party_member")
    for r in rows:
        assert r.stages == STAGES[: STAGES.index(r.stage) + 1], r
        assert all(a < b for a, b in zip(r.dates, r.dates[1:], strict=False)), r
        assert r.dates[-1] == r.stage_on <= TODAY, r
        assert r.dates[0] >= party_demo.years_after(r.birth_date, 18), r


async def test_dues_attendance_and_committees_are_consistent(party_url: str) -> None:
    url = party_url
    # dues: party members only, the rate's amount, in a month since the rate, paid in it
    assert (
        await one(
            url,
            "SELECT count(*) FROM party_dues_payment d JOIN party_member m ON m.id = d.member_id "
            "LEFT JOIN party_dues_rate r ON r.member_id = d.member_id AND r.from_month <= d.month "
            "WHERE r.member_id IS NULL OR d.amount <> r.amount OR d.paid_on < d.month "
            "OR d.paid_on > :today OR m.stage NOT IN ('full', 'probationary')",
            today=TODAY,
        )
        == 0
    )
    # attendance: held meetings only, of members of the organization (or its groups) who had
    # joined by then; committee meetings of the committee's seats
    assert (
        await one(
            url,
            "SELECT count(*) FROM party_meeting_attendance a "
            "JOIN party_meeting mt ON mt.id = a.meeting_id "
            "JOIN party_organization o ON o.id = mt.organization_id "
            "JOIN party_member m ON m.id = a.member_id "
            "JOIN party_organization mo ON mo.id = m.organization_id "
            "JOIN party_member_step s ON s.member_id = m.id AND s.stage = 'probationary' "
            "WHERE mt.held_on IS NULL OR s.reached_on > mt.held_on "
            "OR mo.path NOT LIKE o.path || '%' OR (mt.kind = 'committee' AND NOT EXISTS ("
            "  SELECT FROM party_committee_seat cs JOIN party_committee_term t "
            "  ON t.id = cs.term_id WHERE t.organization_id = o.id AND cs.member_id = m.id))",
        )
        == 0
    )
    # one secretary per term, seats held by full members of the branch
    assert (
        await one(
            url,
            "SELECT count(*) FROM party_committee_term t WHERE 1 <> (SELECT count(*) FROM "
            "party_committee_seat s WHERE s.term_id = t.id AND s.post = 'secretary')",
        )
        == 0
    )
    # meetings: at most what the rules ask in a year (with a spare month), none after today
    planned = await sql_rows(
        url,
        "SELECT o.kind, count(*) AS n, max(mt.planned_on) AS last, "
        "count(*) FILTER (WHERE mt.held_on IS NOT NULL) AS held FROM party_meeting mt "
        "JOIN party_organization o ON o.id = mt.organization_id GROUP BY o.id, o.kind",
    )
    assert planned
    for p in planned:
        per_year = 4 * sum(REQUIRED_PER_QUARTER[OrgKind(p.kind)].values())
        assert p.n <= per_year + 2 and p.last <= TODAY
    held = sum(p.held for p in planned) / sum(p.n for p in planned)
    assert 0.85 < held < 0.95


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def test_the_ledger_pays_hours_and_wishes_once(party_url: str) -> None:
    url = party_url
    signups = await sql_rows(
        url,
        "SELECT s.id, s.member_id, s.hours, i.points, i.id AS item, i.kind, "
        "e.member_id AS paid_to, e.points AS paid, e.hours AS paid_hours, e.item_id, e.reason "
        "FROM party_service_signup s JOIN party_service_item i ON i.id = s.item_id "
        "LEFT JOIN party_point_entry e ON e.source = 'signup:' || s.id",
    )
    served = [s for s in signups if s.hours is not None]
    assert served
    for s in signups:
        assert s.kind == "project"
        if s.hours is None:
            assert s.paid is None
            continue
        assert (s.paid_to, s.item_id, s.paid_hours, s.reason) == (
            s.member_id,
            s.item,
            s.hours,
            "service_hours",
        )
        assert s.paid == half_up(s.hours * s.points)
    wishes = await sql_rows(
        url,
        "SELECT i.id, i.status, i.points, i.claimed_by, e.member_id, e.points AS paid, e.reason "
        "FROM party_service_item i LEFT JOIN party_point_entry e ON e.source = 'wish:' || i.id "
        "WHERE i.kind = 'wish'",
    )
    assert any(w.status == "done" for w in wishes)
    for w in wishes:
        if w.status == "done":
            assert (w.member_id, w.paid, w.reason) == (w.claimed_by, w.points, "wish_done")
        else:
            assert w.paid is None
        if w.status == "open":
            assert w.claimed_by is None
    entries = await one(url, "SELECT count(*) FROM party_point_entry")
    assert entries == len(served) + sum(w.status == "done" for w in wishes)


async def test_grid_helpers_live_in_their_grid(party_url: str) -> None:
    url = party_url
    helpers = await sql_rows(
        url,
        "SELECT h.grid_code, p.region_code, m.stage, count(*) OVER (PARTITION BY h.grid_code) "
        "AS per_grid, (SELECT count(*) FROM party_helper_activity a WHERE a.helper_id = h.id "
        "AND a.kind = 'visit' AND a.occurred_on BETWEEN h.since AND :today) AS visits, "
        "(SELECT count(*) FROM party_helper_activity a WHERE a.helper_id = h.id) AS activities "
        "FROM party_grid_helper h JOIN party_member m ON m.id = h.member_id "
        "JOIN person p ON p.id = m.person_id WHERE h.until IS NULL",
        today=TODAY,
    )
    assert helpers
    for h in helpers:
        assert h.grid_code == h.region_code and h.stage == "full" and h.per_grid == 1
        assert 2 <= h.visits == h.activities <= 6


# --- the panel ---------------------------------------------------------------------------


def values(figures: list[Figure]) -> dict[str, float | None]:
    return {f.key: f.value for f in figures}


DIRECT = {
    "party_organizations": "SELECT {g} AS g, count(*) FROM party_organization o "
    "WHERE o.area_code LIKE '511504%' GROUP BY 1",
    "kind:branch": "SELECT {g}, count(*) FROM party_organization o "
    "WHERE o.area_code LIKE '511504%' AND kind = 'branch' GROUP BY 1",
    "party_members": "SELECT {g}, count(*) FROM party_member m JOIN party_organization o "
    "ON o.id = m.organization_id WHERE m.status <> 'left' GROUP BY 1",
    "stage:full": "SELECT {g}, count(*) FROM party_member m JOIN party_organization o "
    "ON o.id = m.organization_id WHERE m.status <> 'left' AND m.stage = 'full' GROUP BY 1",
    "flowing_members": "SELECT {g}, count(*) FROM party_member m JOIN party_organization o "
    "ON o.id = m.organization_id WHERE m.status <> 'left' AND m.flowing GROUP BY 1",
    "age:over_60": "SELECT {g}, count(*) FROM party_member m JOIN party_organization o "
    "ON o.id = m.organization_id JOIN person p ON p.id = m.person_id "
    "WHERE m.status <> 'left' AND p.birth_date <= CAST(:last AS date) - interval '61 years' "
    "GROUP BY 1",
    "meetings_held": "SELECT {g}, count(*) FROM party_meeting mt JOIN party_organization o "
    "ON o.id = mt.organization_id WHERE mt.held_on BETWEEN :first AND :last GROUP BY 1",
    "dues_collected": "SELECT {g}, sum(d.amount) FROM party_dues_payment d JOIN party_member m "
    "ON m.id = d.member_id JOIN party_organization o ON o.id = m.organization_id "
    "WHERE d.paid_on BETWEEN :first AND :last GROUP BY 1",
    "registered_members": "SELECT {c}, count(*) FROM party_registration r "
    "WHERE r.ended_on IS NULL GROUP BY 1",
    "service_hours": "SELECT {i}, sum(s.hours) FROM party_service_signup s "
    "JOIN party_service_item i ON i.id = s.item_id "
    "WHERE s.served_on BETWEEN :first AND :last GROUP BY 1",
    "service_points": "SELECT {i}, sum(e.points) FROM party_point_entry e "
    "JOIN party_service_item i ON i.id = e.item_id "
    "WHERE timezone('Asia/Shanghai', e.created_at)::date BETWEEN :first AND :last GROUP BY 1",
    "grid_helpers": "SELECT {h}, count(*) FROM party_grid_helper h WHERE h.until IS NULL "
    "GROUP BY 1",
}


async def direct(url: str, key: str, length: int | None) -> dict[str, float]:
    """A figure by direct SQL, per group of ``length`` (or all: "")."""

    def group(column: str) -> str:
        return f"left({column}, {length})" if length else "''"

    sql = DIRECT[key].format(
        g=group("o.area_code"),
        c=group("r.community_code"),
        i=group("i.community_code"),
        h=group("h.grid_code"),
    )
    rows = await sql_rows(url, sql, first=FIRST, last=LAST)
    return {r[0]: float(r[1]) for r in rows}


async def panel(url: str, s: Scope) -> dict[str, dict[str, float | None]]:
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as session:
            return {g: values(f) for g, f in (await compute(session, s)).items()}
    finally:
        await engine.dispose()


@pytest.mark.parametrize("length", [None, 9])
async def test_panel_equals_direct_counts(party_url: str, length: int | None) -> None:
    got = await panel(party_url, scope(group_len=length))
    if length is None:
        assert list(got) == [""]
    for key in DIRECT:
        want = await direct(party_url, key, length)
        for g in set(want) | set(got):
            assert got.get(g, {}).get(key, 0.0) == pytest.approx(want.get(g, 0.0)), (key, g)
    whole = got[""] if length is None else None
    if whole is not None:
        assert whole["party_members"] and whole["party_members"] > 0
        assert whole["meetings_held"] and whole["meetings_held"] > 0
        assert whole["party_members"] == sum(
            v or 0 for k, v in whole.items() if k.startswith("stage:")
        )
        assert whole["party_members"] == sum(
            v or 0 for k, v in whole.items() if k.startswith("age:")
        )
        assert whole["party_organizations"] == sum(
            v or 0 for k, v in whole.items() if k.startswith("kind:")
        )


async def test_meetings_and_dues_due(party_url: str) -> None:
    got = (await panel(party_url, scope()))[""]
    kinds = {
        r.kind: r.n
        for r in await sql_rows(
            party_url, "SELECT kind, count(*) AS n FROM party_organization GROUP BY kind"
        )
    }
    per_quarter = sum(
        kinds.get(k.value, 0) * sum(m.values()) for k, m in REQUIRED_PER_QUARTER.items()
    )
    days = (LAST - FIRST).days + 1
    assert got["meetings_due"] == round(per_quarter * days * 4 / 365.25)
    held, due_meetings = got["meetings_held"], got["meetings_due"]
    assert held is not None and due_meetings
    assert got["meeting_rate"] == round(100 * held / due_meetings, 2)
    # twelve months due (July to June); each party member's rate in force each month
    due = await sql_scalar(
        party_url,
        "SELECT sum(r.amount) FROM party_dues_rate r JOIN party_member m ON m.id = r.member_id "
        "CROSS JOIN generate_series(CAST(:first AS timestamp), CAST(:last AS timestamp), "
        "interval '1 month') mo "
        "WHERE r.from_month <= mo AND m.status <> 'left' "
        "AND m.stage IN ('full', 'probationary')",
        first=FIRST,
        last=LAST,
    )
    assert got["dues_due"] == float(due)
    collected = got["dues_collected"]
    assert collected is not None and 0 < collected <= float(due)


# --- the modules -------------------------------------------------------------------------

MODULES = "{ analysisModules { key category dated columns { key personal } filters { key } } }"
ANALYSIS = """query($m: String!, $r: String, $f: String) {
  analysis(module: $m, regionCode: $r, filter: $f, from: "2025-07-01", to: "2026-06-30") {
    total trend { value } breakdown { value }
    rows(first: 50) { totalCount edges { node { id kind regionCode cells } } } } }"""


async def test_modules_list_and_total(party_url: str, app_client: Any) -> None:
    url = party_url
    members = await one(url, "SELECT count(*) FROM party_member WHERE status <> 'left'")
    full = await one(url, "SELECT count(*) FROM party_member WHERE stage = 'full'")
    held = await one(
        url,
        "SELECT count(*) FROM party_meeting WHERE held_on BETWEEN :f AND :l",
        f=FIRST,
        l=LAST,
    )
    async with app_client(url) as client:
        await client.login("command")
        listed = {m["key"]: m for m in (await client.gql(MODULES))["data"]["analysisModules"]}
        assert listed["party_members"]["category"] == "party:member"
        assert not listed["party_members"]["dated"] and listed["party_meetings"]["dated"]
        personal = [c["key"] for c in listed["party_members"]["columns"] if c["personal"]]
        assert personal == ["name"]
        for module, filter, want in (
            ("party_members", None, members),
            ("party_members", "full", full),
            ("party_meetings", None, held),
        ):
            result = await client.gql(ANALYSIS, {"m": module, "f": filter})
            assert "errors" not in result, result
            a = result["data"]["analysis"]
            assert a["total"] == a["rows"]["totalCount"] == want > 0, module
            assert sum(b["value"] for b in a["breakdown"]) == want
            if module == "party_meetings":
                assert sum(p["value"] for p in a["trend"]) == want
        # the command centre reads members whole, each read audited
        a = (await client.gql(ANALYSIS, {"m": "party_members"}))["data"]["analysis"]
        names = [e["node"]["cells"][0] for e in a["rows"]["edges"]]
        assert names and all(n and "*" not in n for n in names)
        ids = {int(e["node"]["id"]) for e in a["rows"]["edges"]}
    audited = await sql_scalar(
        url,
        "SELECT array_agg(DISTINCT x) FROM (SELECT unnest(record_ids) x FROM access_audit "
        "WHERE record_kind = 'party_member') s",
    )
    assert ids <= set(audited or [])


async def test_a_department_is_refused_the_member_module(party_url: str, app_client: Any) -> None:
    async with app_client(party_url) as client:
        await client.login("ds-511504-health")
        refused = await client.gql(ANALYSIS, {"m": "party_members", "r": DISTRICT})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", refused
        # with the analytics grant the aggregates open, but no member's record is in reach
        await client.login("admin")
        grant = await client.gql(
            "mutation($i: GrantInput!) { grantAccess(input: $i) { id } }",
            {
                "i": {
                    "departmentCode": "511504-HEALTH",
                    "category": "analytics",
                    "regionCode": DISTRICT,
                }
            },
        )
        assert "errors" not in grant, grant
        await client.login("ds-511504-health")
        a = (await client.gql(ANALYSIS, {"m": "party_members", "r": DISTRICT}))["data"]
        assert a["analysis"]["total"] == 0 and a["analysis"]["rows"]["edges"] == []


DASHBOARD = """query($r: String) { dashboard(regionCode: $r, from: "2025-07-01",
  to: "2026-06-30") { panel(key: "party_building") { title figures { key value } } } }"""


async def test_the_dashboard_shows_the_panel_and_withholds_few_members(
    party_url: str, app_client: Any
) -> None:
    want = (await panel(party_url, scope()))[""]
    township = await sql_scalar(
        party_url,
        "SELECT left(o.area_code, 9) FROM party_member m JOIN party_organization o "
        "ON o.id = m.organization_id GROUP BY 1 ORDER BY count(*), 1 LIMIT 1",
    )
    members = await one(
        party_url,
        "SELECT count(*) FROM party_member m JOIN party_organization o "
        "ON o.id = m.organization_id WHERE left(o.area_code, 9) = :t",
        t=township,
    )
    assert 0 < members < 5  # the demo's few members: some township has under five
    async with app_client(party_url) as client:
        await client.login("command")
        board = (await client.gql(DASHBOARD))["data"]["dashboard"]["panel"]
        assert board["title"] == "智慧党建"
        assert {f["key"]: f["value"] for f in board["figures"]} == want
        mine = (await client.gql(DASHBOARD, {"r": township}))["data"]["dashboard"]["panel"]
        assert {f["key"]: f["value"] for f in mine["figures"]}["party_members"] == members
        # township staff read party data there, not members' records: few are withheld
        await client.login(f"ts-{township}")
        result = await client.gql(DASHBOARD, {"r": township})
        assert "errors" not in result, result
        shown = {f["key"]: f["value"] for f in result["data"]["dashboard"]["panel"]["figures"]}
        assert shown["party_members"] is None
        assert shown["party_organizations"] and shown["party_organizations"] > 0
