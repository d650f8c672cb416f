"""The e-governance demo: the catalogue, a year of applications and their ratings.

The catalogue: about sixty items of the demo's departments, versions kept, materials in
order. Every application consistent with its trace and with the calendar the API uses:
statuses reached step by step, the deadline the promised working days after acceptance
moved on by the pause, ``on_time`` the completion on or before it, visits as the channel
allows, an agent's application filed by the grid worker of the applicant's grid. Every
bad rating has its rectification. The shares are checked at scale on the planner alone
(no database): the same seed plans the same year.
"""

from __future__ import annotations

import importlib.util
import random
import re
import time as clock
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from sqlalchemy import text

from core.database.engine import make_engine, make_sessionmaker
from core.demo.context import DemoContext
from core.demo.geography import build_partition, load_boundary
from core.settings import Settings
from plugins.e_governance import demo as gov_demo
from plugins.e_governance.applications import StepName, noted_materials
from plugins.e_governance.models import BAD_GRADES, GRADE_SCORE, RECTIFICATION_DAYS, Grade
from plugins.e_governance.workdays import Calendar
from tests.fixtures import sql_rows, sql_scalar
from tests.test_records import demo_copy

TODAY = date(2026, 6, 30)  # the demo's day (core.demo.load)
TZ = ZoneInfo("Asia/Shanghai")
CODE = re.compile(r"^[0-9A-Z-]{4,40}$")
#: the transitions of the life cycle and the step that makes each (as the API's)
TRANSITIONS: dict[tuple[str | None, str], StepName] = {
    (None, "submitted"): StepName.SUBMIT,
    ("submitted", "not_accepted"): StepName.REFUSE,
    ("submitted", "accepted"): StepName.ACCEPT,
    ("accepted", "correcting"): StepName.REQUEST_CORRECTION,
    ("reviewing", "correcting"): StepName.REQUEST_CORRECTION,
    ("correcting", "accepted"): StepName.SUPPLY_CORRECTION,
    ("correcting", "reviewing"): StepName.SUPPLY_CORRECTION,
    ("accepted", "reviewing"): StepName.START_REVIEW,
    ("reviewing", "decided"): StepName.DECIDE,
    ("decided", "completed"): StepName.COMPLETE,
}
APPLICANT_STEPS = {StepName.SUBMIT, StepName.SUPPLY_CORRECTION}


