"""Point maps: a module's records as GeoJSON points, a page at a time (oldest id first) or
bounded by a bounding box. They are the records of the module's list — the actor's reach,
its masks — and a record whose location is personal (a home) has its point only for an
actor whose grants show it there (an audited read); the others are counted as withheld."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.analysis import AnalysisModule, Scope
from core.errors import BadInput
from plugins.analytics.engine import records, text_of
from plugins.analytics.maps.heat import DECIMALS, BBox

#: the most points one page holds
MAX_POINTS = 5000


@dataclass(slots=True)
class PointPage:
    features: list[dict[str, Any]] = field(default_factory=list)
    #: records on the page whose point is personal and not yours to see
    withheld: int = 0
    #: the last id of the page, and whether more follow
    last_id: int | None = None
    has_next: bool = False


def check_first(first: int) -> None:
    if not 1 <= first <= MAX_POINTS:
        raise BadInput(f"first is 1–{MAX_POINTS}, not {first}", argument="first")


async def point_page(
    session: AsyncSession,
    module: AnalysisModule,
    scope: Scope,
    actor: Actor,
    filter: str | None,
    *,
    bbox: BBox | None,
    first: int,
    after: int | None,
    reveal: Callable[[Any], bool],
) -> PointPage:
    """One page of points; ``reveal(row)`` says (and audits) whether a personal point may
    be shown."""
    check_first(first)
    recs = records(module, scope, actor, filter, located=True)
    point = func.ST_PointOnSurface(recs.c.geom)
    stmt = (
        select(recs, func.ST_X(point).label("lon"), func.ST_Y(point).label("lat"))
        .where(recs.c.geom.is_not(None))
        .order_by(recs.c.id)
        .limit(first + 1)
    )
    if bbox is not None:
        stmt = stmt.where(recs.c.geom.op("&&")(func.ST_MakeEnvelope(*bbox, 4326)))
    if after is not None:
        stmt = stmt.where(recs.c.id > after)
    rows = (await session.execute(stmt)).all()
    page = PointPage(has_next=len(rows) > first)
    public = [c.key for c in module.columns if c.personal is None]
    for row in rows[:first]:
        page.last_id = int(row.id)
        if module.location_personal is not None and not reveal(row):
            page.withheld += 1
            continue
        props: dict[str, Any] = {"id": str(row.id), "kind": module.kind, "at": text_of(row.at)}
        props.update({key: text_of(getattr(row, key)) for key in public})
        page.features.append(
            {
                "type": "Feature",
                "id": str(row.id),
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row.lon, DECIMALS), round(row.lat, DECIMALS)],
                },
                "properties": props,
            }
        )
    return page


def collection(page: PointPage) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": page.features}


def geojson_bytes(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
