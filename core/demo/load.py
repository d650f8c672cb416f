"""``gridgov demo load``: the Xuzhou reference deployment, in one transaction.

The district boundary is real; townships, communities, grids, people and everything else
are synthetic and deterministic for a seed.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth import hash_password
from core.codes import beidou
from core.database.distribute import citus_present
from core.demo.bulk import Copier, ewkb, point_ewkb
from core.demo.catalog import (
    DEPARTMENT_GRANTS,
    DISTRICT_DEPARTMENTS,
    ENTERPRISE_TRADES,
    SOCIAL_ORGANIZATIONS,
    THINGS,
    USCC_CHARS,
    uscc,
)
from core.demo.context import DemoContext
from core.demo.counties import CITY_CODE, County, plan
from core.demo.geography import DISTRICT_NAME, build_partition
from core.demo.history import DEFAULT_EVENTS, load_history
from core.demo.people import make_person
from core.demo.population import (
    GROUP_COLUMNS,
    HOUSEHOLD_COLUMNS,
    LOCATED,
    PERSON_COLUMNS,
    PLACE_COLUMNS,
    Buffers,
    GridPeople,
    Ids,
    collected,
    random_points,
)
from core.errors import Conflict
from core.models import Base, Region
from core.plugins import call_async
from core.tenancy import county_of

#: Kept by --replace: reference data, and the access audit, which is append-only by law.
#: (A plugin marks a reference table of its own with ``info={"reference": True}``.)
REFERENCE_TABLES = {
    "worker_role",
    "duty",
    "event_category",
    "special_group",
    "alembic_version",
    "authz_version",
    "access_audit",
    "access_audit_default",
}
FLUSH_PERSONS = 50_000
WORKER_ROLES = ("informant", "publicist", "mediator", "co_manager", "server", "supervisor")


@dataclass(frozen=True)
class DemoSummary:
    regions: int
    grids: int
    departments: int
    accounts: int
    persons: int
    households: int
    places: int
    things: int
    organizations: int
    events: int = 0
    event_steps: int = 0


async def demo_present(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(Region)))


async def clear_data(session: AsyncSession) -> None:
    """Empty every table but the reference data (core and plugin tables alike)."""
    existing = set(
        await session.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        )
    )
    names = [
        t.name
        for t in Base.metadata.sorted_tables
        if t.name in existing and t.name not in REFERENCE_TABLES and not t.info.get("reference")
    ]
    await session.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))


def _quotas(total: int, n: int, rng: random.Random) -> list[int]:
    weights = [rng.uniform(0.6, 1.4) for _ in range(n)]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    quotas = [int(x) for x in raw]
    by_remainder = sorted(range(n), key=lambda i: raw[i] - quotas[i], reverse=True)
    for i in by_remainder[: total - sum(quotas)]:
        quotas[i] += 1
    return quotas


def _advance(demo: DemoContext, task: Any, amount: float = 1) -> None:
    if demo.progress is not None and task is not None:
        demo.progress.advance(task, amount)


def _task(demo: DemoContext, label: str, total: float) -> Any:
    return None if demo.progress is None else demo.progress.add_task(label, total=total)


async def load_demo(
    session: AsyncSession,
    *,
    persons: int = 20_000,
    seed: int = 1,
    password: str,
    pm: Any = None,
    progress: Any = None,
    today: date | None = None,
    events: int | None = None,
    counties: int = 0,
    county_grids: int | None = None,
) -> DemoSummary:
    """Write the demo into an empty database (the caller owns the transaction). ``events``:
    the year of event history before ``today`` (default 30,000; 0: none). ``counties``:
    further synthetic counties beside Xuzhou (core.demo.counties), of ``county_grids``
    grids each (default: as many as Xuzhou), each with ``persons`` residents and
    ``events`` events too. Plugins' demo data is Xuzhou's."""
    if await demo_present(session):
        raise Conflict("the database already holds regions; use --replace to load anew")
    today = today or date(2026, 6, 30)
    copier = Copier(session)
    totals: list[DemoSummary] = []
    reference: DemoContext | None = None
    used_id_numbers: set[str] = set()
    try:
        for k, county in enumerate(plan(counties, county_grids)):
            demo = await _county_context(
                session, county, seed + 7919 * k, persons, today, progress, used_id_numbers
            )
            reference = reference or demo
            totals.append(await _load_county(copier, demo, county, password, events))
        if counties:
            await _city_command(copier, password)
        for table in ID_TABLES:
            await copier.sync_identity(table)
        await session.execute(
            text("UPDATE authz_version SET version = version + 1, changed_at = now()")
        )
    finally:
        await copier.close()
    # Fresh statistics, or the planner guesses on tables it has never seen filled (on
    # Citus, the workers' autovacuum analyses the shards: ANALYZE cannot run here).
    if not await citus_present(await session.connection()):
        await session.execute(
            text(
                "ANALYZE region, grid, account, place, household, person, "
                "person_special_group, thing, organization, event, event_trace"
            )
        )
    if pm is not None:
        await call_async(pm.hook.gridgov_demo_load, session=session, demo=reference)
    return DemoSummary(
        *(sum(getattr(t, f.name) for t in totals) for f in dataclasses.fields(DemoSummary))
    )


#: tables whose ids the loader writes itself
ID_TABLES = (
    "department_grant",
    "account",
    "grid",
    "place",
    "household",
    "person",
    "thing",
    "organization",
    "event",
    "event_trace",
)


async def _city_command(copier: Copier, password: str) -> None:
    """The city's command centre: every county of the city, none of its own."""
    next_id = await copier.session.scalar(text("SELECT max(id) + 1 FROM account"))
    await copier.copy(
        "account",
        ("id", "username", "name", "password_hash", "role", "tenancy"),
        [
            (
                next_id,
                f"command-{CITY_CODE}",
                "市指挥中心值班员",
                hash_password(password),
                "district_command",
                CITY_CODE,
            )
        ],
    )