def migration_calendar() -> Calendar:
    """The State Council's days as the migration loads them (for the tests without a
    database)."""
    path = Path(gov_demo.__file__).parent / "migrations" / "e002_catalogue_applications.py"
    spec = importlib.util.spec_from_file_location("e002_days", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Calendar.of((d, k) for d, k, _ in module.STATE_COUNCIL_DAYS)


# --- without a database ------------------------------------------------------------------


def test_catalogue_terms_are_well_formed() -> None:
    names = [s.name for specs in gov_demo.CATALOGUE.values() for s in specs]
    assert 55 <= len(names) <= 70
    assert len(set(names)) == len(names)
    for specs in gov_demo.CATALOGUE.values():
        for s in specs:
            for promised, materials in [(s.promised, s.materials)] + (
                [(s.revised.promised or s.promised, s.revised.materials or s.materials)]
                if s.revised
                else []
            ):
                assert 1 <= promised <= s.legal <= 365, s.name
                assert 2 <= len(materials) <= 6, s.name
                assert any(m.required for m in materials), s.name
                assert all(1 <= m.copies <= 20 for m in materials), s.name
            assert s.basis.startswith("《") and s.conditions, s.name
    assert 2 <= sum(s.withdrawn for specs in gov_demo.CATALOGUE.values() for s in specs) <= 3


def synthetic_year(count: int, seed: str) -> tuple[list[gov_demo.Application], Calendar]:
    calendar = migration_calendar()
    first = TODAY - timedelta(days=364)
    days = gov_demo.Days(calendar)
    departments = {t: f"511504-{t.upper().replace('_', '-')}" for t in gov_demo.CATALOGUE}
    items = gov_demo.build_catalogue(random.Random(f"{seed}:c"), departments, first, 1)
    r = random.Random(seed)
    pool = [
        gov_demo.Applicant(
            i,
            f"居民{i}",
            f"{i:018d}",
            None,
            f"511504{i % 7:09d}",
            date(r.randint(1930, 2007), r.randint(1, 12), r.randint(1, 28)),
            1000 + i % 7,
        )
        for i in range(int(count * 1.3) + 10)
    ]
    staff = {code: 1 for code in departments.values()}
    planner = gov_demo.Planner(random.Random(f"{seed}:a"), days, TODAY, items, staff)
    return gov_demo.plan_year(planner, pool, [1, 2, 3], count, 1), calendar


def row(app: gov_demo.Application) -> dict[str, Any]:
    """The application's row as the demo writes it, by column."""
    return dict(zip(gov_demo.APPLICATION_COLUMNS, gov_demo.application_row(app), strict=True))


def test_the_same_seed_plans_the_same_year() -> None:
    def rows(apps: list[gov_demo.Application]) -> list[Any]:
        return [(gov_demo.application_row(a), a.rating, a.rectification, a.handed_in) for a in apps]

    a, _ = synthetic_year(300, "s")
    b, _ = synthetic_year(300, "s")
    c, _ = synthetic_year(300, "t")
    assert rows(a) == rows(b)
    assert rows(a) != rows(c)


def test_shares_at_scale() -> None:
    """Twenty thousand applications (400,000 residents): the shares asked for, and fast."""
    started = clock.perf_counter()
    apps, calendar = synthetic_year(20_000, "scale")
    assert clock.perf_counter() - started < 30
    n = len(apps)
    assert n == 20_000
    status = Counter(a.status.value for a in apps)
    done = [a for a in apps if a.status.value == "completed"]
    assert 0.025 <= status["not_accepted"] / n <= 0.035
    assert 0.82 <= len(done) / n <= 0.88
    assert all(status[s] for s in ("submitted", "accepted", "correcting", "reviewing", "decided"))
    paused = sum(1 for a in apps if a.taken(StepName.REQUEST_CORRECTION))
    assert 0.08 <= paused / n <= 0.14
    on_time = [row(a)["on_time"] for a in done]
    assert 0.9 <= sum(on_time) / len(done) <= 0.94
    rated = [a for a in done if a.rating]
    assert 0.67 <= len(rated) / len(done) <= 0.73
    bad = [a for a in rated if a.rating and Grade(a.rating[1]) in BAD_GRADES]
    assert 0.02 <= len(bad) / len(rated) <= 0.04
    assert all(a.rectification for a in bad)
    assert 0.15 <= sum(a.plan.agent for a in apps) / n <= 0.4
    # every step on its day (local), in order
    for a in apps:
        times = [s.at for s in a.steps if s.at is not None]
        assert [t.astimezone(TZ).date() for t in times] == [s.day for s in a.steps]
        assert all(x < y for x, y in pairwise(times))
    # the deadlines are the calendar's (cross-checked without the planner's memo)
    for a in apps[::97]:
        r = row(a)
        accepted, deadline, paused_days = r["accepted_on"], r["deadline_on"], r["paused_days"]
        if accepted is not None:
            assert deadline == calendar.add(accepted, a.version.promised + paused_days)


# --- the demo loaded ---------------------------------------------------------------------


async def load_gov_demo(url: str) -> float:
    """The plugin's demo, unless the demo load ran it already (once the hook is there);
    the seconds it took."""
    if await sql_scalar(url, "SELECT count(*) FROM gov_service_item"):
        return 0.0
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            persons = int(await session.scalar(text("SELECT count(*) FROM person")) or 0)
            partition = build_partition(load_boundary(), seed=11)
            context = DemoContext(seed=11, persons=persons, today=TODAY, partition=partition)
            started = clock.perf_counter()
            await gov_demo.load_demo(session, context)
            return clock.perf_counter() - started
    finally:
        await engine.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def gov_url(pg_server: Any, template_db: str) -> str:
    """One demo copy with the e-governance demo, which the tests below only read."""
    url: str = await demo_copy(pg_server, template_db)
    seconds = await load_gov_demo(url)
    print(f"e-governance demo at 200 persons: {seconds:.2f} s")
    return url


async def db_calendar(url: str) -> Calendar:
    return Calendar.of(
        (r.day, r.kind) for r in await sql_rows(url, "SELECT day, kind FROM gov_holiday")
    )


def local(at: datetime) -> date:
    return at.astimezone(TZ).date()


async def test_catalogue_of_the_departments(gov_url: str) -> None:
    url = gov_url
    items = await sql_rows(
        url,
        "SELECT i.id, i.code, i.department_code, i.status, i.version, d.type "
        "FROM gov_service_item i JOIN department d ON d.code = i.department_code",
    )
    assert 55 <= len(items) <= 70
    assert all(CODE.match(i.code) and i.code.startswith(i.department_code) for i in items)
    types = {i.type for i in items}
    assert {"civil_affairs", "health", "human_resources", "market_regulation"} <= types
    versions = await sql_rows(
        url,
        "SELECT item_id, version, name, legal_days, promised_days, fee, channel, place, "
        "published_at FROM gov_service_version ORDER BY item_id, version",
    )
    by_item: dict[int, list[Any]] = defaultdict(list)
    for v in versions:
        by_item[v.item_id].append(v)
    for i in items:
        assert [v.version for v in by_item[i.id]] == list(range(1, i.version + 1))
        assert all(a.published_at < b.published_at for a, b in pairwise(by_item[i.id]))
    assert 3 <= sum(1 for i in items if i.version == 2) <= 8
    assert 2 <= sum(1 for i in items if i.status == "withdrawn") <= 3
    names = {v.name for v in versions}
    assert {"最低生活保障申请", "临时救助申请", "出生医学证明补发"} <= names
    current = [by_item[i.id][-1] for i in items]
    assert all(1 <= v.promised_days <= v.legal_days for v in versions)
    assert sum(1 for v in current if v.fee == 0) / len(current) >= 0.9
    channels = Counter(v.channel for v in current)
    assert 0.3 <= channels["online"] / len(current) <= 0.55
    assert 0.3 <= channels["one_visit"] / len(current) <= 0.5
    assert 0.1 <= channels["window"] / len(current) <= 0.3
    assert all(v.place for v in versions)
    materials = await sql_rows(
        url,
        "SELECT item_id, version, array_agg(seq ORDER BY seq) AS seqs, "
        "count(*) FILTER (WHERE required) AS required FROM gov_service_material "
        "GROUP BY item_id, version",
    )
    assert len(materials) == len(versions)
    assert all(m.seqs == list(range(1, len(m.seqs) + 1)) for m in materials)
    assert all(2 <= len(m.seqs) <= 6 and m.required >= 1 for m in materials)
    assert sum(m.required for m in materials) / sum(len(m.seqs) for m in materials) >= 0.7


APPLICATIONS_SQL = """
SELECT a.*, v.channel AS version_channel, v.promised_days, v.published_at,
       i.department_code AS item_department, i.status AS item_status,
       i.updated_at AS item_changed_at,
       p.name AS person_name, p.id_number AS person_id_number, p.phone AS person_phone,
       p.region_code AS person_region, g.code AS grid_code, g.worker_id AS grid_worker,
       w.username AS agent_username
FROM gov_application a
JOIN gov_service_version v ON v.item_id = a.item_id AND v.version = a.item_version
JOIN gov_service_item i ON i.id = a.item_id
JOIN person p ON p.id = a.person_id
JOIN grid g ON g.id = p.grid_id
LEFT JOIN account w ON w.id = a.agent_id
ORDER BY a.id
"""


async def test_every_application_is_consistent(gov_url: str) -> None:
    url = gov_url
    calendar = await db_calendar(url)
    assert calendar.holidays, "the migration's State Council days"
    apps = await sql_rows(url, APPLICATIONS_SQL)
    assert len(apps) >= 30
    assert len(apps) == await sql_scalar(url, "SELECT count(*) FROM gov_application")
    steps: dict[int, list[Any]] = defaultdict(list)
    for s in await sql_rows(url, "SELECT * FROM gov_application_step ORDER BY id"):
        steps[s.application_id].append(s)
    handed: dict[int, list[int]] = defaultdict(list)
    for m in await sql_rows(
        url,
        "SELECT application_id, seq FROM gov_application_material ORDER BY 1, 2",
    ):
        handed[m.application_id].append(m.seq)
    staff = {
        r.department_code: r.id
        for r in await sql_rows(
            url, "SELECT department_code, id FROM account WHERE role = 'department_staff'"
        )
    }
    for a in apps:
        trace = steps[a.id]
        # the statuses reached step by step, in time order, the last one the status
        assert (trace[0].from_status, trace[0].to_status) == (None, "submitted")
        for prev, s in pairwise(trace):
            assert s.from_status == prev.to_status and s.at >= prev.at, a.id
        for s in trace:
            assert TRANSITIONS[(s.from_status, s.to_status)] == s.step, (a.id, s.step)
            assert local(s.at) <= TODAY
            if s.step in APPLICANT_STEPS:
                assert s.actor_id == (a.agent_id or a.applicant_account_id), a.id
                assert s.as_agent == (a.agent_id is not None)
            else:
                assert s.actor_id == staff[a.department_code] and not s.as_agent
        assert trace[-1].to_status == a.status and a.revision == len(trace)
        assert trace[0].at == a.submitted_at
        taken = {s.step: s for s in trace}
        # the applicant as their person record, the item's department and terms
        assert (a.applicant_name, a.id_number, a.phone, a.region_code) == (
            a.person_name,
            a.person_id_number,
            a.person_phone,
            a.person_region,
        )
        assert a.department_code == a.item_department and a.channel == a.version_channel
        assert a.published_at <= a.submitted_at
        if a.item_status == "withdrawn":
            assert a.submitted_at < a.item_changed_at
        # the clock, by the calendar
        accept = taken.get(StepName.ACCEPT)
        assert a.accepted_on == (local(accept.at) if accept else None)
        asked = taken.get(StepName.REQUEST_CORRECTION)
        supplied = taken.get(StepName.SUPPLY_CORRECTION)
        if asked is not None:  # named materials, brought back to where it came from
            assert noted_materials(asked.note)
            if supplied is not None:
                assert noted_materials(supplied.note) == noted_materials(asked.note)
                assert supplied.to_status == asked.from_status
        asked_on = local(asked.at) if asked is not None else None
        if asked_on is not None and supplied is not None:
            assert a.paused_days == calendar.between(asked_on, local(supplied.at))
        else:
            assert a.paused_days == 0
        assert a.paused_since == (asked_on if a.status == "correcting" else None)
        if a.accepted_on is None:
            assert a.deadline_on is None
        else:
            assert a.deadline_on == calendar.add(a.accepted_on, a.promised_days + a.paused_days)
        complete = taken.get(StepName.COMPLETE)
        if complete:
            assert a.completed_on == local(complete.at) and a.completed_at == complete.at
            assert a.on_time == (a.completed_on <= a.deadline_on)
        else:
            assert a.completed_on is None and a.on_time is None
        decide = taken.get(StepName.DECIDE)
        assert (a.decision is not None) == (decide is not None)
        if decide is not None:
            assert a.decided_at == decide.at
            assert (decide.note is not None) == (a.decision == "denied")
        # the materials handed in: those the filing names, and what a 补正 brought
        filed = set(noted_materials(trace[0].note))
        brought = set(noted_materials(supplied.note)) if supplied is not None else set()
        assert filed <= set(handed[a.id]) and set(handed[a.id]) - filed <= brought
        # visits as the channel allows; the agent, if any, is the grid worker of the grid
        if a.channel == "online" or a.agent_id is not None:
            assert a.visits == 0
        elif a.channel == "one_visit":
            assert a.visits in (0, 1)
        else:
            assert a.visits in (1, 2)
        if a.agent_id is not None:
            assert a.agent_username == f"gw-{a.grid_code}" and a.agent_id == a.grid_worker
    status = Counter(a.status for a in apps)
    assert status["not_accepted"] >= 1 and status["completed"] / len(apps) >= 0.7
    assert len(apps) - status["completed"] - status["not_accepted"] >= 3
    assert sum(1 for a in apps if StepName.REQUEST_CORRECTION in {s.step for s in steps[a.id]}) >= 1
    assert 1 <= sum(1 for a in apps if a.agent_id is not None) < len(apps)
    done = [a for a in apps if a.status == "completed"]
    assert sum(a.on_time for a in done) / len(done) >= 0.75


async def test_materials_handed_in(gov_url: str) -> None:
    """Seen at the window (no stored file): every required material of the version (as
    acceptance needs), only the version's; what a 补正 asked for, once brought, handed in
    when it was."""
    url = gov_url
    missing = await sql_scalar(
        url,
        "SELECT count(*) FROM gov_application a JOIN gov_service_material m "
        "ON m.item_id = a.item_id AND m.version = a.item_version AND m.required "
        "LEFT JOIN gov_application_material h ON h.application_id = a.id AND h.seq = m.seq "
        "WHERE h.seq IS NULL",
    )
    assert missing == 0
    stray = await sql_scalar(
        url,
        "SELECT count(*) FROM gov_application_material h JOIN gov_application a "
        "ON a.id = h.application_id LEFT JOIN gov_service_material m ON m.item_id = a.item_id "
        "AND m.version = a.item_version AND m.seq = h.seq "
        "WHERE m.seq IS NULL OR h.key IS NOT NULL OR h.handed_in_at < a.submitted_at",
    )
    assert stray == 0
    supplied = await sql_rows(
        url,
        "SELECT s.application_id, s.note, s.at FROM gov_application_step s "
        "WHERE s.step = 'supply_correction'",
    )
    assert supplied
    for s in supplied:
        at = await sql_rows(
            url,
            "SELECT seq, handed_in_at FROM gov_application_material WHERE application_id = :a",
            a=s.application_id,
        )
        brought = set(noted_materials(s.note))
        assert brought and all((r.handed_in_at == s.at) == (r.seq in brought) for r in at)


async def test_ratings_and_rectifications(gov_url: str) -> None:
    url = gov_url
    calendar = await db_calendar(url)
    ratings = await sql_rows(
        url,
        "SELECT r.*, a.status, a.completed_at, a.applicant_account_id, a.agent_id, "
        "x.application_id AS rectified, x.status AS x_status, x.opened_at, x.due_on, "
        "x.callback_at, x.callback_by, x.closed_at, x.on_time AS x_on_time, "
        "a.department_code FROM gov_rating r JOIN gov_application a ON a.id = r.application_id "
        "LEFT JOIN gov_rectification x ON x.application_id = r.application_id",
    )
    done = await sql_scalar(url, "SELECT count(*) FROM gov_application WHERE status = 'completed'")
    assert 0.5 <= len(ratings) / done <= 0.9
    assert await sql_scalar(url, "SELECT count(*) FROM gov_rectification") == sum(
        1 for r in ratings if r.rectified
    )
    for r in ratings:
        grade = Grade(r.grade)
        assert r.status == "completed" and r.rated_at >= r.completed_at
        assert r.score == GRADE_SCORE[grade]
        assert r.rated_by in (r.applicant_account_id or r.agent_id, None)
        assert (r.rectified is not None) == (grade in BAD_GRADES)
        if r.rectified is not None:
            assert r.opened_at >= r.rated_at
            assert r.due_on == calendar.add(local(r.opened_at), RECTIFICATION_DAYS)
            if r.x_status == "closed":
                assert r.callback_at >= r.opened_at and r.closed_at >= r.callback_at
                assert r.callback_by is not None
                assert r.x_on_time == (local(r.closed_at) <= r.due_on)
            else:
                assert r.callback_at is None and r.x_on_time is None
    assert sum(1 for r in ratings if r.rectified) >= 1
    assert (
        sum(1 for r in ratings if r.grade in ("very_satisfied", "satisfied")) / len(ratings) >= 0.8
    )


async def test_the_demo_citizen_has_applications(gov_url: str) -> None:
    rows = await sql_rows(
        gov_url,
        "SELECT a.status, r.application_id AS rated FROM gov_application a "
        "JOIN account c ON c.id = a.applicant_account_id AND c.username = 'citizen' "
        "LEFT JOIN gov_rating r ON r.application_id = a.id ORDER BY a.id",
    )
    assert len(rows) >= 2
    assert any(r.status == "completed" and r.rated is None for r in rows)


@pytest.mark.parametrize("persons", [200, 20_000, 750_000])
def test_application_count(persons: int) -> None:
    assert gov_demo.application_count(persons) == max(40, persons // 20)
