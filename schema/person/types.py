"""People: residents and households. Identity numbers, phones and addresses are masked."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from core.masking import mask_address, mask_identity_number, mask_passport, mask_phone
from schema.audit import reveal
from schema.located import LocatedFields, readable
from schema.pagination import connection_types
from schema.refs import HouseholdRef, PersonRef

PersonEdge, PersonConnection = connection_types("Person")
HouseholdEdge, HouseholdConnection = connection_types("Household")


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


@strawberry.type(name="PersonCore")
class PersonCore(LocatedFields):
    id: strawberry.ID
    name: str
    gender: str
    birth_date: date
    residence_type: str = strawberry.field(description="registered, floating or overseas")
    relation: str = strawberry.field(description="Relation to the head of the household")

    @strawberry.field(description="GB 11643 identity number; masked without person:identity.")
    def id_number(self, info: Info) -> str | None:
        value = self.id_number  # type: ignore[attr-defined]
        if value is None or _reveal(self, info, "person:identity", "idNumber"):
            return value  # type: ignore[no-any-return]
        return mask_identity_number(value)

    @strawberry.field(description="Passport of an overseas resident; masked likewise.")
    def passport_number(self, info: Info) -> str | None:
        value = self.passport_number  # type: ignore[attr-defined]
        if value is None or _reveal(self, info, "person:identity", "passportNumber"):
            return value  # type: ignore[no-any-return]
        return mask_passport(value)

    @strawberry.field(description="Phone number; masked without person:contact.")
    def phone(self, info: Info) -> str | None:
        value = self.phone  # type: ignore[attr-defined]
        if value is None or _reveal(self, info, "person:contact", "phone"):
            return value  # type: ignore[no-any-return]
        return mask_phone(value)

    @strawberry.field(description="Exact address; masked without person:contact.")
    def address(self, info: Info) -> str | None:
        value = self.address  # type: ignore[attr-defined]
        if value is None or _reveal(self, info, "person:contact", "address"):
            return value  # type: ignore[no-any-return]
        return mask_address(value)

    @strawberry.field
    async def household(self, info: Info) -> HouseholdRef | None:
        hid = self.household_id  # type: ignore[attr-defined]
        if hid is None:
            return None
        row = await info.context.loader("household_by_id").load(hid)
        return readable(info, row, "person:basic")

    @strawberry.field(
        description="GB/T 31000 special groups and care groups; null without person:special_group."
    )
    async def special_groups(self, info: Info) -> list[SpecialGroup] | None:
        if not info.context.actor.reach.allows("person:special_group", "read", self.region_code):
            return None
        rows = await info.context.loader("special_groups_by_person").load(int(self.id))
        if rows:
            _reveal(self, info, "person:special_group", "specialGroups")
        return [SpecialGroup(code=r.code, name_zh=r.name_zh, name_en=r.name_en) for r in rows]


@strawberry.type(name="HouseholdCore")
class HouseholdCore(LocatedFields):
    id: strawberry.ID
    code: str

    @strawberry.field(description="Exact address; masked without person:contact.")
    def address(self, info: Info) -> str | None:
        value = self.address  # type: ignore[attr-defined]
        if value is None or reveal(
            info,
            category="person:contact",
            kind="household",
            record_id=int(self.id),
            region_code=self.region_code,
            field="address",
        ):
            return value  # type: ignore[no-any-return]
        return mask_address(value)

    @strawberry.field
    async def members(self, info: Info) -> list[PersonRef]:
        rows = await info.context.loader("persons_by_household").load(int(self.id))
        return [r for r in rows if readable(info, r, "person:basic") is not None]
