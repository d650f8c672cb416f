"""What every located record shows, for the compiled located lists: the table's fields,
the GeoJSON the page query selected, and the grid the record lies in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schema.compiled.areas import GRID_SHAPE, geojson
from schema.compiled.records import Relation
from schema.grid.loaders import GridByIdLoader
from schema.located import LOCATED_FIELDS

Getter = Callable[[Any], Any]

LOCATED: dict[str, Getter] = {
    **LOCATED_FIELDS.python,
    "location": lambda r: geojson(r.geojson),
}
#: the relations of every located record (``LocatedFields``)
LOCATED_RELATIONS = {"grid": Relation(lambda: GRID_SHAPE, lambda r: r.grid_id, GridByIdLoader)}
