"""``createPlace``, ``createThing``, ``createOrganization``: coded on write.

Models are reached as ``models.X``: a bare ``Place`` in this namespace would shadow the
lazy GraphQL reference of the same name."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from core import models
from core.services.records import Where, create_organization, create_place, create_thing
from schema.enums import OrganizationKind, PlaceKind, ThingKind, ThingStatus
from schema.ids import optional_id
from schema.located import PositionInput, reselect
from schema.place.loaders import ORGANIZATIONS, PLACES, THINGS
from schema.refs import OrganizationRef, PlaceRef, ThingRef


def _id(value: strawberry.ID | None, argument: str = "id") -> int | None:
    return optional_id(value, argument)


@strawberry.input
class CreatePlaceInput:
    kind: PlaceKind
    name: str
    location: PositionInput
    address: str | None = None
    usage: str | None = None
    floors: int | None = None
    parent_id: strawberry.ID | None = None
    collected_at: datetime | None = None


@strawberry.input
class CreateThingInput:
    kind: ThingKind
    category: str
    name: str
    location: PositionInput
    code: str | None = None
    status: ThingStatus = ThingStatus.NORMAL
    place_id: strawberry.ID | None = None
    collected_at: datetime | None = None


@strawberry.input
class CreateOrganizationInput:
    kind: OrganizationKind
    name: str
    location: PositionInput
    uscc: str | None = None
    legal_representative: str | None = None
    phone: str | None = None
    member_count: int | None = None
    parent_id: strawberry.ID | None = None
    collected_at: datetime | None = None


@strawberry.type
class CreatePlaceMutations:
    @strawberry.mutation(description="Record a building, house or venue.")
    async def create_place(self, info: Info, input: CreatePlaceInput) -> PlaceRef:
        ctx = info.context
        async with ctx.transaction() as session:
            place = await create_place(
                session,
                ctx.actor,
                kind=input.kind.value,
                name=input.name,
                where=Where(input.location.lon, input.location.lat, input.collected_at),
                tz=ctx.settings.timezone,
                pm=ctx.plugin_manager,
                address=input.address,
                usage=input.usage,
                floors=input.floors,
                parent_id=_id(input.parent_id, "parentId"),
            )
            return await reselect(info, PLACES, models.Place, place.id)

    @strawberry.mutation(description="Record a component, facility or IoT device.")
    async def create_thing(self, info: Info, input: CreateThingInput) -> ThingRef:
        ctx = info.context
        async with ctx.transaction() as session:
            thing = await create_thing(
                session,
                ctx.actor,
                kind=input.kind.value,
                category=input.category,
                name=input.name,
                where=Where(input.location.lon, input.location.lat, input.collected_at),
                tz=ctx.settings.timezone,
                pm=ctx.plugin_manager,
                code=input.code,
                status=input.status.value,
                place_id=_id(input.place_id, "placeId"),
            )
            return await reselect(info, THINGS, models.Thing, thing.id)

    @strawberry.mutation(description="Record an organization.")
    async def create_organization(
        self, info: Info, input: CreateOrganizationInput
    ) -> OrganizationRef:
        ctx = info.context
        async with ctx.transaction() as session:
            org = await create_organization(
                session,
                ctx.actor,
                kind=input.kind.value,
                name=input.name,
                where=Where(input.location.lon, input.location.lat, input.collected_at),
                tz=ctx.settings.timezone,
                pm=ctx.plugin_manager,
                uscc=input.uscc,
                legal_representative=input.legal_representative,
                phone=input.phone,
                member_count=input.member_count,
                parent_id=_id(input.parent_id, "parentId"),
            )
            return await reselect(info, ORGANIZATIONS, models.Organization, org.id)
