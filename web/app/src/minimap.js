// A small map of our own tiles (no external basemap): the grids around a point, a marker
// on it; optionally the user places the marker by clicking (a citizen's pin).
import * as maplibregl from "/app/lib/maplibre-gl/dist/maplibre-gl.mjs";
import { authHeaders } from "/app/src/api.js";

export function tiles(layer, params = {}) {
  const query = new URLSearchParams(params).toString();
  return `${location.origin}/tiles/${layer}/{z}/{x}/{y}.mvt${query ? `?${query}` : ""}`;
}

// Tiles and TileJSON come from this origin with the page's bearer token.
export function withToken(url) {
  if (url.startsWith(location.origin)) return { url, headers: authHeaders() };
  return { url };
}

export function gridStyle() {
  return {
    version: 8,
    sources: {
      grids: { type: "vector", tiles: [tiles("grids")], minzoom: 0, maxzoom: 16 },
    },
    layers: [
      { id: "background", type: "background", paint: { "background-color": "#0b1f3a" } },
      { id: "grid-fill", type: "fill", source: "grids", "source-layer": "grids", paint: { "fill-color": "#1d4a7a", "fill-opacity": 0.35 } },
      { id: "grid-line", type: "line", source: "grids", "source-layer": "grids", paint: { "line-color": "#34c3ff", "line-width": 1 } },
    ],
  };
}

// center: [lon, lat] or null; onPick(lon, lat) makes the map a picker.
export function miniMap(container, center, onPick = null) {
  const map = new maplibregl.Map({
    container,
    style: gridStyle(),
    center: center || [104.54, 28.76],
    zoom: center ? 14 : 9, // a grid or two around the point: rural grids are large
    attributionControl: false,
    transformRequest: withToken,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  let marker = null;
  const place = (lngLat) => {
    if (!marker) marker = new maplibregl.Marker({ color: "#ff5d5d" }).setLngLat(lngLat).addTo(map);
    else marker.setLngLat(lngLat);
  };
  if (center) place(center);
  if (onPick) {
    map.on("click", (e) => {
      place(e.lngLat);
      onPick(e.lngLat.lng, e.lngLat.lat);
    });
  }
  return {
    map,
    moveTo(lon, lat) {
      place([lon, lat]);
      map.jumpTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 14) });
    },
  };
}
