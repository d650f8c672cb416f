"""Which fields each compiled root answers itself, and which send a query to the
resolvers: said once at start-up (the log, and ``gridgov schema compiled``), so a field
that slows a query down is known before anyone selects it."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType

from schema.compiled import grids
from schema.compiled.areas import ACCOUNT_SHAPE, DEPARTMENT_SHAPE, LOCATION_SHAPE, REGION_SHAPE
from schema.compiled.events import EVENT_SHAPE
from schema.compiled.persons import HOUSEHOLD_SHAPE, PERSON_SHAPE
from schema.compiled.places import ORGANIZATION_SHAPE, PLACE_SHAPE, THING_SHAPE
from schema.grid.types import WORKER_FIELDS

#: compiled root fields → the fields they answer, per type
DECLARED: dict[str, dict[str, set[str]]] = {
    "grids, grid(code:)": {
        "Grid": {*grids.GRID, "worker", "region", "events"},
        "GridWorker": {*WORKER_FIELDS.sql, "phone"},
        "Region": set(grids.REGION),
        "Event": set(grids.EVENT),
    },
    "persons": PERSON_SHAPE.declared(),
    "households": HOUSEHOLD_SHAPE.declared(),
    "places": PLACE_SHAPE.declared(),
    "things": THING_SHAPE.declared(),
    "organizations": ORGANIZATION_SHAPE.declared(),
    "events, myTasks, myReports, overdueEvents, event(id:)": EVENT_SHAPE.declared(),
    "regions, region(code:)": REGION_SHAPE.declared(),
    "department(code:)": DEPARTMENT_SHAPE.declared(),
    "me": ACCOUNT_SHAPE.declared(),
    "locate": LOCATION_SHAPE.declared(),
}


def resolver_fields(schema: Any) -> dict[str, list[str]]:
    """For each compiled root: the ``Type.field`` of its types that only resolvers answer."""
    out: dict[str, list[str]] = {}
    for root, types in DECLARED.items():
        missing: list[str] = []
        for typename, declared in types.items():
            graphql_type = schema.get_type(typename)
            if not isinstance(graphql_type, GraphQLObjectType):
                raise LookupError(f"compiled reads declare {typename}, not in the schema")
            unknown = declared - set(graphql_type.fields)
            if unknown:
                raise LookupError(f"compiled reads declare {typename}.{sorted(unknown)[0]}")
            missing += [f"{typename}.{f}" for f in graphql_type.fields if f not in declared]
        out[root] = missing
    return out
