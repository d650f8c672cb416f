"""Lazy references to the composed types in ``schema.registry`` (built at start-up), so a
field of one core type can return another type that plugins may have extended.

Resolvers return database rows for these types, and Strawberry resolves the rows as the
composed type, which exists only once ``build_schema`` has run: to the type checker a
reference is therefore ``Any``. ``<Name>Node`` is the same reference for a generic's type
argument (``Connection[PlaceNode]``), where a string annotation would be resolved in the
wrong module."""

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry
from strawberry.types.lazy_type import LazyType

REGISTRY = "schema.registry"

if TYPE_CHECKING:
    RegionRef: TypeAlias = Any
    GridRef: TypeAlias = Any
    GridWorkerRef: TypeAlias = Any
    AccountRef: TypeAlias = Any
    DepartmentRef: TypeAlias = Any
    PersonRef: TypeAlias = Any
    HouseholdRef: TypeAlias = Any
    PlaceRef: TypeAlias = Any
    ThingRef: TypeAlias = Any
    OrganizationRef: TypeAlias = Any
    EventRef: TypeAlias = Any
    RegionNode: TypeAlias = Any
    GridNode: TypeAlias = Any
    GridWorkerNode: TypeAlias = Any
    AccountNode: TypeAlias = Any
    DepartmentNode: TypeAlias = Any
    PersonNode: TypeAlias = Any
    HouseholdNode: TypeAlias = Any
    PlaceNode: TypeAlias = Any
    ThingNode: TypeAlias = Any
    OrganizationNode: TypeAlias = Any
    EventNode: TypeAlias = Any
else:
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
    # the same references as type arguments of Connection[...] and Edge[...]
    RegionNode = LazyType("Region", REGISTRY)
    GridNode = LazyType("Grid", REGISTRY)
    GridWorkerNode = LazyType("GridWorker", REGISTRY)
    AccountNode = LazyType("Account", REGISTRY)
    DepartmentNode = LazyType("Department", REGISTRY)
    PersonNode = LazyType("Person", REGISTRY)
    HouseholdNode = LazyType("Household", REGISTRY)
    PlaceNode = LazyType("Place", REGISTRY)
    ThingNode = LazyType("Thing", REGISTRY)
    OrganizationNode = LazyType("Organization", REGISTRY)
    EventNode = LazyType("Event", REGISTRY)
