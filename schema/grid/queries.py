"""Root query fields of the grid domain."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from core.errors import NotFound
from core.models import Region
from schema.codes import known_area_prefix, parse_prefix
from schema.compiled.areas import REGION_SHAPE
from schema.compiled.grids import compiled_grid, compiled_grids
from schema.compiled.records import compiled_object, compiled_page
from schema.enums import RegionLevel
from schema.grid.columns import REGIONS
from schema.grid.loaders import GridByCodeLoader, RegionByCodeLoader
from schema.grid.types import GridConnection, RegionConnection, grid_page, region_page
from schema.refs import GridRef, RegionRef


@strawberry.type
class GridQueries:
    @strawberry.field(description="Regions, optionally only one level or the children of one.")
    async def regions(
        self,
        info: Info,
        parent_code: str | None = None,
        level: RegionLevel | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> RegionConnection:
        stmt = REGIONS
        if parent_code is not None:
            prefix = await known_area_prefix(info, parent_code, "parentCode")
            stmt = stmt.where(Region.parent_code == prefix.ljust(12, "0"))
        if level is not None:
            stmt = stmt.where(Region.level == level.value)

        return await compiled_page(
            info, REGION_SHAPE, lambda: region_page(info, stmt, first, after)
        )

    @strawberry.field(description="One region by its 6-, 9- or 12-digit code.")
    async def region(self, info: Info, code: str) -> RegionRef:
        prefix = parse_prefix(code, "code")
        if len(prefix) == 15:
            raise NotFound(f"{code!r} is a grid code; use grid(code:)", argument="code")
        row = await info.context.loader(RegionByCodeLoader).load(prefix.ljust(12, "0"))
        if row is None:
            raise NotFound(f"no region has the code {code!r}", argument="code")
        return await compiled_object(info, REGION_SHAPE, row)

    @strawberry.field(description="Current grids whose code starts with the region's prefix.")
    async def grids(
        self,
        info: Info,
        region_code: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> GridConnection:
        prefix = await known_area_prefix(info, region_code)
        if info.context.settings.compiled_reads:
            compiled = await compiled_grids(info, prefix, first, after)
            if compiled is not None:
                return compiled
        return await grid_page(info, prefix, first, after)

    @strawberry.field(description="One current grid by its 15-digit code.")
    async def grid(self, info: Info, code: str) -> GridRef:
        prefix = parse_prefix(code, "code")
        row: Any = None
        if len(prefix) == 15 and info.context.settings.compiled_reads:
            compiled = await compiled_grid(info, prefix)
            if compiled is not None:
                return compiled  # complete: the executor passes it through
        if len(prefix) == 15:
            row = await info.context.loader(GridByCodeLoader).load(prefix)
        if row is None:
            raise NotFound(f"no current grid has the code {code!r}", argument="code")
        return row
