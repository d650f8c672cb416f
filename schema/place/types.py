"""Places, things and organizations: the located records other than people."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from core.masking import mask_phone
from schema.located import LocatedFields
from schema.pagination import connection_types
from schema.refs import OrganizationRef, PlaceRef

PlaceEdge, PlaceConnection = connection_types("Place")
ThingEdge, ThingConnection = connection_types("Thing")
OrganizationEdge, OrganizationConnection = connection_types("Organization")


async def _place(info: Info, place_id: int | None) -> object | None:
    return None if place_id is None else await info.context.loader("place_by_id").load(place_id)


@strawberry.type(name="PlaceCore")
class PlaceCore(LocatedFields):
    id: strawberry.ID
    kind: str = strawberry.field(description="building, house or venue")
    name: str
    address: str | None
    usage: str | None
    floors: int | None
    attributes: JSON

    @strawberry.field(description="The building a house is in.")
    async def parent(self, info: Info) -> PlaceRef | None:
        return await _place(info, self.parent_id)  # type: ignore[attr-defined, return-value]


@strawberry.type(name="ThingCore")
class ThingCore(LocatedFields):
    id: strawberry.ID
    kind: str = strawberry.field(description="component, facility or iot_device")
    category: str
    name: str
    code: str | None
    status: str
    attributes: JSON

    @strawberry.field
    async def place(self, info: Info) -> PlaceRef | None:
        return await _place(info, self.place_id)  # type: ignore[attr-defined, return-value]


@strawberry.type(name="OrganizationCore")
class OrganizationCore(LocatedFields):
    id: strawberry.ID
    kind: str = strawberry.field(
        description="social_organization, enterprise or party_organization"
    )
    name: str
    uscc: str | None = strawberry.field(description="Unified social credit code")
    legal_representative: str | None
    member_count: int | None

    @strawberry.field(description="Contact phone, masked.")
    def phone(self) -> str | None:
        return mask_phone(self.phone)  # type: ignore[attr-defined]

    @strawberry.field
    async def place(self, info: Info) -> PlaceRef | None:
        return await _place(info, self.place_id)  # type: ignore[attr-defined, return-value]

    @strawberry.field(description="The superior organization (e.g. a party committee).")
    async def parent(self, info: Info) -> OrganizationRef | None:
        pid = self.parent_id  # type: ignore[attr-defined]
        return None if pid is None else await info.context.loader("organization_by_id").load(pid)
