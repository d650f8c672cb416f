"""Root query fields of the person domain (staff only, within the actor's areas)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from core.models import Household, Person
from schema.compiled.persons import HOUSEHOLD_SHAPE, PERSON_SHAPE
from schema.located import located_page
from schema.person.loaders import HOUSEHOLDS, PERSONS
from schema.person.types import HouseholdConnection, HouseholdEdge, PersonConnection, PersonEdge


@strawberry.type
class PersonQueries:
    @strawberry.field(description="Residents whose region code starts with regionCode.")
    async def persons(
        self,
        info: Info,
        region_code: str | None = None,
        first: int = 50,
        after: str | None = None,
        name: str | None = None,
    ) -> PersonConnection:
        filters = [Person.name == name] if name else []
        return await located_page(
            info,
            Person,
            PERSONS,
            kind="person",
            connection=PersonConnection,
            edge=PersonEdge,
            category="person:basic",
            region_code=region_code,
            first=first,
            after=after,
            filters=filters,
            shape=PERSON_SHAPE,
        )

    @strawberry.field(description="Households whose region code starts with regionCode.")
    async def households(
        self,
        info: Info,
        region_code: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> HouseholdConnection:
        return await located_page(
            info,
            Household,
            HOUSEHOLDS,
            kind="household",
            connection=HouseholdConnection,
            edge=HouseholdEdge,
            category="person:basic",
            region_code=region_code,
            first=first,
            after=after,
            shape=HOUSEHOLD_SHAPE,
        )
