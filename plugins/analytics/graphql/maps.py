"""A module on the map: ``analysis { heatMap pointMap }``: GeoJSON FeatureCollections (one
value each, not thousands of GraphQL objects)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import strawberry
from strawberry.types import Info

from core.analysis import AnalysisModule, Scope
from core.errors import BadInput
from plugins.analytics.maps import heat, points
from plugins.analytics.regions import Area
from plugins.analytics.registry import AnalyticsState
from plugins.analytics.summaries import ensure_fresh
from schema.audit import reveal
from schema.pagination import decode_cursor, encode_cursor
from schema.scalars import FeatureCollection


@strawberry.enum(description="How a heat map bins records")
class HeatBins(StrEnum):
    BEIDOU = "beidou"
    SQUARE = "square"
    HEX = "hex"


@strawberry.type(description="Records counted per cell; cells are GeoJSON polygons")
class HeatMap:
    bins: HeatBins
    level: int | None = strawberry.field(description="The BeiDou level of BEIDOU cells")
    size: float | None = strawberry.field(
        description="Metres: a SQUARE's side, a HEX's width across flats"
    )
    cells: FeatureCollection = strawberry.field(
        description="One Polygon feature per cell with records, properties key and count"
    )
    cell_count: int
    count: int = strawberry.field(description="The records in the cells shown")
    withheld_cells: int = strawberry.field(
        description="Cells left out by disclosure control (too few records of people whose "
        "data you may not read)"
    )


@strawberry.type(description="A page of a module's records as GeoJSON points")
class PointMap:
    features: FeatureCollection = strawberry.field(
        description="Point features, properties id, kind, at and the module's non-personal columns"
    )
    count: int = strawberry.field(description="Features on this page")
    withheld: int = strawberry.field(
        description="Records on this page whose location is personal and not yours to see"
    )
    end_cursor: str | None
    has_next_page: bool


def revealed(info: Info, module: AnalysisModule, category: str, row: Any, field: str) -> bool:
    """May the caller see ``field`` of a module's record whole? If so, the read is audited."""
    return reveal(
        info,
        category=category,
        kind=module.kind,
        record_id=int(row.id),
        region_code=row.region_code,
        field=field,
    )


async def heat_map(
    info: Info,
    module: AnalysisModule,
    area: Area,
    scope: Scope,
    filter: str | None,
    bins: HeatBins,
    level: int | None,
    size: float | None,
    bbox: list[float] | None,
) -> HeatMap:
    box = heat.check_bbox(bbox)
    if not module.located:
        raise BadInput(f"module {module.key} has no locations to map", argument="module")
    if module.cells is not None:  # its shortcut reads summaries: bring them up to date
        runtime = info.context.runtime
        await ensure_fresh(runtime.sessionmaker, runtime.settings.timezone)
    async with info.context.locked() as session:
        lat0 = 0.0
        if bins is not HeatBins.BEIDOU:
            lat0 = await heat.area_latitude(session, area.prefix)
        b = heat.binning(heat.Bins(bins.value), level, size, area.prefix, lat0)
        outlines = info.context.runtime.state.of(AnalyticsState).outlines
        found = await heat.heat_map(
            session, module, scope, info.context.actor, filter, b, box, outlines
        )
    return HeatMap(
        bins=bins,
        level=b.level,
        size=b.size,
        cells=FeatureCollection(heat.feature_collection(found)),
        cell_count=len(found.cells),
        count=sum(c.count for c in found.cells),
        withheld_cells=found.withheld,
    )


async def point_map(
    info: Info,
    module: AnalysisModule,
    scope: Scope,
    filter: str | None,
    bbox: list[float] | None,
    first: int,
    after: str | None,
) -> PointMap:
    box = heat.check_bbox(bbox)
    if not module.located:
        raise BadInput(f"module {module.key} has no locations to map", argument="module")
    kind = f"points:{module.key}"
    start = None if after is None else int(decode_cursor(after, kind, [int])[0])

    def shown(row: Any) -> bool:
        assert module.location_personal is not None
        return revealed(info, module, module.location_personal, row, "location")

    async with info.context.locked() as session:
        page = await points.point_page(
            session,
            module,
            scope,
            info.context.actor,
            filter,
            bbox=box,
            first=first,
            after=start,
            reveal=shown,
        )
    return PointMap(
        features=FeatureCollection(points.collection(page)),
        count=len(page.features),
        withheld=page.withheld,
        end_cursor=None if page.last_id is None else encode_cursor(kind, [page.last_id]),
        has_next_page=page.has_next,
    )
