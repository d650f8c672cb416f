"""Lazy references to the composed types in ``schema.registry`` (built at start-up), so a
field of one core type can return another type that plugins may have extended."""

from typing import Annotated

import strawberry

REGISTRY = "schema.registry"

RegionRef = Annotated["Region", strawberry.lazy(REGISTRY)]  # noqa: F821
GridRef = Annotated["Grid", strawberry.lazy(REGISTRY)]  # noqa: F821
GridWorkerRef = Annotated["GridWorker", strawberry.lazy(REGISTRY)]  # noqa: F821
AccountRef = Annotated["Account", strawberry.lazy(REGISTRY)]  # noqa: F821
DepartmentRef = Annotated["Department", strawberry.lazy(REGISTRY)]  # noqa: F821
PersonRef = Annotated["Person", strawberry.lazy(REGISTRY)]  # noqa: F821
HouseholdRef = Annotated["Household", strawberry.lazy(REGISTRY)]  # noqa: F821
PlaceRef = Annotated["Place", strawberry.lazy(REGISTRY)]  # noqa: F821
ThingRef = Annotated["Thing", strawberry.lazy(REGISTRY)]  # noqa: F821
OrganizationRef = Annotated["Organization", strawberry.lazy(REGISTRY)]  # noqa: F821
EventRef = Annotated["Event", strawberry.lazy(REGISTRY)]  # noqa: F821
