"""Demo data of the smart party building plugin (智慧党建) for Xuzhou (叙州区).

The tree: the district committee (中共宜宾市叙州区委员会), a committee (党委, 党工委) per
township and a branch (党支部) per community; a branch with 12 members or more has two
party groups (党小组), each on the grid where most of its members live (支部建在网格上).
About 4 % of the persons — adults, in the branch of their home community — are on the
rolls: most full members, a few probationary, and some applicants, activists and
candidates, every stage reached dated in order and consistent with their birth date.

For the year up to the demo's day: the meetings the rules require (三会一课, 主题党日; about
one in ten planned but not held) with attendance, monthly dues with a few months unpaid,
community registration (双报到), service projects and small wishes (微心愿) with the
points ledger, and grid helpers (党员中心户) with their visits.

Fast by design (it runs for every demo test and for benchmarks of 750,000 persons): the
members are drawn by one ordered SELECT, small tables are built in Python and written
with binary COPY, and the big ones (attendance, dues payments) by ``INSERT … SELECT``
whose draws are hashes of the row's ids under a seed of the demo — deterministic, with
no row travelling through Python.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.demo.bulk import Copier, bulk_load
from core.demo.context import DemoContext
from plugins.party_building.models import (
    Education,
    HelperActivityKind,
    MeetingKind,
    OrgKind,
    PointReason,
    Post,
    ServiceKind,
    ServiceStatus,
    Stage,
)
from plugins.party_building.rules import REQUIRED_PER_QUARTER

#: the share of the persons on the rolls
MEMBER_SHARE = 0.04
#: the stages drawn, with their shares (a person too young for theirs gets an earlier one)
STAGE_SHARES: tuple[tuple[Stage, float], ...] = (
    (Stage.FULL, 0.88),
    (Stage.PROBATIONARY, 0.06),
    (Stage.CANDIDATE, 0.02),
    (Stage.ACTIVIST, 0.02),
    (Stage.APPLICANT, 0.02),
)
#: days from each stage to the next (applicant → activist → candidate → probationary →
#: full): at least this, at most that (an activist is trained a year; the probation is a year)
STAGE_GAPS: tuple[tuple[int, int], ...] = ((90, 365), (365, 730), (90, 300), (365, 400))
PARTY_MEMBERS = frozenset({Stage.FULL, Stage.PROBATIONARY})
GROUP_THRESHOLD = 12  # a branch with this many party members or more has two groups
#: flowing members: of those under ``FLOWING_BEFORE`` years of age (about 5 % of all)
FLOWING_SHARE = 0.09
FLOWING_BEFORE = 60
FLOWING_TO = (
    "广东省深圳市",
    "广东省广州市",
    "浙江省杭州市",
    "江苏省苏州市",
    "上海市",
    "北京市",
    "重庆市",
    "四川省成都市",
    "福建省厦门市",
    "新疆维吾尔自治区乌鲁木齐市",
)
#: education by birth year: (born before, weights of Education in declaration order)
EDUCATION_BY_BIRTH: tuple[tuple[int, tuple[int, ...]], ...] = (
    (1960, (25, 35, 25, 10, 5, 0)),
    (1980, (3, 20, 30, 25, 19, 3)),
    (9999, (0, 3, 12, 25, 50, 10)),
)
DUES = (2, 3, 5, 8, 10, 12, 15, 20, 30, 50)  # monthly dues drawn (yuan)
UNPAID_PERMILLE = 50  # months left unpaid
HELD_SHARE = 0.9  # meetings held of those planned
REGISTERED_SHARE = 0.3  # party members registered with their home community (双报到)
HELPER_SHARE = 0.8  # grids where a party member lives with a grid helper
LECTURES = (
    "学习贯彻习近平新时代中国特色社会主义思想",
    "学习党章，做合格党员",
    "弘扬伟大建党精神",
    "基层治理中的党员先锋作用",
    "全面从严治党永远在路上",
)
THEME_DAYS = (
    "志愿服务进社区",
    "重温入党誓词",
    "清洁家园行动",
    "走访慰问困难群众",
    "政策宣讲进院坝",
    "红色教育基地参观学习",
)
PROJECTS = (
    ("关爱空巢老人志愿服务", "定期上门陪伴、打扫卫生、代购生活用品"),
    ("社区环境整治", "清理楼道杂物和卫生死角"),
    ("四点半课堂", "为放学后无人照看的孩子辅导功课"),
    ("文明交通劝导", "上下学高峰在路口劝导文明出行"),
    ("反诈宣传进小区", "入户讲解防范电信诈骗知识"),
    ("义务理发进院坝", "为行动不便的老人免费理发"),
)
WISHES = (
    "想要一台收音机",
    "希望有人帮忙修理漏水的水龙头",
    "给孙子买一套课外读物",
    "更换家里损坏的灯泡",
    "希望有人陪同去医院复查",
    "想要一副老花镜",
    "轮椅需要维修",
    "希望学会用智能手机视频通话",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = "秀英华明芳建国红兰玉珍志强丽军平云春"
VISIT_NOTES = (
    "走访联系户，了解生活近况",
    "上门宣传政策，收集意见建议",
    "看望独居老人，身体状况良好",
    "协助联系户办理社保认证",
    "调解邻里小纠纷",
)
TABLES = (
    "party_organization",
    "party_member",
    "party_member_step",
    "party_committee_term",
    "party_committee_seat",
    "party_meeting",
    "party_meeting_attendance",
    "party_dues_rate",
    "party_dues_payment",
    "party_registration",
    "party_service_item",
    "party_service_signup",
    "party_point_entry",
    "party_grid_helper",
    "party_helper_activity",
)
#: the tables whose ids the demo writes itself (their identity is moved past them)
IDENTITY_TABLES = (
    "party_organization",
    "party_member",
    "party_committee_term",
    "party_meeting",
    "party_registration",
    "party_service_item",
    "party_service_signup",
    "party_point_entry",
    "party_grid_helper",
    "party_helper_activity",
)
STEPS = 11  # of the progress task
TRANSFER_SHARE = 0.02  # of party members, received from another branch of the township
POSITIVE = 2**63 - 1  # a hash AND this: a draw of 0 … 2⁶³ − 1


@dataclass
class Org:
    id: int
    code: str
    name: str
    kind: OrgKind
    parent: Org | None
    area: str
    established_on: date
    #: a venue name for meetings
    place: str = ""

    @property
    def path(self) -> str:
        return (self.parent.path if self.parent else "/") + f"{self.id}/"


@dataclass
class Member:
    id: int
    person_id: int
    grid: str  # the person's region code (a grid code)
    community: str
    stage: Stage
    dates: list[date]  # the date of each stage reached, in order
    education: Education
    flowing_to: str | None
    org: Org | None = None

    @property
    def party(self) -> bool:
        return self.stage in PARTY_MEMBERS

    @property
    def joined(self) -> date:
        """入党: the day the member became probationary (party members only)."""
        return self.dates[STAGES.index(Stage.PROBATIONARY)]


STAGES: tuple[Stage, ...] = tuple(Stage)


@dataclass
class Ids:
    """The next id of each table, past what the database holds."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class Tree:
    district: Org
    townships: list[Org]
    branches: dict[str, Org]  # by community prefix
    groups: list[Org] = field(default_factory=list)

    def all(self) -> list[Org]:
        return [self.district, *self.townships, *self.branches.values(), *self.groups]


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def month_start(day: date, months: int = 0) -> date:
    """The first of ``day``'s month, ``months`` later (or earlier)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def at_noon(day: date) -> datetime:
    """A moment on a local day (noon in China is 04:00 UTC)."""
    return datetime.combine(day, time(4), tzinfo=UTC)


def points_for(hours: Decimal, per_hour: int) -> int:
    """Points of a signup's hours: hours × points per hour, rounded half up."""
    return int((hours * per_hour).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def seed_of(demo: DemoContext) -> int:
    """The seed of the SQL draws (hashes of the rows' ids)."""
    return demo.rng("party_building:sql").getrandbits(62)


class Loader:
    """One demo load: the ids, the generators, the progress task and the COPY writer."""

    def __init__(self, session: AsyncSession, demo: DemoContext) -> None:
        self.session, self.demo, self.today = session, demo, demo.today
        self.copier = Copier(session)
        self.ids = Ids()
        self.task = (
            demo.progress.add_task("party building", total=STEPS)
            if demo.progress is not None
            else None
        )

    def rng(self, purpose: str) -> random.Random:
        return self.demo.rng(f"party_building:{purpose}")

    def advance(self) -> None:
        if self.task is not None:
            self.demo.progress.advance(self.task)

    async def rows(self, sql: str, **params: Any) -> Sequence[Any]:
        return (await self.session.execute(text(sql), params)).all()

    async def run(self, sql: str, **params: Any) -> None:
        await self.session.execute(text(sql), params)

    async def copy(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        await self.copier.copy(table, columns, rows)

    async def start_ids(self) -> None:
        for table in IDENTITY_TABLES:
            top = await self.session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}"))
            self.ids.next[table] = int(top or 0) + 1


async def load_demo(session: AsyncSession, demo: DemoContext) -> None:
    """Write the plugin's demo into the demo's transaction (after the core data)."""
    loader = Loader(session, demo)
    try:
        await loader.start_ids()
        async with bulk_load(session, TABLES):
            tree = await _regions_tree(loader)
            members = await _members(loader, tree)
            await _write_tree(loader, tree, members)
            await _committees(loader, tree, members)
            await _meetings(loader, tree)
            await _dues(loader, members)
            registered = await _registrations(loader, members)
            await _service(loader, tree, members, registered)
            await _helpers(loader, members)
        await _staff_and_transfers(loader, tree, members)
        for table in IDENTITY_TABLES:
            await loader.copier.sync_identity(table)
    finally:
        await loader.copier.close()
    await session.execute(text(f"ANALYZE {', '.join(TABLES)}"))
    loader.advance()


# --- the organizations -------------------------------------------------------------------


def _founded(rng: random.Random, first: int, last: int) -> date:
    return date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))


