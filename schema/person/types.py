"""People: residents and households. Identity numbers, phones and addresses are masked."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from authz.masking import HOUSEHOLD, PERSON, SPECIAL_GROUPS, may_unmask
from schema.audit import reveal, shown
from schema.enums import Gender, HouseholdRelation, ResidenceType
from schema.fields import Column, FieldTable
from schema.located import LocatedFields, readable
from schema.pagination import Connection, Edge
from schema.person.loaders import (
    HouseholdByIdLoader,
    PersonsByHouseholdLoader,
    SpecialGroupsByPersonLoader,
)
from schema.refs import HouseholdNode, HouseholdRef, PersonNode, PersonRef

PersonEdge = Edge[PersonNode]
PersonConnection = Connection[PersonNode]
HouseholdEdge = Edge[HouseholdNode]
HouseholdConnection = Connection[HouseholdNode]


@strawberry.type
class SpecialGroup:
    code: str
    name_zh: str
    name_en: str


def _reveal(row: Any, info: Info, category: str, field: str) -> bool:
    """Resolvers get the database row as ``self``: check and audit through it."""
    return reveal(
        info,
        category=category,
        kind="person",
        record_id=int(row.id),
        region_code=row.region_code,
        field=field,
    )


PERSON_FIELDS = FieldTable(
    "Person",
    {
        "id": Column(strawberry.ID),
        "name": Column(str),
        "gender": Column(Gender),
        "birth_date": Column(date),
        "residence_type": Column(ResidenceType),
        "relation": Column(HouseholdRelation),
    },
)
PersonColumns: Any = PERSON_FIELDS.part


@strawberry.type(name="PersonCore")
class PersonCore(LocatedFields, PersonColumns):  # type: ignore[misc]  # made from its table
    @strawberry.field(description="GB 11643 identity number; masked without person:identity.")
    def id_number(self, info: Info) -> str | None:
        return shown(info, self, "idNumber", PERSON["idNumber"])

    @strawberry.field(description="Passport of an overseas resident; masked likewise.")
    def passport_number(self, info: Info) -> str | None:
        return shown(info, self, "passportNumber", PERSON["passportNumber"])

    @strawberry.field(description="Phone number; masked without person:contact.")
    def phone(self, info: Info) -> str | None:
        return shown(info, self, "phone", PERSON["phone"])

    @strawberry.field(description="Exact address; masked without person:contact.")
    def address(self, info: Info) -> str | None:
        return shown(info, self, "address", PERSON["address"])

    @strawberry.field
    async def household(self, info: Info) -> HouseholdRef | None:
        hid = self.household_id  # self is the row
        if hid is None:
            return None
        row = await info.context.loader(HouseholdByIdLoader).load(hid)
        return readable(info, row, "person:basic")

    @strawberry.field(
        description="GB/T 31000 special groups and care groups; null without person:special_group."
    )
    async def special_groups(self, info: Info) -> list[SpecialGroup] | None:
        if not may_unmask(info.context.actor, SPECIAL_GROUPS, self.region_code):
            return None
        rows = await info.context.loader(SpecialGroupsByPersonLoader).load(int(self.id))
        if rows:
            _reveal(self, info, SPECIAL_GROUPS, "specialGroups")
        return [SpecialGroup(code=r.code, name_zh=r.name_zh, name_en=r.name_en) for r in rows]


HOUSEHOLD_FIELDS = FieldTable("Household", {"id": Column(strawberry.ID), "code": Column(str)})
HouseholdColumns: Any = HOUSEHOLD_FIELDS.part


@strawberry.type(name="HouseholdCore")
class HouseholdCore(LocatedFields, HouseholdColumns):  # type: ignore[misc]  # from its table
    @strawberry.field(description="Exact address; masked without person:contact.")
    def address(self, info: Info) -> str | None:
        return shown(info, self, "address", HOUSEHOLD["address"])

    @strawberry.field
    async def members(self, info: Info) -> list[PersonRef]:
        rows = await info.context.loader(PersonsByHouseholdLoader).load(int(self.id))
        return [r for r in rows if readable(info, r, "person:basic") is not None]
