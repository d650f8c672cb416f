"""Root query fields of the person domain (staff only, within the actor's areas)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from core.models import Household, Person
from schema.compiled.persons import complete_persons, plan
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
        compiled = plan(info) if info.context.settings.compiled_reads else None
        connection = await located_page(
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
        )
        if compiled is not None:
            done = await complete_persons(info, compiled, connection)
            if done is not None:
                return done
        return connection

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
        )