async def _regions_tree(loader: Loader) -> Tree:
    """The district committee, a committee per township and a branch per community."""
    rng = loader.rng("organizations")
    regions = await loader.rows(
        "SELECT code, prefix, name, level, parent_code FROM region ORDER BY code"
    )
    district_row = next(r for r in regions if r.level == "district")
    district = Org(
        loader.ids.take("party_organization"),
        f"D{district_row.prefix}",
        "中共宜宾市叙州区委员会",
        OrgKind.COMMITTEE,
        None,
        district_row.prefix,
        date(1950, 3, 1),
        "区委党校",
    )
    townships: dict[str, Org] = {}
    for r in (r for r in regions if r.level == "township"):
        suffix = "工作委员会" if r.name.endswith("街道") else "委员会"
        townships[r.code] = Org(
            loader.ids.take("party_organization"),
            f"T{r.prefix}",
            f"中共叙州区{r.name}{suffix}",
            OrgKind.COMMITTEE,
            district,
            r.prefix,
            _founded(rng, 1978, 1995),
            f"{r.name}党群服务中心",
        )
    branches: dict[str, Org] = {}
    for r in (r for r in regions if r.level == "community"):
        parent = townships[r.parent_code]
        branches[r.prefix] = Org(
            loader.ids.take("party_organization"),
            f"B{r.prefix}",
            f"中共{parent.place.removesuffix('党群服务中心')}{r.name}支部委员会",
            OrgKind.BRANCH,
            parent,
            r.prefix,
            _founded(rng, 1996, 2018),
            f"{r.name}党群服务中心",
        )
    loader.advance()
    return Tree(district, list(townships.values()), branches)


