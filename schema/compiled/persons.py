"""The ``persons`` connection, completed in Python: the page comes from the resolver's own
query (same scope, order, cursors), and each node is built by a table of declared fields
instead of one resolver call per field, which is where Strawberry spends most of a page.

Masked fields are decided and audited exactly as the resolvers do (``reveal``), with the
same masks; relations (``grid``, ``household``) are loaded through the request's
DataLoaders, so the statements are the same. Anything undeclared, or a value the masks
refuse, falls back to the resolvers.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from strawberry.types import Info

from authz import masking
from authz.masking import PersonalField
from schema import audit, located  # by module: the bench's A/B stubs replace their functions
from schema.compiled.connection import connection_parts, resolved_page
from schema.compiled.located import LOCATED, Getter
from schema.compiled.selection import NotCompilable, Selected, selection_of
from schema.grid.loaders import GridByIdLoader
from schema.grid.types import GRID_FIELDS
from schema.person.loaders import HouseholdByIdLoader, SpecialGroupsByPersonLoader
from schema.person.types import HOUSEHOLD_FIELDS, PERSON_FIELDS

# the tables of the types (schema/fields.py): a field added there is built here too
PERSON: dict[str, Getter] = {**PERSON_FIELDS.python, **LOCATED}
HOUSEHOLD: dict[str, Getter] = {**HOUSEHOLD_FIELDS.python, **LOCATED}
SPECIAL_GROUP: dict[str, Getter] = {
    "code": lambda g: g.code,
    "nameZh": lambda g: g.name_zh,
    "nameEn": lambda g: g.name_en,
}
GRID: dict[str, Getter] = GRID_FIELDS.python


#: personal fields: masked unless the actor's reach unmasks them (``authz.masking``)
PERSON_MASKED = masking.PERSON
HOUSEHOLD_MASKED = masking.HOUSEHOLD


#: object fields of a person built here (each with its own declared sub-fields)
PERSON_RELATIONS = frozenset({"grid", "household", "specialGroups"})


def _check(selected: list[Selected], *declared: Collection[str]) -> None:
    """NotCompilable unless every field is declared (and takes no arguments)."""
    for field in selected:
        known = any(field.name in names for names in declared)
        if field.name != "__typename" and (not known or field.args):
            raise NotCompilable(field.name)


class _Builder:
    """Builds the nodes of one page; ``reveal`` records the unmasked reads as it goes."""

    def __init__(self, info: Info) -> None:
        self.info = info

    def masked(self, row: Any, field: Selected, spec: PersonalField) -> Any:
        value = getattr(row, spec.attr)
        if value is None or audit.reveal(
            self.info,
            category=spec.category,
            kind=spec.kind,
            record_id=int(row.id),
            region_code=row.region_code,
            field=field.name,
        ):
            return value
        try:
            return spec.mask(value)
        except Exception as exc:  # the resolver reports it on the field: let it
            raise NotCompilable(f"{field.name} cannot be masked") from exc

    def household(self, row: Any, selected: list[Selected]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in selected:
            if field.name == "__typename":
                out[field.key] = "Household"
            elif field.name in HOUSEHOLD_MASKED:
                out[field.key] = self.masked(row, field, HOUSEHOLD_MASKED[field.name])
            else:
                out[field.key] = HOUSEHOLD[field.name](row)
        return out

    @staticmethod
    def grid(row: Any, selected: list[Selected]) -> dict[str, Any]:
        return {f.key: "Grid" if f.name == "__typename" else GRID[f.name](row) for f in selected}

    def special_groups(self, row: Any, field: Selected, groups: dict[int, Any]) -> Any:
        if int(row.id) not in groups:  # outside the actor's person:special_group reach
            return None
        rows = groups[int(row.id)]
        if rows:
            audit.reveal(
                self.info,
                category="person:special_group",
                kind="person",
                record_id=int(row.id),
                region_code=row.region_code,
                field="specialGroups",
            )
        return [
            {
                f.key: "SpecialGroup" if f.name == "__typename" else SPECIAL_GROUP[f.name](g)
                for f in field.children
            }
            for g in rows
        ]

    def person(
        self,
        row: Any,
        selected: list[Selected],
        grids: dict[int, Any],
        homes: dict[int, Any],
        groups: dict[int, Any],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in selected:
            name = field.name
            if name == "__typename":
                out[field.key] = "Person"
            elif name in PERSON_MASKED:
                out[field.key] = self.masked(row, field, PERSON_MASKED[name])
            elif name == "grid":
                grid = grids.get(row.grid_id) if row.grid_id is not None else None
                out[field.key] = None if grid is None else self.grid(grid, field.children)
            elif name == "household":
                home = homes.get(row.household_id) if row.household_id is not None else None
                home = located.readable(self.info, home, "person:basic")
                out[field.key] = None if home is None else self.household(home, field.children)
            elif name == "specialGroups":
                out[field.key] = self.special_groups(row, field, groups)
            else:
                out[field.key] = PERSON[name](row)
        return out


def plan(info: Info) -> list[Selected] | None:
    """The connection's selection if every field in it is declared here, else None."""
    try:
        selected = selection_of(info)
        node, _ = connection_parts(selected)
        _check(node, PERSON, PERSON_MASKED, PERSON_RELATIONS)
        for field in node:
            if field.name == "grid":
                _check(field.children, GRID)
            elif field.name == "specialGroups":
                _check(field.children, SPECIAL_GROUP)
            elif field.name == "household":
                _check(field.children, HOUSEHOLD, HOUSEHOLD_MASKED)
    except NotCompilable:
        return None
    return selected


async def complete_persons(info: Info, selected: list[Selected], connection: Any) -> Any:
    """The response of ``persons`` from the resolver's connection, or None to let the
    resolvers complete it (a value the masks refuse)."""
    ctx = info.context
    node, _ = connection_parts(selected)
    rows = [e.node for e in connection.edges]
    wanted = {f.name for f in node}
    grids: dict[int, Any] = {}
    homes: dict[int, Any] = {}
    if "grid" in wanted:
        ids = sorted({r.grid_id for r in rows if r.grid_id is not None})
        found = await ctx.loader(GridByIdLoader).load_many(ids)
        grids = dict(zip(ids, found, strict=True))
    if "household" in wanted:
        ids = sorted({r.household_id for r in rows if r.household_id is not None})
        found = await ctx.loader(HouseholdByIdLoader).load_many(ids)
        homes = dict(zip(ids, found, strict=True))
    groups: dict[int, Any] = {}
    if "specialGroups" in wanted:
        reach = ctx.actor.reach
        ids = [
            int(r.id) for r in rows if reach.allows("person:special_group", "read", r.region_code)
        ]
        found = await ctx.loader(SpecialGroupsByPersonLoader).load_many(ids)
        groups = dict(zip(ids, found, strict=True))
    builder = _Builder(info)
    try:
        nodes = [builder.person(r, node, grids, homes, groups) for r in rows]
    except NotCompilable:
        return None
    return await resolved_page(ctx, selected, "Person", nodes, connection)


__all__ = ["complete_persons", "plan"]
