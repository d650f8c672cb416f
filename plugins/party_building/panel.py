"""The dashboard's smart party building panel (智慧党建), from the plugin's own records.

Everything is placed by the organization it belongs to (its ``area_code``: the region or
grid it serves) — members, meetings and dues by their organization's — except what has a
place of its own: registrations (双报到) and service by their community, grid helpers by
their grid. The figures:

* organizations, in total and by kind (chart ``kinds``);
* members on the rolls (not left; a member being transferred counts at the sending
  organization) by stage, by age on the period's last day, by education, and the flowing
  ones — counts of personal data (``party:member``), withheld under ``MIN_COUNT`` from a
  reader who may not read the members there;
* meetings held in the period against those due. Due: for each organization there now,
  the meetings ``REQUIRED_PER_QUARTER`` asks of its kind a quarter, times the quarters of
  the period (its days × 4 / 365.25), summed over the area and rounded to a whole
  meeting; held: the meetings of those kinds held (``held_on``) in the period by those
  organizations; the rate is held / due in percent;
* dues collected (payments whose ``paid_on`` lies in the period, whatever month they pay)
  and due (for each current party member with a rate, the rate in force in each month
  whose first day lies in the period: a month's dues fall due on its first day);
* members registered with a community now (双报到), service hours served in the period
  and the points the ledger awarded in it;
* grid helpers now, the grids that have one, and their share of the grids.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    Date,
    Numeric,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import Figure, Figures, PanelPart, Scope
from core.models import Grid, Person
from core.services.indicators import percent
from plugins.party_building.access import MEMBER
from plugins.party_building.models import (
    Education,
    MemberStatus,
    OrgKind,
    PartyDuesPayment,
    PartyDuesRate,
    PartyGridHelper,
    PartyMeeting,
    PartyMember,
    PartyOrganization,
    PartyPointEntry,
    PartyRegistration,
    PartyServiceItem,
    PartyServiceSignup,
    Stage,
)
from plugins.party_building.rules import REQUIRED_PER_QUARTER

#: disclosure control of the counts of members
MIN_COUNT = 5
PERSONAL: dict[str, Any] = {"personal": MEMBER, "min_count": MIN_COUNT}
DAYS_PER_QUARTER = Decimal("365.25") / 4
KIND_LABELS = {
    OrgKind.COMMITTEE: "党委",
    OrgKind.GENERAL_BRANCH: "党总支",
    OrgKind.BRANCH: "党支部",
    OrgKind.GROUP: "党小组",
}
STAGE_LABELS = {
    Stage.FULL: "正式党员",
    Stage.PROBATIONARY: "预备党员",
    Stage.CANDIDATE: "发展对象",
    Stage.ACTIVIST: "入党积极分子",
    Stage.APPLICANT: "入党申请人",
}
#: age bands: key, label, the oldest age in the band (None: no limit)
AGE_BANDS: tuple[tuple[str, str, int | None], ...] = (
    ("under_35", "35岁以下", 34),
    ("35_45", "35–45岁", 45),
    ("46_60", "46–60岁", 60),
    ("over_60", "60岁以上", None),
)
EDUCATION_LABELS = {
    Education.PRIMARY: "小学",
    Education.JUNIOR_MIDDLE: "初中",
    Education.SENIOR_MIDDLE: "高中、中专",
    Education.COLLEGE: "大专",
    Education.BACHELOR: "本科",
    Education.POSTGRADUATE: "研究生",
}
UNKNOWN = "unknown"
PARTY_STAGES = (Stage.FULL.value, Stage.PROBATIONARY.value)

#: group -> figure key -> value
Tally = dict[str, dict[str, Decimal]]


def quarters(scope: Scope) -> Decimal:
    """The period's length in quarters: its days × 4 / 365.25."""
    return Decimal((scope.last_day - scope.first_day).days + 1) / DAYS_PER_QUARTER


def due_months(scope: Scope) -> list[date]:
    """The months whose first day lies in the period."""
    out: list[date] = []
    month = scope.first_day.replace(day=1)
    while month <= scope.last_day:
        if month >= scope.first_day:
            out.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def _part(scope: Scope, area: Any, key: Any, value: Any, *where: Any) -> Any:
    """``(group, key, value)`` rows of one measure, grouped by ``area``'s group."""
    g = scope.group(area).label("g")
    k = (literal(key) if isinstance(key, str) else key).label("k")
    stmt = select(g, k, cast(value, Numeric).label("v")).where(scope.within(area), *where)
    return stmt.group_by(g, k)


