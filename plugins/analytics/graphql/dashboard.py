"""``dashboard(regionCode, from, to)``: the six panels (and whatever panels plugins add)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from plugins.analytics.graphql.types import AnalysisArea, Dashboard
from plugins.analytics.registry import Registry, registry
from plugins.analytics.scope import resolve
from plugins.analytics.summaries import ensure_fresh


def registry_of(info: Info) -> Registry:
    return registry(info.context.runtime)


@strawberry.type
class DashboardQueries:
    @strawberry.field(
        description="The big-data dashboard of a region or grid (default: the district, or "
        "your own area) over local days from..to (default: the year up to today): needs "
        "the analytics grant for the region. Each figure has its breakdown one level down."
    )
    async def dashboard(
        self,
        info: Info,
        region_code: str | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> Dashboard:
        runtime = info.context.runtime
        tz = runtime.settings.timezone
        async with info.context.locked() as session:
            area, scope = await resolve(session, info.context.actor, region_code, from_, to, tz)
        await ensure_fresh(runtime.sessionmaker, tz)
        return Dashboard(
            area=AnalysisArea.of(area),
            from_=scope.first_day,
            to=scope.last_day,
            start=scope.start,
            end=scope.end,
            _panels=registry_of(info).panels,
            _area=area,
            _scope=scope,
        )