async def _county_context(
    session: AsyncSession,
    county: County,
    seed: int,
    persons: int,
    today: date,
    progress: Any,
    used_id_numbers: set[str],
) -> DemoContext:
    partition = build_partition(
        county.boundary,
        seed=seed,
        urban_grids=county.urban_grids,
        rural_grids=county.rural_grids,
        streets=county.streets,
        towns=county.towns,
        seat=county.seat,
        county=county.code,
    )
    base = {
        table: int(await session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}")))
        for table in ID_TABLES
    }
    return DemoContext(
        seed=seed,
        persons=persons,
        today=today,
        partition=partition,
        progress=progress,
        county=county.code,
        county_name=county.name,
        reference=county.reference,
        base=base,
        used_id_numbers=used_id_numbers,
    )


async def _load_county(
    copier: Copier, demo: DemoContext, county: County, password: str, events: int | None
) -> DemoSummary:
    await _regions(copier, demo)
    departments = await _departments(copier, demo)
    accounts = await _accounts_and_grids(copier, demo, departments, password)
    counts = await _people(copier, demo)
    things = await _things(copier, demo)
    orgs = await _organizations(copier, demo)
    history = await load_history(
        copier,
        seed=demo.seed,
        today=demo.today,
        count=DEFAULT_EVENTS if events is None else events,
        progress=demo.progress,
        county=county.code,
        citizen_prefix="citizen" if county.reference else f"citizen-{county.code}",
    )
    p = demo.partition
    return DemoSummary(
        regions=1 + len(p.townships) + len(p.communities),
        grids=len(p.grids),
        departments=len(departments),
        accounts=accounts + history.citizens,
        persons=counts[2] - demo.first_id("person"),
        households=counts[1] - demo.first_id("household"),
        places=counts[0] - demo.first_id("place"),
        things=things,
        organizations=orgs,
        events=history.events,
        event_steps=history.steps,
    )


async def _regions(copier: Copier, demo: DemoContext) -> None:
    p = demo.partition
    district = demo.county + "000000"
    rows: list[tuple[Any, ...]] = [
        (
            district,
            demo.county,
            demo.county_name,
            "district",
            "district",
            None,
            ewkb([p.district])[0],
        )
    ]
    for t, g in zip(p.townships, ewkb([t.geometry for t in p.townships]), strict=True):
        rows.append((t.code, t.code[:9], t.name, "township", t.kind, district, g))
    for c, g in zip(p.communities, ewkb([c.geometry for c in p.communities]), strict=True):
        rows.append((c.code, c.code, c.name, "community", c.kind, c.township_code, g))
    await copier.copy(
        "region", ("code", "prefix", "name", "level", "kind", "parent_code", "geom"), rows
    )


