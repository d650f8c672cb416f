"""Data categories: the objects of authorization, arranged in a tree (``person:identity``
under ``person``). Plugins add their own through ``gridgov_data_categories``."""

from __future__ import annotations

from dataclasses import dataclass

import pluggy


@dataclass(frozen=True, slots=True)
class DataCategory:
    name: str
    parent: str | None
    description: str
    personal: bool = False  # reading it unmasked is a read of personal data (audited)


CORE_CATEGORIES: tuple[DataCategory, ...] = (
    DataCategory("region", None, "Regions and grids with their boundaries"),
    DataCategory("person", None, "Residents and households"),
    DataCategory("person:basic", "person", "Name, gender, age, household, residence type"),
    DataCategory("person:identity", "person", "Identity numbers", personal=True),
    DataCategory("person:contact", "person", "Phones and exact addresses", personal=True),
    DataCategory("person:special_group", "person", "GB/T 31000 special-group tags", personal=True),
    DataCategory("place", None, "Buildings, houses and venues"),
    DataCategory("thing", None, "Components, facilities and IoT devices"),
    DataCategory("organization", None, "Social organizations, enterprises, party organizations"),
    DataCategory("event", None, "Events and their handling"),
    DataCategory("event:internal", "event", "Internal notes on events"),
    DataCategory("audit", None, "The access audit log of personal-data reads"),
)


def category_tree(pm: pluggy.PluginManager | None) -> dict[str, DataCategory]:
    """All categories, core and plugins'; a duplicate name or an unknown parent raises."""
    tree: dict[str, DataCategory] = {}
    parts: list[DataCategory] = list(CORE_CATEGORIES)
    if pm is not None:
        for contributed in pm.hook.gridgov_data_categories():
            parts.extend(contributed or ())
    for cat in parts:
        if cat.name in tree:
            raise ValueError(f"data category {cat.name!r} is declared twice")
        tree[cat.name] = cat
    for cat in tree.values():
        if cat.parent is not None and cat.parent not in tree:
            raise ValueError(f"data category {cat.name!r} has unknown parent {cat.parent!r}")
    return tree
