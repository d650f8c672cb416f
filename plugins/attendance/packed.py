"""A compact form of a GPS batch for phones that upload thousands of fixes: four parallel
JSON arrays instead of one object per fix (GraphQL input objects cost per field)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from core.errors import BadInput
from plugins.attendance.tracks import Fix

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KEYS = ("t", "lon", "lat", "accuracy")


def _number(value: Any, what: str, i: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadInput(f"packed fixes: {what}[{i}] is not a finite number", argument="packed")
    return float(value)


def parse_packed(value: Any, limit: int) -> list[Fix]:
    """``{"t": [epoch ms…], "lon": […], "lat": […], "accuracy": [metres or null…]}`` →
    fixes; ``accuracy`` may be left out. The usual per-fix checks follow."""
    if (
        not isinstance(value, dict)
        or set(value) - set(KEYS)
        or not {"t", "lon", "lat"} <= set(value)
    ):
        raise BadInput(
            "packed fixes are an object of arrays t (epoch ms), lon, lat and optional accuracy",
            argument="packed",
        )
    columns: list[Any] = [value.get(k) for k in KEYS]
    if columns[3] is None:
        columns[3] = [None] * len(columns[0]) if isinstance(columns[0], list) else None
    if not all(isinstance(c, list) for c in columns):
        raise BadInput("packed fixes: t, lon, lat and accuracy must be arrays", argument="packed")
    if len({len(c) for c in columns}) != 1:
        raise BadInput("packed fixes: the arrays differ in length", argument="packed")
    if len(columns[0]) > limit:
        raise BadInput(f"at most {limit} fixes per upload", argument="packed")
    fixes = []
    for i, (t, lon, lat, accuracy) in enumerate(zip(*columns, strict=True)):
        if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < 2**47:
            raise BadInput(f"packed fixes: t[{i}] is not epoch milliseconds", argument="packed")
        fixes.append(
            Fix(
                EPOCH + timedelta(milliseconds=t),
                _number(lon, "lon", i),
                _number(lat, "lat", i),
                None if accuracy is None else _number(accuracy, "accuracy", i),
            )
        )
    return fixes