def _members_on_rolls() -> Any:
    return and_(
        PartyMember.status != MemberStatus.LEFT.value,
        PartyOrganization.id == PartyMember.organization_id,
    )


def _age_band(scope: Scope) -> Any:
    age = func.date_part("year", func.age(scope.last_day, Person.birth_date))
    return case(
        *((age <= top, f"age:{key}") for key, _, top in AGE_BANDS if top is not None),
        else_=f"age:{AGE_BANDS[-1][0]}",
    )


def _organization_parts(scope: Scope) -> list[Any]:
    area, on_rolls = PartyOrganization.area_code, _members_on_rolls()
    education = literal("education:") + func.coalesce(PartyMember.education, UNKNOWN)
    return [
        _part(scope, area, literal("kind:") + PartyOrganization.kind, func.count()),
        _part(scope, area, literal("stage:") + PartyMember.stage, func.count(), on_rolls),
        _part(scope, area, education, func.count(), on_rolls),
        _part(
            scope,
            area,
            _age_band(scope),
            func.count(),
            on_rolls,
            Person.id == PartyMember.person_id,
        ),
        _part(scope, area, "flowing_members", func.count(), on_rolls, PartyMember.flowing),
    ]


def _required_meetings() -> Any:
    """SQL: the meeting is of a kind the rules ask of its organization's kind."""
    return or_(
        *(
            and_(
                PartyOrganization.kind == kind.value,
                PartyMeeting.kind.in_([m.value for m in required]),
            )
            for kind, required in REQUIRED_PER_QUARTER.items()
        )
    )


def _activity_parts(scope: Scope) -> list[Any]:
    area = PartyOrganization.area_code
    in_period = (scope.first_day, scope.last_day)
    return [
        _part(
            scope,
            area,
            "meetings_held",
            func.count(),
            PartyMeeting.organization_id == PartyOrganization.id,
            PartyMeeting.held_on.between(*in_period),
            _required_meetings(),
        ),
        _part(
            scope,
            area,
            "dues_collected",
            func.sum(PartyDuesPayment.amount),
            PartyDuesPayment.member_id == PartyMember.id,
            PartyMember.organization_id == PartyOrganization.id,
            PartyDuesPayment.paid_on.between(*in_period),
        ),
        _dues_due(scope),
    ]


def _dues_due(scope: Scope) -> Any:
    """The rate in force in each month due, of each current party member with one."""
    rates = select(
        PartyDuesRate.member_id,
        PartyDuesRate.from_month,
        PartyDuesRate.amount,
        func.lead(PartyDuesRate.from_month)
        .over(partition_by=PartyDuesRate.member_id, order_by=PartyDuesRate.from_month)
        .label("until"),
    ).subquery("r")
    month = func.unnest(cast(due_months(scope), ARRAY(Date))).column_valued("month")
    return _part(
        scope,
        PartyOrganization.area_code,
        "dues_due",
        func.sum(rates.c.amount),
        rates.c.member_id == PartyMember.id,
        _members_on_rolls(),
        PartyMember.stage.in_(PARTY_STAGES),
        rates.c.from_month <= month,
        or_(rates.c.until.is_(None), month < rates.c.until),
    )


def _place_parts(scope: Scope) -> list[Any]:
    community = PartyRegistration.community_code
    item_area = PartyServiceItem.community_code
    helper = PartyGridHelper.grid_code
    return [
        _part(
            scope,
            community,
            "registered_members",
            func.count(),
            PartyRegistration.ended_on.is_(None),
            PartyMember.id == PartyRegistration.member_id,
            PartyMember.status != MemberStatus.LEFT.value,
        ),
        _part(
            scope,
            item_area,
            "service_hours",
            func.sum(PartyServiceSignup.hours),
            PartyServiceSignup.item_id == PartyServiceItem.id,
            PartyServiceSignup.served_on.between(scope.first_day, scope.last_day),
        ),
        _part(
            scope,
            item_area,
            "service_points",
            func.sum(PartyPointEntry.points),
            PartyPointEntry.item_id == PartyServiceItem.id,
            PartyPointEntry.created_at >= scope.start,
            PartyPointEntry.created_at < scope.end,
        ),
        _part(scope, helper, "grid_helpers", func.count(), PartyGridHelper.until.is_(None)),
        _part(
            scope,
            helper,
            "grids_with_helper",
            func.count(func.distinct(helper)),
            PartyGridHelper.until.is_(None),
        ),
        _part(scope, Grid.code, "grids", func.count(), Grid.valid_to.is_(None)),
    ]


