"""Custom scalars: GeoJSON geometries."""

from __future__ import annotations

import json
from typing import Any, NewType

import strawberry
from shapely.geometry import shape
from strawberry.types.scalar import ScalarDefinition

from core.errors import BadInput


def _parse_geojson(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise BadInput("GeoJSON value is not valid JSON") from exc
    if not isinstance(value, dict) or "type" not in value:
        raise BadInput("GeoJSON value must be a geometry object with a type")
    try:
        geom = shape(value)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise BadInput(f"GeoJSON geometry is malformed: {exc}") from exc
    if geom.is_empty or not geom.is_valid:
        raise BadInput("GeoJSON geometry is empty or invalid")
    return value


def _serialize(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


GeoJSON = NewType("GeoJSON", object)
#: an output only: many features as one value (map layers are not thousands of objects)
FeatureCollection = NewType("FeatureCollection", object)


def _refuse_input(value: Any) -> Any:
    raise BadInput("a FeatureCollection is an output; it cannot be given as an argument")


#: For ``StrawberryConfig(scalar_map=SCALARS)``.
SCALARS: dict[object, ScalarDefinition] = {
    GeoJSON: strawberry.scalar(
        name="GeoJSON",
        description="A GeoJSON geometry object (RFC 7946), WGS 84 longitude/latitude.",
        specified_by_url="https://www.rfc-editor.org/rfc/rfc7946",
        serialize=_serialize,
        parse_value=_parse_geojson,
    ),
    FeatureCollection: strawberry.scalar(
        name="FeatureCollection",
        description="A GeoJSON FeatureCollection (RFC 7946), WGS 84 longitude/latitude: "
        "many features of a map as one value.",
        specified_by_url="https://www.rfc-editor.org/rfc/rfc7946#section-3.3",
        serialize=_serialize,
        parse_value=_refuse_input,
    ),
}