async def _departments(copier: Copier, demo: DemoContext) -> list[str]:
    rows: list[tuple[Any, ...]] = []
    areas: list[tuple[Any, ...]] = []
    district = demo.county + "000000"
    phones = 4000000 + 200000 * int(not demo.reference) + demo.first_id("department_grant")
    for typ, name in DISTRICT_DEPARTMENTS:
        code = f"{demo.county}-{typ.upper().replace('_', '-')}"
        name = name.replace(DISTRICT_NAME, demo.county_name)
        rows.append((code, name, typ, district, f"0831-{phones + len(rows):07d}"))
        areas.append((code, demo.county))
    for t in demo.partition.townships:
        code = f"{t.code[:9]}-POLICE"
        rows.append(
            (
                code,
                f"{t.name}派出所",
                "police_station",
                t.code,
                f"0831-{phones + 100000 + len(rows):07d}",
            )
        )
        areas.append((code, t.code[:9]))
    await copier.copy("department", ("code", "name", "type", "region_code", "phone"), rows)
    await copier.copy("department_area", ("department_code", "area_code"), areas)
    grants: list[tuple[Any, ...]] = []
    for (code, _name, typ, _region, _phone), (_, area) in zip(rows, areas, strict=True):
        for category, action in DEPARTMENT_GRANTS.get(typ, ()):
            grant_id = demo.first_id("department_grant") + len(grants) + 1
            grants.append((grant_id, code, category, area, action, "demo default"))
    await copier.copy(
        "department_grant",
        ("id", "department_code", "category", "region_prefix", "action", "note"),
        grants,
    )
    await copier.copy("grant_event", ("grant_id", "change"), [(g[0], "granted") for g in grants])
    return [r[0] for r in rows]


async def _accounts_and_grids(
    copier: Copier, demo: DemoContext, departments: list[str], password: str
) -> int:
    rng = demo.rng("accounts")
    pw = hash_password(password)  # one hash for all demo accounts: argon2 is slow on purpose
    accounts: list[tuple[Any, ...]] = []

    def add(
        username: str,
        name: str,
        role: str,
        region: str | None,
        dept: str | None = None,
        phone: str | None = None,
        tenancy: str | None = None,
    ) -> int:
        account_id = demo.first_id("account") + len(accounts) + 1
        if tenancy is None:
            tenancy = county_of(region) or (demo.county if dept else "")
        accounts.append((account_id, username, name, pw, role, region, dept, phone, tenancy))
        return account_id

    district = demo.county + "000000"
    if demo.reference:
        add("admin", "系统管理员", "admin", None)
        add("command", "区指挥中心值班员", "district_command", district)
        add("citizen", "市民演示账号", "citizen", None)
    else:
        name = demo.county_name
        add(f"admin-{demo.county}", f"{name}系统管理员", "admin", None, tenancy=demo.county)
        add(f"command-{demo.county}", f"{name}指挥中心值班员", "district_command", district)
    for t in demo.partition.townships:
        add(f"ts-{t.code[:9]}", f"{t.name}网格办", "township_staff", t.code)
    for c in demo.partition.communities:
        add(f"cs-{c.code}", f"{c.name}工作人员", "community_staff", c.code)
    for d in departments:
        add(f"ds-{d.lower()}", f"{d}工作人员", "department_staff", None, d)
    profiles: list[tuple[Any, ...]] = []
    terms: list[tuple[Any, ...]] = []
    roles: list[tuple[Any, ...]] = []
    grids: list[tuple[Any, ...]] = []
    geoms = ewkb([g.geometry for g in demo.partition.grids])
    first_grid = demo.first_id("grid") + 1
    for i, (g, geom) in enumerate(zip(demo.partition.grids, geoms, strict=True), start=first_grid):
        worker = make_person(rng, today=demo.today)
        while not (25 <= (demo.today.year - worker.birth_date.year) <= 58) or not worker.phone:
            worker = make_person(rng, today=demo.today)
        wid = add(f"gw-{g.code}", worker.name, "grid_worker", g.community_code, None, worker.phone)
        demo.worker_ids[g.code] = wid
        demo.grid_ids[g.code] = i
        appointed = date(2019, 1, 1) + timedelta(days=rng.randint(0, 5 * 365))
        profiles.append((wid, f"GW{g.code}", "part_time", appointed))
        terms.append((g.code, wid, datetime.combine(appointed, time(9), UTC)))
        roles.extend((wid, r) for r in WORKER_ROLES)
        grids.append((i, g.code, g.name, g.kind, None, g.community_code, geom, wid))
    await copier.copy(
        "account",
        (
            "id",
            "username",
            "name",
            "password_hash",
            "role",
            "region_code",
            "department_code",
            "phone",
            "tenancy",
        ),
        accounts,
    )
    await copier.copy(
        "grid_worker_profile", ("account_id", "employee_no", "kind", "appointed_on"), profiles
    )
    await copier.copy("grid_worker_role", ("account_id", "role_code"), roles)
    await copier.copy(
        "grid",
        ("id", "code", "name", "kind", "special_type", "community_code", "geom", "worker_id"),
        grids,
    )
    await copier.copy("grid_worker_assignment", ("grid_code", "worker_id", "valid_from"), terms)
    return len(accounts)


