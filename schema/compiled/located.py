"""What every located record shows, for the compiled located lists: the table's fields,
the GeoJSON the page query selected, and the grid the record lies in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from schema.compiled.records import Relation, Shape
from schema.grid.loaders import GridByIdLoader
from schema.grid.types import GRID_FIELDS
from schema.located import LOCATED_FIELDS

Getter = Callable[[Any], Any]


def _geojson(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str) else value


LOCATED: dict[str, Getter] = {
    **LOCATED_FIELDS.python,
    "location": lambda r: _geojson(r.geojson),
}
GRID_SHAPE = Shape("Grid", GRID_FIELDS.python)
#: the relations of every located record (``LocatedFields``)
LOCATED_RELATIONS = {"grid": Relation(lambda: GRID_SHAPE, lambda r: r.grid_id, GridByIdLoader)}
