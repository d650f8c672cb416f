"""``encodeLocation``, ``decodeCode``, ``locate`` and ``here``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import ColumnElement
from strawberry.types import Info

from core.codes import beidou
from core.codes.errors import InvalidCode
from core.codes.spacetime import decode_spacetime
from core.errors import BadInput, Unauthenticated
from core.models.base import prefix_match
from core.services.locating import check_position, place_point
from schema.codes import known_area_prefix
from schema.compiled.areas import LOCATION_SHAPE
from schema.compiled.records import compiled_object
from schema.enums import CodeKind, HereKind, TimeLevel
from schema.grid.loaders import RegionByCodeLoader
from schema.locate.types import DecodedCode, Here, Location


def _bad(exc: InvalidCode, argument: str) -> BadInput:
    return BadInput(str(exc), argument=argument)


def decode_any(code: str, tz: str) -> DecodedCode:
    try:
        if "/" in code:
            st = decode_spacetime(code, tz=tz)
            cell, interval = st.cell, st.time
            return DecodedCode(
                code=code.strip().upper(),
                kind=CodeKind.SPACETIME,
                level=cell.level,
                west=float(cell.west),
                south=float(cell.south),
                east=float(cell.east),
                north=float(cell.north),
                time_level=TimeLevel(interval.level),
                start=interval.start,
                end=interval.end,
            )
        cell = beidou.decode(code)
    except InvalidCode as exc:
        raise _bad(exc, "code") from exc
    return DecodedCode(
        code=cell.code,
        kind=CodeKind.BEIDOU,
        level=cell.level,
        west=float(cell.west),
        south=float(cell.south),
        east=float(cell.east),
        north=float(cell.north),
        time_level=None,
        start=None,
        end=None,
    )


@strawberry.type
class LocateQueries:
    @strawberry.field(description="The BeiDou grid location code of a position at a level.")
    def encode_location(self, lon: float, lat: float, level: int) -> str:
        check_position(lon, lat)
        try:
            return beidou.encode(lon, lat, level)
        except InvalidCode as exc:
            raise _bad(exc, "level" if not 1 <= level <= 10 else "lat") from exc

    @strawberry.field(
        description="Decode a BeiDou code, or a spatio-temporal code "
        "(BeiDou/time), into its cell and interval."
    )
    def decode_code(self, info: Info, code: str) -> DecodedCode:
        return decode_any(code, info.context.settings.timezone)

    @strawberry.field(description="The grid, community and township at a position.")
    async def locate(self, info: Info, lon: float, lat: float) -> Location:
        ctx = info.context
        async with ctx.locked() as session:
            placement = await place_point(session, lon, lat)
        grid = placement.grid
        regions = ctx.loader(RegionByCodeLoader)
        community = township = None
        if grid is not None:
            community, township = await regions.load_many(
                [grid.community_code, grid.community_code[:9] + "000"]
            )
        location = Location(
            longitude=lon,
            latitude=lat,
            beidou_code=placement.beidou_code,
            grid=grid,
            region_code=placement.region_code,
            community=community,
            township=township,
        )
        return await compiled_object(info, LOCATION_SHAPE, location)

    @strawberry.field(
        description="Everything in a BeiDou cell (code starting with N or S) "
        "or a region/grid (6–15 digits), optionally collected in [from, to)."
    )
    async def here(
        self,
        info: Info,
        code: str,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
    ) -> Here:
        if not info.context.actor.authenticated:
            raise Unauthenticated("log in to see what is here")
        code = code.strip().upper()
        for name, moment in (("from", from_), ("to", to)):
            if moment is not None and moment.tzinfo is None:
                raise BadInput(f"{name} needs a time zone offset", argument=name)
        if from_ is not None and to is not None and not from_ < to:
            raise BadInput("from must be before to", argument="to")
        if code[:1] in ("N", "S"):
            try:
                code = beidou.decode(code).code
            except InvalidCode as exc:
                raise _bad(exc, "code") from exc
            kind, column = HereKind.BEIDOU, "beidou_code"
        else:
            code = await known_area_prefix(info, code, "code")
            kind, column = HereKind.REGION, "region_code"

        def filters(model: Any) -> Iterator[ColumnElement[bool]]:
            yield prefix_match(getattr(model, column), code)
            if from_ is not None:
                yield model.collected_at >= from_
            if to is not None:
                yield model.collected_at < to

        return Here(code=code, kind=kind, start=from_, end=to, filters=filters)
