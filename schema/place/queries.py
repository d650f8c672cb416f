"""Root query fields for places, things and organizations (staff, within reach)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from core.models import Organization, Place, Thing
from schema.compiled.places import ORGANIZATION_SHAPE, PLACE_SHAPE, THING_SHAPE
from schema.enums import OrganizationKind, PlaceKind, ThingKind
from schema.located import located_page
from schema.place.loaders import ORGANIZATIONS, PLACES, THINGS
from schema.place.types import (
    OrganizationConnection,
    OrganizationEdge,
    PlaceConnection,
    PlaceEdge,
    ThingConnection,
    ThingEdge,
)


@strawberry.type
class PlaceQueries:
    @strawberry.field(description="Buildings, houses and venues in a region.")
    async def places(
        self,
        info: Info,
        region_code: str | None = None,
        kind: PlaceKind | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> PlaceConnection:
        return await located_page(
            info,
            Place,
            PLACES,
            kind="place",
            category="place",
            connection=PlaceConnection,
            edge=PlaceEdge,
            region_code=region_code,
            first=first,
            after=after,
            filters=[Place.kind == kind.value] if kind else [],
            shape=PLACE_SHAPE,
        )

    @strawberry.field(description="Components, facilities and IoT devices in a region.")
    async def things(
        self,
        info: Info,
        region_code: str | None = None,
        kind: ThingKind | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> ThingConnection:
        return await located_page(
            info,
            Thing,
            THINGS,
            kind="thing",
            category="thing",
            connection=ThingConnection,
            edge=ThingEdge,
            region_code=region_code,
            first=first,
            after=after,
            filters=[Thing.kind == kind.value] if kind else [],
            shape=THING_SHAPE,
        )

    @strawberry.field(description="Social organizations, enterprises, party organizations.")
    async def organizations(
        self,
        info: Info,
        region_code: str | None = None,
        kind: OrganizationKind | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> OrganizationConnection:
        return await located_page(
            info,
            Organization,
            ORGANIZATIONS,
            kind="organization",
            category="organization",
            connection=OrganizationConnection,
            edge=OrganizationEdge,
            region_code=region_code,
            first=first,
            after=after,
            filters=[Organization.kind == kind.value] if kind else [],
            shape=ORGANIZATION_SHAPE,
        )
