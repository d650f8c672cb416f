"""Places, things and organizations: the located records other than people."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from core.masking import mask_address, mask_phone
from schema.audit import reveal
from schema.located import LocatedFields, readable
from schema.pagination import connection_types
from schema.refs import OrganizationRef, PlaceRef

PlaceEdge, PlaceConnection = connection_types("Place")
ThingEdge, ThingConnection = connection_types("Thing")
OrganizationEdge, OrganizationConnection = connection_types("Organization")


async def _place(info: Info, place_id: int | None) -> object | None:
    if place_id is None:
        return None
    return readable(info, await info.context.loader("place_by_id").load(place_id), "place")


def _house_text(row: Any, info: Info, field: str) -> str | None:
    value = getattr(row, field)
    if (
        value is None
        or row.kind != "house"
        or reveal(
            info,
            category="person:contact",
            kind="place",
            record_id=int(row.id),
            region_code=row.region_code,
            field=field,
        )
    ):
        return value  # type: ignore[no-any-return]
    return mask_address(value)


@strawberry.type(name="PlaceCore")
class PlaceCore(LocatedFields):
    id: strawberry.ID
    kind: str = strawberry.field(description="building, house or venue")
    usage: str | None
    floors: int | None
    attributes: JSON

    @strawberry.field(description="A house's name is its door address: masked like it.")
    def name(self, info: Info) -> str:
        return _house_text(self, info, "name")  # type: ignore[return-value]

    @strawberry.field(
        description="Address; a house's exact address is masked without "
        "person:contact (buildings and venues are public)."
    )
    def address(self, info: Info) -> str | None:
        return _house_text(self, info, "address")

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

    @strawberry.field(description="Contact phone; masked without person:contact.")
    def phone(self, info: Info) -> str | None:
        value = self.phone  # type: ignore[attr-defined]
        if value is None or reveal(
            info,
            category="person:contact",
            kind="organization",
            record_id=int(self.id),
            region_code=self.region_code,
            field="phone",
        ):
            return value  # type: ignore[no-any-return]
        return mask_phone(value)

    @strawberry.field
    async def place(self, info: Info) -> PlaceRef | None:
        return await _place(info, self.place_id)  # type: ignore[attr-defined, return-value]

    @strawberry.field(description="The superior organization (e.g. a party committee).")
    async def parent(self, info: Info) -> OrganizationRef | None:
        pid = self.parent_id  # type: ignore[attr-defined]
        if pid is None:
            return None
        row = await info.context.loader("organization_by_id").load(pid)
        return readable(info, row, "organization")