async def _write_tree(loader: Loader, tree: Tree, members: list[Member]) -> None:
    """The organizations (the groups decided by the members), then the members and the
    date of every stage they reached."""
    _groups(loader, tree, members)
    await loader.copy(
        "party_organization",
        ("id", "code", "name", "kind", "parent_id", "path", "area_code", "established_on"),
        [
            (
                o.id,
                o.code,
                o.name,
                o.kind.value,
                o.parent.id if o.parent else None,
                o.path,
                o.area,
                o.established_on,
            )
            for o in tree.all()
        ],
    )
    await loader.copy(
        "party_member",
        (
            "id",
            "person_id",
            "organization_id",
            "stage",
            "stage_on",
            "education",
            "flowing",
            "flowing_to",
        ),
        [
            (
                m.id,
                m.person_id,
                _org_of(m).id,
                m.stage.value,
                m.dates[-1],
                m.education.value,
                m.flowing_to is not None,
                m.flowing_to,
            )
            for m in members
        ],
    )
    await loader.copy(
        "party_member_step",
        ("member_id", "stage", "reached_on"),
        [(m.id, s.value, d) for m in members for s, d in zip(STAGES, m.dates, strict=False)],
    )
    loader.advance()


def _org_of(m: Member) -> Org:
    if m.org is None:
        raise RuntimeError(f"member {m.id} was given no organization")
    return m.org


