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
from plugins.analytics.graphql import maps
from plugins.analytics.graphql.dashboard import registry_of
from plugins.analytics.graphql.maps import HeatBins, HeatMap, PointMap
from plugins.analytics.graphql.types import AnalysisArea, RegionFigure
from plugins.analytics.maps import heat, points
from plugins.analytics.regions import Area, children
from plugins.analytics.scope import resolve
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
    located: bool = strawberry.field(description="Its records have a heat map and a point map")
    min_count: int = strawberry.field(
        description="Disclosure control: the fewest records a heat cell shows you when some "
        "of them you may not read (0: no minimum)"
    )

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
            located=m.located,
            min_count=m.min_count,
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
            return maps.revealed(info, module, column.personal, row, column.key)

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

    @strawberry.field(
        description="The records counted per cell of a grid laid over the map: BeiDou cells "
        f"of a level ({heat.BEIDOU_LEVELS.start}–{heat.BEIDOU_LEVELS.stop - 1}; default by "
        f"the area: district 4, township and community 5, grid 6) or squares or hexagons of "
        f"a size in metres ({heat.MIN_SIZE}–{heat.MAX_SIZE}), within bbox [west, south, "
        f"east, north] if given; at most {heat.MAX_CELLS} cells. Counts every record of the "
        "area (the analytics grant shows aggregates) but leaves out a cell with fewer than "
        "the module's minimum of records you may not read."
    )
    async def heat_map(
        self,
        info: Info,
        bins: HeatBins = HeatBins.BEIDOU,
        level: int | None = None,
        size: float | None = None,
        bbox: list[float] | None = None,
    ) -> HeatMap:
        return await maps.heat_map(
            info, self._module, self._area, self._scope, self._filter, bins, level, size, bbox
        )

    @strawberry.field(
        description="The records of the list as GeoJSON points, oldest id first, within bbox "
        f"[west, south, east, north] if given; at most {points.MAX_POINTS} a page. A home's "
        "point needs the grant that shows it (an audited read)."
    )
    async def point_map(
        self,
        info: Info,
        bbox: list[float] | None = None,
        first: int = 1000,
        after: str | None = None,
    ) -> PointMap:
        return await maps.point_map(
            info, self._module, self._scope, self._filter, bbox, first, after
        )

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
