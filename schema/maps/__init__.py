"""Map layers as Mapbox vector tiles: the core's layers (``layers``), the registry and the
encoding statement (``tiles``) and the HTTP routes (``routes``). See docs/maps.md."""

from schema.maps.routes import tile_routes
from schema.maps.tiles import tile_layers

__all__ = ["tile_layers", "tile_routes"]
