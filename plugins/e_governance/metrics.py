"""The service figures of applications (办件统计), one computation for GraphQL
(``serviceMetrics``), the dashboard panel and the XLSX report, so all three tell the same.

Over a period of local days ``from..to`` (both included) and a region (a prefix of the
applications' ``region_code``: where the applicant lives) and/or a department:

* ``applications``: submitted in the period (``submitted_at``);
* ``completed``: completed in the period (``completed_on``, whenever submitted), and
  ``completed_on_time`` of those; 按时办结率 = completed on time / completed;
* 网上办理率 = channel ONLINE / applications; 零跑腿率 = no visit / applications (of the
  applications submitted in the period);
* ``rated``: ratings given in the period (``rated_at``); 满意率 = 非常满意 + 满意 / rated;
  the average score (1–5); ``bad_ratings`` (差评) among them;
* ``rectifications_open`` now, and ``rectifications_overdue`` (open past their due day):
  the state of the work today, whatever the period, as overdue events are counted.

Rates are percent with two decimals (``core.services.indicators.percent``), null where
nothing is counted. Every figure is a sum of counts, so the totals are the rows' sums and
grouping (by department or one region level down) adds up. One aggregate statement
answers every group: the three sources (applications, ratings, rectifications) are
counted per group and summed in a union.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, func, literal_column, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.analysis import period
from core.errors import Forbidden, NotFound, Unauthenticated
from core.models import Department, Grid, Region
from core.models.base import prefix_match
from core.services.indicators import percent
from plugins.e_governance.access import SERVICE, own_department
from plugins.e_governance.models import (
    BAD_GRADES,
    ApplicationStatus,
    Channel,
    GovApplication,
    GovRating,
    GovRectification,
    Grade,
    RectificationStatus,
)
from schema.codes import parse_prefix

#: grades counted as satisfied (满意率)
GOOD_GRADES = (Grade.VERY_SATISFIED.value, Grade.SATISFIED.value)
#: the length of the region codes one level below a prefix of this length
CHILD_LENGTH = {0: 6, 6: 9, 9: 12, 12: 15, 15: 15}


class MetricsGroup(StrEnum):
    """What the rows of the figures are."""

    DEPARTMENT = "department"
    REGION = "region"  # one level below the region asked (townships of a district…)


@dataclass(frozen=True, slots=True)
class Counts:
    """The counts behind the figures of one group (or of all: they add up)."""

    applications: int = 0
    completed: int = 0
    completed_on_time: int = 0
    online: int = 0
    zero_visit: int = 0
    rated: int = 0
    satisfied: int = 0
    score_sum: int = 0
    bad_ratings: int = 0
    rectifications_open: int = 0
    rectifications_overdue: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.completed_on_time, self.completed)

    @property
    def online_rate(self) -> float | None:
        return percent(self.online, self.applications)

    @property
    def zero_visit_rate(self) -> float | None:
        return percent(self.zero_visit, self.applications)

    @property
    def satisfaction_rate(self) -> float | None:
        return percent(self.satisfied, self.rated)

    @property
    def average_score(self) -> float | None:
        """The mean score, rounded half-up to two decimals (None when nobody rated)."""
        if self.rated == 0:
            return None
        return (self.score_sum * 100 * 2 + self.rated) // (self.rated * 2) / 100


#: the counts' names, in the order the aggregate statement answers them
COUNTS = tuple(f.name for f in fields(Counts))


@dataclass(frozen=True, slots=True)
class Period:
    """Local days ``first_day..last_day`` as the instants ``[start, end)``; ``today`` is
    the local day the open rectifications are judged overdue against."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime
    today: date


