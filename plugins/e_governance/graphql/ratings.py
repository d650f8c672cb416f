"""好差评, 差评整改 and the service figures in GraphQL.

Queries: ``applicationRating`` (whoever sees the application), ``rectifications`` (the
owning department's work list, or whoever reads ``service`` there) and
``serviceMetrics`` (the figures of ``plugins.e_governance.metrics``, as the dashboard
panel and ``GET /gov/metrics.xlsx`` tell them). Mutations: ``rateApplication`` (the
applicant's side), ``recordRectification`` and ``closeRectification`` (the department).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import Date, and_, literal, not_, or_, select
from strawberry.types import Info

from core.errors import Forbidden, NotFound, Unauthenticated
from plugins.e_governance import access, metrics, ratings
from plugins.e_governance.metrics import Counts, MetricsGroup
from plugins.e_governance.models import (
    RECTIFICATION_DAYS,
    GovApplication,
    GovRating,
    GovRectification,
    Grade,
    RectificationStatus,
)
from schema.ids import parse_id
from schema.loaders import Loader
from schema.pagination import Connection, Edge, keyset_page, to_connection

strawberry.enum(
    Grade,
    name="GovGrade",
    description="好差评's five grades, best first: VERY_SATISFIED 非常满意 (5), SATISFIED "
    "满意 (4), NEUTRAL 基本满意 (3), DISSATISFIED 不满意 (2), VERY_DISSATISFIED 非常不满意 "
    "(1). The last two are 差评: they open a rectification",
)
strawberry.enum(
    RectificationStatus,
    name="GovRectificationStatus",
    description="OPEN: the department is rectifying; CLOSED: measures taken and the "
    "applicant called back (回访)",
)
strawberry.enum(
    MetricsGroup,
    name="GovMetricsGroup",
    description="Rows of service figures: one per DEPARTMENT, or per REGION one level "
    "below the region asked (townships of a district, communities of a township…)",
)

#: due days as whole numbers for cursors (days since this day)
EPOCH = date(2000, 1, 1)
DUE_KEY = GovRectification.due_on - literal(EPOCH, Date)
LIST_KIND = "gov_rectification"

#: a rectification with what its list needs of its application
RECTIFICATIONS = select(
    GovRectification.application_id,
    GovRectification.status,
    GovRectification.opened_at,
    GovRectification.due_on,
    GovRectification.measures,
    GovRectification.callback_at,
    GovRectification.callback_note,
    GovRectification.callback_satisfied,
    GovRectification.closed_at,
    GovRectification.on_time,
    GovApplication.department_code,
    GovApplication.region_code,
).join(GovApplication, GovApplication.id == GovRectification.application_id)


def local_today(info: Info) -> date:
    return ratings.local_day(ratings.utc_now(), info.context.settings.timezone)


@strawberry.type(
    name="GovRectification",
    description="差评整改: what a bad rating opens — the department's measures within "
    f"{RECTIFICATION_DAYS} working days, closed with a call-back to the applicant",
)
class RectificationType:
    application_id: strawberry.ID
    department_code: str = strawberry.field(description="The department rectifying")
    region_code: str = strawberry.field(description="Where the applicant lives")
    status: RectificationStatus
    opened_at: datetime
    due_on: date = strawberry.field(description="The last working day to close it on time")
    measures: str | None = strawberry.field(description="整改措施, as the department wrote")
    callback_at: datetime | None = strawberry.field(description="When the applicant was called")
    callback_note: str | None = strawberry.field(description="What the applicant said")
    callback_satisfied: bool | None = strawberry.field(
        description="Was the applicant satisfied with the rectification"
    )
    closed_at: datetime | None
    on_time: bool | None = strawberry.field(
        description="Closed on or before its due day (null while open)"
    )
    overdue: bool = strawberry.field(description="Open past its due day (local today)")

    @classmethod
    def of(cls, row: Any, department_code: str, region_code: str, today: date) -> Any:
        return cls(
            application_id=strawberry.ID(str(row.application_id)),
            department_code=department_code,
            region_code=region_code,
            status=RectificationStatus(row.status),
            opened_at=row.opened_at,
            due_on=row.due_on,
            measures=row.measures,
            callback_at=row.callback_at,
            callback_note=row.callback_note,
            callback_satisfied=row.callback_satisfied,
            closed_at=row.closed_at,
            on_time=row.on_time,
            overdue=ratings.is_overdue(row.status, row.due_on, today),
        )

    @classmethod
    def of_row(cls, row: Any, today: date) -> Any:
        """From a row of ``RECTIFICATIONS``."""
        return cls.of(row, row.department_code, row.region_code, today)


@strawberry.type(name="GovRating", description="好差评: the applicant's rating, once")
class RatingType:
    grade: Grade
    score: int = strawberry.field(description="5 (非常满意) to 1 (非常不满意)")
    comment: str | None
    rated_at: datetime
    rectification: RectificationType | None = strawberry.field(
        description="The rectification a 差评 opened (null for a good rating)"
    )

    @classmethod
    def of(cls, rating: Any, rectification: RectificationType | None) -> Any:
        return cls(
            grade=Grade(rating.grade),
            score=rating.score,
            comment=rating.comment,
            rated_at=rating.rated_at,
            rectification=rectification,
        )


class RatingLoader(Loader[int, Any]):
    """The rating of each application (with its rectification), None when unrated: one
    statement a batch. The caller checks that the reader sees the application."""

    async def load_batch(self, keys: list[int]) -> list[Any]:
        statement = (
            select(
                GovRating,
                GovRectification,
                GovApplication.department_code,
                GovApplication.region_code,
            )
            .join(GovApplication, GovApplication.id == GovRating.application_id)
            .outerjoin(
                GovRectification, GovRectification.application_id == GovRating.application_id
            )
            .where(GovRating.application_id.in_(keys))
        )
        today = ratings.local_day(ratings.utc_now(), self.ctx.settings.timezone)
        found: dict[int, Any] = {}
        rows: list[Any] = list((await self.ctx.execute(statement)).all())
        for rating, rect, department, region in rows:
            shown = None if rect is None else RectificationType.of(rect, department, region, today)
            found[rating.application_id] = RatingType.of(rating, shown)
        return [found.get(k) for k in keys]


@strawberry.type(
    name="GovMetricsRow",
    description="Service figures of a group (or the totals). Rates are percent with two "
    "decimals, null where nothing is counted",
)
class MetricsRowType:
    code: str | None = strawberry.field(
        description="The department's code or the region's prefix (a grid's code); null in "
        "the totals"
    )
    name: str | None = strawberry.field(description="The department's or the region's name")
    applications: int = strawberry.field(description="办件量: submitted in the period")
    completed: int = strawberry.field(description="办结量: completed in the period")
    completed_on_time: int = strawberry.field(description="Of those, by their deadline")
    on_time_rate: float | None = strawberry.field(
        description="按时办结率: completed on time / completed"
    )
    online_rate: float | None = strawberry.field(
        description="网上办理率: submitted online / applications"
    )
    zero_visit_rate: float | None = strawberry.field(
        description="零跑腿率: with no visit in person / applications"
    )
    rated: int = strawberry.field(description="Ratings given in the period")
    satisfaction_rate: float | None = strawberry.field(
        description="满意率: 非常满意 and 满意 / rated"
    )
    average_score: float | None = strawberry.field(description="Mean score of those, 1–5")
    bad_ratings: int = strawberry.field(description="差评 among them")
    rectifications_open: int = strawberry.field(description="Rectifications open now")
    rectifications_overdue: int = strawberry.field(description="Of those, past their due day")

    @classmethod
    def of(cls, code: str | None, name: str | None, c: Counts) -> Any:
        return cls(
            code=code,
            name=name,
            applications=c.applications,
            completed=c.completed,
            completed_on_time=c.completed_on_time,
            on_time_rate=c.on_time_rate,
            online_rate=c.online_rate,
            zero_visit_rate=c.zero_visit_rate,
            rated=c.rated,
            satisfaction_rate=c.satisfaction_rate,
            average_score=c.average_score,
            bad_ratings=c.bad_ratings,
            rectifications_open=c.rectifications_open,
            rectifications_overdue=c.rectifications_overdue,
        )


@strawberry.type(
    name="GovServiceMetrics",
    description="Service figures of applications over a period, a region and/or a "
    "department: the totals and a row per group (groups with nothing counted are left out)",
)
class ServiceMetricsType:
    region_code: str | None = strawberry.field(
        description="The region's prefix counted (null: everywhere)"
    )
    department_code: str | None = strawberry.field(
        description="The department counted (null: every department)"
    )
    from_: date = strawberry.field(name="from", description="The first local day")
    to: date = strawberry.field(description="The last local day (included)")
    group_by: MetricsGroup
    totals: MetricsRowType
    rows: list[MetricsRowType]

    @classmethod
    def of(cls, found: metrics.Metrics) -> Any:
        query = found.query
        return cls(
            region_code=query.prefix or None,
            department_code=query.department_code,
            from_=query.period.first_day,
            to=query.period.last_day,
            group_by=query.group_by,
            totals=MetricsRowType.of(None, None, found.totals),
            rows=[MetricsRowType.of(r.code, r.name, r.counts) for r in found.rows],
        )


def _list_access(info: Info, department_code: str | None) -> Any:
    """SQL: the rectifications the reader may list — their department's, and those where
    they read ``service``. Nobody else lists rectifications."""
    actor = info.context.actor
    if not actor.authenticated:
        raise Unauthenticated("log in to list rectifications")
    own = access.own_department(actor)
    reads = actor.reach.anywhere(access.SERVICE, "read")
    if own is None and not reads:
        raise Forbidden("rectifications are listed for a department or the command centre")
    if department_code not in (None, own) and not reads:
        raise Forbidden(f"as staff of {own} you list the rectifications of {own} only")
    ways = [actor.reach.where(access.SERVICE, "read", GovApplication.region_code)]
    if own is not None:
        ways.append(GovApplication.department_code == own)
    return or_(*ways)


def _overdue(today: date) -> Any:
    return and_(
        GovRectification.status == RectificationStatus.OPEN.value,
        GovRectification.due_on < today,
    )


@strawberry.type
class RatingQueries:
    @strawberry.field(
        description="The applicant's rating of an application (好差评) with the "
        "rectification it opened; null until rated. NOT_FOUND for an application you do "
        "not see."
    )
    async def application_rating(
        self, info: Info, application_id: strawberry.ID
    ) -> RatingType | None:
        ctx = info.context
        key = parse_id(application_id, "applicationId")
        if not ctx.actor.authenticated:
            raise Unauthenticated("log in to read a rating")
        app = (
            await ctx.execute(
                select(
                    GovApplication.region_code,
                    GovApplication.department_code,
                    GovApplication.agent_id,
                    GovApplication.applicant_account_id,
                ).where(GovApplication.id == key)
            )
        ).one_or_none()
        if app is None or not access.sees(ctx.actor, app):
            raise NotFound(f"no application has the id {key}", argument="applicationId")
        found: RatingType | None = await ctx.loader(RatingLoader).load(key)
        return found

    @strawberry.field(
        description="Rectifications of 差评, soonest due first: your department's, or "
        "wherever you read service (the command centre). overdue: only those open past "
        "their due day (true) or only the others (false)."
    )
    async def rectifications(
        self,
        info: Info,
        department_code: str | None = None,
        status: RectificationStatus | None = None,
        overdue: bool | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[RectificationType]:
        statement = RECTIFICATIONS.where(_list_access(info, department_code))
        today = local_today(info)
        if department_code is not None:
            statement = statement.where(GovApplication.department_code == department_code)
        if status is not None:
            statement = statement.where(GovRectification.status == status.value)
        if overdue is not None:
            late = _overdue(today)
            statement = statement.where(late if overdue else not_(late))
        page = await keyset_page(
            info,
            statement,
            [DUE_KEY, GovRectification.application_id],
            lambda r: ((r.due_on - EPOCH).days, int(r.application_id)),
            kind=LIST_KIND,
            key_types=[int, int],
            first=first,
            after=after,
        )
        page.rows = [RectificationType.of_row(r, today) for r in page.rows]
        return to_connection(
            Connection[RectificationType], Edge[RectificationType], page, LIST_KIND
        )

    @strawberry.field(
        description="Service figures of applications (办件量, 办结量, 按时办结率, 网上办理率, "
        "零跑腿率, 满意率, 差评, rectifications) over local days from..to (default: the "
        "year up to today) and a region and/or department, with a row per department or "
        "per region one level down. Whoever reads service in the region sees any "
        "department; a department's staff their own department's (the default for them)."
    )
    async def service_metrics(
        self,
        info: Info,
        region_code: str | None = None,
        department_code: str | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        group_by: MetricsGroup = MetricsGroup.DEPARTMENT,
    ) -> ServiceMetricsType:
        ctx = info.context
        async with ctx.locked() as session:
            query = await metrics.resolve(
                session,
                ctx.actor,
                region_code=region_code,
                department_code=department_code,
                first=from_,
                last=to,
                group_by=group_by,
                tz=ctx.settings.timezone,
            )
            found = await metrics.service_metrics(session, query)
        return ServiceMetricsType.of(found)


@strawberry.type
class RatingMutations:
    @strawberry.mutation(
        description="Rate a completed application, once (好差评): the applicant or their "
        "agent only. A 差评 (DISSATISFIED, VERY_DISSATISFIED) opens a rectification due "
        f"{RECTIFICATION_DAYS} working days later. CONFLICT when the application is "
        "not completed or rated already."
    )
    async def rate_application(
        self, info: Info, id: strawberry.ID, grade: Grade, comment: str | None = None
    ) -> RatingType:
        ctx = info.context
        key = parse_id(id, "id")
        tz = ctx.settings.timezone
        async with ctx.transaction() as session:
            done = await ratings.rate(session, ctx.actor, key, grade, comment, tz)
        shown = None
        if done.rectification is not None:
            app = done.application
            shown = RectificationType.of(
                done.rectification, app.department_code, app.region_code, local_today(info)
            )
        return RatingType.of(done.rating, shown)

    @strawberry.mutation(
        description="Record the rectification's measures (整改措施), replacing earlier "
        "ones: the department that handled the application. CONFLICT once it is closed."
    )
    async def record_rectification(
        self, info: Info, application_id: strawberry.ID, measures: str
    ) -> RectificationType:
        ctx = info.context
        key = parse_id(application_id, "applicationId")
        async with ctx.transaction() as session:
            done = await ratings.record_measures(session, ctx.actor, key, measures)
        return _shown(info, done)

    @strawberry.mutation(
        description="Close the rectification with the call-back to the applicant (回访): "
        "what they said, satisfied or not, when they were called (default now). On time "
        "when closed on or before its due day. CONFLICT without measures, or when closed."
    )
    async def close_rectification(
        self,
        info: Info,
        application_id: strawberry.ID,
        callback_note: str,
        callback_satisfied: bool,
        called_back_at: datetime | None = None,
    ) -> RectificationType:
        ctx = info.context
        key = parse_id(application_id, "applicationId")
        async with ctx.transaction() as session:
            done = await ratings.close(
                session,
                ctx.actor,
                key,
                callback_note,
                callback_satisfied,
                called_back_at,
                ctx.settings.timezone,
            )
        return _shown(info, done)


def _shown(info: Info, done: ratings.Rectified) -> Any:
    app = done.application
    return RectificationType.of(
        done.rectification, app.department_code, app.region_code, local_today(info)
    )
