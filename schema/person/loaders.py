"""DataLoaders of the person domain."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Household, Person, PersonSpecialGroup, SpecialGroup
from schema.loaders import ManyLoader, OneLoader
from schema.located import located_columns

PERSONS = select(
    Person.id,
    Person.name,
    Person.gender,
    Person.birth_date,
    Person.id_number,
    Person.passport_number,
    Person.phone,
    Person.address,
    Person.household_id,
    Person.relation,
    Person.residence_type,
    *located_columns(Person),
)
HOUSEHOLDS = select(Household.id, Household.code, Household.address, *located_columns(Household))


class HouseholdByIdLoader(OneLoader):
    statement = HOUSEHOLDS
    key = Household.id
    key_name = "id"


class PersonsByHouseholdLoader(ManyLoader):
    statement = PERSONS.order_by(Person.id)
    key = Person.household_id
    key_name = "household_id"


class SpecialGroupsByPersonLoader(ManyLoader):
    statement = (
        select(
            PersonSpecialGroup.person_id,
            SpecialGroup.code,
            SpecialGroup.name_zh,
            SpecialGroup.name_en,
        )
        .join(SpecialGroup, SpecialGroup.code == PersonSpecialGroup.group_code)
        .order_by(SpecialGroup.code)
    )
    key = PersonSpecialGroup.person_id
    key_name = "person_id"
