"""People: residents and households. Identity numbers, phones and addresses are masked."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from core.masking import mask_address, mask_identity_number, mask_phone
from schema.located import LocatedFields
from schema.pagination import connection_types
from schema.refs import HouseholdRef, PersonRef

PersonEdge, PersonConnection = connection_types("Person")
HouseholdEdge, HouseholdConnection = connection_types("Household")


@strawberry.type
class SpecialGroup:
    code: str
    name_zh: str
    name_en: str


@strawberry.type(name="PersonCore")
class PersonCore(LocatedFields):
    id: strawberry.ID
    name: str
    gender: str
    birth_date: date
    residence_type: str = strawberry.field(description="registered, floating or overseas")
    relation: str = strawberry.field(description="Relation to the head of the household")

    @strawberry.field(description="GB 11643 identity number, masked.")
    def id_number(self) -> str:
        return mask_identity_number(self.id_number)  # type: ignore[attr-defined]

    @strawberry.field(description="Phone number, masked.")
    def phone(self) -> str | None:
        return mask_phone(self.phone)  # type: ignore[attr-defined]

    @strawberry.field(description="Address, masked.")
    def address(self) -> str | None:
        return mask_address(self.address)  # type: ignore[attr-defined]

    @strawberry.field
    async def household(self, info: Info) -> HouseholdRef | None:
        hid = self.household_id  # type: ignore[attr-defined]
        return None if hid is None else await info.context.loader("household_by_id").load(hid)

    @strawberry.field(description="GB/T 31000 special groups and care groups.")
    async def special_groups(self, info: Info) -> list[SpecialGroup]:
        rows = await info.context.loader("special_groups_by_person").load(int(self.id))
        return [SpecialGroup(code=r.code, name_zh=r.name_zh, name_en=r.name_en) for r in rows]


@strawberry.type(name="HouseholdCore")
class HouseholdCore(LocatedFields):
    id: strawberry.ID
    code: str

    @strawberry.field(description="Address, masked.")
    def address(self) -> str | None:
        return mask_address(self.address)  # type: ignore[attr-defined]

    @strawberry.field
    async def members(self, info: Info) -> list[PersonRef]:
        return await info.context.loader("persons_by_household").load(int(self.id))