def _groups(loader: Loader, tree: Tree, members: list[Member]) -> None:
    """Two groups in a branch of ``GROUP_THRESHOLD`` party members or more: its party
    members by home grid split in halves, each group on the grid most of its own live in
    (applicants, activists and candidates stay with the branch)."""
    by_branch: dict[str, list[Member]] = defaultdict(list)
    for m in members:
        m.org = tree.branches[m.community]
        if m.party:
            by_branch[m.community].append(m)
    for community, party in sorted(by_branch.items()):
        if len(party) < GROUP_THRESHOLD:
            continue
        branch = tree.branches[community]
        party.sort(key=lambda m: (m.grid, m.person_id))
        half = len(party) // 2
        for n, share in enumerate((party[:half], party[half:]), start=1):
            grid = Counter(m.grid for m in share).most_common(1)[0][0]
            group = Org(
                loader.ids.take("party_organization"),
                f"G{community}{n}",
                f"{branch.place.removesuffix('党群服务中心')}第{'一二'[n - 1]}党小组",
                OrgKind.GROUP,
                branch,
                grid,
                years_after(branch.established_on, 1),
                branch.place,
            )
            tree.groups.append(group)
            for m in share:
                m.org = group


# --- the members -------------------------------------------------------------------------

MEMBERS_SQL = """
SELECT p.id, p.region_code, p.birth_date, c.prefix AS community
FROM person p
JOIN region c ON c.level = 'community' AND c.prefix = left(p.region_code, 12)
WHERE p.birth_date <= :adult
  AND NOT EXISTS (SELECT FROM party_member m WHERE m.person_id = p.id)
ORDER BY hashint8extended(p.id, :seed), p.id
LIMIT (SELECT CAST(round(count(*) * CAST(:share AS numeric)) AS bigint) FROM person)
"""


async def _members(loader: Loader, tree: Tree) -> list[Member]:
    """About 4 % of the persons, adults living in a community, drawn by a hash of their id
    (one ordered SELECT, whatever the population); their stages, education and flowing."""
    rng = loader.rng("members")
    today = loader.today
    rows = await loader.rows(
        MEMBERS_SQL,
        adult=years_after(today, -18),
        seed=seed_of(loader.demo),
        share=MEMBER_SHARE,
    )
    out: list[Member] = []
    for row in sorted(rows, key=lambda r: r.id):
        if row.community not in tree.branches:
            continue
        stage, dates = _stages(rng, row.birth_date, today)
        party = stage in PARTY_MEMBERS
        out.append(
            Member(
                loader.ids.take("party_member"),
                row.id,
                row.region_code,
                row.community,
                stage,
                dates,
                _education(rng, row.birth_date),
                _flowing(rng, party, row.birth_date, today),
            )
        )
    loader.advance()
    return out


def _flowing(rng: random.Random, party: bool, birth: date, today: date) -> str | None:
    """Where a party member of working age lives or works away, for a few of them."""
    young = years_after(birth, FLOWING_BEFORE) > today
    if party and young and rng.random() < FLOWING_SHARE:
        return rng.choice(FLOWING_TO)
    return None


def _draw_stage(rng: random.Random) -> int:
    u, total = rng.random(), 0.0
    for stage, share in STAGE_SHARES:
        total += share
        if u < total:
            return STAGES.index(stage)
    return STAGES.index(Stage.FULL)


def _stages(rng: random.Random, birth: date, today: date) -> tuple[Stage, list[date]]:
    """A stage and the date of every stage up to it: applying at 18 or later, each step
    after its gap, the current stage not yet overdue for the next (a full member's
    application drawn over their adult life, young more often than old)."""
    gaps = [rng.randint(low, high) for low, high in STAGE_GAPS]
    span = (today - years_after(birth, 18)).days
    index = _draw_stage(rng)
    while sum(gaps[:index]) > span:  # too young for it
        index -= 1
    chain = sum(gaps[:index])
    if index == len(STAGES) - 1:
        applied = today - timedelta(days=span - int((span - chain) * rng.random() ** 2))
    else:
        recent = rng.randint(0, min(gaps[index] - 1, span - chain))
        applied = today - timedelta(days=recent + chain)
    dates = [applied]
    for gap in gaps[:index]:
        dates.append(dates[-1] + timedelta(days=gap))
    return STAGES[index], dates


def _education(rng: random.Random, birth: date) -> Education:
    weights = next(w for before, w in EDUCATION_BY_BIRTH if birth.year < before)
    return rng.choices(list(Education), weights=weights)[0]


# --- committees ----------------------------------------------------------------------------


