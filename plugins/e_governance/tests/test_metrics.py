"""Service figures (办件统计): eleven applications written straight into the tables,
counted by hand; ``serviceMetrics`` by department and by region, the dashboard's 智慧政务
panel and the XLSX report all tell the hand counts; who may read which figures.

The applications (period March 2026, local time; H = 511504-HEALTH, C =
511504-CIVIL-AFFAIRS; T1 = a township with communities 1a and 1b, T2 = another)::

    n  area dept channel    visits submitted (local) status        completed  on time
    1  1a   H    online     0      03-02 10:00       completed     03-05      yes
    2  1a   H    online     0      03-03 09:00       completed     03-20      no
    3  1b   H    window     1      03-10 14:00       completed     03-12      yes
    4  1b   C    one_visit  0      03-11 11:00       reviewing
    5  1a   C    online     0      03-01 00:30       completed     03-09      yes
    6  T2   H    window     2      03-15 10:00       completed     04-02      yes
    7  T2   C    online     0      03-20 10:00       completed     03-25      no
    8  T2   C    online     0      03-31 23:30       submitted
    9  T2   H    window     1      04-01 00:30       accepted
    10 1a   H    online     0      02-20 10:00       completed     03-03      no
    11 1b   C    online     0      03-05 10:00       not_accepted

    ratings (rated, local day): 1 非常满意 03-06, 2 不满意 03-21 (rectification open, due
    2026-04-13: overdue), 3 满意 03-13, 5 基本满意 03-10, 6 非常不满意 04-03 (open, due
    2099-12-31), 7 非常不满意 03-26 (rectification closed), 10 基本满意 03-04.

Hand counts for March (the district):

* applications (submitted in March, local): 1 2 3 4 5 6 7 8 11 = 9 (9 is April 1st local,
  10 February);
* completed in March: 1 2 3 5 7 10 = 6, on time 1 3 5 = 3 → 50.00 %;
* online of the 9: 1 2 5 7 8 11 = 6 → 66.67 %; no visit: 1 2 4 5 7 8 11 = 7 → 77.78 %;
* rated in March: 1 2 3 5 7 10 = 6; satisfied 1 3 = 2 → 33.33 %; scores 5+2+4+3+1+3 = 18
  → 3.00; bad 2 7 = 2;
* rectifications open now: 2 6 = 2, overdue 2 = 1.

By department: H (1 2 3 6 9 10): 4 applications; completed 1 2 3 10 = 4, on time 2 →
50.00; online 1 2 → 50.00; no visit 1 2 → 50.00; rated 1 2 3 10 = 4, satisfied 2 → 50.00,
scores 14 → 3.50; bad 1; open 2, overdue 1. C (4 5 7 8 11): 5 applications; completed 5 7
= 2, on time 1 → 50.00; online 5 7 8 11 → 80.00; no visit all 5 → 100.00; rated 5 7 = 2,
satisfied 0 → 0.00, scores 4 → 2.00; bad 1; open 0.

By township: T1 (1 2 3 4 5 10 11): 6 applications; completed 1 2 3 5 10 = 5, on time 3 →
60.00; online 1 2 5 11 → 66.67; no visit 1 2 4 5 11 → 83.33; rated 5, satisfied 2 → 40.00,
scores 17 → 3.40; bad 1; open 1, overdue 1. T2 (6 7 8 9): 3 applications; completed 7 = 1,
on time 0 → 0.00; online 7 8 → 66.67; no visit 7 8 → 66.67; rated 1, satisfied 0 → 0.00,
score 1 → 1.00; bad 1; open 1 (6), overdue 0.

T1 by community: 1a (1 2 5 10): 3 applications; completed 4, on time 1 5 → 50.00; online 3
→ 100.00; no visit 3 → 100.00; rated 4, satisfied 1 → 25.00, scores 13 → 3.25; bad 1; open
1, overdue 1. 1b (3 4 11): 3 applications; completed 1, on time → 100.00; online 11 →
33.33; no visit 4 11 → 66.67; rated 1, satisfied → 100.00, 4.00; bad 0; open 0.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import pytest_asyncio
from sqlalchemy import make_url, text

from core.database.engine import make_engine
from core.plugins import hookimpl, make_plugin_manager
from core.settings import Settings
from plugins.e_governance.metrics import Counts, period_of
from plugins.e_governance.xlsx import HEADER, PATH, ROUTES
from tests.fixtures import sql_scalar
from tests.test_records import demo_copy

TZ = ZoneInfo("Asia/Shanghai")
H, C = "511504-HEALTH", "511504-CIVIL-AFFAIRS"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
#: the plugin's application tables, emptied of anything the demo wrote
GOV_TABLES = (
    "gov_rectification, gov_rating, gov_application_material, gov_application_step, gov_application"
)

METRICS = """query($r: String, $d: String, $from: Date, $to: Date, $g: GovMetricsGroup) {
  serviceMetrics(regionCode: $r, departmentCode: $d, from: $from, to: $to, groupBy: $g) {
    regionCode departmentCode from to groupBy
    totals { ...F } rows { code name ...F } } }