async def _flush(copier: Copier, buf: Buffers) -> None:
    await copier.copy("place", PLACE_COLUMNS, buf.places)
    await copier.copy("household", HOUSEHOLD_COLUMNS, buf.households)
    await copier.copy("person", PERSON_COLUMNS, buf.persons)
    await copier.copy("person_special_group", GROUP_COLUMNS, buf.groups)
    buf.places.clear()
    buf.households.clear()
    buf.persons.clear()
    buf.groups.clear()


async def _people(copier: Copier, demo: DemoContext) -> tuple[int, int, int]:
    rng = demo.rng("people")
    grids = demo.partition.grids
    quotas = _quotas(demo.persons, len(grids), rng)
    ids = Ids(
        place=demo.first_id("place"),
        household=demo.first_id("household"),
        person=demo.first_id("person"),
    )
    gen_people = GridPeople(
        rng=rng,
        gen=np.random.default_rng(demo.seed),
        today=demo.today,
        ids=ids,
        used_id_numbers=demo.used_id_numbers,
        home_code=demo.county,
    )
    communities = {c.code: c for c in demo.partition.communities}
    buf = Buffers()
    task = _task(demo, "residents", demo.persons)
    for g, quota in zip(grids, quotas, strict=True):
        community = communities[g.community_code]
        place_name = (
            f"{community.name}{int(g.code[-3:])}组" if g.kind == "urban" else (f"{community.name}")
        )
        gen_people.generate(
            buf,
            grid=g,
            grid_id=demo.grid_ids[g.code],
            worker_id=demo.worker_ids[g.code],
            quota=quota,
            place_name=place_name,
        )
        _advance(demo, task, quota)
        if len(buf.persons) >= FLUSH_PERSONS:
            await _flush(copier, buf)
    await _flush(copier, buf)
    return ids.place, ids.household, ids.person


async def _things(copier: Copier, demo: DemoContext) -> int:
    rng = demo.rng("things")
    gen = np.random.default_rng(demo.seed + 1)
    rows: list[tuple[Any, ...]] = []
    task = _task(demo, "things", len(demo.partition.grids))
    for g in demo.partition.grids:
        specs = [
            (k, c, n)
            for k, c, n, urban, rural in THINGS
            for _ in range(rng.randint(0, 2 * (urban if g.kind == "urban" else rural)))
        ]
        pts = random_points(g.geometry, len(specs), gen)
        geoms = point_ewkb(pts[:, 0], pts[:, 1]) if specs else []
        cells = beidou.encode_many(pts[:, 0], pts[:, 1], 10) if specs else []
        for i, ((kind, category, name), geom, cell) in enumerate(
            zip(specs, geoms, cells, strict=True), 1
        ):
            status = rng.choices(("normal", "faulty", "offline"), (95, 3, 2))[0]
            rows.append(
                (
                    demo.first_id("thing") + len(rows) + 1,
                    kind,
                    category,
                    f"{name}{i:03d}",
                    f"{category}-{g.code}-{i:03d}",
                    status,
                    geom,
                    cell,
                    demo.grid_ids[g.code],
                    g.code,
                    demo.county,
                    *collected(rng, demo.today),
                    demo.worker_ids[g.code],
                )
            )
        _advance(demo, task)
    await copier.copy(
        "thing",
        (
            "id",
            "kind",
            "category",
            "name",
            "code",
            "status",
            *LOCATED,
        ),
        rows,
    )
    return len(rows)


