"""Places, things and organizations: the located records other than people."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from authz.masking import HOUSE, ORGANIZATION
from schema.audit import shown
from schema.enums import OrganizationKind, PlaceKind, ThingKind, ThingStatus
from schema.located import LocatedFields, readable
from schema.pagination import Connection, Edge
from schema.place.loaders import OrganizationByIdLoader, PlaceByIdLoader
from schema.refs import OrganizationNode, OrganizationRef, PlaceNode, PlaceRef, ThingNode

PlaceEdge = Edge[PlaceNode]
PlaceConnection = Connection[PlaceNode]
ThingEdge = Edge[ThingNode]
ThingConnection = Connection[ThingNode]
OrganizationEdge = Edge[OrganizationNode]
OrganizationConnection = Connection[OrganizationNode]


async def _place(info: Info, place_id: int | None) -> object | None:
    if place_id is None:
        return None
    return readable(info, await info.context.loader(PlaceByIdLoader).load(place_id), "place")


def _house_text(row: Any, info: Info, field: str) -> str | None:
    if row.kind != "house":
        return getattr(row, field)
    return shown(info, row, field, HOUSE[field])


@strawberry.type(name="PlaceCore")
class PlaceCore(LocatedFields):
    id: strawberry.ID
    kind: PlaceKind
    usage: str | None
    floors: int | None
    attributes: JSON

    @strawberry.field(description="A house's name is its door address: masked like it.")
    def name(self, info: Info) -> str:
        return _house_text(self, info, "name") or ""  # a place always has a name

    @strawberry.field(
        description="Address; a house's exact address is masked without "
        "person:contact (buildings and venues are public)."
    )
    def address(self, info: Info) -> str | None:
        return _house_text(self, info, "address")

    @strawberry.field(description="The building a house is in.")
    async def parent(self, info: Info) -> PlaceRef | None:
        return await _place(info, self.parent_id)  # self is the row


@strawberry.type(name="ThingCore")
class ThingCore(LocatedFields):
    id: strawberry.ID
    kind: ThingKind
    category: str
    name: str
    code: str | None
    status: ThingStatus
    attributes: JSON

    @strawberry.field
    async def place(self, info: Info) -> PlaceRef | None:
        return await _place(info, self.place_id)  # self is the row


@strawberry.type(name="OrganizationCore")
class OrganizationCore(LocatedFields):
    id: strawberry.ID
    kind: OrganizationKind
    name: str
    uscc: str | None = strawberry.field(description="Unified social credit code")
    legal_representative: str | None
    member_count: int | None

    @strawberry.field(description="Contact phone; masked without person:contact.")
    def phone(self, info: Info) -> str | None:
        return shown(info, self, "phone", ORGANIZATION["phone"])

    @strawberry.field
    async def place(self, info: Info) -> PlaceRef | None:
        return await _place(info, self.place_id)  # self is the row

    @strawberry.field(description="The superior organization (e.g. a party committee).")
    async def parent(self, info: Info) -> OrganizationRef | None:
        pid = self.parent_id  # self is the row
        if pid is None:
            return None
        row = await info.context.loader(OrganizationByIdLoader).load(pid)
        return readable(info, row, "organization")
