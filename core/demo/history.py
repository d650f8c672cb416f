"""A year of event history for the demo: events in every category over the 12 months
before the demo's day, with their traces.

Each event lies at a random point of a grid (grids weighted by population) and lives
through steps the event loop's own rules allow (``core.services.event_rules``): the grid's
worker accepts and handles it, or escalates it level by level; a township or the command
centre handles it or dispatches it to a department that takes the category and serves the
area, which may send it back; the result is verified on site (sometimes failing), the event
closed and, by a citizen reporter, rated; higher levels issue supervision cards. The life is
planned whole, timed against the category's deadline, and cut at the demo's day: old events
are mostly closed (most on time, some still open and overdue), recent ones in every status.

Seasons: flood and geological hazards peak in the rainy season (June–September), disputes
around the Spring Festival, city issues rise a little in summer.

:func:`generate` is pure (the same inputs and seed, the same rows); :func:`load_history`
reads its inputs from the demo just written and COPYs the rows.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.codes import beidou
from core.demo.bulk import Copier, point_ewkb
from core.demo.people import make_person
from core.demo.population import DEMO_TZ, LOCATED, random_points, time_code
from core.services.event_rules import (
    LEVEL_ROLE,
    LEVEL_UP,
    TRANSITIONS,
    region_of_level,
    status_after,
)
from core.services.locating import BEIDOU_LEVEL

DEFAULT_EVENTS = 30_000
DAYS = 365
STUCK = 0.065  # share of events left unfinished (open, and overdue once their deadline passed)
RATED = 0.62  # share of closed citizen reports the citizen rates

EVENT_COLUMNS = (
    "id",
    "category_code",
    "title",
    "description",
    "address",
    "status",
    "level",
    "handling_region",
    "assignee_id",
    "assignee_department",
    "reporter_id",
    "anonymous",
    "channel",
    "idempotency_key",
    "deadline_at",
    "supervision",
    "resolved_at",
    "closed_at",
    "rating",
    "rating_comment",
    "rated_at",
    "version",
    *LOCATED,
    "created_at",
    "updated_at",
)
TRACE_COLUMNS = (
    "id",
    "event_id",
    "step",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_role",
    "at",
    "geom",
    "note",
    "internal",
    "detail",
    "county",
)
ACCOUNT_COLUMNS = ("id", "username", "name", "password_hash", "role", "phone")
#: steps whose trace is hidden from the reporter (as the service writes them)
INTERNAL = frozenset({"escalate", "dispatch", "send_back", "supervise"})

# ---- what happens where and when ------------------------------------------------------

#: relative frequency of each category; (urban, rural) factors of the grid's kind
SHARE = {
    "dispute.marriage_family": 3.0,
    "dispute.neighborhood": 5.0,
    "dispute.labor": 3.0,
    "dispute.land": 2.5,
    "dispute.property_management": 3.0,
    "dispute.consumer": 2.0,
    "dispute.medical": 1.2,
    "dispute.traffic": 2.0,
    "dispute.construction": 1.5,
    "dispute.environment": 1.5,
    "city.road": 7.0,
    "city.sanitation": 12.0,
    "city.facility": 6.0,
    "city.manhole": 3.0,
    "city.street_light": 5.0,
    "city.illegal_construction": 4.0,
    "city.street_vending": 6.0,
    "safety.fire": 4.0,
    "safety.geological": 3.0,
    "safety.flood": 3.5,
    "safety.food": 2.0,
    "safety.public_security": 3.0,
    "service.livelihood": 10.0,
    "service.other": 5.0,
}
KIND_FACTOR = {
    "dispute.land": (0.2, 2.5),
    "dispute.property_management": (1.6, 0.2),
    "city.manhole": (1.5, 0.3),
    "city.street_light": (1.3, 0.6),
    "city.street_vending": (1.6, 0.3),
    "safety.geological": (0.3, 2.2),
    "safety.flood": (0.7, 1.4),
}
#: month factors (January first)
RAINY = (0.25, 0.25, 0.35, 0.6, 1.3, 3.6, 4.6, 4.2, 3.0, 0.9, 0.35, 0.25)
CITY = (0.85, 0.8, 0.9, 1.0, 1.05, 1.2, 1.3, 1.3, 1.1, 1.0, 0.9, 0.85)
FIRE = (1.5, 1.5, 1.2, 1.0, 0.9, 0.8, 0.8, 0.8, 0.9, 1.0, 1.2, 1.4)
#: Spring Festival (month, day) by year
FESTIVAL = {
    2023: (1, 22),
    2024: (2, 10),
    2025: (1, 29),
    2026: (2, 17),
    2027: (2, 6),
    2028: (1, 26),
    2029: (2, 13),
    2030: (2, 3),
}
#: where an event of each kind ends up being handled: grid, community, township, district
TIERS = {
    "city": (0.60, 0.12, 0.13, 0.15),
    "dispute": (0.40, 0.30, 0.18, 0.12),
    "safety": (0.35, 0.15, 0.22, 0.28),
    "service": (0.45, 0.30, 0.15, 0.10),
}
LEVELS = ("grid", "community", "township", "district")
#: reported at this hour (local time), by citizens / by workers on patrol / by the hotline
HOURS = {
    "citizen": (1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 11, 8, 8, 10, 11, 11, 10, 9, 9, 8, 6, 3, 2),
    "worker": (0, 0, 0, 0, 0, 0, 0, 1, 8, 12, 12, 10, 4, 3, 9, 11, 11, 8, 2, 0, 0, 0, 0, 0),
    "command": (0, 0, 0, 0, 0, 0, 0, 1, 6, 10, 11, 10, 7, 7, 9, 10, 10, 8, 6, 5, 4, 2, 0, 0),
}
#: typical wait before each step, relative to the others (departments take longer)
WAIT = {
    "accept": 0.5,
    "escalate": 0.8,
    "dispatch": 0.8,
    "send_back": 1.2,
    "resolve": 3.0,
    "verify": 1.0,
    "close": 0.4,
    "supervise": 1.0,
}
TITLES = {
    "dispute.marriage_family": ("夫妻因家庭琐事发生争吵", "赡养老人问题引发家庭矛盾"),
    "dispute.neighborhood": (
        "邻里因噪音扰民发生纠纷",
        "邻居占用公共通道引发矛盾",
        "楼上漏水引发邻里纠纷",
    ),
    "dispute.labor": ("务工人员被拖欠工资", "工伤赔偿协商未果"),
    "dispute.land": ("宅基地边界纠纷", "林地权属争议"),
    "dispute.property_management": ("业主与物业因收费产生纠纷", "物业服务不到位引发投诉"),
    "dispute.consumer": ("购买商品质量问题协商未果", "预付卡商家关门无法退款"),
    "dispute.medical": ("患者家属对诊疗结果有异议",),
    "dispute.traffic": ("轻微交通事故赔偿纠纷",),
    "dispute.construction": ("装修工程质量纠纷", "施工方拖欠工程款"),
    "dispute.environment": ("养殖场异味影响周边居民", "餐馆油烟扰民"),
    "city.road": ("路面坑洼破损", "人行道地砖松动"),
    "city.sanitation": ("垃圾堆积未及时清运", "河道漂浮垃圾", "公厕卫生差"),
    "city.facility": ("健身器材损坏", "护栏倒伏", "公交站牌破损"),
    "city.manhole": ("井盖缺失", "井盖破损松动"),
    "city.street_light": ("路灯不亮", "路灯白天常亮"),
    "city.illegal_construction": ("私自搭建彩钢棚", "违规加层建设"),
    "city.street_vending": ("占道摆摊经营", "店外经营占用人行道"),
    "safety.fire": ("楼道堆放杂物堵塞消防通道", "电动车楼道内充电"),
    "safety.geological": ("山体出现裂缝", "边坡落石", "房屋后方土体滑移"),
    "safety.flood": ("河道水位上涨", "排水沟堵塞积水", "堤坎出现渗漏"),
    "safety.food": ("小餐馆卫生条件差", "销售过期食品"),
    "safety.public_security": ("夜间有人聚集滋事", "可疑人员出没"),
    "service.livelihood": ("咨询低保申请办理", "反映自来水停水", "咨询医保参保缴费"),
    "service.other": ("反映公交线路调整诉求", "咨询政策办理流程"),
}
DESCRIBED = (
    "请尽快处理",
    "已持续多日",
    "群众反映强烈",
    "影响出行",
    "存在安全隐患",
    "希望相关部门关注",
)
RESULTS = {
    "city": ("已安排人员现场处置，恢复正常", "已修复并拍照留存", "已清理完毕"),
    "dispute": ("经调解双方达成一致意见", "已组织双方协商，签订调解协议", "已引导当事人依法维权"),
    "safety": ("隐患已排除，已设置警示标识", "已组织整改并复查", "已转移受威胁群众，落实监测"),
    "service": ("已答复诉求人并协助办理", "已联系相关单位解决", "已告知办理流程"),
}
ESCALATION_NOTES = (None, None, "超出网格处置能力", "需要上级协调", "涉及多方，需统筹处理")
SEND_BACK_REASONS = ("不属于本部门职责范围", "需属地先行处置", "诉求信息不全，请补充核实")
FAILED_NOTES = ("现场复核问题仍然存在", "整改不彻底，需继续处理", "群众反映仍未解决")
SUPERVISION_NOTES = ("请加快办理进度", "已超期，请尽快办结", "群众多次反映，请重点督办")
COMMENTS = {
    5: ("处理很及时，满意", "工作人员态度很好", None, None),
    4: ("基本解决了", None, None),
    3: ("处理有点慢", None),
    2: ("问题解决得不彻底",),
    1: ("拖了很久才处理",),
}

# ---- inputs ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name: str
    deadline_hours: int
    department_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GridInfo:
    id: int
    code: str
    name: str
    kind: str
    community: str  # the community's name
    worker_id: int
    population: int
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    type: str
    areas: tuple[str, ...]
    staff_id: int


@dataclass(frozen=True)
class Inputs:
    """What the history is drawn from: the demo as written to the database."""

    district: str  # the district's region code
    grids: tuple[GridInfo, ...]
    categories: tuple[Category, ...]
    departments: tuple[Department, ...]
    command_id: int
    township_staff: dict[str, int]  # township region code → account
    community_staff: dict[str, int]  # community region code → account
    next_account_id: int
    password_hash: str
    #: the ids this county's events and their steps start from, and its citizens' names
    next_event_id: int = 1
    next_trace_id: int = 1
    citizen_prefix: str = "citizen"


@dataclass
class History:
    accounts: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    traces: list[tuple[Any, ...]] = field(default_factory=list)


async def read_inputs(session: AsyncSession, county: str | None = None) -> Inputs:
    """The grids, staff, departments and categories of the demo in the database (of one
    county's when named; else of the first)."""
    if county is None:
        county = str(
            await session.scalar(text("SELECT min(prefix) FROM region WHERE level = 'district'"))
        )
    like = county + "%"

    async def rows(sql: str) -> list[Any]:
        return list((await session.execute(text(sql), {"like": like})).all())

    district = str(
        await session.scalar(
            text("SELECT code FROM region WHERE level = 'district' AND prefix = :county"),
            {"county": county},
        )
    )
    grid_rows = await rows("""
        SELECT g.id, g.code, g.name, g.kind, r.name AS community, g.worker_id,
               coalesce(p.n, 0) AS population, ST_AsBinary(g.geom) AS wkb
        FROM grid g JOIN region r ON r.code = g.community_code
        LEFT JOIN (SELECT grid_id, count(*) AS n FROM person GROUP BY grid_id) p
          ON p.grid_id = g.id
        WHERE g.valid_to IS NULL AND g.worker_id IS NOT NULL AND g.code LIKE :like
        ORDER BY g.code""")
    geoms = shapely.from_wkb([bytes(r.wkb) for r in grid_rows])
    staff: dict[str, dict[str, int]] = {"community_staff": {}, "township_staff": {}}
    command_id = 0
    department_staff: dict[str, int] = {}
    for r in await rows("""
        SELECT id, role, region_code, department_code FROM account
        WHERE is_active AND role IN ('community_staff', 'township_staff', 'district_command',
                                     'department_staff')
          AND (region_code LIKE :like OR department_code LIKE :like) ORDER BY id DESC"""):
        if r.role == "district_command":
            command_id = r.id
        elif r.role == "department_staff":
            department_staff[r.department_code] = r.id
        else:
            staff[r.role][r.region_code] = r.id
    areas: dict[str, list[str]] = {}
    for r in await rows(
        "SELECT department_code, area_code FROM department_area "
        "WHERE department_code LIKE :like ORDER BY 1, 2"
    ):
        areas.setdefault(r.department_code, []).append(r.area_code)
    departments = tuple(
        Department(r.code, r.type, tuple(areas.get(r.code, ())), department_staff[r.code])
        for r in await rows("SELECT code, type FROM department WHERE code LIKE :like ORDER BY code")
        if r.code in department_staff
    )
    categories = tuple(
        Category(r.code, r.name_zh, r.deadline_hours, tuple(r.department_types))
        for r in await rows(
            "SELECT code, name_zh, deadline_hours, department_types FROM event_category "
            "WHERE active ORDER BY code"
        )
    )
    password_hash = await session.scalar(
        text("SELECT password_hash FROM account WHERE role <> 'admin' ORDER BY id LIMIT 1")
    )
    next_id = await session.scalar(text("SELECT coalesce(max(id), 0) + 1 FROM account"))
    next_event = await session.scalar(text("SELECT coalesce(max(id), 0) + 1 FROM event"))
    next_trace = await session.scalar(text("SELECT coalesce(max(id), 0) + 1 FROM event_trace"))
    return Inputs(
        district=district,
        grids=tuple(
            GridInfo(r.id, r.code, r.name, r.kind, r.community, r.worker_id, r.population, g)
            for r, g in zip(grid_rows, geoms, strict=True)
        ),
        categories=categories,
        departments=departments,
        command_id=command_id,
        township_staff=staff["township_staff"],
        community_staff=staff["community_staff"],
        next_account_id=int(next_id),
        password_hash=str(password_hash),
        next_event_id=int(next_event),
        next_trace_id=int(next_trace),
    )


# ---- when ------------------------------------------------------------------------------


def _festival(year: int) -> date:
    month, day = FESTIVAL.get(year, (2, 5))
    return date(year, month, day)


def season(code: str, day: date) -> float:
    """How likely an event of the category is on that day, relative to its average."""
    if code in ("safety.flood", "safety.geological"):
        return RAINY[day.month - 1]
    if code.startswith("dispute."):
        # family gatherings, wages owed before the holiday: a bump around the festival
        gap = min(
            abs((day - _festival(y)).days + 4) for y in (day.year - 1, day.year, day.year + 1)
        )
        return 1.0 + 2.5 * math.exp(-0.5 * (gap / 14) ** 2)
    if code.startswith("city."):
        return CITY[day.month - 1]
    if code == "safety.fire":
        return FIRE[day.month - 1]
    return 1.0


# ---- one event's life ------------------------------------------------------------------


@dataclass(slots=True)
class _Step:
    action: str
    from_status: str
    to_status: str
    actor_id: int
    role: str
    detail: str | None
    note: str | None
    #: the event after the step: level, handling region, assignee, department
    level: str
    region: str
    assignee: int | None
    department: str | None
    at: datetime = datetime.min


class _Life:
    """An event walked through the loop's rules, step by step."""

    def __init__(self, grid: GridInfo, inputs: Inputs, reporter: int, reporter_role: str) -> None:
        self.grid, self.inputs = grid, inputs
        self.status, self.level, self.region = "assigned", "grid", grid.code
        self.assignee: int | None = grid.worker_id
        self.department: str | None = None
        self.steps = [
            _Step(
                "report",
                "",
                "assigned",
                reporter,
                reporter_role,
                f"grid:{grid.code}",
                None,
                "grid",
                grid.code,
                grid.worker_id,
                None,
            )
        ]

    def holder(self) -> tuple[int, str]:
        """The account holding the event now, and its role."""
        if self.department is not None:
            staff = next(d.staff_id for d in self.inputs.departments if d.code == self.department)
            return staff, "department_staff"
        role = LEVEL_ROLE[self.level]
        if self.level == "grid":
            return self.grid.worker_id, role
        if self.level == "community":
            return self.inputs.community_staff[self.region], role
        if self.level == "township":
            return self.inputs.township_staff[self.region], role
        return self.inputs.command_id, role

    def do(
        self,
        action: str,
        actor: tuple[int, str] | None = None,
        *,
        detail: str | None = None,
        note: str | None = None,
    ) -> None:
        actor_id, role = actor or self.holder()
        before = self.status
        self.status = status_after(action, before, passed=detail != "failed")
        if action == "accept" and self.level != "grid" and self.department is None:
            self.assignee = actor_id
        elif action == "escalate":
            self.level = LEVEL_UP[self.level]
            self.region = region_of_level(self.grid.code, self.level, self.inputs.district)
            self.assignee = None
            detail = f"level:{self.level}"
        elif action == "dispatch":
            self.department, self.assignee = (detail or "").removeprefix("department:"), None
        elif action == "send_back":
            detail = f"department:{self.department}"
            self.department, self.assignee = None, None
        self.steps.append(
            _Step(
                action,
                before,
                self.status,
                actor_id,
                role,
                detail,
                note,
                self.level,
                self.region,
                self.assignee,
                self.department,
            )
        )


def _plan(life: _Life, category: Category, rng: random.Random, eligible: list[str]) -> None:
    """Walk the event through the loop from its report to its closing."""
    kind = category.code.split(".")[0]
    tier = rng.choices(LEVELS, TIERS.get(kind, TIERS["service"]))[0]
    if tier in ("township", "district") and not eligible and rng.random() < 0.5:
        tier = "community"
    if tier == "grid" or rng.random() < 0.6:
        life.do("accept")
    while life.level != tier:
        if life.status == "assigned" and life.level != "grid" and rng.random() < 0.4:
            life.do("accept")
        life.do("escalate", note=rng.choice(ESCALATION_NOTES))
    dispatch_share = {"township": 0.5, "district": 0.85}.get(tier, 0.0)
    if eligible and rng.random() < dispatch_share:
        if rng.random() < 0.3:
            life.do("accept")
        department = rng.choice(eligible)
        life.do(
            "dispatch", detail=f"department:{department}", note=rng.choice((None, "请按期办结"))
        )
        for _ in range(2):
            if rng.random() >= 0.14:
                break
            if rng.random() < 0.3:
                life.do("accept")
            life.do("send_back", note=rng.choice(SEND_BACK_REASONS))
            if life.level == "township" and rng.random() < 0.3:
                life.do("escalate", note="部门退回，需区级协调")
            if rng.random() < 0.25:
                break  # the level handles it itself
            others = [d for d in eligible if d != department] or eligible
            department = rng.choice(others)
            life.do("dispatch", detail=f"department:{department}", note="已重新指派")
    if life.status != "accepted":
        life.do("accept")
    results = RESULTS.get(kind, RESULTS["service"])
    life.do("resolve", note=rng.choice(results))
    while True:
        verifier = _verifier(life, rng)
        if rng.random() >= 0.06:
            life.do("verify", verifier, detail="passed")
            break
        life.do("verify", verifier, detail="failed", note=rng.choice(FAILED_NOTES))
        life.do("resolve", note=rng.choice(results))
    life.do("close", verifier if rng.random() < 0.85 else _verifier(life, rng))


def _verifier(life: _Life, rng: random.Random) -> tuple[int, str]:
    """Who verifies on site: the grid's worker, the level holding it, or the command centre."""
    worker = (life.grid.worker_id, "grid_worker")
    command = (life.inputs.command_id, "district_command")
    if life.level == "grid" and life.department is None:
        return worker if rng.random() < 0.85 else command
    if life.department is not None:
        return worker if rng.random() < 0.65 else command
    return rng.choices((life.holder(), worker, command), (0.5, 0.3, 0.2))[0]


def _supervisor(step: _Step, inputs: Inputs, rng: random.Random) -> tuple[int, str] | None:
    """Who may issue a card while the event is as the step left it (None: nobody)."""
    if step.to_status not in TRANSITIONS["supervise"].starts:
        return None
    command = (inputs.command_id, "district_command")
    if step.department is None and step.level in ("grid", "community"):
        township = step.region[:9] + "000"
        if township in inputs.township_staff and rng.random() < 0.5:
            return inputs.township_staff[township], "township_staff"
        return command
    if step.department is not None or step.level != "district":
        return command
    return None


def _card(rng: random.Random, late: bool) -> str:
    return rng.choices(("normal", "yellow", "red"), (3, 4, 3) if late else (7, 2, 1))[0]


def _supervise(
    life: _Life, index: int, actor: tuple[int, str], card: str, rng: random.Random
) -> _Step:
    s = life.steps[index]
    return _Step(
        "supervise",
        s.to_status,
        s.to_status,
        actor[0],
        actor[1],
        f"card:{card}",
        rng.choice(SUPERVISION_NOTES),
        s.level,
        s.region,
        s.assignee,
        s.department,
    )


def _time(steps: list[_Step], start: datetime, span: timedelta, rng: random.Random) -> None:
    """Spread the steps after the report over ``span``, the close ending it."""
    waits = [
        rng.expovariate(1.0)
        * WAIT.get(s.action, 1.0)
        * (3.0 if s.role == "department_staff" else 1)
        + 0.02
        for s in steps[1:]
    ]
    total = sum(waits)
    at, elapsed = start, 0.0
    steps[0].at = start
    for s, wait in zip(steps[1:], waits, strict=True):
        elapsed += wait
        at = max(at + timedelta(minutes=1), start + span * (elapsed / total))
        s.at = at.replace(microsecond=0)


# ---- the whole year ---------------------------------------------------------------------


def _citizens(inputs: Inputs, rng: random.Random, today: date, count: int) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for i in range(count):
        person = make_person(rng, today=today)
        while not person.phone:
            person = make_person(rng, today=today)
        rows.append(
            (
                inputs.next_account_id + i,
                f"{inputs.citizen_prefix}-{i + 1:04d}",
                person.name,
                inputs.password_hash,
                "citizen",
                person.phone,
            )
        )
    return rows


def generate(
    inputs: Inputs,
    *,
    seed: int,
    today: date,
    count: int,
    tick: Callable[[int], None] | None = None,
) -> History:
    """``count`` events reported in the 365 days before ``today`` (local time), their
    traces, and the citizen accounts that reported some of them."""
    history = History()
    if count <= 0 or not inputs.grids or not inputs.categories:
        return history
    rng = random.Random(f"{seed}:history")
    gen = np.random.default_rng(rng.getrandbits(64))
    zone = ZoneInfo(DEMO_TZ)
    now = datetime.combine(today, time(0), zone).astimezone(UTC)
    first_day = today - timedelta(days=DAYS)
    history.accounts = _citizens(inputs, rng, today, min(400, max(10, count // 75)))
    citizens = [a[0] for a in history.accounts]

    # where and what: grids by population, categories by the grid's kind, days by season
    grids, categories = inputs.grids, inputs.categories
    weights = np.array([g.population + 1.0 for g in grids])
    grid_of = gen.choice(len(grids), size=count, p=weights / weights.sum())
    rural = np.array([g.kind == "rural" for g in grids])[grid_of]
    category_of = np.empty(count, dtype=np.int64)
    for is_rural, mask in ((False, ~rural), (True, rural)):
        w = np.array(
            [
                SHARE.get(c.code, 2.0) * KIND_FACTOR.get(c.code, (1.0, 1.0))[int(is_rural)]
                for c in categories
            ]
        )
        category_of[mask] = gen.choice(len(categories), size=int(mask.sum()), p=w / w.sum())
    days = [first_day + timedelta(days=d) for d in range(DAYS)]
    day_of = np.empty(count, dtype=np.int64)
    for c, category in enumerate(categories):
        mask = category_of == c
        profile = np.array([season(category.code, d) for d in days])
        day_of[mask] = gen.choice(DAYS, size=int(mask.sum()), p=profile / profile.sum())
    points = np.empty((count, 2))
    for g in np.unique(grid_of):
        mask = grid_of == g
        points[mask] = random_points(grids[g].geometry, int(mask.sum()), gen)

    # who reported it, and when
    who = rng.choices(("citizen", "worker", "command"), (45, 45, 10), k=count)
    hours = {k: rng.choices(range(24), v, k=count) for k, v in HOURS.items()}
    reported = [
        datetime.combine(
            days[int(day_of[i])],
            time(hours[who[i]][i], rng.randrange(60), rng.randrange(60)),
            zone,
        ).astimezone(UTC)
        for i in range(count)
    ]
    order = sorted(range(count), key=lambda i: (reported[i], i))  # ids follow report time
    geoms = point_ewkb(points[order, 0], points[order, 1])
    cells = beidou.encode_many(points[order, 0], points[order, 1], BEIDOU_LEVEL)

    eligible: dict[tuple[int, str], list[str]] = {}
    trace_id = inputs.next_trace_id - 1
    first = inputs.next_event_id
    for event_id, (i, geom, cell) in enumerate(zip(order, geoms, cells, strict=True), start=first):
        grid = grids[int(grid_of[i])]
        category = categories[int(category_of[i])]
        key = (int(category_of[i]), grid.code)
        if key not in eligible:
            eligible[key] = [
                d.code
                for d in inputs.departments
                if d.type in category.department_types
                and any(grid.code.startswith(a) for a in d.areas)
            ]
        t0 = reported[i]
        reporter_kind = who[i]
        reporter, role, channel = {
            "citizen": (rng.choice(citizens), "citizen", "citizen_app"),
            "worker": (grid.worker_id, "grid_worker", "worker_app"),
            "command": (inputs.command_id, "district_command", "command"),
        }[reporter_kind]
        life = _Life(grid, inputs, reporter, role)
        _plan(life, category, rng, eligible[key])
        deadline = t0 + timedelta(hours=category.deadline_hours)
        trace = _lifetime(life, t0, deadline, now, category, reporter_kind, rng)
        last = trace[-1]
        resolves = [s.at for s in trace if s.action == "resolve"]
        rate = next((s for s in trace if s.action == "rate"), None)
        cards = [s.detail for s in trace if s.action == "supervise"]
        title = rng.choice(TITLES.get(category.code, (category.name,)))
        address = (
            f"{grid.community}{rng.randint(1, 12)}组"
            if grid.kind == "rural"
            else f"{grid.community}{rng.randint(1, 60)}号附近"
        )
        history.events.append(
            (
                event_id,
                category.code,
                title,
                f"{address}{title}，{rng.choice(DESCRIBED)}。",
                address,
                last.to_status,
                last.level,
                last.region,
                last.assignee,
                last.department,
                reporter,
                reporter_kind == "citizen" and rng.random() < 0.08,
                channel,
                f"demo-{event_id:07d}",
                deadline,
                cards[-1].removeprefix("card:") if cards and cards[-1] else None,
                resolves[-1] if last.to_status in ("resolved", "verified", "closed") else None,
                next((s.at for s in trace if s.action == "close"), None),
                int(rate.detail.removeprefix("score:")) if rate and rate.detail else None,
                rate.note if rate else None,
                rate.at if rate else None,
                len(trace),
                geom,
                cell,
                grid.id,
                grid.code,
                grid.code[:6],
                t0,
                time_code(t0),
                reporter,
                t0,
                last.at,
            )
        )
        for number, s in enumerate(trace, start=1):
            trace_id += 1
            on_site = number == 1 or (s.role == "grid_worker" and s.action == "verify")
            history.traces.append(
                (
                    trace_id,
                    event_id,
                    number,
                    s.action,
                    s.from_status or None,
                    s.to_status,
                    s.actor_id,
                    s.role,
                    s.at,
                    geom if on_site else None,
                    s.note,
                    s.action in INTERNAL,
                    s.detail,
                    grid.code[:6],
                )
            )
        if tick is not None and (event_id - first + 1) % 1000 == 0:
            tick(1000)
    if tick is not None:
        tick(count % 1000)
    return history


def _lifetime(
    life: _Life,
    t0: datetime,
    deadline: datetime,
    now: datetime,
    category: Category,
    reporter_kind: str,
    rng: random.Random,
) -> list[_Step]:
    """Time the planned life, cut it where it stands today; cards and the rating."""
    steps = life.steps
    hard = any(s.action in ("send_back", "dispatch") or s.detail == "failed" for s in steps)
    late = rng.random() < (0.22 if hard else 0.09 if life.level != "grid" else 0.06)
    if rng.random() < (0.35 if late else 0.04):
        # a card while the event waits somewhere
        for _ in range(4):
            index = rng.randrange(0, len(steps) - 1)
            actor = _supervisor(steps[index], life.inputs, rng)
            if actor is not None:
                steps.insert(index + 1, _supervise(life, index, actor, _card(rng, late), rng))
                break
    hours = category.deadline_hours
    share = 1.04 + rng.expovariate(1 / 0.8) if late else rng.uniform(0.15, 0.97)
    _time(steps, t0, timedelta(hours=hours * share), rng)
    kept = [s for s in steps if s.at <= now]
    if rng.random() < STUCK and len(kept) > 1:
        kept = kept[: rng.randrange(1, len(kept))]  # left unfinished
        if kept[-1].action != "supervise" and now > deadline and rng.random() < 0.6:
            actor = _supervisor(kept[-1], life.inputs, rng)
            if actor is not None:
                at = max(deadline, kept[-1].at) + (now - max(deadline, kept[-1].at)) * rng.random()
                card = _supervise(life, len(kept) - 1, actor, _card(rng, True), rng)
                card.at = max(at, kept[-1].at).replace(microsecond=0)
                kept.append(card)
    last = kept[-1]
    if last.action == "close" and reporter_kind == "citizen" and rng.random() < RATED:
        late_close = last.at > deadline
        score = rng.choices(
            (5, 4, 3, 2, 1), (40, 30, 15, 9, 6) if late_close else (62, 27, 7, 2, 2)
        )[0]
        at = (last.at + timedelta(hours=rng.uniform(0.5, 96))).replace(microsecond=0)
        if at <= now:
            kept.append(
                _Step(
                    "rate",
                    "closed",
                    "closed",
                    life.steps[0].actor_id,
                    "citizen",
                    f"score:{score}",
                    rng.choice(COMMENTS[score]),
                    last.level,
                    last.region,
                    last.assignee,
                    last.department,
                    at,
                )
            )
    return kept


# ---- writing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryCounts:
    events: int
    steps: int
    citizens: int


async def load_history(
    copier: Copier,
    *,
    seed: int,
    today: date,
    count: int,
    progress: Any = None,
    county: str | None = None,
    citizen_prefix: str = "citizen",
) -> HistoryCounts:
    """Generate the history of a county (the first when None) from the demo already
    written, and COPY it."""
    if count <= 0:
        return HistoryCounts(0, 0, 0)
    inputs = dataclasses.replace(
        await read_inputs(copier.session, county), citizen_prefix=citizen_prefix
    )
    task = None if progress is None else progress.add_task("events", total=count)

    def tick(n: int) -> None:
        if task is not None:
            progress.advance(task, n)

    history = generate(inputs, seed=seed, today=today, count=count, tick=tick)
    await copier.copy("account", ACCOUNT_COLUMNS, history.accounts)
    await copier.copy("event", EVENT_COLUMNS, history.events)
    await copier.copy("event_trace", TRACE_COLUMNS, history.traces)
    return HistoryCounts(len(history.events), len(history.traces), len(history.accounts))
