"""The shapes of people for the compiled located lists (schema/compiled/records.py):
``persons`` and ``households``."""

from __future__ import annotations

from typing import Any

from authz import masking
from schema import audit  # by module: the bench's A/B stubs replace its functions
from schema.compiled.located import LOCATED, LOCATED_RELATIONS
from schema.compiled.records import Builder, Masked, Relation, Shape
from schema.compiled.selection import Selected
from schema.person.loaders import HouseholdByIdLoader, SpecialGroupsByPersonLoader
from schema.person.types import HOUSEHOLD_FIELDS, PERSON_FIELDS

SPECIAL_GROUP_SHAPE = Shape(
    "SpecialGroup",
    {"code": lambda g: g.code, "nameZh": lambda g: g.name_zh, "nameEn": lambda g: g.name_en},
)


async def special_groups(b: Builder, rows: list[Any], f: Selected) -> dict[int, Any]:
    """Each person's special groups where the actor may read them (else null), audited."""
    reach = b.ctx.actor.reach
    allowed = [r for r in rows if reach.allows(masking.SPECIAL_GROUPS, "read", r.region_code)]
    found = await b.ctx.loader(SpecialGroupsByPersonLoader).load_many([int(r.id) for r in allowed])
    out: dict[int, Any] = {}
    for row, groups in zip(allowed, found, strict=True):
        if groups:
            audit.reveal(
                b.info,
                category=masking.SPECIAL_GROUPS,
                kind="person",
                record_id=int(row.id),
                region_code=row.region_code,
                field="specialGroups",
            )
        out[id(row)] = [SPECIAL_GROUP_SHAPE.plain_object(g, f.children) for g in groups]
    return out


HOUSEHOLD_SHAPE = Shape(
    "Household",
    {**HOUSEHOLD_FIELDS.python, **LOCATED},
    masked={name: Masked(spec) for name, spec in masking.HOUSEHOLD.items()},
    relations=LOCATED_RELATIONS,
)
PERSON_SHAPE = Shape(
    "Person",
    {**PERSON_FIELDS.python, **LOCATED},
    masked={name: Masked(spec) for name, spec in masking.PERSON.items()},
    relations={
        **LOCATED_RELATIONS,
        "household": Relation(
            lambda: HOUSEHOLD_SHAPE,
            lambda r: r.household_id,
            HouseholdByIdLoader,
            category="person:basic",
        ),
    },
    batches={"specialGroups": special_groups},
    children={"specialGroups": SPECIAL_GROUP_SHAPE},
)

__all__ = ["HOUSEHOLD_SHAPE", "PERSON_SHAPE"]