async def _committees(loader: Loader, tree: Tree, members: list[Member]) -> None:
    """A current committee term per branch with full members at home (not flowing): a
    secretary, a deputy when it has three, and one to three committee members when five."""
    rng = loader.rng("committees")
    full: dict[str, list[Member]] = defaultdict(list)
    for m in members:
        if m.stage is Stage.FULL and m.flowing_to is None:
            full[m.community].append(m)
    terms: list[tuple[Any, ...]] = []
    seats: list[tuple[Any, ...]] = []
    for community, branch in tree.branches.items():
        pool = full.get(community, [])
        if not pool:
            continue
        chosen = rng.sample(pool, min(len(pool), 2 + rng.randint(1, 3)))
        posts = [Post.SECRETARY]
        if len(pool) >= 3:
            posts.append(Post.DEPUTY_SECRETARY)
        if len(pool) >= 5:
            posts += [Post.MEMBER] * (len(chosen) - 2)
        chosen = chosen[: len(posts)]
        latest = max(m.dates[-1] for m in chosen) + timedelta(days=1)
        starts = min(loader.today, max(latest, loader.today - timedelta(rng.randint(60, 1700))))
        term = loader.ids.take("party_committee_term")
        terms.append((term, branch.id, starts))
        seats += [(term, m.id, p.value) for m, p in zip(chosen, posts, strict=True)]
    await loader.copy("party_committee_term", ("id", "organization_id", "starts_on"), terms)
    await loader.copy("party_committee_seat", ("term_id", "member_id", "post"), seats)
    loader.advance()


# --- meetings ------------------------------------------------------------------------------


def _window(today: date) -> list[date]:
    """The first days of the twelve months up to ``today``'s."""
    return [month_start(today, -k) for k in range(11, -1, -1)]


def _title(kind: MeetingKind, day: date, rng: random.Random) -> str:
    quarter = (day.month - 1) // 3 + 1
    match kind:
        case MeetingKind.GENERAL_ASSEMBLY:
            return f"{day.year}年第{quarter}季度支部党员大会"
        case MeetingKind.COMMITTEE:
            return f"{day.year}年{day.month}月支部委员会会议"
        case MeetingKind.LECTURE:
            return f"专题党课：{rng.choice(LECTURES)}"
        case MeetingKind.THEME_DAY:
            return f"{day.month}月主题党日：{rng.choice(THEME_DAYS)}"
        case _:
            return f"{day.year}年{day.month}月党小组会"


def _planned(rng: random.Random, kind: OrgKind, today: date) -> list[tuple[MeetingKind, date]]:
    """The meetings the rules ask of an organization over the year up to ``today``: those
    required monthly (three a quarter) every month, the others in a month of their
    quarter; none planned after ``today``."""
    months = _window(today)
    out: list[tuple[MeetingKind, date]] = []
    for meeting, per_quarter in REQUIRED_PER_QUARTER.get(kind, {}).items():
        if per_quarter >= 3:
            chosen = months
        else:
            quarters = sorted({month_start(m, -((m.month - 1) % 3)) for m in months})
            chosen = [
                month_start(q, rng.randrange(3)) for q in quarters for _ in range(per_quarter)
            ]
        for month in chosen:
            day = month + timedelta(days=rng.randint(0, 27))
            if months[0] <= day <= today:
                out.append((meeting, day))
    return sorted(out, key=lambda m: m[1])


async def _meetings(loader: Loader, tree: Tree) -> None:
    """A year of meetings per branch and group (about nine in ten held, the others still
    planned), then the attendance of the held ones in one statement."""
    rng = loader.rng("meetings")
    today = loader.today
    first = loader.ids.next["party_meeting"]
    rows: list[tuple[Any, ...]] = []
    for org in [*tree.branches.values(), *tree.groups]:
        for kind, day in _planned(rng, org.kind, today):
            held = rng.random() < HELD_SHARE
            held_on = min(today, day + timedelta(days=rng.randint(0, 2))) if held else None
            rows.append(
                (
                    loader.ids.take("party_meeting"),
                    org.id,
                    kind.value,
                    _title(kind, day, rng),
                    day,
                    held_on,
                    org.place,
                    "会议按议程进行，与会党员围绕主题发言讨论，形成会议记录。" if held else None,
                )
            )
    await loader.copy(
        "party_meeting",
        (
            "id",
            "organization_id",
            "kind",
            "title",
            "planned_on",
            "held_on",
            "venue",
            "minutes",
        ),
        rows,
    )
    # statistics of the fresh rows, or the planner loops over them row by row
    await loader.run(f"ANALYZE {', '.join(TABLES[:6])}")
    await loader.run(
        ATTENDANCE_SQL,
        first=first,
        last=loader.ids.next["party_meeting"] - 1,
        seed=seed_of(loader.demo),
        positive=POSITIVE,
    )
    loader.advance()


