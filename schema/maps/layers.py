"""The core's map layers: grids, regions, events and places.

Each answers the SELECT of the features in a tile (``core.maps``) with the same predicate
as the GraphQL list of its type, so a tile never carries a feature its caller could not
list: regions and current grids are public (``regions``/``grids`` check no reach), events
are ``authz.events.visible_events`` (``events``), places are the caller's reach for the
``place`` category (``places``, with the same 401/403 for a caller without any). A column
named ``id`` becomes the feature id (the record's GraphQL ``id``, an integer). Free text
and personal values stay out of tiles: a house's name is its door address (masked in
GraphQL without ``person:contact``), so a house has no ``name`` here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, func, literal_column, or_, select

from authz.events import visible_events
from authz.scope import within_reach
from core.actor import require_category
from core.errors import BadInput, Unauthenticated
from core.maps import TileLayer, TileRequest, utc_text
from core.models import Event, Grid, Place, Region
from core.models.base import prefix_match
from core.models.event import EventStatus
from core.models.place import PlaceKind
from core.models.region import GridKind, RegionLevel
from schema.codes import parse_prefix

#: the most events one tile carries (the latest collected first): a tile stays small
#: however many events its area holds; zoom in to see the rest
EVENT_CAP = 2000
#: the most places one tile carries (in code order)
PLACE_CAP = 5000
#: the zooms the core's layers are served at: clients overzoom past 16 (a z16 tile is
#: about 600 m wide, and 4096 units along it put a point within 15 cm)
CORE_MAXZOOM = 16
#: places are many and small: not served below this zoom
PLACE_MINZOOM = 10

_CATEGORY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

REGION_PARAM = "a region or grid code (6, 9, 12 or 15 digits): only what lies inside it"


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if value not in allowed:
        raise BadInput(f"{name} must be one of {', '.join(allowed)}, got {value!r}", argument=name)
    return value


def _region(params: Mapping[str, str]) -> str:
    """The code prefix of the ``region`` parameter ("" when absent)."""
    code = params.get("region")
    return "" if code is None else parse_prefix(code, "region")


def _day(params: Mapping[str, str], name: str) -> date | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
        if not 1900 <= day.year <= 2999:
            raise ValueError(value)
    except ValueError:
        raise BadInput(
            f"{name} must be a date (YYYY-MM-DD, years 1900 to 2999), got {value!r}",
            argument=name,
        ) from None
    return day


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


# --- grids -------------------------------------------------------------------------------


async def grid_features(request: TileRequest) -> Select[Any]:
    """Current grids (as ``grids`` lists them: to everybody)."""
    params = request.params
    prefix = _region(params)
    kind = _choice(params, "kind", tuple(GridKind))
    stmt = select(
        Grid.geom.label("geom"),
        Grid.id.label("id"),
        Grid.code.label("code"),
        Grid.name.label("name"),
        Grid.kind.label("kind"),
        Grid.special_type.label("special_type"),
        Grid.community_code.label("community_code"),
    ).where(Grid.valid_to.is_(None), Grid.geom.op("&&")(request.tile.bbox()))
    if prefix:
        stmt = stmt.where(prefix_match(Grid.code, prefix))
    if kind is not None:
        stmt = stmt.where(Grid.kind == kind)
    return stmt


GRIDS = TileLayer(
    key="grids",
    title="网格 Grids",
    features=grid_features,
    fields={
        "code": "String",
        "name": "String",
        "kind": "String",
        "special_type": "String",
        "community_code": "String",
    },
    description="Current grids (polygons); the feature id is the grid's id.",
    maxzoom=CORE_MAXZOOM,
    simplify=True,
    params={"region": REGION_PARAM, "kind": "urban, rural or special"},
)


# --- regions -----------------------------------------------------------------------------


async def region_features(request: TileRequest) -> Select[Any]:
    """Regions (as ``regions`` lists them: to everybody)."""
    params = request.params
    prefix = _region(params)
    level = _choice(params, "level", tuple(RegionLevel))
    stmt = select(
        Region.geom.label("geom"),
        Region.code.label("code"),
        Region.name.label("name"),
        Region.level.label("level"),
        Region.kind.label("kind"),
        Region.parent_code.label("parent_code"),
    ).where(Region.geom.op("&&")(request.tile.bbox()))
    if prefix:
        stmt = stmt.where(prefix_match(Region.code, prefix))
    if level is not None:
        stmt = stmt.where(Region.level == level)
    return stmt


REGIONS = TileLayer(
    key="regions",
    title="行政区划 Regions",
    features=region_features,
    fields={
        "code": "String",
        "name": "String",
        "level": "String",
        "kind": "String",
        "parent_code": "String",
    },
    description="District, townships and communities (polygons), keyed by their 12-digit code.",
    maxzoom=CORE_MAXZOOM,
    simplify=True,
    params={"region": REGION_PARAM, "level": "district, township or community"},
)


# --- events ------------------------------------------------------------------------------

EVENT_STATUS = ("open", "all", *EventStatus)


async def event_features(request: TileRequest) -> Select[Any]:
    """Events the caller may read (``visible_events``, as ``events``): by reach, as their
    reporter, holder or department; the open ones unless ``status`` says otherwise."""
    actor = request.actor
    if not actor.authenticated:  # as the events list
        raise Unauthenticated("log in to see events")
    params = request.params
    prefix = _region(params)
    status = _choice(params, "status", EVENT_STATUS) or "open"
    category = params.get("category")
    if category is not None and (len(category) > 48 or not _CATEGORY.match(category)):
        raise BadInput(
            f"category must be an event category code (e.g. dispute.labor), got {category!r}",
            argument="category",
        )
    first, last = _day(params, "from"), _day(params, "to")
    if first is not None and last is not None and last < first:
        raise BadInput("to must not be before from", argument="to")
    zone = ZoneInfo(request.runtime.settings.timezone)
    stmt = (
        select(
            Event.geom.label("geom"),
            Event.id.label("id"),
            Event.category_code.label("category_code"),
            Event.status.label("status"),
            Event.level.label("level"),
            Event.supervision.label("supervision"),
            Event.region_code.label("region_code"),
            utc_text(Event.collected_at).label("collected_at"),
            and_(Event.status != "closed", Event.deadline_at < func.now()).label("overdue"),
        )
        .where(visible_events(actor), Event.geom.op("&&")(request.tile.bbox()))
        .order_by(Event.collected_at.desc(), Event.id.desc())
        .limit(EVENT_CAP)
    )
    if prefix:
        stmt = stmt.where(prefix_match(Event.region_code, prefix))
    if status == "open":  # a constant, so that every plan may take ix_event_open_geom
        stmt = stmt.where(Event.status != literal_column("'closed'"))
    elif status != "all":
        stmt = stmt.where(Event.status == status)
    if category is not None:
        stmt = stmt.where(
            or_(Event.category_code == category, Event.category_code.startswith(category + "."))
        )
    if first is not None:
        stmt = stmt.where(Event.collected_at >= _local_midnight(first, zone))
    if last is not None:
        stmt = stmt.where(Event.collected_at < _local_midnight(last + timedelta(days=1), zone))
    return stmt


EVENTS = TileLayer(
    key="events",
    title="事件 Events",
    features=event_features,
    fields={
        "category_code": "String",
        "status": "String",
        "level": "String",
        "supervision": "String",
        "region_code": "String",
        "collected_at": "String",
        "overdue": "Boolean",
    },
    description=(
        "Events you may read (points); the feature id is the event's id. At most "
        f"{EVENT_CAP} a tile, the latest first."
    ),
    maxzoom=CORE_MAXZOOM,
    params={
        "region": REGION_PARAM,
        "status": "open (the default: not closed), all, or one status "
        "(assigned, accepted, dispatched, resolved, verified, closed)",
        "category": "an event category code: that category and its subcategories",
        "from": "the first local day (YYYY-MM-DD) of collected_at",
        "to": "the last local day (YYYY-MM-DD) of collected_at",
    },
)


# --- places ------------------------------------------------------------------------------


async def place_features(request: TileRequest) -> Select[Any]:
    """Places within the caller's reach for ``place`` (as ``places``)."""
    actor = request.actor
    require_category(actor, "place")  # as the places list: 401 or 403 without any reach
    params = request.params
    prefix = _region(params)
    kind = _choice(params, "kind", tuple(PlaceKind))
    stmt = (
        select(
            Place.geom.label("geom"),
            Place.id.label("id"),
            Place.kind.label("kind"),
            # a house's name is its door address: personal, left out
            case((Place.kind == PlaceKind.HOUSE, None), else_=Place.name).label("name"),
            Place.usage.label("usage"),
            Place.floors.label("floors"),
            Place.region_code.label("region_code"),
        )
        .where(
            within_reach(actor, cast(Any, Place.region_code), "place"),
            Place.geom.op("&&")(request.tile.bbox()),
        )
        .order_by(Place.region_code, Place.id)
        .limit(PLACE_CAP)
    )
    if prefix:
        stmt = stmt.where(prefix_match(Place.region_code, prefix))
    if kind is not None:
        stmt = stmt.where(Place.kind == kind)
    return stmt


PLACES = TileLayer(
    key="places",
    title="场所 Places",
    features=place_features,
    fields={
        "kind": "String",
        "name": "String",
        "usage": "String",
        "floors": "Number",
        "region_code": "String",
    },
    description=(
        "Buildings, houses and venues in your reach (points or polygons, as stored); the "
        "feature id is the place's id; a house has no name (its name is its door address). "
        f"At most {PLACE_CAP} a tile."
    ),
    minzoom=PLACE_MINZOOM,
    maxzoom=CORE_MAXZOOM,
    simplify=True,
    params={"region": REGION_PARAM, "kind": "building, house or venue"},
)

#: the core's layers, in the order of ``/tiles.json``
CORE_LAYERS: tuple[TileLayer, ...] = (REGIONS, GRIDS, EVENTS, PLACES)
