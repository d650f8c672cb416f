"""``analysisModules`` and ``analysis(module, …)``: the analysis system's modules — the
records behind each figure (paginated, masked, audited), totals with drill-down, trends,
and the report downloads."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

import strawberry
from strawberry.types import Info

from core.analysis import AnalysisModule, Column, Scope
from core.errors import BadInput
from plugins.analytics import engine
from plugins.analytics.graphql.dashboard import registry_of
from plugins.analytics.graphql.types import AnalysisArea, RegionFigure
from plugins.analytics.regions import Area, children
from plugins.analytics.scope import resolve
from schema.audit import reveal
from schema.pagination import Connection, Edge, keyset_page, to_connection


@strawberry.enum(description="The length of a trend's periods (weeks start on Monday)")
class TrendInterval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@strawberry.type
class AnalysisColumn:
    key: str
    label: str
    personal: bool = strawberry.field(
        description="Masked unless your grants show it whole (such reads are audited)"
    )


@strawberry.type
class AnalysisFilter:
    key: str
    label: str


@strawberry.type(description="A module of the analysis system (研判分析)")
class AnalysisModuleInfo:
    key: str
    title: str
    category: str = strawberry.field(description="The data category of its records")
    dated: bool = strawberry.field(
        description="Counts what happened in the period (else: the records there now)"
    )
    columns: list[AnalysisColumn]
    filters: list[AnalysisFilter]

    @classmethod
    def of(cls, m: AnalysisModule) -> AnalysisModuleInfo:
        return cls(
            key=m.key,
            title=m.title,
            category=m.category,
            dated=m.dated,
            columns=[
                AnalysisColumn(key=c.key, label=c.label, personal=c.personal is not None)
                for c in m.columns
            ],
            filters=[AnalysisFilter(key=k, label=v) for k, v in m.filters.items()],
        )


@strawberry.type(description="A record behind a module's figures")
class AnalysisRow:
    id: strawberry.ID = strawberry.field(description="The record's id in its kind")
    kind: str
    region_code: str
    at: str | None = strawberry.field(description="When it happened (or was registered)")
    cells: list[str | None] = strawberry.field(description="In the order of the columns")


@strawberry.type
class TrendPoint:
    start: date = strawberry.field(description="First day of the period")
    value: int


@strawberry.type
class AnalysisReport:
    xlsx: str = strawberry.field(description="Path of the list as a spreadsheet")
    csv: str = strawberry.field(description="Path of the list as CSV (UTF-8)")


@strawberry.type(description="A module's answer for an area and period")
class Analysis:
    module: AnalysisModuleInfo
    area: AnalysisArea
    from_: date = strawberry.field(name="from")
    to: date
    _module: strawberry.Private[AnalysisModule]
    _area: strawberry.Private[Area]
    _scope: strawberry.Private[Scope]
    _filter: strawberry.Private[str | None]

    def _records(self, info: Info) -> Any:
        return engine.records(self._module, self._scope, info.context.actor, self._filter)

    @strawberry.field(description="How many records (in your reach)")
    async def total(self, info: Info) -> int:
        async with info.context.locked() as session:
            return await engine.total(session, self._records(info))

    @strawberry.field(description="The total of each area one level down")
    async def breakdown(self, info: Info) -> list[RegionFigure]:
        async with info.context.locked() as session:
            kids = await children(session, self._area)
            if not kids:
                return []
            counts = await engine.breakdown(session, self._records(info), len(kids[0].prefix))
        return [
            RegionFigure(area=AnalysisArea.of(k), value=float(counts.get(k.prefix, 0)))
            for k in kids
        ]

    @strawberry.field(
        description=f"Records per period of the time they happened (registered, for undated "
        f"modules); at most {engine.MAX_DAILY_POINTS} daily points"
    )
    async def trend(
        self, info: Info, interval: TrendInterval = TrendInterval.MONTH
    ) -> list[TrendPoint]:
        async with info.context.locked() as session:
            points = await engine.trend(session, self._records(info), self._scope, interval.value)
        return [TrendPoint(start=s, value=v) for s, v in points]

    @strawberry.field(description="The records, oldest id first")
    async def rows(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[AnalysisRow]:
        recs = self._records(info)
        kind = f"analysis:{self._module.key}"
        page = await keyset_page(
            info,
            engine.page_statement(recs),
            [recs.c.id],
            lambda r: (r.id,),
            kind=kind,
            key_types=[int],
            first=first,
            after=after,
        )
        module = self._module

        def shown(column: Column, row: Any) -> bool:
            assert column.personal is not None
            return reveal(
                info,
                category=column.personal,
                kind=module.kind,
                record_id=int(row.id),
                region_code=row.region_code,
                field=column.key,
            )

        page.rows = [
            AnalysisRow(
                id=strawberry.ID(str(r.id)),
                kind=module.kind,
                region_code=r.region_code,
                at=engine.text_of(r.at),
                cells=engine.cells(module, r, shown),
            )
            for r in page.rows
        ]
        return to_connection(Connection[AnalysisRow], Edge[AnalysisRow], page, kind)

    @strawberry.field(description="Download paths of the whole list (same token)")
    def report(self) -> AnalysisReport:
        query = {
            "region": self._area.code,
            "from": self._scope.first_day.isoformat(),
            "to": self._scope.last_day.isoformat(),
        }
        if self._filter:
            query["filter"] = self._filter
        q = urlencode(query)
        base = f"/analytics/modules/{self._module.key}"
        return AnalysisReport(xlsx=f"{base}.xlsx?{q}", csv=f"{base}.csv?{q}")


def module_of(info: Info, key: str) -> AnalysisModule:
    modules = registry_of(info).modules
    found = modules.get(key)
    if found is None:
        raise BadInput(
            f"no analysis module {key!r} (modules: {', '.join(modules)})", argument="module"
        )
    return found


@strawberry.type
class AnalysisQueries:
    @strawberry.field(description="The analysis modules the enabled plugins give, in order")
    def analysis_modules(self, info: Info) -> list[AnalysisModuleInfo]:
        return [AnalysisModuleInfo.of(m) for m in registry_of(info).modules.values()]

    @strawberry.field(
        description="One analysis module over a region or grid (default: the district, or "
        "your own area) and local days from..to (default: the year up to today). Needs the "
        "analytics grant for the region; its rows follow your reach, masks and audit."
    )
    async def analysis(
        self,
        info: Info,
        module: str,
        region_code: str | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        filter: str | None = None,
    ) -> Analysis:
        found = module_of(info, module)
        runtime = info.context.runtime
        tz = runtime.settings.timezone
        async with info.context.locked() as session:
            area, scope = await resolve(session, info.context.actor, region_code, from_, to, tz)
        engine.check_filter(found, filter)
        return Analysis(
            module=AnalysisModuleInfo.of(found),
            area=AnalysisArea.of(area),
            from_=scope.first_day,
            to=scope.last_day,
            _module=found,
            _area=area,
            _scope=scope,
            _filter=filter,
        )