def period_of(first: date | None, last: date | None, tz: str, now: datetime) -> Period:
    """The period asked (default: the year up to today), checked."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    first, last = period(tz, first, last, now)
    return Period(
        first,
        last,
        datetime.combine(first, time(), zone),
        datetime.combine(last + timedelta(days=1), time(), zone),
        today,
    )


@dataclass(frozen=True, slots=True)
class MetricsQuery:
    """A checked request: where (prefix, "" = everywhere), whose (a department or all),
    when, grouped how."""

    prefix: str
    department_code: str | None
    period: Period
    group_by: MetricsGroup

    @property
    def child_length(self) -> int:
        return CHILD_LENGTH[len(self.prefix)]


@dataclass(frozen=True, slots=True)
class MetricsRow:
    code: str  # the department's code, or the region's prefix (a grid's code)
    name: str | None
    counts: Counts


@dataclass(frozen=True, slots=True)
class Metrics:
    query: MetricsQuery
    totals: Counts
    rows: list[MetricsRow]


def department_to_count(actor: Actor, prefix: str, department_code: str | None) -> str | None:
    """The department whose applications the actor may count in the region: whoever reads
    ``service`` there counts any (or all); a department's staff their own, wherever its
    applicants live (asked for or not). Anyone else is refused."""
    if not actor.authenticated:
        raise Unauthenticated("log in to read service figures")
    if actor.reach.allows(SERVICE, "read", prefix):
        return department_code
    own = own_department(actor)
    if own is not None and department_code in (None, own):
        return own
    if own is not None:
        raise Forbidden(f"as staff of {own} you read the figures of {own} only")
    raise Forbidden(f"service figures of {prefix or 'everywhere'} need the service read grant")


async def resolve(
    session: AsyncSession,
    actor: Actor,
    *,
    region_code: str | None,
    department_code: str | None,
    first: date | None,
    last: date | None,
    group_by: MetricsGroup,
    tz: str,
    now: datetime | None = None,
) -> MetricsQuery:
    """A request checked: input, then the actor's right, then that the region and the
    department exist (one statement)."""
    if not actor.authenticated:
        raise Unauthenticated("log in to read service figures")
    prefix = "" if region_code is None else parse_prefix(region_code)
    period = period_of(first, last, tz, now or datetime.now(UTC))
    department = department_to_count(actor, prefix, department_code)
    await _require_known(session, prefix, department)
    return MetricsQuery(prefix, department, period, group_by)


async def _require_known(session: AsyncSession, prefix: str, department: str | None) -> None:
    checks: list[Any] = []
    if prefix:
        if len(prefix) == 15:
            area = exists().where(Grid.code == prefix, Grid.valid_to.is_(None))
        else:
            area = exists().where(Region.prefix == prefix)
        checks.append(area.label("area"))
    if department is not None:
        checks.append(exists().where(Department.code == department).label("department"))
    if not checks:
        return
    found = (await session.execute(select(*checks))).one()
    if prefix and not found.area:
        raise NotFound(f"no region or grid has the code {prefix!r}", argument="regionCode")
    if department is not None and not found.department:
        raise NotFound(f"no department has the code {department!r}", argument="departmentCode")


def _zeros(*names: str) -> list[Any]:
    return [literal_column("0").label(n) for n in names]


def tally_statement(
    where: Sequence[ColumnElement[bool]], group: ColumnElement[str], period: Period
) -> Any:
    """The counts per group ``group`` (an expression over the application's columns) of
    the applications matching ``where``, as a subquery: the union of the three sources
    (applications, ratings, open rectifications), each counted per group. A group may
    have a line from each source; ``tally_select`` sums them."""
    app = GovApplication
    submitted = and_(app.submitted_at >= period.start, app.submitted_at < period.end)
    completed = and_(
        app.status == ApplicationStatus.COMPLETED.value,
        app.completed_on >= period.first_day,
        app.completed_on <= period.last_day,
    )
    g = group.label("g")
    applications = (
        select(
            g,
            func.count().filter(submitted).label("applications"),
            func.count().filter(completed).label("completed"),
            func.count().filter(completed, app.on_time.is_(True)).label("completed_on_time"),
            func.count().filter(submitted, app.channel == Channel.ONLINE.value).label("online"),
            func.count().filter(submitted, app.visits == 0).label("zero_visit"),
            *_zeros(*COUNTS[5:]),
        )
        .where(*where, or_(submitted, completed))
        .group_by(g)
    )
    rating = GovRating
    ratings = (
        select(
            g,
            *_zeros(*COUNTS[:5]),
            func.count().label("rated"),
            func.count().filter(rating.grade.in_(GOOD_GRADES)).label("satisfied"),
            func.coalesce(func.sum(rating.score), 0).label("score_sum"),
            func.count()
            .filter(rating.grade.in_([b.value for b in BAD_GRADES]))
            .label("bad_ratings"),
            *_zeros(*COUNTS[9:]),
        )
        .select_from(rating)
        .join(app, app.id == rating.application_id)
        .where(*where, rating.rated_at >= period.start, rating.rated_at < period.end)
        .group_by(g)
    )
    rect = GovRectification
    rectifications = (
        select(
            g,
            *_zeros(*COUNTS[:9]),
            func.count().label("rectifications_open"),
            func.count().filter(rect.due_on < period.today).label("rectifications_overdue"),
        )
        .select_from(rect)
        .join(app, app.id == rect.application_id)
        .where(*where, rect.status == RectificationStatus.OPEN.value)
        .group_by(g)
    )
    return union_all(applications, ratings, rectifications).subquery("tally")


def summed(tally: Any) -> list[Any]:
    """The columns summing each count of a tally per group."""
    return [func.sum(tally.c[name]).label(name) for name in COUNTS]


def counts_of(row: Any) -> Counts:
    return Counts(*(int(getattr(row, name) or 0) for name in COUNTS))


def tally_select(
    where: Sequence[ColumnElement[bool]], group: ColumnElement[str], period: Period
) -> Any:
    """SELECT g, <the counts> per group, summed (a part of a larger statement too)."""
    counted = tally_statement(where, group, period)
    return select(counted.c.g, *summed(counted)).group_by(counted.c.g)


async def tally(
    session: AsyncSession,
    where: Sequence[ColumnElement[bool]],
    group: ColumnElement[str],
    period: Period,
) -> dict[str, Counts]:
    """The counts per group (groups with nothing counted are absent)."""
    rows = await session.execute(tally_select(where, group, period))
    return {row.g: counts_of(row) for row in rows}


def filters(query: MetricsQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [prefix_match(GovApplication.region_code, query.prefix)]
    if query.department_code is not None:
        where.append(GovApplication.department_code == query.department_code)
    return where


async def service_metrics(session: AsyncSession, query: MetricsQuery) -> Metrics:
    """The figures of a checked request: a row per group with anything counted (by
    code), and the totals (their sum). One statement, names of the groups included."""
    if query.group_by == MetricsGroup.DEPARTMENT:
        group: ColumnElement[str] = GovApplication.department_code.expression
    else:
        group = func.left(GovApplication.region_code, query.child_length)
    counted = tally_statement(filters(query), group, query.period)
    if query.group_by == MetricsGroup.DEPARTMENT:
        name: Any = Department.name
        source: Any = counted.outerjoin(Department, Department.code == counted.c.g)
    else:
        name = func.coalesce(Region.name, Grid.name)
        source = counted.outerjoin(Region, Region.prefix == counted.c.g).outerjoin(
            Grid, and_(Grid.code == counted.c.g, Grid.valid_to.is_(None))
        )
    statement = (
        select(counted.c.g, name.label("name"), *summed(counted))
        .select_from(source)
        .group_by(counted.c.g, name)
        .order_by(counted.c.g)
    )
    rows = [MetricsRow(r.g, r.name, counts_of(r)) for r in (await session.execute(statement)).all()]
    totals = sum((r.counts for r in rows), Counts())
    return Metrics(query, totals, rows)