async def tally(session: AsyncSession, scope: Scope) -> Tally:
    """Every measure per group, in one statement."""
    stmt = union_all(*_organization_parts(scope), *_activity_parts(scope), *_place_parts(scope))
    out: Tally = defaultdict(dict)
    for g, key, value in await session.execute(stmt):
        out[g][key] = Decimal(value or 0)
    return out


def _count(values: dict[str, Decimal], key: str) -> int:
    return int(values.get(key, 0))


def _organization_figures(values: dict[str, Decimal]) -> list[Figure]:
    kinds = [
        Figure(f"kind:{k.value}", label, float(_count(values, f"kind:{k.value}")), chart="kinds")
        for k, label in KIND_LABELS.items()
    ]
    total = sum(_count(values, f"kind:{k.value}") for k in OrgKind)
    return [Figure("party_organizations", "党组织", float(total)), *kinds]


def _member_figures(values: dict[str, Decimal]) -> list[Figure]:
    def member(key: str, label: str, chart: str = "") -> Figure:
        return Figure(key, label, float(_count(values, key)), chart=chart, **PERSONAL)

    total = sum(_count(values, f"stage:{s.value}") for s in Stage)
    education = [(f"education:{e.value}", label) for e, label in EDUCATION_LABELS.items()]
    return [
        Figure("party_members", "党员（含入党申请人等）", float(total), **PERSONAL),
        *(member(f"stage:{s.value}", label, "stages") for s, label in STAGE_LABELS.items()),
        *(member(f"age:{key}", label, "ages") for key, label, _ in AGE_BANDS),
        *(member(key, label, "education") for key, label in education),
        member(f"education:{UNKNOWN}", "未填写", "education"),
        member("flowing_members", "流动党员"),
    ]


def _meeting_due(orgs: dict[str, Decimal], scope: Scope) -> int:
    per_quarter = sum(
        int(orgs.get(f"kind:{kind.value}", 0)) * sum(required.values())
        for kind, required in REQUIRED_PER_QUARTER.items()
    )
    return int((per_quarter * quarters(scope)).quantize(Decimal(1)))


def _activity_figures(values: dict[str, Decimal], scope: Scope) -> list[Figure]:
    held = _count(values, "meetings_held")
    due = _meeting_due(values, scope)
    collected = values.get("dues_collected", Decimal(0))
    dues_due = values.get("dues_due", Decimal(0))
    return [
        Figure("meetings_held", "三会一课已开", float(held), chart="meetings"),
        Figure("meetings_due", "三会一课应开", float(due), chart="meetings"),
        Figure("meeting_rate", "三会一课开展率", percent(held, due), unit="%", additive=False),
        Figure("dues_collected", "党费收缴", float(collected), unit="元", chart="dues"),
        Figure("dues_due", "党费应缴", float(dues_due), unit="元", chart="dues"),
        Figure(
            "dues_rate",
            "党费收缴率",
            percent(int(collected * 100), int(dues_due * 100)),
            unit="%",
            additive=False,
        ),
    ]


def _place_figures(values: dict[str, Decimal]) -> list[Figure]:
    grids, covered = _count(values, "grids"), _count(values, "grids_with_helper")
    return [
        Figure(
            "registered_members",
            "双报到党员",
            float(_count(values, "registered_members")),
            **PERSONAL,
        ),
        Figure("service_hours", "志愿服务时长", float(values.get("service_hours", 0)), unit="小时"),
        Figure("service_points", "服务积分", float(_count(values, "service_points"))),
        Figure("grid_helpers", "党员中心户", float(_count(values, "grid_helpers")), **PERSONAL),
        Figure("grids_with_helper", "有党员中心户的网格", float(covered)),
        Figure(
            "helper_coverage",
            "党员中心户网格覆盖率",
            percent(covered, grids),
            unit="%",
            additive=False,
        ),
    ]


async def compute(session: AsyncSession, scope: Scope) -> Figures:
    values = await tally(session, scope)
    groups = set(values) | ({""} if scope.group_len is None else set())
    return {
        g: [
            *_organization_figures(values.get(g, {})),
            *_member_figures(values.get(g, {})),
            *_activity_figures(values.get(g, {}), scope),
            *_place_figures(values.get(g, {})),
        ]
        for g in groups
    }


PANEL = PanelPart("party_building", compute, title="智慧党建", order=50)
