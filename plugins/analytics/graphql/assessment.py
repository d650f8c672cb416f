"""``assessment(month, regionCode, level)``: the monthly assessment table (考核表), and
``setAssessmentWeights`` to edit its weights."""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlencode

import strawberry
from strawberry.types import Info

from core.errors import Forbidden, Unauthenticated
from plugins.analytics.assessment import Table, assess, month_scope, set_weights
from plugins.analytics.graphql.dashboard import registry_of
from plugins.analytics.graphql.types import AnalysisArea
from plugins.analytics.scope import CATEGORY, resolve


@strawberry.enum(description="Whom the rows of an assessment table are about")
class AssessmentLevel(StrEnum):
    WORKER = "worker"
    COMMUNITY = "community"
    TOWNSHIP = "township"


@strawberry.enum(description="Whether more of an indicator is better or worse")
class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


@strawberry.type
class AssessmentIndicatorInfo:
    key: str
    label: str
    unit: str
    better: Better
    weight: float
    module: str | None = strawberry.field(
        description="The analysis module listing the records behind the figure"
    )


@strawberry.type
class AssessmentValue:
    indicator: str
    value: float | None
    normalized: float | None = strawberry.field(
        description="0–100 against the best of the table (null: no value this month)"
    )


@strawberry.type
class AssessmentRow:
    rank: int
    code: str = strawberry.field(description="The worker's grid code, or the area's prefix")
    name: str
    worker_id: strawberry.ID | None
    workers: int = strawberry.field(description="Workers behind the row (1 for a worker)")
    values: list[AssessmentValue]
    score: float | None


@strawberry.type
class AssessmentTable:
    month: str
    area: AnalysisArea
    level: AssessmentLevel
    indicators: list[AssessmentIndicatorInfo]
    rows: list[AssessmentRow]
    download: str = strawberry.field(description="Path of the same table as XLSX")


@strawberry.input
class WeightInput:
    indicator: str
    weight: float


def typed(t: Table) -> AssessmentTable:
    query = urlencode({"month": t.month, "region": t.area.code, "level": t.level})
    return AssessmentTable(
        month=t.month,
        area=AnalysisArea.of(t.area),
        level=AssessmentLevel(t.level),
        indicators=[
            AssessmentIndicatorInfo(
                key=i.key,
                label=i.label,
                unit=i.unit,
                better=Better(i.better),
                weight=w,
                module=i.module,
            )
            for i, w in t.indicators
        ],
        rows=[
            AssessmentRow(
                rank=e.rank,
                code=e.code,
                name=e.name,
                worker_id=strawberry.ID(str(e.worker_id)) if e.worker_id is not None else None,
                workers=e.workers,
                values=[
                    AssessmentValue(indicator=k, value=e.values[k], normalized=e.normalized[k])
                    for k in e.values
                ],
                score=e.score,
            )
            for e in t.rows
        ],
        download=f"/analytics/assessment.xlsx?{query}",
    )


@strawberry.type
class AssessmentQueries:
    @strawberry.field(
        description="The assessment table of a month (YYYY-MM) for a region (default: the "
        "district, or your own area): one row per grid worker, community or township, "
        "ranked by score. Needs the analytics grant for the region."
    )
    async def assessment(
        self,
        info: Info,
        month: str,
        region_code: str | None = None,
        level: AssessmentLevel = AssessmentLevel.WORKER,
    ) -> AssessmentTable:
        tz = info.context.runtime.settings.timezone
        registry = registry_of(info)
        async with info.context.locked() as session:
            area, _ = await resolve(session, info.context.actor, region_code, None, None, tz)
            scope = month_scope(month, area, tz)
            table = await assess(session, registry, area, scope, level.value, month)
        return typed(table)


@strawberry.type
class AssessmentMutations:
    @strawberry.mutation(
        description="Set the weights of assessment indicators (the others keep theirs); "
        "needs the analytics write grant for the whole deployment."
    )
    async def set_assessment_weights(
        self, info: Info, weights: list[WeightInput]
    ) -> list[AssessmentIndicatorInfo]:
        actor = info.context.actor
        if not actor.authenticated:
            raise Unauthenticated("log in first")
        if not actor.reach.allows(CATEGORY, "write", ""):
            raise Forbidden("only whoever may write analytics everywhere sets the weights")
        registry = registry_of(info)
        async with info.context.transaction() as session:
            merged = await set_weights(session, registry, {w.indicator: w.weight for w in weights})
        return [
            AssessmentIndicatorInfo(
                key=k,
                label=i.label,
                unit=i.unit,
                better=Better(i.better),
                weight=merged[k],
                module=i.module,
            )
            for k, i in registry.indicators.items()
        ]