async def _organizations(copier: Copier, demo: DemoContext) -> int:
    rng = demo.rng("organizations")
    gen = np.random.default_rng(demo.seed + 2)
    rows: list[tuple[Any, ...]] = []
    used: set[str] = set()

    def code(prefix2: str) -> str:
        while True:
            value = uscc(prefix2, demo.county, "".join(rng.choice(USCC_CHARS) for _ in range(9)))
            if value not in used:
                used.add(value)
                return value

    def add(
        kind: str,
        name: str,
        grid: Any,
        *,
        credit: str | None,
        rep: str | None,
        members: int | None,
        parent: int | None,
    ) -> int:
        pt = random_points(grid.geometry, 1, gen)[0]
        rows.append(
            (
                demo.first_id("organization") + len(rows) + 1,
                kind,
                name,
                credit,
                rep,
                make_person(rng, today=demo.today).phone or None,
                members,
                parent,
                point_ewkb(pt[:1], pt[1:])[0],
                beidou.encode(float(pt[0]), float(pt[1]), 10),
                demo.grid_ids[grid.code],
                grid.code,
                demo.county,
                *collected(rng, demo.today),
                demo.worker_ids[grid.code],
            )
        )
        return int(rows[-1][0])

    first_grid: dict[str, Any] = {}
    branches: dict[str, int] = {}  # a community's party branch
    for g in demo.partition.grids:
        first_grid.setdefault(g.community_code, g)
        first_grid.setdefault(g.community_code[:9] + "000", g)
    task = _task(demo, "organizations", len(demo.partition.grids))
    for t in demo.partition.townships:
        committee = add(
            "party_organization",
            f"中共{t.name}委员会",
            first_grid[t.code],
            credit=None,
            rep=None,
            members=rng.randint(300, 1500),
            parent=None,
        )
        for c in (c for c in demo.partition.communities if c.township_code == t.code):
            grid = first_grid[c.code]
            branches[c.code] = add(
                "party_organization",
                f"中共{c.name}支部委员会",
                grid,
                credit=None,
                rep=None,
                members=rng.randint(20, 120),
                parent=committee,
            )
            add(
                "social_organization",
                f"{c.name}{rng.choice(SOCIAL_ORGANIZATIONS)}",
                grid,
                credit=code("51"),
                rep=make_person(rng, today=demo.today).name,
                members=rng.randint(10, 200),
                parent=None,
            )
    for g in demo.partition.grids:
        for _ in range(rng.randint(3, 8) if g.kind == "urban" else rng.randint(0, 2)):
            boss = make_person(rng, today=demo.today)
            add(
                "enterprise",
                f"{demo.county_name}{boss.name[0]}{rng.choice('兴盛隆福丰和鑫源达华')}"
                f"{rng.choice(ENTERPRISE_TRADES)}",
                g,
                credit=code("91"),
                rep=boss.name,
                members=rng.randint(2, 300),
                parent=None,
            )
        _advance(demo, task)
    # The branch is built on the grid (支部建在网格上): a party group in each further grid of
    # a community, drawn with generators of their own so the rows above stay as they were.
    rng, gen = demo.rng("party_groups"), np.random.default_rng(demo.seed + 3)
    for g in demo.partition.grids:
        if first_grid[g.community_code] is g:
            continue
        add(
            "party_organization",
            f"{g.name}党小组",
            g,
            credit=None,
            rep=None,
            members=rng.randint(3, 15),
            parent=branches[g.community_code],
        )
    await copier.copy(
        "organization",
        (
            "id",
            "kind",
            "name",
            "uscc",
            "legal_representative",
            "phone",
            "member_count",
            "parent_id",
            *LOCATED,
        ),
        rows,
    )
    return len(rows)
