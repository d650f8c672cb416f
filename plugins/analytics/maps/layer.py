"""The ``heat`` vector-tile layer: a module's heat map (BeiDou cells, their level chosen by
the zoom) as polygons with a ``count``, under the same grant and disclosure control as the
``heatMap`` field. Parameters: ``module`` (default ``events_by_area``), ``filter``,
``region``, ``from``, ``to``.

A tile counts the records of every cell it touches, not only of the part inside it, so a
cell cut by a tile edge shows one count on both sides.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, String, column, false, func, literal, null, select, values

from core.errors import BadInput, NotFound
from core.maps import TileLayer, TileRequest
from plugins.analytics import engine
from plugins.analytics.maps.heat import Binning, Bins, heat_map
from plugins.analytics.registry import AnalyticsState, registry
from plugins.analytics.scope import date_param, resolve
from plugins.analytics.summaries import ensure_fresh

DEFAULT_MODULE = "events_by_area"
#: (first zoom, BeiDou level): cells of some 10–50 screen pixels
LEVEL_BY_ZOOM = ((16, 6), (14, 5), (10, 4), (0, 3))


def level_for_zoom(z: int) -> int:
    return next(level for start, level in LEVEL_BY_ZOOM if z >= start)


async def heat_features(request: TileRequest) -> Any:
    params = request.params
    key = params.get("module", DEFAULT_MODULE)
    module = registry(request.runtime).modules.get(key)
    if module is None:
        raise NotFound(f"no analysis module {key!r}", argument="module")
    if not module.located:
        raise BadInput(f"module {key} has no locations to map", argument="module")
    filter = params.get("filter")
    engine.check_filter(module, filter)
    _, scope = await resolve(
        request.session,
        request.actor,
        params.get("region"),
        date_param(params, "from"),
        date_param(params, "to"),
        request.runtime.settings.timezone,
    )
    if module.cells is not None:  # its shortcut reads summaries: bring them up to date
        runtime = request.runtime
        await ensure_fresh(runtime.sessionmaker, runtime.settings.timezone)
    level = level_for_zoom(request.tile.z)
    found = await heat_map(
        request.session,
        module,
        scope,
        request.actor,
        filter,
        Binning(Bins.BEIDOU, level=level),
        request.tile.bounds,
        request.runtime.state.of(AnalyticsState).outlines,
    )
    if not found.cells:
        return select(
            null().label("geom"), literal("").label("key"), literal(0).label("count")
        ).where(false())
    rows = values(
        column("key", String),
        column("count", Integer),
        column("w", Float),
        column("s", Float),
        column("e", Float),
        column("n", Float),
        name="cells",
    ).data([(c.key, c.count, *c.bounds) for c in found.cells])
    return select(
        func.ST_MakeEnvelope(rows.c.w, rows.c.s, rows.c.e, rows.c.n, 4326).label("geom"),
        rows.c.key,
        rows.c.count,
    )


LAYER = TileLayer(
    key="heat",
    maxzoom=16,
    title="Heat map",
    features=heat_features,
    fields={"key": "String", "count": "Number"},
    description="A module's records counted per BeiDou cell (level 3 below zoom 10, 4 to 13, "
    "5 to 15, 6 from 16); needs the analytics grant; small cells of personal data you may "
    "not read are left out.",
    params={
        "module": f"the analysis module (default {DEFAULT_MODULE})",
        "filter": "one of the module's filters",
        "region": "a region or grid code (default: the district, or your own area)",
        "from": "first local day, YYYY-MM-DD (default: a year before to)",
        "to": "last local day, YYYY-MM-DD (default: today)",
    },
)
