"""The shapes of places, things and organizations for the compiled located lists
(schema/compiled/records.py)."""

from __future__ import annotations

from authz import masking
from schema.compiled.located import LOCATED, LOCATED_RELATIONS
from schema.compiled.records import Masked, Relation, Shape
from schema.place.loaders import OrganizationByIdLoader, PlaceByIdLoader
from schema.place.types import ORGANIZATION_FIELDS, PLACE_FIELDS, THING_FIELDS


def _is_house(row: object) -> bool:
    return getattr(row, "kind", None) == "house"


#: the place a thing or organization is in, shown where the actor may read places
_PLACE = Relation(lambda: PLACE_SHAPE, lambda r: r.place_id, PlaceByIdLoader, category="place")

PLACE_SHAPE: Shape = Shape(
    "Place",
    {**PLACE_FIELDS.python, **LOCATED},
    # a house's name and address are a resident's address (PlaceCore.name, .address)
    masked={
        "name": Masked(masking.HOUSE["name"], applies=_is_house, otherwise=""),
        "address": Masked(masking.HOUSE["address"], applies=_is_house),
    },
    relations={
        **LOCATED_RELATIONS,
        "parent": Relation(
            lambda: PLACE_SHAPE, lambda r: r.parent_id, PlaceByIdLoader, category="place"
        ),
    },
)
THING_SHAPE = Shape(
    "Thing",
    {**THING_FIELDS.python, **LOCATED},
    relations={**LOCATED_RELATIONS, "place": _PLACE},
)
ORGANIZATION_SHAPE: Shape = Shape(
    "Organization",
    {**ORGANIZATION_FIELDS.python, **LOCATED},
    masked={name: Masked(spec) for name, spec in masking.ORGANIZATION.items()},
    relations={
        **LOCATED_RELATIONS,
        "place": _PLACE,
        "parent": Relation(
            lambda: ORGANIZATION_SHAPE,
            lambda r: r.parent_id,
            OrganizationByIdLoader,
            category="organization",
        ),
    },
)

__all__ = ["ORGANIZATION_SHAPE", "PLACE_SHAPE", "THING_SHAPE"]