#: Who is expected at a held meeting: a committee meeting, the seats of the current term;
#: the others, the party members of the organization and of its groups who had joined by
#: then. Most are present; a flowing member is mostly excused.
ATTENDANCE_SQL = """
WITH held AS (
    SELECT id, organization_id, kind, held_on FROM party_meeting
    WHERE id BETWEEN :first AND :last AND held_on IS NOT NULL
), home AS (
    SELECT m.id AS member_id, m.organization_id FROM party_member m
    WHERE m.stage IN ('full', 'probationary') AND m.status = 'active'
    UNION ALL
    SELECT m.id, o.parent_id FROM party_member m
    JOIN party_organization o ON o.id = m.organization_id
    WHERE o.kind = 'group' AND m.stage IN ('full', 'probationary') AND m.status = 'active'
), expected AS (
    SELECT h.id AS meeting_id, home.member_id, h.held_on FROM held h
    JOIN home ON home.organization_id = h.organization_id
    WHERE h.kind <> 'committee'
    UNION ALL
    SELECT h.id, s.member_id, h.held_on FROM held h
    JOIN party_committee_term t ON t.organization_id = h.organization_id AND t.ends_on IS NULL
    JOIN party_committee_seat s ON s.term_id = t.id
    WHERE h.kind = 'committee' AND t.starts_on <= h.held_on
), drawn AS (
    SELECT e.meeting_id, e.member_id, m.flowing,
           (hashint8extended(e.meeting_id * 4294967296 + e.member_id, :seed) & :positive)
               % 1000 AS u
    FROM expected e
    JOIN party_member m ON m.id = e.member_id
    JOIN party_member_step s ON s.member_id = e.member_id AND s.stage = 'probationary'
    WHERE s.reached_on <= e.held_on
)
INSERT INTO party_meeting_attendance (meeting_id, member_id, status)
SELECT meeting_id, member_id,
       CASE WHEN u < CASE WHEN flowing THEN 150 ELSE 930 END THEN 'present'
            WHEN u < CASE WHEN flowing THEN 900 ELSE 970 END THEN 'excused'
            ELSE 'absent' END
FROM drawn
ORDER BY meeting_id, member_id
"""


# --- dues ----------------------------------------------------------------------------------


async def _dues(loader: Loader, members: list[Member]) -> None:
    """A monthly rate per party member from twelve months ago (or from the month after
    they joined), and a payment in each month since, about one month in twenty unpaid
    (the payments in one statement)."""
    rng = loader.rng("dues")
    first = _window(loader.today)[0]
    rates = [
        (m.id, max(first, month_start(m.joined, 1)), Decimal(rng.choice(DUES)))
        for m in members
        if m.party
    ]
    await loader.copy("party_dues_rate", ("member_id", "from_month", "amount"), rates)
    await loader.run(
        PAYMENTS_SQL,
        first=min((r[0] for r in rates), default=0),
        last=max((r[0] for r in rates), default=-1),
        today=loader.today,
        unpaid=UNPAID_PERMILLE,
        seed=seed_of(loader.demo),
        positive=POSITIVE,
    )
    loader.advance()


PAYMENTS_SQL = """
WITH months AS (
    SELECT r.member_id, r.amount, CAST(mo AS date) AS month,
           hashint8extended(r.member_id * 100000 + (CAST(mo AS date) - DATE '2000-01-01'), :seed)
               & :positive AS h
    FROM party_dues_rate r
    CROSS JOIN LATERAL generate_series(r.from_month, CAST(:today AS date), interval '1 month') mo
    WHERE r.member_id BETWEEN :first AND :last
)
INSERT INTO party_dues_payment (member_id, month, amount, paid_on)
SELECT member_id, month, amount, month + CAST(h / 1000 % 25 AS int)
FROM months
WHERE h % 1000 >= :unpaid AND month + CAST(h / 1000 % 25 AS int) <= :today
"""


# --- registration and service --------------------------------------------------------------


