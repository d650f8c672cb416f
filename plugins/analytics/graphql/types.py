"""GraphQL types of the dashboard: panels of figures, each with its drill-down."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from enum import StrEnum

import strawberry
from strawberry.types import Info

from core.actor import Actor
from core.analysis import Figure, Figures, Scope
from plugins.analytics.regions import Area, children
from plugins.analytics.registry import Panel


@strawberry.enum(description="The level of an area figures are about")
class AreaLevel(StrEnum):
    DEPLOYMENT = "deployment"  # every county of the deployment
    PROVINCE = "province"  # the counties of a province
    CITY = "city"  # the counties of a city
    DISTRICT = "district"
    TOWNSHIP = "township"
    COMMUNITY = "community"
    GRID = "grid"


@strawberry.type(description="A region or grid figures are about")
class AnalysisArea:
    code: str = strawberry.field(
        description="The region's 12-digit code or the grid's 15 (a city's or province's "
        "code padded with zeros; empty for the whole deployment)"
    )
    prefix: str = strawberry.field(description="Codes of records in the area start with it")
    name: str
    level: AreaLevel

    @classmethod
    def of(cls, area: Area) -> AnalysisArea:
        return cls(code=area.code, prefix=area.prefix, name=area.name, level=AreaLevel(area.level))


@strawberry.type(description="A figure of one area one level down")
class RegionFigure:
    area: AnalysisArea
    value: float | None


class Drill:
    """Computes a panel's figures per child area once, when a breakdown is first asked."""

    def __init__(self, panel: Panel, area: Area, scope: Scope) -> None:
        self.panel, self.area, self.scope = panel, area, scope
        self._lock = asyncio.Lock()
        self._done: tuple[list[Area], Figures] | None = None

    async def by_child(self, info: Info) -> tuple[list[Area], Figures]:
        async with self._lock:
            if self._done is None:
                async with info.context.locked() as session:
                    kids = await children(session, self.area)
                    grouped: Figures = {}
                    if kids:
                        scope = self.scope.grouped(self.area.child_length)
                        for part in self.panel.parts:
                            for group, figures in (await part.compute(session, scope)).items():
                                grouped.setdefault(group, []).extend(figures)
                self._done = (kids, grouped)
            return self._done


@strawberry.type(description="One number on a dashboard panel")
class DashboardFigure:
    key: str
    label: str
    value: float | None = strawberry.field(
        description="Null where nothing is measured, or where disclosure control withholds "
        "a small count of personal data you may not read in the area"
    )
    unit: str = strawberry.field(description='"%", "/5" or "" (a count)')
    chart: str = strawberry.field(
        description="Figures drawn together share a chart key (an age pyramid, kinds…)"
    )
    _figure: strawberry.Private[Figure]
    _drill: strawberry.Private[Drill]

    @strawberry.field(
        description="The same figure for each area one level down (none for a grid); "
        "computed once per panel when first asked"
    )
    async def breakdown(self, info: Info) -> list[RegionFigure]:
        kids, grouped = await self._drill.by_child(info)
        missing = 0.0 if self._figure.additive else None
        actor = info.context.actor
        out = []
        for kid in kids:
            found = next((f for f in grouped.get(kid.prefix, []) if f.key == self.key), None)
            value = found.value if found is not None else missing
            out.append(
                RegionFigure(
                    area=AnalysisArea.of(kid),
                    value=disclosed(self._figure, value, actor, kid.prefix),
                )
            )
        return out


@strawberry.type(description="A panel of the big-data dashboard (一屏知全域)")
class DashboardPanel:
    key: str
    title: str
    figures: list[DashboardFigure]

    @strawberry.field(description="One figure by key (null when the panel has none)")
    def figure(self, key: str) -> DashboardFigure | None:
        return next((f for f in self.figures if f.key == key), None)


def disclosed(figure: Figure, value: float | None, actor: Actor, prefix: str) -> float | None:
    """The value, or None when disclosure control withholds it: a count of personal data
    under the figure's minimum, for a reader whose grant does not cover the area."""
    if (
        value is None
        or figure.personal is None
        or not 0 < value < figure.min_count
        or actor.reach.allows(figure.personal, "read", prefix)
    ):
        return value
    return None


def panel_of(panel: Panel, figures: list[Figure], drill: Drill, actor: Actor) -> DashboardPanel:
    prefix = drill.area.prefix
    return DashboardPanel(
        key=panel.key,
        title=panel.title,
        figures=[
            DashboardFigure(
                key=f.key,
                label=f.label,
                value=disclosed(f, f.value, actor, prefix),
                unit=f.unit,
                chart=f.chart,
                _figure=f,
                _drill=drill,
            )
            for f in figures
        ],
    )


async def computed(info: Info, panel: Panel, area: Area, scope: Scope) -> DashboardPanel:
    """A panel's figures over the scope (its parts in order)."""
    figures: list[Figure] = []
    async with info.context.locked() as session:
        for part in panel.parts:
            figures.extend((await part.compute(session, scope)).get("", []))
    return panel_of(panel, figures, Drill(panel, area, scope), info.context.actor)


@strawberry.type(description="The dashboard of an area over a period")
class Dashboard:
    area: AnalysisArea
    from_: date = strawberry.field(name="from", description="First local day of the period")
    to: date = strawberry.field(description="Last local day of the period (included)")
    start: datetime = strawberry.field(description="The period's first instant")
    end: datetime = strawberry.field(
        description="The instant after the period: [start, end) is what eventIndicators takes"
    )
    _panels: strawberry.Private[list[Panel]]
    _area: strawberry.Private[Area]
    _scope: strawberry.Private[Scope]

    @strawberry.field(description="Every panel the enabled plugins give, in order")
    async def panels(self, info: Info) -> list[DashboardPanel]:
        return [await computed(info, p, self._area, self._scope) for p in self._panels]

    @strawberry.field(description="One panel by key (null when no enabled plugin gives it)")
    async def panel(self, info: Info, key: str) -> DashboardPanel | None:
        found = next((p for p in self._panels if p.key == key), None)
        return None if found is None else await computed(info, found, self._area, self._scope)

    @strawberry.field(description="The keys and titles of the panels, without computing them")
    def panel_keys(self) -> list[str]:
        return [p.key for p in self._panels]
