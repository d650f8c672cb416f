"""DataLoaders of the person domain."""

from __future__ import annotations

from aiodataloader import DataLoader
from sqlalchemy import select

from core.models import Household, Person, PersonSpecialGroup, SpecialGroup
from schema.context import Context
from schema.loaders import many_loader, one_loader
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


def household_by_id(ctx: Context) -> DataLoader:
    return one_loader(ctx, HOUSEHOLDS, Household.id, "id")


def persons_by_household(ctx: Context) -> DataLoader:
    return many_loader(ctx, PERSONS.order_by(Person.id), Person.household_id, "household_id")


def special_groups_by_person(ctx: Context) -> DataLoader:
    stmt = (
        select(
            PersonSpecialGroup.person_id,
            SpecialGroup.code,
            SpecialGroup.name_zh,
            SpecialGroup.name_en,
        )
        .join(SpecialGroup, SpecialGroup.code == PersonSpecialGroup.group_code)
        .order_by(SpecialGroup.code)
    )
    return many_loader(ctx, stmt, PersonSpecialGroup.person_id, "person_id")


LOADERS = {
    "household_by_id": household_by_id,
    "persons_by_household": persons_by_household,
    "special_groups_by_person": special_groups_by_person,
}