async def _registrations(loader: Loader, members: list[Member]) -> dict[str, list[Member]]:
    """About three in ten party members registered with their home community (双报到),
    some time after joining; answers the registered members of each community."""
    rng = loader.rng("registrations")
    today = loader.today
    rows: list[tuple[Any, ...]] = []
    registered: dict[str, list[Member]] = defaultdict(list)
    for m in members:
        if not m.party or m.flowing_to is not None or rng.random() >= REGISTERED_SHARE:
            continue
        since = max(m.joined, today - timedelta(days=rng.randint(30, 1500)))
        rows.append((loader.ids.take("party_registration"), m.id, m.community, since))
        registered[m.community].append(m)
    await loader.copy(
        "party_registration", ("id", "member_id", "community_code", "registered_on"), rows
    )
    loader.advance()
    return registered


@dataclass
class Service:
    """The rows of the service tables, built community by community."""

    items: list[tuple[Any, ...]] = field(default_factory=list)
    signups: list[tuple[Any, ...]] = field(default_factory=list)
    entries: list[tuple[Any, ...]] = field(default_factory=list)


async def _service(
    loader: Loader, tree: Tree, members: list[Member], registered: dict[str, list[Member]]
) -> None:
    """One to three projects and wishes per community: the community's party members (its
    registered ones first) sign up and serve, or claim wishes and make them true; every
    hour served and wish made true earns its points in the ledger."""
    rng = loader.rng("service")
    local: dict[str, list[Member]] = defaultdict(list)
    for m in members:
        if m.party and m.flowing_to is None:
            local[m.community].append(m)
    out = Service()
    for community in tree.branches:
        pool = registered.get(community, []) or local.get(community, [])
        for _ in range(rng.randint(1, 3)):
            _project(loader, rng, out, community, pool)
        for _ in range(rng.randint(1, 3)):
            _wish(loader, rng, out, community, pool)
    await loader.copy(
        "party_service_item",
        (
            "id",
            "community_code",
            "kind",
            "title",
            "description",
            "wisher",
            "points",
            "status",
            "published_at",
            "claimed_by",
            "claimed_at",
            "done_at",
        ),
        out.items,
    )
    await loader.copy(
        "party_service_signup",
        ("id", "item_id", "member_id", "signed_at", "served_on", "hours"),
        out.signups,
    )
    await loader.copy(
        "party_point_entry",
        ("id", "member_id", "points", "reason", "source", "item_id", "hours", "created_at"),
        out.entries,
    )
    loader.advance()


def _project(
    loader: Loader, rng: random.Random, out: Service, community: str, pool: list[Member]
) -> None:
    today = loader.today
    item = loader.ids.take("party_service_item")
    published = today - timedelta(days=rng.randint(10, 360))
    per_hour = rng.randint(2, 5)
    title, description = rng.choice(PROJECTS)
    served_any = False
    for m in rng.sample(pool, min(len(pool), rng.randint(2, 8))):
        signed = published + timedelta(days=rng.randint(0, 5))
        served = signed + timedelta(days=rng.randint(1, 20))
        signup = loader.ids.take("party_service_signup")
        if served > today:
            out.signups.append((signup, item, m.id, at_noon(signed), None, None))
            continue
        hours = Decimal(rng.choice((2, 3, 4, 5, 6, 8))) / 2
        served_any = True
        out.signups.append((signup, item, m.id, at_noon(signed), served, hours))
        out.entries.append(
            (
                loader.ids.take("party_point_entry"),
                m.id,
                points_for(hours, per_hour),
                PointReason.SERVICE_HOURS.value,
                f"signup:{signup}",
                item,
                hours,
                at_noon(served),
            )
        )
    done = served_any and published < today - timedelta(days=60)
    status = ServiceStatus.DONE if done else ServiceStatus.OPEN
    out.items.append(
        (
            item,
            community,
            ServiceKind.PROJECT.value,
            title,
            description,
            None,
            per_hour,
            status.value,
            at_noon(published),
            None,
            None,
            at_noon(published + timedelta(days=60)) if done else None,
        )
    )


