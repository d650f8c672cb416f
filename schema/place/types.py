"""Places, things and organizations: the located records other than people."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from authz.masking import HOUSE, ORGANIZATION
from schema.audit import shown
from schema.enums import OrganizationKind, PlaceKind, ThingKind, ThingStatus
from schema.fields import Column, FieldTable
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


PLACE_FIELDS = FieldTable(
    "Place",
    {
        "id": Column(strawberry.ID),
        "kind": Column(PlaceKind),
        "usage": Column(str | None),
        "floors": Column(int | None),
        "attributes": Column(JSON),
    },
)
PlaceColumns: Any = PLACE_FIELDS.part
THING_FIELDS = FieldTable(
    "Thing",
    {
        "id": Column(strawberry.ID),
        "kind": Column(ThingKind),
        "category": Column(str),
        "name": Column(str),
        "code": Column(str | None),
        "status": Column(ThingStatus),
        "attributes": Column(JSON),
    },
)
ThingColumns: Any = THING_FIELDS.part
ORGANIZATION_FIELDS = FieldTable(
    "Organization",
    {
        "id": Column(strawberry.ID),
        "kind": Column(OrganizationKind),
        "name": Column(str),
        "uscc": Column(str | None, "Unified social credit code"),
        "legal_representative": Column(str | None),
        "member_count": Column(int | None),
    },
)
OrganizationColumns: Any = ORGANIZATION_FIELDS.part


@strawberry.type(name="PlaceCore")
class PlaceCore(LocatedFields, PlaceColumns):  # type: ignore[misc]  # made from its table
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
class ThingCore(LocatedFields, ThingColumns):  # type: ignore[misc]  # made from its table
    @strawberry.field
    async def place(self, info: Info) -> PlaceRef | None:
        return await _place(info, self.place_id)  # self is the row


@strawberry.type(name="OrganizationCore")
class OrganizationCore(LocatedFields, OrganizationColumns):  # type: ignore[misc]  # its table
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