fragment F on GovMetricsRow {
  applications completed completedOnTime onTimeRate onlineRate zeroVisitRate rated
  satisfactionRate averageScore badRatings rectificationsOpen rectificationsOverdue }"""
#: the defaulted arguments left out (groupBy DEPARTMENT, every department, everywhere)
METRICS_DEFAULTS = """query($from: Date, $to: Date) {
  serviceMetrics(from: $from, to: $to) { groupBy departmentCode regionCode
    totals { applications completed badRatings } rows { code applications } } }"""
DASHBOARD = """query($r: String, $from: Date, $to: Date) {
  dashboard(regionCode: $r, from: $from, to: $to) {
    panel(key: "government_affairs") { figures { key value
      breakdown { area { prefix } value } } } } }"""

#: the figures of a GovMetricsRow, in the order of the hand counts below
FIGURES = (
    "applications",
    "completed",
    "completedOnTime",
    "onTimeRate",
    "onlineRate",
    "zeroVisitRate",
    "rated",
    "satisfactionRate",
    "averageScore",
    "badRatings",
    "rectificationsOpen",
    "rectificationsOverdue",
)
HAND = {
    "all": (9, 6, 3, 50.0, 66.67, 77.78, 6, 33.33, 3.0, 2, 2, 1),
    H: (4, 4, 2, 50.0, 50.0, 50.0, 4, 50.0, 3.5, 1, 2, 1),
    C: (5, 2, 1, 50.0, 80.0, 100.0, 2, 0.0, 2.0, 1, 0, 0),
    "T1": (6, 5, 3, 60.0, 66.67, 83.33, 5, 40.0, 3.4, 1, 1, 1),
    "T2": (3, 1, 0, 0.0, 66.67, 66.67, 1, 0.0, 1.0, 1, 1, 0),
    "1a": (3, 4, 2, 50.0, 100.0, 100.0, 4, 25.0, 3.25, 1, 1, 1),
    "1b": (3, 1, 1, 100.0, 33.33, 66.67, 1, 100.0, 4.0, 0, 0, 0),
}
#: the counts among them (0, not null, where nothing is counted)
ADDITIVE = {f for f in FIGURES if not f.endswith(("Rate", "Score"))}
#: the panel's keys of the same figures
PANEL_KEYS = {
    "applications": "gov_applications",
    "completed": "gov_completed",
    "completedOnTime": "gov_completed_on_time",
    "onTimeRate": "gov_on_time_rate",
    "onlineRate": "gov_online_rate",
    "zeroVisitRate": "gov_zero_visit_rate",
    "rated": "gov_rated",
    "satisfactionRate": "gov_satisfaction_rate",
    "averageScore": "gov_average_score",
    "badRatings": "gov_bad_ratings",
    "rectificationsOpen": "gov_rectifications_open",
    "rectificationsOverdue": "gov_rectifications_overdue",
}


@dataclass(frozen=True, slots=True)
class App:
    area: str  # 1a, 1b (township T1), 2 (township T2)
    department: str
    channel: str
    visits: int
    submitted: str  # local time
    status: str
    completed: str | None = None  # local day
    on_time: bool | None = None
    grade: str | None = None
    rated: str | None = None  # local day
    rectification: str | None = None  # open-overdue, open, closed


MONTH_APPS = [
    App("1a", H, "online", 0, "2026-03-02 10:00", "completed", "2026-03-05", True,
        "very_satisfied", "2026-03-06"),
    App("1a", H, "online", 0, "2026-03-03 09:00", "completed", "2026-03-20", False,
        "dissatisfied", "2026-03-21", "open-overdue"),
    App("1b", H, "window", 1, "2026-03-10 14:00", "completed", "2026-03-12", True,
        "satisfied", "2026-03-13"),
    App("1b", C, "one_visit", 0, "2026-03-11 11:00", "reviewing"),
    App("1a", C, "online", 0, "2026-03-01 00:30", "completed", "2026-03-09", True,
        "neutral", "2026-03-10"),
    App("2", H, "window", 2, "2026-03-15 10:00", "completed", "2026-04-02", True,
        "very_dissatisfied", "2026-04-03", "open"),
    App("2", C, "online", 0, "2026-03-20 10:00", "completed", "2026-03-25", False,
        "very_dissatisfied", "2026-03-26", "closed"),
    App("2", C, "online", 0, "2026-03-31 23:30", "submitted"),
    App("2", H, "window", 1, "2026-04-01 00:30", "accepted"),
    App("1a", H, "online", 0, "2026-02-20 10:00", "completed", "2026-03-03", False,
        "neutral", "2026-03-04"),
    App("1b", C, "online", 0, "2026-03-05 10:00", "not_accepted"),
]  # fmt: skip
SCORES = {"very_satisfied": 5, "satisfied": 4, "neutral": 3, "dissatisfied": 2,
          "very_dissatisfied": 1}  # fmt: skip


@dataclass
class World:
    url: str
    township_1: str  # 9-digit prefixes
    township_2: str
    community_1a: str  # 12-digit prefixes
    community_1b: str
    grids: dict[str, str]  # area -> a grid code in it
    citizen: int
    agents: dict[str, int]  # area -> the grid worker of its grid
    items: dict[str, int]  # department -> a service item (version 1)
    ids: list[int] = field(default_factory=list)  # MONTH_APPS' ids, in order


def local(text_: str) -> datetime:
    return datetime.fromisoformat(text_).replace(tzinfo=TZ)


async def prepare(url: str) -> World:
    """Two townships (the first with two communities), a grid in each area, an item per
    department, and no application but the ones written here."""
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with engine.begin() as conn:

            async def one(sql: str, **params: Any) -> Any:
                return (await conn.execute(text(sql), params)).one()

            await conn.execute(text(f"TRUNCATE {GOV_TABLES}"))
            t1, c1a, c1b = await one(
                "SELECT left(code, 9), min(left(code, 12)), max(left(code, 12)) FROM grid "
                "WHERE valid_to IS NULL GROUP BY left(code, 9) "
                "HAVING count(DISTINCT left(code, 12)) >= 2 ORDER BY 1 LIMIT 1"
            )
            (t2,) = await one(
                "SELECT min(left(code, 9)) FROM grid WHERE valid_to IS NULL "
                "AND left(code, 9) <> :t",
                t=t1,
            )
            grids: dict[str, str] = {}
            agents: dict[str, int] = {}
            for area, prefix in (("1a", c1a), ("1b", c1b), ("2", t2)):
                grid, agent = await one(
                    "SELECT g.code, a.id FROM grid g JOIN account a ON a.username = "
                    "'gw-' || g.code WHERE g.valid_to IS NULL AND left(g.code, length(:p)) "
                    "= :p ORDER BY g.code LIMIT 1",
                    p=prefix,
                )
                grids[area], agents[area] = grid, agent
            (citizen,) = await one("SELECT id FROM account WHERE username = 'citizen'")
            items: dict[str, int] = {}
            for department in (H, C):
                (item,) = await one(
                    "INSERT INTO gov_service_item (code, department_code) VALUES (:c, :d) "
                    "RETURNING id",
                    c=f"TEST-{department}",
                    d=department,
                )
                await conn.execute(
                    text(
                        "INSERT INTO gov_service_version (item_id, version, name, legal_basis, "
                        "conditions, legal_days, promised_days, channel, place) VALUES "
                        "(:i, 1, '测试事项', '测试依据', '无', 20, 10, 'window', '政务大厅')"
                    ),
                    {"i": item},
                )
                items[department] = item
    finally:
        await engine.dispose()
    world = World(url, t1, t2, c1a, c1b, grids, citizen, agents, items)
    world.ids.extend([await write_application(world, app) for app in MONTH_APPS])
    return world


async def write_application(world: World, app: App) -> int:
    """One application (with its rating and rectification), as SQL."""
    submitted = local(app.submitted)
    completed = None if app.completed is None else date.fromisoformat(app.completed)
    decided = app.status in ("decided", "completed")
    engine = make_engine(world.url, Settings(database_url=world.url))
    try:
        async with engine.begin() as conn:
            (new_id,) = (
                await conn.execute(
                    text(
                        "INSERT INTO gov_application (item_id, item_version, department_code, "
                        "applicant_name, region_code, applicant_account_id, agent_id, "
                        "channel, visits, status, submitted_at, accepted_on, deadline_on, "
                        "decision, decided_at, completed_at, completed_on, on_time) VALUES "
                        "(:item, 1, :dept, '测试申请人', :region, :citizen, :agent, :channel, "
                        ":visits, :status, :submitted, :accepted, :deadline, :decision, "
                        ":decided_at, :completed_at, :completed_on, :on_time) RETURNING id"
                    ),
                    {
                        "item": world.items[app.department],
                        "dept": app.department,
                        "region": world.grids[app.area],
                        "citizen": world.citizen,
                        "agent": world.agents[app.area],
                        "channel": app.channel,
                        "visits": app.visits,
                        "status": app.status,
                        "submitted": submitted,
                        "accepted": None
                        if app.status in ("submitted", "not_accepted")
                        else submitted.date(),
                        "deadline": None
                        if app.status in ("submitted", "not_accepted")
                        else date(2026, 12, 31),
                        "decision": "approved" if decided else None,
                        "decided_at": local(f"{app.completed} 09:00") if completed else None,
                        "completed_at": local(f"{app.completed} 10:00") if completed else None,
                        "completed_on": completed,
                        "on_time": app.on_time,
                    },
                )
            ).one()
            if app.grade is not None:
                await conn.execute(
                    text(
                        "INSERT INTO gov_rating (application_id, grade, score, rated_by, "
                        "rated_at) VALUES (:a, :g, :s, :by, :at)"
                    ),
                    {
                        "a": new_id,
                        "g": app.grade,
                        "s": SCORES[app.grade],
                        "by": world.citizen,
                        "at": local(f"{app.rated} 12:00"),
                    },
                )
            if app.rectification is not None:
                closed = app.rectification == "closed"
                due = date(2026, 4, 13) if app.rectification == "open-overdue" else None
                await conn.execute(
                    text(
                        "INSERT INTO gov_rectification (application_id, status, opened_at, "
                        "due_on, measures, callback_at, callback_note, callback_satisfied, "
                        "closed_at, on_time) VALUES (:a, :st, :opened, :due, :m, :cb, :note, "
                        ":sat, :closed, :on_time)"
                    ),
                    {
                        "a": new_id,
                        "st": "closed" if closed else "open",
                        "opened": local(f"{app.rated} 12:00"),
                        "due": due or (date(2026, 4, 16) if closed else date(2099, 12, 31)),
                        "m": "已整改" if closed else None,
                        "cb": local("2026-04-01 10:00") if closed else None,
                        "note": "满意" if closed else None,
                        "sat": True if closed else None,
                        "closed": local("2026-04-01 10:00") if closed else None,
                        "on_time": True if closed else None,
                    },
                )
    finally:
        await engine.dispose()
    return int(new_id)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(pg_server: Any, template_db: Any) -> AsyncIterator[World]:
    """The demo with the applications above (the tests here only read it)."""
    url = await demo_copy(pg_server, template_db)
    yield await prepare(url)
    await pg_server.drop(make_url(url).database)


class MetricsRoutes:
    """Serves the report in a test app while the plugin does not hook it yet."""

    @hookimpl
    def gridgov_routes(self) -> list[Any]:
        return ROUTES


def route_plugins() -> list[Any]:
    """No extra plugin once ``plugins.e_governance`` returns ``ROUTES`` itself."""
    hooked = make_plugin_manager(Settings()).hook.gridgov_routes()
    return [] if any(extra is ROUTES for extra in hooked) else [MetricsRoutes()]


def ok(result: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in result, result
    return result["data"]


def code_of(result: dict[str, Any]) -> str:
    assert result.get("errors"), result
    return str(result["errors"][0]["extensions"]["code"])


def hand(key: str) -> dict[str, Any]:
    return dict(zip(FIGURES, HAND[key], strict=True))


def figures_of(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in FIGURES}


async def metrics(client: Any, **variables: Any) -> dict[str, Any]:
    return ok(await client.gql(METRICS, {**MARCH, **variables}))["serviceMetrics"]


# --- pure ------------------------------------------------------------------------------


def test_counts_add_up_and_round_half_up() -> None:
    a = Counts(applications=3, online=2, rated=3, satisfied=1, score_sum=10)
    b = Counts(applications=1, online=1, rated=0)
    total = a + b
    assert (total.applications, total.online, total.rated) == (4, 3, 3)
    assert total.online_rate == 75.0
    assert a.online_rate == 66.67  # 2/3 half-up
    assert a.average_score == 3.33 and Counts(rated=8, score_sum=27).average_score == 3.38
    assert Counts().on_time_rate is None and Counts().average_score is None


def test_period_defaults_and_checks() -> None:
    now = datetime(2026, 3, 31, 16, 30, tzinfo=ZoneInfo("UTC"))  # April 1st in Shanghai
    found = period_of(None, None, "Asia/Shanghai", now)
    assert (found.first_day, found.last_day, found.today) == (
        date(2025, 4, 2),
        date(2026, 4, 1),
        date(2026, 4, 1),
    )
    assert found.start == datetime(2025, 4, 2, tzinfo=TZ)
    assert found.end == datetime(2026, 4, 2, tzinfo=TZ)
    with pytest.raises(Exception, match="after"):
        period_of(date(2026, 3, 2), date(2026, 3, 1), "Asia/Shanghai", now)


# --- the figures ------------------------------------------------------------------------


async def test_metrics_by_department_equal_the_hand_counts(world: World, app_client) -> None:
    async with app_client(world.url) as client:
        await client.login("command")
        found = await metrics(client)
        assert (found["regionCode"], found["departmentCode"]) == (None, None)
        assert (found["from"], found["to"], found["groupBy"]) == (
            "2026-03-01",
            "2026-03-31",
            "DEPARTMENT",
        )
        assert figures_of(found["totals"]) == hand("all")
        rows = {r["code"]: r for r in found["rows"]}
        assert list(rows) == sorted([C, H])
        assert figures_of(rows[H]) == hand(H)
        assert figures_of(rows[C]) == hand(C)
        assert rows[H]["name"] == "叙州区卫生健康局"
        # defaulted arguments left out: every department, everywhere, by department
        defaults = ok(await client.gql(METRICS_DEFAULTS, MARCH))["serviceMetrics"]
        assert defaults["groupBy"] == "DEPARTMENT" and defaults["departmentCode"] is None
        assert defaults["totals"] == {"applications": 9, "completed": 6, "badRatings": 2}
        assert {r["code"]: r["applications"] for r in defaults["rows"]} == {H: 4, C: 5}
        # one department asked by the command centre
        only = await metrics(client, d=C)
        assert figures_of(only["totals"]) == hand(C)
        assert [r["code"] for r in only["rows"]] == [C]
        # a fixed number of statements, however many groups
        client.sql.reset()
        await metrics(client, r="511504", g="REGION")
        assert client.sql.count <= 3, client.sql.statements


async def test_metrics_by_region_equal_the_hand_counts(world: World, app_client) -> None:
    async with app_client(world.url) as client:
        await client.login("command")
        district = await metrics(client, r="511504", g="REGION")
        assert district["regionCode"] == "511504"
        assert figures_of(district["totals"]) == hand("all")
        rows = {r["code"]: r for r in district["rows"]}
        assert list(rows) == sorted([world.township_1, world.township_2])
        assert figures_of(rows[world.township_1]) == hand("T1")
        assert figures_of(rows[world.township_2]) == hand("T2")
        assert rows[world.township_1]["name"]  # the township's name
        township = await metrics(client, r=world.township_1, g="REGION")
        assert figures_of(township["totals"]) == hand("T1")
        rows = {r["code"]: r for r in township["rows"]}
        assert list(rows) == [world.community_1a, world.community_1b]
        assert figures_of(rows[world.community_1a]) == hand("1a")
        assert figures_of(rows[world.community_1b]) == hand("1b")
        # a grid: its own row
        grid = await metrics(client, r=world.grids["1b"], g="REGION")
        assert [r["code"] for r in grid["rows"]] == [world.grids["1b"]]
        assert figures_of(grid["totals"]) == hand("1b")
        # a period with nothing in it: zeros and no rates
        empty = await metrics(client, **{"from": "2025-01-01", "to": "2025-01-31"})
        assert empty["rows"] == [] or all(r["applications"] == 0 for r in empty["rows"])
        assert empty["totals"]["applications"] == 0 and empty["totals"]["onTimeRate"] is None
        # open rectifications are now's, whatever the period
        assert empty["totals"]["rectificationsOpen"] == 2


async def test_who_reads_which_figures(world: World, app_client) -> None:
    async with app_client(world.url) as client:
        assert code_of(await client.gql(METRICS, MARCH)) == "UNAUTHENTICATED"
        await client.login("ds-511504-health")
        own = await metrics(client)  # no departmentCode: their own
        assert own["departmentCode"] == H
        assert figures_of(own["totals"]) == hand(H)
        assert [r["code"] for r in own["rows"]] == [H]
        assert figures_of((await metrics(client, d=H))["totals"]) == hand(H)
        by_region = await metrics(client, r="511504", g="REGION")
        got = {r["code"]: (r["applications"], r["completed"]) for r in by_region["rows"]}
        assert got == {world.township_1: (3, 4), world.township_2: (1, 0)}
        assert code_of(await client.gql(METRICS, {**MARCH, "d": C})) == "FORBIDDEN"
        await client.login(f"ts-{world.township_1}")
        assert code_of(await client.gql(METRICS, {**MARCH, "r": world.township_1})) == ("FORBIDDEN")
        await client.login("citizen")
        assert code_of(await client.gql(METRICS, MARCH)) == "FORBIDDEN"
        await client.login("command")
        assert code_of(await client.gql(METRICS, {**MARCH, "d": "NO-SUCH-DEPT"})) == "NOT_FOUND"
        assert code_of(await client.gql(METRICS, {**MARCH, "r": "511504598"})) == "NOT_FOUND"
        assert code_of(await client.gql(METRICS, {**MARCH, "r": "12x"})) == "BAD_USER_INPUT"
        backwards = {"from": "2026-03-31", "to": "2026-03-01"}
        assert code_of(await client.gql(METRICS, backwards)) == "BAD_USER_INPUT"


async def test_panel_equals_the_metrics(world: World, app_client) -> None:
    async with app_client(world.url) as client:
        await client.login("command")
        for region in ("511504", world.township_1):
            found = await metrics(client, r=region, g="REGION")
            result = ok(await client.gql(DASHBOARD, {"r": region, **MARCH}))
            panel = {f["key"]: f for f in result["dashboard"]["panel"]["figures"]}
            for figure, key in PANEL_KEYS.items():
                assert panel[key]["value"] == found["totals"][figure], (region, key)
                by_child = {b["area"]["prefix"]: b["value"] for b in panel[key]["breakdown"]}
                rows = {r["code"]: r[figure] for r in found["rows"]}
                for prefix, value in by_child.items():
                    expected = rows.get(prefix)
                    if expected is None and figure in ADDITIVE:
                        expected = 0
                    assert value == expected, (region, key, prefix)
                assert set(rows) <= set(by_child), (region, key)
            # the event figures stay (the demo copy has no events: nothing received)
            assert panel["service_requests"]["value"] == 0
            assert panel["service_on_time_rate"]["value"] is None


async def test_xlsx_equals_graphql(world: World, app_client) -> None:
    async with app_client(world.url, plugins=route_plugins()) as client:
        token = await client.login("command")
        for group in ("DEPARTMENT", "REGION"):
            found = await metrics(client, r="511504", g=group)
            response = await client.http.get(
                PATH,
                params={"regionCode": "511504", **MARCH, "groupBy": group},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200, response.text
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
            assert sheet is not None
            lines = [list(r) for r in sheet.iter_rows(values_only=True)]
            assert lines[0] == [{"DEPARTMENT": "部门", "REGION": "区域"}[group], *HEADER]
            keys = ["applications", "completed", "onTimeRate", "onlineRate",
                    "zeroVisitRate", "satisfactionRate", "badRatings"]  # fmt: skip
            expected = [[r["name"] or r["code"], *(r[k] for k in keys)] for r in found["rows"]]
            expected.append(["合计", *(found["totals"][k] for k in keys)])
            assert lines[1:] == expected
        assert lines[-1] == ["合计", 9, 6, 50.0, 66.67, 77.78, 33.33, 2]
        # errors as the API answers them
        anonymous = await client.http.get(PATH, params=MARCH)
        assert anonymous.status_code == 401
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        bad = await client.http.get(
            PATH, params={"groupBy": "TOWNSHIP"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        bad_day = await client.http.get(
            PATH, params={"from": "March"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert bad_day.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        staff = await client.login("ds-511504-health")
        refused = await client.http.get(
            PATH,
            params={**MARCH, "departmentCode": C},
            headers={"Authorization": f"Bearer {staff}"},
        )
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        own = await client.http.get(
            PATH, params=MARCH, headers={"Authorization": f"Bearer {staff}"}
        )
        sheet = openpyxl.load_workbook(io.BytesIO(own.content)).active
        assert sheet is not None
        lines = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert lines[1][1:] == [4, 4, 50.0, 50.0, 50.0, 50.0, 1]
        assert len(lines) == 3  # the header, the department, the totals


async def test_panel_on_the_demo_keeps_the_service_requests(demo_url, app_client) -> None:
    """On the demo (a year of events, whatever applications it has): the service request
    figures are the ``service.*`` events counted directly, the application figures those
    of ``serviceMetrics`` over the dashboard's default period."""
    board = """{ dashboard(regionCode: "511504") { from to
      panel(key: "government_affairs") { figures { key value } } } }"""
    async with app_client(demo_url) as client:
        await client.login("command")
        found = ok(await client.gql(board))["dashboard"]
        panel = {f["key"]: f["value"] for f in found["panel"]["figures"]}
        period = {"from": found["from"], "to": found["to"]}
        totals = (await metrics(client, r="511504", **period))["totals"]
    received = await sql_scalar(
        demo_url,
        "SELECT count(*) FROM event WHERE category_code LIKE 'service.%' "
        "AND left(region_code, 6) = '511504' "
        "AND collected_at >= (CAST(:f AS timestamp) AT TIME ZONE 'Asia/Shanghai') "
        "AND collected_at < (CAST(:t AS timestamp) AT TIME ZONE 'Asia/Shanghai')",
        f=date.fromisoformat(period["from"]),
        t=date.fromisoformat(period["to"]) + timedelta(days=1),
    )
    assert received > 0
    assert panel["service_requests"] == received
    for figure, key in PANEL_KEYS.items():
        assert panel[key] == totals[figure], key