def _wish(
    loader: Loader, rng: random.Random, out: Service, community: str, pool: list[Member]
) -> None:
    today = loader.today
    item = loader.ids.take("party_service_item")
    published = today - timedelta(days=rng.randint(5, 360))
    points = rng.randint(5, 20)
    wisher = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))
    status, member, claimed, done = ServiceStatus.OPEN, None, None, None
    u = rng.random()
    if pool and u < 0.75:
        member = rng.choice(pool)
        claimed = min(today, published + timedelta(days=rng.randint(1, 10)))
        status = ServiceStatus.CLAIMED
        finished = claimed + timedelta(days=rng.randint(1, 20))
        if u < 0.6 and finished <= today:
            status, done = ServiceStatus.DONE, finished
            out.entries.append(
                (
                    loader.ids.take("party_point_entry"),
                    member.id,
                    points,
                    PointReason.WISH_DONE.value,
                    f"wish:{item}",
                    item,
                    None,
                    at_noon(done),
                )
            )
    out.items.append(
        (
            item,
            community,
            ServiceKind.WISH.value,
            rng.choice(WISHES),
            None,
            wisher,
            points,
            status.value,
            at_noon(published),
            member.id if member else None,
            at_noon(claimed) if claimed else None,
            at_noon(done) if done else None,
        )
    )


# --- grid helpers --------------------------------------------------------------------------


async def _helpers(loader: Loader, members: list[Member]) -> None:
    """A grid helper (党员中心户) in most grids where a full member lives (not flowing),
    with a few visits each over the last year."""
    rng = loader.rng("helpers")
    today = loader.today
    grids = {r.code for r in await loader.rows("SELECT code FROM grid WHERE valid_to IS NULL")}
    living: dict[str, list[Member]] = defaultdict(list)
    for m in members:
        if m.stage is Stage.FULL and m.flowing_to is None and m.grid in grids:
            living[m.grid].append(m)
    helpers: list[tuple[Any, ...]] = []
    visits: list[tuple[Any, ...]] = []
    for grid, pool in sorted(living.items()):
        if rng.random() >= HELPER_SHARE:
            continue
        m = rng.choice(pool)
        since = max(m.dates[-1], today - timedelta(days=rng.randint(30, 1000)))
        helper = loader.ids.take("party_grid_helper")
        helpers.append((helper, m.id, grid, rng.randint(5, 20), since))
        first = max(since, today - timedelta(days=364))
        for _ in range(rng.randint(2, 6)):
            day = first + timedelta(days=rng.randint(0, (today - first).days))
            visits.append(
                (
                    loader.ids.take("party_helper_activity"),
                    helper,
                    HelperActivityKind.VISIT.value,
                    day,
                    rng.choice(VISIT_NOTES),
                )
            )
    await loader.copy(
        "party_grid_helper", ("id", "member_id", "grid_code", "households", "since"), helpers
    )
    await loader.copy(
        "party_helper_activity", ("id", "helper_id", "kind", "occurred_on", "note"), visits
    )
    loader.advance()


async def _staff_and_transfers(loader: Loader, tree: Tree, members: list[Member]) -> None:
    """Each community's staff account runs its community's branch (they read its members
    whole, audited); and about 2 % of the party members (at least one) came to their
    branch by a relation transfer from another branch of the township in the last year
    (转出 and 转入 a week or two apart), so the transfer history has something to show."""
    await loader.run(
        "INSERT INTO party_staff (account_id, organization_id) "
        "SELECT a.id, o.id FROM party_organization o "
        "JOIN account a ON a.username = 'cs-' || o.area_code WHERE o.kind = 'branch'"
    )
    rng = loader.rng("transfers")
    today = loader.today
    by_township: dict[str, list[Org]] = defaultdict(list)
    for branch in tree.branches.values():
        by_township[branch.area[:9]].append(branch)
    eligible = [
        m
        for m in members
        if m.party
        and m.flowing_to is None
        and m.dates[-1] <= today - timedelta(days=60)
        and len(by_township[_org_of(m).area[:9]]) > 1
    ]
    chosen = [m for m in eligible if rng.random() < TRANSFER_SHARE] or eligible[:1]
    rows = []
    for m in chosen:
        home = _org_of(m)
        here = home if home.kind is OrgKind.BRANCH else home.parent
        origin = rng.choice([b for b in by_township[home.area[:9]] if b is not here])
        first = max(m.dates[-1], today - timedelta(days=365))
        out_on = first + timedelta(days=rng.randint(0, (today - first).days - 30))
        in_on = out_on + timedelta(days=rng.randint(3, 20))
        rows.append(
            {"m": m.id, "f": origin.id, "t": home.id, "o": out_on, "i": in_on, "at": at_noon(in_on)}
        )
    if rows:
        await loader.session.execute(
            text(
                "INSERT INTO party_transfer (member_id, from_organization_id, "
                "to_organization_id, status, out_on, in_on, note, created_at, decided_at) "
                "VALUES (:m, :f, :t, 'completed', :o, :i, '工作调动', :at, :at)"
            ),
            rows,
        )
    loader.advance()
