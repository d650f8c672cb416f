"""Types of the "where and when" queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, and_, func, select
from strawberry.types import Info

from authz.scope import within_reach
from core.models import Event, Household, Organization, Person, Place, Thing
from schema.enums import CodeKind, HereKind, TimeLevel
from schema.event.loaders import EVENTS
from schema.event.types import EventConnection, EventEdge
from schema.located import located_page
from schema.person.loaders import HOUSEHOLDS, PERSONS
from schema.person.types import HouseholdConnection, HouseholdEdge, PersonConnection, PersonEdge
from schema.place.loaders import ORGANIZATIONS, PLACES, THINGS
from schema.place.types import (
    OrganizationConnection,
    OrganizationEdge,
    PlaceConnection,
    PlaceEdge,
    ThingConnection,
    ThingEdge,
)
from schema.refs import GridRef, RegionRef


@strawberry.type
class DecodedCode:
    """A decoded BeiDou code (cell edges in degrees) or spatio-temporal code (cell and
    interval)."""

    code: str
    kind: CodeKind
    level: int = strawberry.field(description="BeiDou level 1–10")
    west: float
    south: float
    east: float
    north: float
    time_level: TimeLevel | None
    start: datetime | None = strawberry.field(description="Start of the interval (inclusive)")
    end: datetime | None = strawberry.field(description="End of the interval (exclusive)")


@strawberry.type
class Location:
    """What lies at a position: its grid and the regions above it."""

    longitude: float
    latitude: float
    beidou_code: str = strawberry.field(description="Level-10 BeiDou grid location code")
    grid: GridRef | None = strawberry.field(description="Null outside every grid")
    region_code: str | None = strawberry.field(
        description="The grid's code, or the prefix of the smallest region covering the point"
    )
    community: RegionRef | None
    township: RegionRef | None


@strawberry.type
class DomainCounts:
    persons: int
    households: int
    places: int
    things: int
    organizations: int
    events: int


MODELS: dict[str, tuple[Any, str]] = {
    "persons": (Person, "person:basic"),
    "households": (Household, "person:basic"),
    "places": (Place, "place"),
    "things": (Thing, "thing"),
    "organizations": (Organization, "organization"),
    "events": (Event, "event"),
}


@strawberry.type
class Here:
    """Everything located in a BeiDou cell or region and, optionally, a period."""

    code: str
    kind: HereKind
    start: datetime | None
    end: datetime | None
    filters: strawberry.Private[Any]

    def where(self, model: Any) -> list[ColumnElement[bool]]:
        return list(self.filters(model))

    @strawberry.field(description="How many records of each domain (within your reach).")
    async def counts(self, info: Info) -> DomainCounts:
        actor = info.context.actor
        parts = {
            name: select(func.count())
            .select_from(model)
            .where(and_(within_reach(actor, model.region_code, category), *self.where(model)))
            .scalar_subquery()
            for name, (model, category) in MODELS.items()
        }
        row = (await info.context.execute(select(*(p.label(n) for n, p in parts.items())))).one()
        return DomainCounts(**row._mapping)

    @strawberry.field
    async def persons(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> PersonConnection:
        return await located_page(
            info,
            Person,
            PERSONS,
            kind="person",
            category="person:basic",
            connection=PersonConnection,
            edge=PersonEdge,
            region_code=None,
            first=first,
            after=after,
            filters=self.where(Person),
        )

    @strawberry.field
    async def households(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> HouseholdConnection:
        return await located_page(
            info,
            Household,
            HOUSEHOLDS,
            kind="household",
            category="person:basic",
            connection=HouseholdConnection,
            edge=HouseholdEdge,
            region_code=None,
            first=first,
            after=after,
            filters=self.where(Household),
        )

    @strawberry.field
    async def places(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> PlaceConnection:
        return await located_page(
            info,
            Place,
            PLACES,
            kind="place",
            category="place",
            connection=PlaceConnection,
            edge=PlaceEdge,
            region_code=None,
            first=first,
            after=after,
            filters=self.where(Place),
        )

    @strawberry.field
    async def things(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> ThingConnection:
        return await located_page(
            info,
            Thing,
            THINGS,
            kind="thing",
            category="thing",
            connection=ThingConnection,
            edge=ThingEdge,
            region_code=None,
            first=first,
            after=after,
            filters=self.where(Thing),
        )

    @strawberry.field
    async def organizations(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> OrganizationConnection:
        return await located_page(
            info,
            Organization,
            ORGANIZATIONS,
            kind="organization",
            category="organization",
            connection=OrganizationConnection,
            edge=OrganizationEdge,
            region_code=None,
            first=first,
            after=after,
            filters=self.where(Organization),
        )

    @strawberry.field(description="Events reported here (and then), within your reach.")
    async def events(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> EventConnection:
        return await located_page(
            info,
            Event,
            EVENTS,
            kind="event",
            category="event",
            connection=EventConnection,
            edge=EventEdge,
            region_code=None,
            first=first,
            after=after,
            filters=self.where(Event),
        )
