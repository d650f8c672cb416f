"""What every located record shows, completed in Python (the table's fields and the
GeoJSON the page query selected)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from schema.located import LOCATED_FIELDS

Getter = Callable[[Any], Any]


def _geojson(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str) else value


LOCATED: dict[str, Getter] = {
    **LOCATED_FIELDS.python,
    "location": lambda r: _geojson(r.geojson),
}
