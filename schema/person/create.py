"""``createPerson``: a resident, coded on write (grid, region, BeiDou and time codes)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from core import models
from core.services.records import Where, create_person
from schema.enums import Gender, HouseholdRelation, ResidenceType, value_of
from schema.ids import optional_id
from schema.located import PositionInput, reselect
from schema.person.loaders import PERSONS
from schema.refs import PersonRef


@strawberry.input
class CreatePersonInput:
    name: str
    location: PositionInput
    id_number: str | None = strawberry.field(
        default=None, description="GB 11643 number; gender and birth date are taken from it"
    )
    passport_number: str | None = None
    gender: Gender | None = None
    birth_date: date | None = None
    phone: str | None = None
    residence_type: ResidenceType = ResidenceType.REGISTERED
    household_id: strawberry.ID | None = None
    relation: HouseholdRelation = HouseholdRelation.HEAD
    address: str | None = None
    collected_at: datetime | None = None


@strawberry.type
class CreatePersonMutation:
    @strawberry.mutation(description="Record a resident (staff, inside their area).")
    async def create_person(self, info: Info, input: CreatePersonInput) -> PersonRef:
        ctx = info.context
        async with ctx.transaction() as session:
            person = await create_person(
                session,
                ctx.actor,
                name=input.name,
                tz=ctx.settings.timezone,
                where=Where(input.location.lon, input.location.lat, input.collected_at),
                pm=ctx.plugin_manager,
                id_number=input.id_number,
                passport_number=input.passport_number,
                gender=value_of(input.gender),
                birth_date=input.birth_date,
                phone=input.phone,
                residence_type=input.residence_type.value,
                household_id=optional_id(input.household_id, "householdId"),
                relation=input.relation.value,
                address=input.address,
            )
            return await reselect(info, PERSONS, models.Person, person.id)
